"""Instructors' work in the pages (POLICY 三.2): an instructor records a visit to one of
their organizations from their own page (a one-row import: the same checks; their own number
never on the page), and the officers' quarter progress per instructor and township, the
instructors with no visit, and its xlsx."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.cadres.instructors import quarter_days, quarter_of
from dangjian.cadres.models import InstructorVisit
from dangjian.partyorgs.models import Instructor, InstructorAssignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(areas):
    today = timezone.localdate()
    org = factories.org(areas["wenyilu"], name="芙蓉区无党员协会")
    other = factories.org(areas["pozi"], name="天心区无党员基金会")
    busy = Instructor.objects.create(person=factories.person("指导员甲"), source="retired_cadre")
    idle = Instructor.objects.create(person=factories.person("指导员乙"), source="organ")
    far = Instructor.objects.create(person=factories.person("指导员丙"), source="organ")
    start = today - dt.timedelta(days=400)
    InstructorAssignment.objects.create(instructor=busy, org=org, started_on=start)
    InstructorAssignment.objects.create(instructor=idle, org=org, started_on=start)
    InstructorAssignment.objects.create(instructor=far, org=other, started_on=start)
    user = factories.user("zhidaoyuan", role=Role.INSTRUCTOR, instructor=busy)
    officer = factories.user("furong", role=Role.DISTRICT, area=areas["furong"])
    return today, org, busy, user, officer


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_instructor_records_a_visit_from_their_page(setup):
    today, org, busy, user, _officer = setup
    c = client(user)
    page = c.get("/my/visits/").content.decode()
    assert "芙蓉区无党员协会" in page and f"/my/visits/{org.uscc}/new/" in page
    form = c.get(f"/my/visits/{org.uscc}/new/")
    assert busy.person.id_number not in form.content.decode()  # never shown
    data = {"visited_on": today.isoformat(), "content": "宣讲党建政策", "union_set_up": "是",
            "youth_league_set_up": "否", "activists": "2", "members_found": "", "reason": ""}  # fmt: skip
    answer = c.post(f"/my/visits/{org.uscc}/new/", data)
    assert answer.status_code == 302 and answer["Location"] == "/my/visits/"
    visit = InstructorVisit.objects.get()
    assert (visit.instructor, visit.org, visit.activists, visit.union_set_up) == (
        busy,
        org,
        2,
        True,
    )
    again = c.post(f"/my/visits/{org.uscc}/new/", data)
    assert again.status_code == 422
    assert "走访已记录，不能重复新增" in again.content.decode()
    bad = c.post(f"/my/visits/{org.uscc}/new/", {**data, "visited_on": "2099-01-01"})
    assert bad.status_code == 422 and "晚于今天" in bad.content.decode()
    assert InstructorVisit.objects.count() == 1
    # Another organization, someone else's page: as if it did not exist.
    assert c.get("/my/visits/514301000000000000/new/").status_code == 404
    assert client(setup[4]).get("/my/visits/").status_code == 404


def test_the_quarter_s_progress_per_instructor_and_township(setup):
    today, org, busy, _user, officer = setup
    InstructorVisit.objects.create(
        instructor=busy, org=org, visited_on=today, union_set_up=True, activists=3,
        members_found=1,
    )  # fmt: skip
    first, _last = quarter_days(quarter_of(today))
    InstructorVisit.objects.create(  # the quarter before: not counted
        instructor=busy, org=org, visited_on=first - dt.timedelta(days=1), activists=7
    )
    c = client(officer)
    answer = c.get("/instructors/progress/")
    people = {p.name: p for p in answer.context["people"]}
    assert set(people) == {"指导员甲", "指导员乙"}  # 天心区's is not 芙蓉区's
    assert people["指导员甲"].row() == [1, 1, 1, 1, 0, 3, 1]
    assert people["指导员乙"].idle and people["指导员乙"].row() == [1, 0, 0, 0, 0, 0, 0]
    [town] = answer.context["towns"]
    assert (town.name, town.row()) == ("文艺路街道", [1, 1, 1, 1, 0, 3, 1])
    idle = c.get("/instructors/progress/?idle=1")
    assert [p.name for p in idle.context["people"]] == ["指导员乙"]
    book = openpyxl.load_workbook(io.BytesIO(c.get("/instructors/progress/?format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    values = {
        r[0]: [int(n) for n in r[2:9]] for r in rows if r and r[0] in ("指导员甲", "指导员乙")
    }
    assert values == {"指导员甲": [1, 1, 1, 1, 0, 3, 1], "指导员乙": [1, 0, 0, 0, 0, 0, 0]}
    assert not any(busy.person.id_number in str(cell) for r in rows for cell in r)
    # An instructor or a secretary has no such page.
    assert client(setup[3]).get("/instructors/progress/").status_code == 404
