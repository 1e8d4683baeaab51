"""The jurisdiction benchmark (issue 6): what the same request costs a district officer and a
city officer — the scoped query must not cost more than the wider one.

Two users are created in the benchmark database (once; the demo database keeps them):
`bench_city` (role city, 长沙市 430100) and `bench_district` (role district, 芙蓉区 430102).
Each asks, through the real API with a Bearer token (Django's test Client, every middleware):

    scope.org_list    GET /api/v1/orgs — the first page of the organization list:
                      `Jurisdiction(user).orgs()` ordered by uscc, the first 50 and the count
    scope.coverage    GET /api/v1/reports/coverage?as_of=DEMO_TODAY — the coverage report of
                      the user's jurisdiction

value = the district officer's median time, baseline = the city officer's (the runs of the
two alternate, so that a busy machine slows both alike); the ratio is district ÷ city, lower
is better. The issue's target: at most 1.2×. The issue asks for the province scale (湖南省, so
that 长沙市 is one city among fourteen); at other scales it runs on the run's dataset.
"""

from __future__ import annotations

import gc
import statistics
import time
import warnings
from dataclasses import dataclass
from typing import Any

from bench.check import as_of
from bench.common import BenchContext, Result, timed

DATASET = "demo"
CITY, DISTRICT = "430100", "430102"  # 长沙市, 芙蓉区
USERS = [("bench_city", "city", CITY), ("bench_district", "district", DISTRICT)]
RUNS = {"org_list": 21, "coverage": 7}
NATIONAL_RUNS = {"org_list": 11, "coverage": 5}
TARGET_RATIO = 1.2


@dataclass
class Officer:
    username: str
    client: Any
    token: Any  # the ApiToken row, revoked at the end


def officers() -> list[Officer]:
    from django.test import Client

    from dangjian.accounts.models import User
    from dangjian.accounts.services import generate_password, user_create
    from dangjian.accounts.tokens import token_create

    out = []
    for username, role, area in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username, role=role, password=generate_password(), area_code=area
            )
        record, token = token_create(user=user, name="bench/scope")
        client = Client(headers={"Authorization": f"Bearer {token}"}, SERVER_NAME="127.0.0.1")
        out.append(Officer(username, client, record))
    return out


def _get(officer: Officer, path: str) -> Any:
    response = officer.client.get(path)
    if response.status_code != 200:
        raise RuntimeError(
            f"{officer.username} GET {path}: {response.status_code} {response.content[:300]!r}"
        )
    return response.json()


def alternate(people: list[Officer], path: str, runs: int) -> tuple[list[list[float]], list[Any]]:
    """`runs` timed requests for each officer, taking turns; the first of each is a warm-up."""
    times: list[list[float]] = [[] for _ in people]
    answers: list[Any] = [_get(p, path) for p in people]  # warm-up, not timed
    for i in range(runs):
        order = range(len(people)) if i % 2 == 0 else reversed(range(len(people)))
        for j in order:
            gc.collect()
            with timed() as elapsed:
                answers[j] = _get(people[j], path)
            times[j].append(elapsed())
    return times, answers


def run(ctx: BenchContext) -> list[Result]:
    from dangjian.accounts.tokens import token_revoke

    # WhiteNoise warns once that collectstatic has not run: irrelevant to an API call.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    people = officers()
    city, district = people
    day = as_of().isoformat()
    runs = NATIONAL_RUNS if ctx.scale == "national" else RUNS
    if ctx.scale != "province":
        print(f"   (the issue asks for the province scale; this is the {ctx.scale} dataset)")
    results = []
    try:
        for name, path, describe in (
            ("org_list", "/api/v1/orgs", _describe_list),
            ("coverage", f"/api/v1/reports/coverage?as_of={day}", _describe_coverage),
        ):
            started = time.perf_counter()
            (city_times, district_times), (city_answer, district_answer) = alternate(
                [city, district], path, runs[name]
            )
            c, d = statistics.median(city_times), statistics.median(district_times)
            result = Result(
                f"scope.{name}",
                d * 1000,
                "ms",
                c * 1000,
                ctx.scale,
                ctx.database,
                higher_is_better=False,
                extra={
                    "runs": runs[name],
                    "city_runs_ms": [round(t * 1000, 1) for t in city_times],
                    "district_runs_ms": [round(t * 1000, 1) for t in district_times],
                },
            )
            met = "met" if result.ratio <= TARGET_RATIO else "MISSED"
            print(
                f"   GET {path} (median of {runs[name]}, {time.perf_counter() - started:.0f} s "
                f"in all): district officer {d * 1000:.1f} ms ({describe(district_answer)}), "
                f"city officer {c * 1000:.1f} ms ({describe(city_answer)}); "
                f"district ÷ city = {result.ratio:.2f}, target ≤ {TARGET_RATIO:g} {met}",
                flush=True,
            )
            results.append(result)
    finally:
        for officer in people:
            token_revoke(token=officer.token)
    return results


def _describe_list(answer: Any) -> str:
    return f"{len(answer['items'])} of {answer['count']:,} organizations"


def _describe_coverage(answer: Any) -> str:
    return f"{len(answer)} rows, {answer[0]['orgs_active']:,} active organizations"
