"""The demo's fixed dates and the small helpers every app's demo records draw with.

Every draw comes from the `random.Random` of the city being generated, in a fixed order
(`dangjian.demo.generate` calls the apps' functions in turn): a helper that draws once more
or once less changes every record after it (`tests/test_demo_fingerprint.py`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence

# The as-of date of the demo data: fixed, so that the data are the same on every day.
DEMO_TODAY = dt.date(2026, 11, 26)
CHANGE_REASON = "生成演示数据"
BATCH_SIZE = 2000
CHANGSHA = "430100"
HUNAN = "430000"
POLICY_DATE = dt.date(2015, 1, 9)  # 长办发〔2015〕2号: the wave of Party organizations after it
# The city has used the system for two years: what its rules found since then was mostly put
# right within the period the policy sets, what arose before mostly long ago.
SYSTEM_SINCE = DEMO_TODAY.replace(year=DEMO_TODAY.year - 2)
WAVE_ENDS = dt.date(2019, 12, 31)  # the wave of Party organizations after the policy
INSTRUCTORS_FROM = dt.date(2015, 6, 1)  # the first instructors were sent after the policy
# How likely a situation a rule finds is still open on the as-of date: while its period runs
# (most are, nobody has got to them yet), once overdue when it arose since the system came
# into use, and when it arose before.
OPEN_NOT_DUE = 0.65
OPEN_SINCE_SYSTEM = 0.01
OPEN_BEFORE_SYSTEM = 0.0005


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def pick[K](rng: random.Random, weights: Mapping[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def share(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainder, ties by order)."""
    whole = sum(weights)
    if whole <= 0 or not weights:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (for names such as 第二联合支部委员会)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


# --- the system's two years -----------------------------------------------------------------


def remedied(
    rng: random.Random, arose: dt.date, period: int, *, wave: bool = False
) -> dt.date | None:
    """When a situation a rule finds, arisen on `arose`, was put right (None: still open
    on the as-of date). Most of what is not yet due is open; what arose since the system
    came into use was put right within the period (a few late, fewer never); what arose
    before mostly within the period too, a tenth when the system came. `wave`: the
    remedy was asked for only by the policy (set up a Party organization, send an
    instructor), so what predates it was put right in the wave after it."""
    today = DEMO_TODAY
    yesterday = today - dt.timedelta(days=1)
    if wave and arose < POLICY_DATE:
        if share(rng, OPEN_BEFORE_SYSTEM):
            return None
        r = rng.random()
        if r < 0.4:  # some did before the policy asked
            return min(arose + dt.timedelta(days=rng.randint(60, 2000)), yesterday)
        if r < 0.85:
            return date_between(rng, POLICY_DATE, WAVE_ENDS)
        if r < 0.93:
            return date_between(rng, WAVE_ENDS, SYSTEM_SINCE)
        return clean_up(rng)
    if arose + dt.timedelta(days=period) > today:  # not yet due
        if arose >= today or share(rng, OPEN_NOT_DUE):
            return None
        return date_between(rng, arose, yesterday)
    since_system = arose >= SYSTEM_SINCE
    if share(rng, OPEN_SINCE_SYSTEM if since_system else OPEN_BEFORE_SYSTEM):
        return None
    r = rng.random()
    if r < 0.8:
        fixed = arose + dt.timedelta(days=rng.randint(0, period))
    elif r < 0.9 and not since_system:
        fixed = clean_up(rng)
    else:  # late
        fixed = arose + dt.timedelta(days=rng.randint(period + 1, period * 4))
    return min(fixed, yesterday)


def clean_up(rng: random.Random) -> dt.date:
    """A day of the clean-up of old situations the system brought: mostly in its first
    months, fewer and fewer since (the recorded checks of the last year show the tail)."""
    span = (DEMO_TODAY - dt.timedelta(days=30) - SYSTEM_SINCE).days
    return SYSTEM_SINCE + dt.timedelta(days=int(rng.triangular(0, span, 0)))
