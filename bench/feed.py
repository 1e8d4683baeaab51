"""The registry's live feed (issue 18 item 4; docs/feed.md): `events_apply` with the
re-evaluation its commit runs.

    feed.batch_1000   1,000 change events of the organizations a registry registered directly
                      (renamed, a tenth deregistered); baseline: the `orgs` import of the same
                      changes (full rows, by the same user), with its re-evaluation, in the
                      same run — target: under 2×
    feed.one_event    one change event applied and re-evaluated, median of 41 — target:
                      ≤ 100 ms at the province scale; baseline: the same event's import alone

Every run is rolled back, so the demo dataset stays as it was.
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from typing import Any

from bench.common import BenchContext, Result

DATASET = "demo"
EVENTS = 1000
REPEATS = 3
SINGLES = 41
TARGET_RATIO = 2.0
TARGET_ONE_MS = 100.0


def _setup() -> tuple[Any, list[list[str]], list[str]]:
    """The registry with the most organizations registered directly, a user of it, and the
    export rows of (up to) 1,000 of its organizations."""
    from django.db.models import Count

    from dangjian.accounts.models import Role, User
    from dangjian.areas.models import Unit
    from dangjian.imports.export import headers, org_export_rows
    from dangjian.orgs.models import RegistrationMode, SocialOrganization

    unit_pk = (
        SocialOrganization.objects.filter(registration_mode=RegistrationMode.DIRECT)
        .values("registry_id").annotate(n=Count("pk")).order_by("-n")
        .values_list("registry_id", flat=True).first()
    )  # fmt: skip
    assert unit_pk is not None, "no organization registered directly"
    unit = Unit.objects.get(pk=unit_pk)
    user = User.objects.filter(role=Role.REGISTRY, unit=unit).first()
    if user is None:
        user = User.objects.create(username=f"bench_feed_{unit.pk}", role=Role.REGISTRY, unit=unit)
    qs = SocialOrganization.objects.filter(
        registry=unit, registration_mode=RegistrationMode.DIRECT
    ).order_by("uscc")
    rows = [row for _, row in zip(range(EVENTS), org_export_rows(qs), strict=False)]
    return user, rows, headers("orgs")


def _changes(rows: list[list[str]], header: list[str]) -> tuple[list[list[str]], list[dict]]:
    name, status = header.index("社会组织名称"), header.index("登记状态")
    changed_on, registered = header.index("状态变更日期"), header.index("成立登记日期")
    full, events = [], []
    for i, row in enumerate(rows):
        row = list(row)
        row[name] += "（更名）"
        body = {"uscc": row[0], "name": row[name]}
        kind = "change"
        if i % 10 == 0 and row[status] == "正常":
            row[status], row[changed_on] = "注销", row[registered]
            body["status_changed_on"], kind = row[changed_on], "deregister"
        events.append({"id": f"B-{i}", "type": kind, "org": body})
        full.append(row)
    return full, events


def run(ctx: BenchContext) -> list[Result]:
    from django.db import transaction

    from dangjian.feed.services import events_apply
    from dangjian.imports.service import import_file
    from dangjian.lib import changes

    user, rows, header = _setup()
    full, events = _changes(rows, header)
    path = ctx.workdir / "feed-orgs.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header, *full])

    def by_import() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            result = import_file("orgs", path, user=user)
            changes.flush()
            took = time.perf_counter() - started
            assert result.ok and result.updated == len(full), result.errors[:3]
            transaction.set_rollback(True)
        return took

    def by_feed(batch: list[dict]) -> float:
        with transaction.atomic():
            started = time.perf_counter()
            results = events_apply(user=user, events=batch)
            changes.flush()
            took = time.perf_counter() - started
            refused = [r for r in results if r.outcome == "refused"]
            assert not refused, refused[:3]
            transaction.set_rollback(True)
        return took

    by_import()  # warm the caches alike
    pairs = [(by_import(), by_feed(events)) for _ in range(REPEATS)]
    baseline = statistics.median(a for a, _ in pairs)
    value = statistics.median(b for _, b in pairs)
    batch = Result("feed.batch_1000", value * 1000, "ms", baseline * 1000, ctx.scale,
                   ctx.database, higher_is_better=False,
                   extra={"events": len(events), "organizations": len(full)})  # fmt: skip
    verdict = "met" if batch.ratio < TARGET_RATIO else "MISSED"
    print(f"   target: < {TARGET_RATIO:g}× the orgs import of the same changes — {verdict}")

    rng = random.Random(18)
    singles, alone = [], []
    one_path = ctx.workdir / "feed-one.csv"
    for i in rng.sample(range(len(full)), min(SINGLES, len(full))):
        row = list(rows[i])
        row[header.index("社会组织名称")] += "（单个）"
        with one_path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, row])
        with transaction.atomic():
            started = time.perf_counter()
            import_file("orgs", one_path, user=user)
            changes.flush()
            alone.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        singles.append(by_feed([{"id": f"S-{i}", "type": "change",
                                 "org": {"uscc": row[0], "name": row[1]}}]))  # fmt: skip
    one = Result("feed.one_event", statistics.median(singles) * 1000, "ms",
                 statistics.median(alone) * 1000, ctx.scale, ctx.database,
                 higher_is_better=False, extra={"events": len(singles)})  # fmt: skip
    if ctx.scale == "province":
        verdict = "met" if one.value <= TARGET_ONE_MS else "MISSED"
        print(f"   target: ≤ {TARGET_ONE_MS:g} ms at the province scale — {verdict}")
    return [batch, one]
