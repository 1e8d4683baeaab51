"""/api/v1/trainings: the list is the caller's jurisdiction (a trainee outside it is not
there; an area outside it is 404); a training is written through the `trainings` kind's
checks (422 with the import's Chinese message, nothing written)."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.accounts.models import Role
from dangjian.cadres.models import Training
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(areas):
    fr = factories.party_org(areas["wenyilu"], code="P-FR")
    tx = factories.party_org(areas["pozi"], code="P-TX")
    return factories.member(None, relation=fr), factories.member(None, relation=tx)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def body(person, **over):
    data = {
        "id_number": person.id_number, "name": "书记示范培训班", "kind": "集中培训",
        "organizer": "长沙市委党校", "started_on": "2025-05-06", "ended_on": "2025-05-10",
        "days": "4.5",
    }  # fmt: skip
    data.update(over)
    return data


def test_an_officer_records_and_lists_trainings_of_their_area_only(areas, people):
    mine, theirs = people
    furong = client(factories.user("furong", role=Role.DISTRICT, area=areas["furong"]))
    answer = furong.post("/api/v1/trainings", body(mine), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["created"] == 1
    bad = furong.post(
        "/api/v1/trainings", body(mine, name="第二期", days="6"), content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"column": "days", "message": "超过开始日期至结束日期的天数（5天）"}
    ]
    outside = furong.post("/api/v1/trainings", body(theirs), content_type="application/json")
    assert outside.status_code == 422 and Training.objects.count() == 1
    listed = furong.get("/api/v1/trainings?year=2025").json()
    assert listed["count"] == 1
    [item] = listed["items"]
    assert (item["id_number"], item["kind"], item["days"]) == (mine.id_masked, "集中培训", "4.5")
    assert furong.get("/api/v1/trainings?area=430103").status_code == 404
    assert furong.get("/api/v1/trainings?year=2024").json()["count"] == 0


def test_a_secretary_may_not_write_trainings(areas, people):
    secretary = factories.user(
        "secretary", role=Role.ORG, party_org=people[0].membership.relation_party_org
    )
    answer = client(secretary).post(
        "/api/v1/trainings", body(people[0]), content_type="application/json"
    )
    assert answer.status_code == 403 and not Training.objects.exists()
