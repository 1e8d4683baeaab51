"""The rules benchmark (issue 4): every rule (`evaluate`) over the whole demo dataset.

    check.all_rules      `evaluate(as_of=DEMO_TODAY)` — every rule, everything (the system
                         itself, as `dangjian check` without --user), findings sorted

The baseline is ONE SQL pass over the same data in the same run: the formal members of
every organization on the date — a single GROUP BY over the employments current on the date
joined to the memberships formal on it (`formal_members_per_org`). Both are timed as the
median of a few runs (one at the national scale, where a run takes tens of seconds); the
ratio is how many times that one pass the rules cost.

The issue's targets: ≤ 1 s at the city scale, ≤ 60 s at the national scale on PostgreSQL,
within 5× of the one-pass baseline.

    check.with_life      every rule against every rule but LIFE-MEETINGS and LIFE-REVIEW
                         (issue 15): the check with the rules of organization life over the
                         demo's year of meetings, as a ratio to the check without them — the
                         rules before them read no meeting — on the same data in the same
                         run, timed in interleaved pairs (`with_rules`); target ≤ 1.5×.
    check.with_cadres    the same for the rules reading trainings (issue 16:
                         CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY, CAD-WORKER-TRAINING)
                         over the demo's trainings, against every rule but them; ≤ 1.3×.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.common import BenchContext, PeakMemory, Result, process_cpu, timed

DATASET = "demo"  # the runner gives this module the demo dataset of the scale
# Timed runs per scale (the national scale is slow enough that one run is a fair figure).
REPEATS = {"city": 5, "province": 3, "national": 1}
BASELINE_REPEATS = {"city": 9, "province": 9, "national": 5}  # it takes milliseconds to seconds
TARGETS = {"city": 1.0, "national": 60.0}  # seconds; national on PostgreSQL
TARGET_RATIO = 5.0
LIFE_RATIO = 1.5  # issue 15: the check with LIFE-* over the check without them
CADRES_RATIO = 1.3  # issue 16: the check with the training rules over the check without them
TRAINING_RULES = ("CAD-NEW-SECRETARY", "CAD-SECRETARY-TRAINING", "CAD-WORKER-TRAINING")
PAIRS = {"city": 15, "province": 9, "national": 1}  # interleaved pairs (`with_rules`)


def as_of() -> dt.date:
    from dangjian.demo import DEMO_TODAY

    return DEMO_TODAY


def formal_members_per_org(on: dt.date) -> dict[int, int]:
    """The baseline: formal members per organization on `on`, in one SQL pass."""
    from django.db import connection

    from dangjian.people.models import Employment, Membership

    q = connection.ops.quote_name
    employment, membership = Employment._meta.db_table, Membership._meta.db_table
    sql = (
        f"SELECT e.org_id, COUNT(DISTINCT e.person_id) FROM {q(employment)} e "
        f"JOIN {q(membership)} m ON m.person_id = e.person_id "
        "WHERE (e.started_on IS NULL OR e.started_on <= %s) "
        "AND (e.ended_on IS NULL OR e.ended_on > %s) "
        "AND m.confirmed_on <= %s "
        "GROUP BY e.org_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on, on])
        return dict(cursor.fetchall())


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """How many SQL statements the block runs (a one-element list, filled in as it runs)."""
    from django.db import connection

    count = [0]

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def _backend_pid() -> int | None:
    """The PostgreSQL server process serving this connection (the server is local)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    assert connection.connection is not None
    return int(connection.connection.info.backend_pid)  # psycopg knows it: no query


def cpu_now() -> tuple[float, int | None, float]:
    """This process's CPU time, and the database server process's (PostgreSQL)."""
    pid = _backend_pid()
    return time.process_time(), pid, process_cpu(pid) if pid else 0.0


def cpu_since(start: tuple[float, int | None, float]) -> float:
    own, pid, server = start
    used = time.process_time() - own
    if pid is not None:
        used += process_cpu(pid) - server
    return used


@dataclass
class Timing:
    """Timed runs: wall-clock seconds (the figure) and CPU seconds — this process's and, on
    PostgreSQL, its server process's (parallel workers not counted); on SQLite the process
    does the database's work itself. Much less CPU than wall time means a busy machine."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    def extra(self) -> dict[str, Any]:
        return {
            "runs_s": [round(t, 3) for t in self.wall],
            "cpu_s": round(self.median_cpu, 3),
            "load": round(os.getloadavg()[0], 1),
        }


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[Timing, Any]:
    """`repeats` timed calls, and the last call's answer."""
    timing = Timing([], [])
    answer: Any = None
    for _ in range(repeats):
        answer = None  # let the previous answer go before the next run
        gc.collect()
        cpu = cpu_now()
        with timed() as elapsed:
            answer = fn()
        timing.wall.append(elapsed())
        timing.cpu.append(cpu_since(cpu))
    return timing, answer


def baseline(scale: str) -> tuple[Timing, int]:
    """The one-pass baseline: its timing, and how many organizations have formal members."""
    day = as_of()
    repeats = BASELINE_REPEATS.get(scale, 5)
    formal_members_per_org(day)  # warm the database's cache, as the rules' runs do each other's
    timing, counts = median_time(lambda: formal_members_per_org(day), repeats)
    return timing, len(counts)


