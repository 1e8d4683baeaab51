"""The what-if of a policy revision (issue 19; docs/policy-versions.md).

whatif.compare    `compare(revised, as_of=DEMO_TODAY)`: every rule evaluated with the
                  settings in force and with a revision (standalone_min_formal_members
                  3 → 2, dues_lapse_months 6 → 3, secretary_training_min_days 5 → 7), and
                  the findings that appear and disappear; baseline: one `check` of the
                  same data (`evaluate(as_of=DEMO_TODAY)`) in the same run, timed in
                  interleaved pairs — target: ≤ 2.5×; national ≤ 120 s on PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any

from bench.check import Timing, as_of, median_time
from bench.common import BenchContext, Result

DATASET = "demo"
PAIRS = {"city": 7, "province": 3, "national": 1}
TARGET_RATIO = 2.5
TARGETS = {"national": 120.0}  # seconds, on PostgreSQL


def revision() -> Any:
    from dangjian.compliance.policy import default_text, parse

    text = re.sub(r'^version = ".*"$', 'version = "bench-whatif"', default_text(), flags=re.M)
    for name, value in (
        ("standalone_min_formal_members", "2"),
        ("dues_lapse_months", "3"),
        ("secretary_training_min_days", "7"),
    ):
        text, n = re.subn(
            rf"(\[settings\.{name}\]\nvalue = )(.*?)(\nsource)", rf"\g<1>{value}\g<3>", text,
            count=1, flags=re.S,
        )  # fmt: skip
        assert n == 1, name
    return parse(text)


def run(ctx: BenchContext) -> list[Result]:
    from dangjian.compliance.engine import evaluate
    from dangjian.policies.whatif import compare

    day = as_of()
    revised = revision()
    runs = {"compare": Timing([], []), "check": Timing([], [])}
    answers: dict[str, Any] = {}
    calls = {
        "compare": lambda: compare(revised, as_of=day),
        "check": lambda: evaluate(as_of=day),
    }
    for i in range(PAIRS.get(ctx.scale, 3)):
        for name in ("check", "compare") if i % 2 == 0 else ("compare", "check"):
            timing, answer = median_time(calls[name], 1)
            runs[name].wall += timing.wall
            runs[name].cpu += timing.cpu
            answers[name] = answer
    result, check = answers["compare"], answers["check"]
    moving = (len(result.appeared), len(result.disappeared))
    findings = len(check.findings)
    del answers, result, check
    compare_t, check_t = runs["compare"], runs["check"]
    out = Result(
        "whatif.compare",
        compare_t.median * 1000,
        "ms",
        check_t.median * 1000,
        ctx.scale,
        ctx.database,
        higher_is_better=False,
        extra={
            **compare_t.extra(),
            "findings": findings,
            "appearing": moving[0],
            "disappearing": moving[1],
            "runs_check_s": [round(t, 3) for t in check_t.wall],
            "cpu_check_s": round(check_t.median_cpu, 3),
        },
    )
    parts = [f"≤ {TARGET_RATIO:g}× {'met' if out.ratio <= TARGET_RATIO else 'MISSED'}"]
    target = TARGETS.get(ctx.scale)
    if target is not None and ctx.database == "postgresql":
        met = compare_t.median <= target
        parts.append(f"≤ {target:g} s {'met' if met else 'MISSED'}")
    print(
        f"   check: {check_t.median:.3f} s (cpu {check_t.median_cpu:.3f} s; {findings:,} "
        f"findings); what-if: {compare_t.median:.3f} s (cpu {compare_t.median_cpu:.3f} s; "
        f"+{moving[0]:,} −{moving[1]:,}) = {out.ratio:.2f}×; target {'; '.join(parts)}",
        flush=True,
    )
    return [out]
