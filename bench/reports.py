"""The reports and planner benchmark (issue 5): the three commands over the whole demo dataset.

    reports.coverage       `dangjian report coverage --as-of DEMO_TODAY --format json -o …`
    reports.org_building   `dangjian report org-building --as-of DEMO_TODAY --format json -o …`
    plan.joint             `dangjian plan joint --as-of DEMO_TODAY --format json -o …`

Each is the real command (`call_command`: the facts, the report, its JSON written to a file
under var/bench/), as the system itself sees it (no --user: everything). The baseline is the
same one SQL pass as bench/check's: formal members per organization on the date, one
GROUP BY, timed in the same run. Times are medians of a few runs (one at the national scale).

The issue's targets are for the national scale on PostgreSQL: each report ≤ 10 s, the
planner ≤ 10 s.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from bench.check import REPEATS, as_of, baseline, median_time, print_baseline
from bench.common import BenchContext, PeakMemory, Result

DATASET = "demo"
TARGET_SECONDS = 10.0  # national scale, PostgreSQL

# (result name, the command's arguments before the common ones)
COMMANDS = [
    ("reports.coverage", ["report", "coverage"]),
    ("reports.org_building", ["report", "org-building"]),
    ("plan.joint", ["plan", "joint"]),
]


def _command(args: list[str], out: Path) -> Any:
    from django.core.management import call_command

    day = as_of().isoformat()
    return call_command(
        *args, "--as-of", day, "--format", "json", "-o", str(out), stderr=io.StringIO()
    )


def run(ctx: BenchContext) -> list[Result]:
    repeats = REPEATS.get(ctx.scale, 1)
    base, with_formal = baseline(ctx.scale)
    print_baseline(base, with_formal)
    folder = ctx.workdir / "reports-out"
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for name, args in COMMANDS:
        out = folder / f"{name}.json"
        with PeakMemory() as memory:
            timing, _ = median_time(functools.partial(_command, args, out), repeats)
        result = Result(
            name,
            timing.median * 1000,
            "ms",
            base.median * 1000,
            ctx.scale,
            ctx.database,
            higher_is_better=False,
            extra={
                **timing.extra(),
                "output_kib": round(out.stat().st_size / 1024, 1),
                "peak_mib": round(memory.growth_mib, 1),
            },
        )
        seconds = timing.median
        target = ""
        if ctx.scale == "national" and ctx.database == "postgresql":
            met = "met" if seconds <= TARGET_SECONDS else "MISSED"
            target = f"; target ≤ {TARGET_SECONDS:g} s {met}"
        print(
            f"   {' '.join(args)}: median of {repeats}: {seconds:.3f} s "
            f"(cpu {timing.median_cpu:.3f} s), "
            f"{result.ratio:.1f}× the baseline{target}",
            flush=True,
        )
        results.append(result)
    return results
