"""docs/permissions.md's table of the record forms, cell by cell: every form (GET and POST)
as every demo actor, each answering exactly what the table says; a refused POST writes
nothing, an allowed one writes through an import batch of its own. The table is read from
the markdown file, so the test and the document cannot drift apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from dangjian.imports.models import ImportBatch
from dangjian.life.models import Activity, Pairing, PartyGroup
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person
from tests import factories
from tests.test_permissions import client_for, read_table
from tests.test_permissions import world as world

pytestmark = pytest.mark.django_db

OUTCOMES = {"允许", "403", "404", "字段错误", "登录"}
BOUNDS = ("管辖范围", "本机关", "本党组织")
MODELS = (
    SocialOrganization,
    PartyOrganization,
    Coverage,
    Person,
    Employment,
    Membership,
    CommitteeMembership,
    PartyGroup,
    Pairing,
    Activity,
    Instructor,
    InstructorAssignment,
)


def table() -> tuple[list[str], list[tuple[str, str, dict[str, str]]]]:
    """The records table: (the form's URL name, object, actor → outcome) per row."""
    actors, rows = read_table("records-table", OUTCOMES)
    for names, _target, _said in rows:
        assert len(names) == 1, names
    return actors, [(names[0], target, said) for names, target, said in rows]


def written() -> list[int]:
    counts = [ImportBatch.objects.count()]
    for model in MODELS:
        counts += [model.objects.count(), model.history.count()]
    return counts


def new_data(world: Any, target: str) -> dict[str, str]:
    """The POST of a `new:` object (docs/permissions.md describes each)."""
    if target.startswith("new:org-"):
        fr = target == "new:org-fr"
        return {
            "uscc": factories.uscc_for(n=777), "name": "新登记的协会", "kind": "社会团体",
            "registry": "芙蓉区民政局" if fr else "天心区民政局", "registration_mode": "直接登记",
            "industry": "其他", "district": "芙蓉区" if fr else "天心区",
            "township": "文艺路街道" if fr else "坡子街街道", "registered_on": "2026-05-01",
            "status": "正常",
        }  # fmt: skip
    if target.startswith("new:po-"):
        fr = target == "new:po-fr"
        return {
            "code": "D-NEW-1", "name": "新建党支部", "level": "党支部", "form": "单独组建",
            "township": "文艺路街道" if fr else "坡子街街道", "founded_on": "2026-05-01",
            "status": "正常",
        }  # fmt: skip
    fr = target == "new:member-fr"
    return {
        "name": "新党员", "id_number": factories.id_number_for(n=777),
        "employer_uscc": world.orgs["fr_assoc" if fr else "tx_fund"].uscc,
        "employed_on": "2025-01-01", "political_status": "中共党员",
        "joined_on": "2020-07-01", "confirmed_on": "2021-07-01",
        "relation_party_org": "D-FR-1" if fr else "D-TX-1",
    }  # fmt: skip


def url_of(world: Any, name: str, target: str) -> str:
    if target.startswith("new:"):
        return reverse(name)
    if name == "web:org_edit" or name == "web:org_instructor_new":
        return reverse(name, kwargs={"uscc": world.orgs[target].uscc})
    if name in (
        "web:party_org_edit", "web:office_new", "web:party_group_new", "web:party_org_pairing_new",
        "web:party_org_activity_new",
    ):  # fmt: skip
        return reverse(name, kwargs={"code": world.party_orgs[target].code})
    if name == "web:person_edit":
        return reverse(name, kwargs={"pk": world.people[target].pk})
    if name == "web:employment_edit":
        person = world.people[target.split(":")[0]]
        job = Employment.objects.get(person=person)
        return reverse(name, kwargs={"pk": person.pk, "job": job.pk})
    if name == "web:office_edit":
        office = CommitteeMembership.objects.get(party_org=world.party_orgs["fr"], role="secretary")
        return reverse(name, kwargs={"pk": office.pk})
    assert name == "web:instructor_assignment_edit"
    assignment = InstructorAssignment.objects.get(org=world.orgs["fr_school"])
    return reverse(name, kwargs={"pk": assignment.pk})


# For an edit: the one harmless change its POST makes. For a new office or assignment: the
# fields the page does not fill in itself.
CHANGES: dict[str, Any] = {
    "web:org_edit": lambda w: {"staff_count": "77"},
    "web:party_org_edit": lambda w: {"name": "改名的党支部"},
    "web:person_edit": lambda w: {"name": "改名者"},
    "web:employment_edit": lambda w: {"position": "管理层"},
    "web:office_edit": lambda w: {"full_time": "是"},
    "web:instructor_assignment_edit": lambda w: {"ended_on": "2026-10-01"},
    "web:office_new": lambda w: {
        "id_number": w.people["fr_member"].id_number,
        "role": "委员",
        "started_on": "2026-01-05",
    },
    "web:party_group_new": lambda w: {"name": "第一党小组", "founded_on": "2024-01-01"},
    "web:party_org_pairing_new": lambda w: {
        "partner_name": "中共某局机关委员会",
        "started_on": "2025-03-01",
    },
    "web:party_org_activity_new": lambda w: {
        "kind": "志愿服务",
        "held_on": "2025-03-05",
        "title": "学雷锋志愿服务",
    },
    "web:org_instructor_new": lambda w: {
        "name": "指导员乙",
        "id_number": factories.id_number_for(n=778),
        "source": "离退休干部",
        "assigned_on": "2026-03-01",
    },
}


def post_data(world: Any, admin: Any, url: str, name: str, target: str) -> dict[str, str]:
    """What the actor posts: the form as the page fills it in (read as the operator, so that
    actors who cannot open it post the same), with the row's change."""
    if target.startswith("new:"):
        return new_data(world, target)
    form = admin.get(url).context["form"]
    data = {key: form[key].value() or "" for key in form.fields if not form.fields[key].disabled}
    data.update(CHANGES[name](world), reason="权限检查")
    return data


def check(where: str, method: str, response: Any, expected: str, before: Any, after: Any) -> None:
    where = f"{method} {where}: expected {expected}, got {response.status_code}"
    body = response.content.decode()
    if expected == "登录":
        assert response.status_code == 302 and "/login/" in response["Location"], where
    elif expected in ("403", "404"):
        assert response.status_code == int(expected), where
        if expected == "403":
            assert "无权" in body or "不能" in body, where
    elif expected == "字段错误" and method == "POST":
        assert response.status_code == 422, where
        errors = [str(e) for field in response.context["form"].errors.values() for e in field]
        assert errors and any(b in e for e in errors for b in BOUNDS), (where, errors)
    else:  # 允许, and the form of a 字段错误 row opens
        if method == "GET":
            assert response.status_code == 200, where
        else:
            problems = response.context["form"].errors if response.context else None
            assert response.status_code == 302, (where, problems)
            assert after != before, f"{where}: nothing written"
            assert after[0] == before[0] + 1, f"{where}: not one import batch"
    if not (expected == "允许" and method == "POST"):
        assert after == before, f"{where}: a refused request wrote something"


def rolled_back(method: Any, *args: Any) -> tuple[Any, Any, Any]:
    with transaction.atomic():
        before = written()
        answer = method(*args)
        after = written()
        transaction.set_rollback(True)
    return answer, before, after


def test_every_record_form_answers_as_docs_permissions_md_says(world):
    actors, rows = table()
    admin = client_for(world, "admin")
    walked = 0
    for name, target, outcomes in rows:
        url = url_of(world, name, target)
        data = post_data(world, admin, url, name, target)
        for actor in actors:
            expected = outcomes[actor]
            client = client_for(world, actor)
            where = f"{actor} {name} {target} {url}"
            response, before, after = rolled_back(client.get, url)
            check(where, "GET", response, expected, before, after)
            response, before, after = rolled_back(client.post, url, data)
            check(where, "POST", response, expected, before, after)
            walked += 2
    assert walked == len(rows) * len(actors) * 2 >= 300
