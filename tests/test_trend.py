"""The dashboard's line of open findings by day (`web.stats._trend`): one read of the user's
findings, counted per day exactly as `engine.open_on` counts them day by day."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dangjian.accounts.jurisdiction import findings_for
from dangjian.compliance.engine import open_on
from dangjian.compliance.models import FindingRecord
from dangjian.web.stats import _trend
from tests.actors import build_world

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)


def findings(world, rng: random.Random, n: int = 160) -> None:
    subjects = [
        ("social_org", world.orgs["fr_assoc"], world.areas["wenyilu"]),
        ("social_org", world.orgs["fr_school"], world.areas["chaoyang"]),
        ("social_org", world.orgs["tx_fund"], world.areas["pozi"]),
        ("party_org", world.party_orgs["fr"], world.areas["wenyilu"]),
    ]
    rows = []
    for i in range(n):
        kind, subject, area = rng.choice(subjects)
        first = START + dt.timedelta(days=rng.randint(0, 330))
        resolved = None
        if rng.random() < 0.7:  # some resolved the day they were seen, a few "before" it
            resolved = first + dt.timedelta(days=rng.randint(-3, 200))
        rows.append(
            FindingRecord(
                rule="COV-JOINT",
                subject_type=kind,
                subject_key=str(i),
                subject_name="x",
                subject_pk=subject.pk,
                occurrence=str(i) if resolved is None else f"r{i}",
                area=area.code,
                area_path=area.path,
                severity="medium",
                message="m",
                first_seen=first,
                last_seen=first,
                resolved_on=resolved,
                policy_version="t",
            )
        )
    FindingRecord.objects.bulk_create(rows)


@pytest.mark.parametrize("who", ["city", "furong", "wenyilu", "registry", "supervisor", "outsider"])
def test_the_line_counts_each_day_as_open_on_does(areas, who):
    world = build_world(areas)
    findings(world, random.Random(who))
    user = world.users[who]
    days = [START + dt.timedelta(days=d) for d in range(0, 365, 17)]
    for area in (None, areas["wenyilu"]):
        expected = {day: findings_for(user).filter(open_on(day, area)).count() for day in days}
        assert _trend(user, area, days) == expected, (who, area)
    assert any(_trend(world.users["city"], None, days).values())