def print_baseline(timing: Timing, with_formal: int) -> None:
    print(
        f"   baseline: formal members per organization, one GROUP BY: {timing.median:.3f} s "
        f"(cpu {timing.median_cpu:.3f} s; {with_formal:,} organizations with formal members; "
        f"load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def verdict(scale: str, database: str, seconds: float, ratio: float) -> str:
    target = TARGETS.get(scale)
    parts = []
    if target is not None and (scale != "national" or database == "postgresql"):
        parts.append(f"≤ {target:g} s {'met' if seconds <= target else 'MISSED'}")
    parts.append(f"≤ {TARGET_RATIO:g}× baseline {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return "; ".join(parts)


def run(ctx: BenchContext) -> list[Result]:
    from dangjian.compliance.engine import evaluate

    day = as_of()
    repeats = REPEATS.get(ctx.scale, 1)
    base, with_formal = baseline(ctx.scale)
    print_baseline(base, with_formal)

    def check() -> Any:
        return evaluate(as_of=day)

    with PeakMemory() as memory, counting_queries() as queries:
        timing, result = median_time(check, repeats)
    findings = len(result.findings)
    per_run_queries = queries[0] // repeats
    del result
    seconds = timing.median
    out = Result(
        "check.all_rules",
        seconds * 1000,
        "ms",
        base.median * 1000,
        ctx.scale,
        ctx.database,
        higher_is_better=False,
        extra={
            **timing.extra(),
            "findings": findings,
            "queries": per_run_queries,
            "peak_mib": round(memory.growth_mib, 1),
        },
    )
    print(
        f"   evaluate(as_of={day}), every rule: {findings:,} findings, {per_run_queries} queries "
        f"a run; median of {repeats}: {seconds:.3f} s (cpu {timing.median_cpu:.3f} s), "
        f"{out.ratio:.1f}× the baseline; target {verdict(ctx.scale, ctx.database, seconds, out.ratio)}",
        flush=True,
    )
    pairs = PAIRS.get(ctx.scale, 3)
    return [out, with_life(ctx, day, pairs), with_cadres(ctx, day, pairs)]


def with_life(ctx: BenchContext, day: dt.date, repeats: int) -> Result:
    """Every rule against every rule but LIFE-* (issue 15)."""
    from dangjian.compliance.engine import RULES
    from dangjian.life.models import Meeting

    life = tuple(r for r in RULES if r.startswith("LIFE-"))
    return with_rules(
        ctx, day, repeats, "life", life, "LIFE-*", LIFE_RATIO, "meetings", Meeting.objects.count()
    )


def with_cadres(ctx: BenchContext, day: dt.date, repeats: int) -> Result:
    """Every rule against every rule but the three that read trainings (issue 16;
    CAD-FULLTIME and CAD-RECOMMENDATION read none)."""
    from dangjian.cadres.models import Training

    count = Training.objects.count()
    return with_rules(
        ctx, day, repeats, "cadres", TRAINING_RULES, "the training rules", CADRES_RATIO,
        "trainings", count,
    )  # fmt: skip


def with_rules(ctx: BenchContext, day: dt.date, repeats: int, figure: str,
               left_out: tuple[str, ...], label: str, target: float, what: str,
               rows: int) -> Result:  # fmt: skip
    """Every rule against every rule but `left_out` (`label`), timed in pairs in the same run: each
    pair runs both checks one after the other, the first of the pair alternating (the
    machine's speed drifts over seconds, and a check run right after another is the slower
    one: in separate blocks of runs the drift alone moved the ratio by ±0.3). The figure is
    the median of the checks with them, the baseline the median of those without."""
    from dangjian.compliance.engine import RULES, evaluate

    others = sorted(r for r in RULES if r not in left_out)
    runs = {"with": Timing([], []), "without": Timing([], [])}
    checks: dict[str, Callable[[], Any]] = {
        "with": lambda: evaluate(as_of=day),
        "without": lambda: evaluate(as_of=day, rules=others),
    }
    findings = {}
    for i in range(repeats):
        for name in ("without", "with") if i % 2 == 0 else ("with", "without"):
            timing, result = median_time(checks[name], 1)
            runs[name].wall += timing.wall
            runs[name].cpu += timing.cpu
            findings[name] = len(result.findings)
            del result
    with_, without = runs["with"], runs["without"]
    out = Result(
        f"check.with_{figure}",
        with_.median * 1000,
        "ms",
        without.median * 1000,
        ctx.scale,
        ctx.database,
        higher_is_better=False,
        extra={
            what: rows,
            "findings": findings["with"],
            f"findings_without_{figure}": findings["without"],
            **with_.extra(),
            "runs_without_s": [round(t, 3) for t in without.wall],
            "cpu_without_s": round(without.median_cpu, 3),
            "cpu_ratio": round(with_.median_cpu / without.median_cpu, 2),
        },
    )
    print(
        f"   every rule but {label}: {without.median:.3f} s (cpu {without.median_cpu:.3f} s; "
        f"{findings['without']:,} findings); every rule ({rows:,} {what}): "
        f"{with_.median:.3f} s (cpu {with_.median_cpu:.3f} s; {findings['with']:,} findings) = "
        f"{out.ratio:.2f}× (cpu {with_.median_cpu / without.median_cpu:.2f}×), {repeats} pairs "
        f"(target ≤ {target:g}× {'met' if out.ratio <= target else 'MISSED'})",
        flush=True,
    )
    return out
