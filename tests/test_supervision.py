"""Supervision (督办, issue 14 item 3): the overdue tasks of each area rise to the dashboard
of the level above — per township for a district officer, per district for a city
officer, their own count for a township officer — counted exactly, each count a link to
the findings list that shows exactly those rows; the figure follows the date."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from itertools import count

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.areas.models import Area
from dangjian.compliance.models import FindingRecord
from dangjian.tasks.models import Task, TaskState
from dangjian.tasks.services import task_mark_fixed, tasks_follow
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=10)
SEEN = TODAY - dt.timedelta(days=60)
FUTURE = TODAY + dt.timedelta(days=30)
_pks = count(1000)


def finding(area: Area, *, due: dt.date | None = PAST, state: str = TaskState.PENDING) -> Task:
    """A finding of a made-up area subject in `area`, its task in `state`."""
    pk = next(_pks)
    record = FindingRecord.objects.create(
        rule="CAD-FULLTIME", subject_type="area", subject_key=f"K{pk}", subject_name=f"对象{pk}",
        subject_pk=pk, area=area.code, area_path=area.path, severity="medium",
        message="测试问题", due=due, first_seen=SEEN, last_seen=SEEN, policy_version="test",
    )  # fmt: skip
    tasks_follow(opened=[record], resolved=[], on=SEEN)
    task = Task.objects.get(finding=record)
    if state != TaskState.PENDING:
        Task.objects.filter(pk=task.pk).update(state=state)
    return task


@pytest.fixture
def city(areas):
    """Overdue: 文艺路街道 2 + its community 1, 朝阳街街道 1 (芙蓉区 4), 坡子街街道 3 (天心区 3);
    besides, tasks that are not overdue: reported fixed, not yet due, without a due date."""
    # The dashboards show their figures where there are organizations.
    factories.org(areas["wenyilu"], name="芙蓉区书法协会")
    factories.org(areas["pozi"], name="天心区助学基金会", kind="foundation")
    for _ in range(2):
        finding(areas["wenyilu"])
    finding(areas["community"])
    finding(areas["wenyilu"], state=TaskState.FIXED_PENDING_CHECK)  # the officer's turn
    finding(areas["wenyilu"], due=FUTURE)
    finding(areas["wenyilu"], due=None)
    finding(areas["chaoyang"], state=TaskState.WORKING)
    for _ in range(3):
        finding(areas["pozi"])
    return {
        "city": factories.user("city", role=Role.CITY, area=areas["city"]),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "wenyilu": factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"]),
        "secretary": factories.user("nobody", role=Role.TOWNSHIP, area=areas["pozi"]),
    }


PANEL = re.compile(r"<section[^>]*data-overdue-panel>.*?</section>", re.S)
ROW = re.compile(r'<tr><td><a href="[^"]*">([^<]+)</a></td><td><a class="overdue" href="([^"]+)"')


def panel(client, user, query: str = "") -> dict[str, tuple[str, str]]:
    """The dashboard's overdue panel for `user`: area name → (count, link), "合计" the total."""
    client.force_login(user)
    html = client.get(f"/{query}").content.decode()
    found = PANEL.search(html)
    assert found, "no overdue panel"
    section = found.group(0)
    out: dict[str, tuple[str, str]] = {}
    total = re.search(
        r'<a class="overdue fw-bold" href="([^"]+)" data-overdue-total>(\d+) 项', section
    )
    if total:
        out["合计"] = (total.group(2), unescape(total.group(1)))
    for name, url in ROW.findall(section):
        n = re.search(re.escape(url) + r'" title="[^"]*">(\d+)</a>', section)
        assert n
        out[name] = (n.group(1), unescape(url))
    return out


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["total"]


def test_a_city_officer_sees_each_district(client, city):
    seen = panel(client, city["city"])
    assert {k: n for k, (n, _u) in seen.items()} == {"合计": "7", "芙蓉区": "4", "天心区": "3"}
    assert seen["芙蓉区"][1] == "/findings/?area=430102&overdue=1"
    for n, url in seen.values():
        assert listed(client, url) == int(n)  # the link leads to exactly those rows


def test_a_district_officer_sees_each_township(client, city):
    seen = panel(client, city["furong"])
    assert {k: n for k, (n, _u) in seen.items()} == {
        "合计": "4",
        "文艺路街道": "3",
        "朝阳街街道": "1",
    }
    for n, url in seen.values():
        assert listed(client, url) == int(n)
    # The rows are those of the township: its overdue tasks, the community's included.
    response = client.get(seen["文艺路街道"][1])
    assert {row["area"] for row in response.context["rows"]} == {"430102001", "430102001001"}
    assert all(row["overdue"] for row in response.context["rows"])


def test_a_township_officer_sees_their_own_count(client, city):
    seen = panel(client, city["wenyilu"])
    assert {k: n for k, (n, _u) in seen.items()} == {"合计": "3"}
    assert listed(client, seen["合计"][1]) == 3


def test_a_drilled_down_area_breaks_down_its_own_children(client, city):
    seen = panel(client, city["city"], "?area=430103")
    assert {k: n for k, (n, _u) in seen.items()} == {"合计": "3", "坡子街街道": "3"}
    for n, url in seen.values():
        assert listed(client, url) == int(n)


def test_the_figure_is_of_its_date(client, city):
    """Cached per data version and date: an earlier date (before the due dates) counts none,
    and today's figure is not the earlier one's."""
    before = (PAST - dt.timedelta(days=1)).isoformat()
    client.force_login(city["city"])
    html = client.get(f"/?as_of={before}").content.decode()
    assert "没有逾期的待办" in PANEL.search(html).group(0)
    assert panel(client, city["city"])["合计"][0] == "7"


@pytest.mark.django_db(transaction=True)  # the data version moves when a write commits
def test_the_counts_follow_the_steps(client, city):
    """A task reported fixed stops being overdue: the figure changes with the data version."""
    # (Committed writes run the live check too: the real rules may add findings of their
    # own about the organizations; the figures are compared before and after.)
    before = panel(client, city["furong"])
    assert before["朝阳街街道"][0] == "1"
    task = Task.objects.get(finding__area="430102002")
    task_mark_fixed(user=city["furong"], task=task)
    seen = panel(client, city["furong"])
    assert "朝阳街街道" not in seen
    assert int(seen["合计"][0]) == int(before["合计"][0]) - 1
    for n, url in seen.values():
        assert listed(client, url) == int(n)


def test_the_grouping_is_one_query(city, django_assert_max_num_queries):
    from dangjian.tasks.supervision import overdue_by_area

    areas = {a.code: a for a in Area.objects.all()}
    with django_assert_max_num_queries(3):
        found = overdue_by_area(city["city"], areas["430100"], None, TODAY)
    assert [(a.name, n) for a, n in found["children"]] == [("芙蓉区", 4), ("天心区", 3)]


def test_no_panel_for_those_who_are_not_officers(client, city, areas):
    secretary = factories.user("registry", role=Role.REGISTRY, unit=factories.unit(
        "芙蓉区民政局", "civil_affairs", areas["furong"]))  # fmt: skip
    client.force_login(secretary)
    assert "data-overdue-panel" not in client.get("/").content.decode()
