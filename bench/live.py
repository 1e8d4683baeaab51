"""The live re-evaluation benchmark (issue 14): one organization edited, its findings
re-evaluated and the findings store current.

    live.edit_one_org    the re-evaluation after an organization is deregistered (or
                         registered again): `live.scope_of` + `live.refresh`, which the
                         commit of the save runs (dangjian/lib/changes.py)

The baseline is the save alone (`org.save()`, its history row included), in the same run.
Each edit and its re-evaluation are rolled back, so the demo dataset stays as it was. The
issue's target: the store current within 50 ms of the save (median) at the province scale.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from bench.common import BenchContext, Result

DATASET = "demo"
EDITS = 41
TARGET_MS = 50.0


def run(ctx: BenchContext) -> list[Result]:
    from django.db import transaction

    from dangjian.compliance import live
    from dangjian.lib import changes
    from dangjian.orgs.models import OrgStatus, SocialOrganization

    pks = list(SocialOrganization.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(14)
    saves: list[float] = []
    refreshes: list[float] = []
    changed = 0
    for pk in rng.sample(pks, min(EDITS, len(pks))):
        with transaction.atomic():
            org = SocialOrganization.objects.get(pk=pk)
            started = time.perf_counter()
            with changes.suspended():  # timed by hand below, not on commit
                if org.status == OrgStatus.ACTIVE:
                    org.status, org.status_changed_on = OrgStatus.DEREGISTERED, org.registered_on
                else:
                    org.status, org.status_changed_on = OrgStatus.ACTIVE, None
                org.save()
            saved = time.perf_counter()
            opened, resolved = live.refresh(
                live.scope_of({SocialOrganization: {pk}}), cause="benchmark"
            )
            done = time.perf_counter()
            changed += opened + resolved
            transaction.set_rollback(True)
        saves.append(saved - started)
        refreshes.append(done - saved)
    value = statistics.median(refreshes) * 1000
    result = Result(
        "live.edit_one_org",
        value,
        "ms",
        statistics.median(saves) * 1000,
        ctx.scale,
        ctx.database,
        higher_is_better=False,
        extra=_extra(refreshes, changed),
    )
    if ctx.scale == "province":
        verdict = "met" if value <= TARGET_MS else "MISSED"
        print(f"   target: ≤ {TARGET_MS:g} ms at the province scale — {verdict}", flush=True)
    return [result]


def _extra(refreshes: list[float], changed: int) -> dict[str, Any]:
    ordered = sorted(refreshes)
    return {
        "edits": len(refreshes),
        "p90_ms": round(ordered[int(len(ordered) * 0.9)] * 1000, 1),
        "findings_changed": changed,
    }
