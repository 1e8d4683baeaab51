"""A date the pages cannot read (`?as_of=garbage`) is said so, not silently replaced by
today; several `?rule=` are all taken."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from tests.actors import build_world

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reports/coverage/",
    "/reports/org-building/",
    "/reports/joint/",
    "/findings/",
    "/orgs/",
]


@pytest.fixture
def world(areas):
    return build_world(areas)


@pytest.fixture
def city(world) -> Client:
    client = Client()
    client.force_login(world.users["city"])
    return client


@pytest.mark.parametrize("path", PAGES)
def test_a_date_that_cannot_be_read_is_said_so(city, path):
    response = city.get(path, {"as_of": "garbage<b>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "日期「garbage&lt;b&gt;」无法识别，应为 YYYY-MM-DD，已按今天显示" in body


@pytest.mark.parametrize("path", PAGES)
def test_a_date_out_of_range_is_said_so(city, path):
    body = city.get(path, {"as_of": "1800-01-01"}).content.decode()
    assert "日期「1800-01-01」超出1990年至2100年的范围，已按今天显示" in body


@pytest.mark.parametrize("path", PAGES)
def test_a_good_date_or_none_says_nothing(city, path):
    for query in ({}, {"as_of": timezone.localdate().isoformat()}):
        body = city.get(path, query).content.decode()
        assert "已按今天显示" not in body


def test_the_task_list_takes_every_rule_asked(world, city):
    record(evaluate(as_of=timezone.localdate()))
    rules = sorted(set(FindingRecord.objects.values_list("rule", flat=True)))
    assert len(rules) >= 2
    first, second = rules[:2]
    totals = {
        rule: city.get("/findings/", {"rule": rule}).context["total"] for rule in (first, second)
    }
    both = city.get("/findings/", {"rule": [first, second]})
    assert both.context["total"] == totals[first] + totals[second]
    export = city.get("/findings/export.xlsx", {"rule": [first, second]})
    assert export.status_code == 200
