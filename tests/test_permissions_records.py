"""docs/permissions.md's table of the record forms, cell by cell: every form (GET and POST)
as every demo actor, each answering exactly what the table says; a refused POST writes
nothing, an allowed one writes through an import batch of its own. The table is read from
the markdown file, so the test and the document cannot drift apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from dangjian.areas.models import Unit, UnitKind
from dangjian.bodies.models import ContactPoint, TownshipCadre, WorkBody, WorkBodyStaff
from dangjian.development.models import Applicant
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
# An organization outside the writer's reach answers as one that does not exist: the bound
# of a new contact point (the organization it follows) is「不存在」.
NOT_FOUND_BOUND = {"new:point-fr": ("统一社会信用代码不存在",)}
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
    Unit,
    WorkBody,
    WorkBodyStaff,
    TownshipCadre,
    ContactPoint,
    Applicant,
)
FR_BODY = "芙蓉区社会组织党建工作办公室"


def body_records(world: Any) -> dict[str, Any]:
    """The work bodies' records of the table (docs/permissions.md), made on first use."""
    import datetime as dt

    furong = world.orgs["fr_assoc"].township.parent
    unit = factories.unit(FR_BODY, UnitKind.WORK_BODY, furong)
    body, _ = WorkBody.objects.get_or_create(unit=unit, defaults={"kind": "district"})
    staff, _ = WorkBodyStaff.objects.get_or_create(
        body=body, name="张明", started_on=dt.date(2020, 1, 1),
        defaults={"post": "主任", "full_time": True},
    )  # fmt: skip
    cadre, _ = TownshipCadre.objects.get_or_create(
        township=world.orgs["fr_assoc"].township, name="赵丽", started_on=dt.date(2020, 1, 1),
        defaults={"post": "组织委员", "full_time": False},
    )  # fmt: skip
    education = Unit.objects.get(name="长沙市教育局")
    point, _ = ContactPoint.objects.get_or_create(
        unit=education, leader_name="孙伟", org=world.orgs["fr_assoc"],
        started_on=dt.date(2022, 1, 1), defaults={"leader_post": "副局长"},
    )  # fmt: skip
    return {"fr_body": body, "fr_body:staff": staff, "fr_cadre": cadre, "fr_point": point}


def development_person(world: Any, key: str) -> Any:
    """A non-member employed by `fr_assoc` or `tx_fund` (key: fr_applicant, tx_applicant,
    new:applicant-fr, new:applicant-tx), made on first use (docs/permissions.md)."""
    import datetime as dt

    from dangjian.lib import crypto

    n = {"fr_applicant": 781, "tx_applicant": 782, "new:applicant-fr": 783,
         "new:applicant-tx": 784}[key]  # fmt: skip
    number = factories.id_number_for(n=n)
    person = Person.objects.filter(id_hash=crypto.lookup_hash(number)).first()
    if person is None:
        person = factories.person(f"申请人{n}", id_number=number, political_status="masses")
        org = world.orgs["fr_assoc" if "fr" in key else "tx_fund"]
        Employment.objects.create(person=person, org=org, started_on=dt.date(2015, 1, 1))
    return person


def development_records(world: Any, key: str) -> Any:
    """`fr_applicant` (developed by D-FR-1) or `tx_applicant` (D-TX-1): applied 2025-01-01."""
    import datetime as dt

    person = development_person(world, key)
    party_org = world.party_orgs["fr" if key == "fr_applicant" else "tx"]
    applicant, _ = Applicant.objects.get_or_create(
        person=person, defaults={"party_org": party_org, "applied_on": dt.date(2025, 1, 1)}
    )
    return applicant


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
    if target.startswith("new:body-"):
        fr = target == "new:body-fr"
        return {"name": "新的工作机构", "district": "芙蓉区" if fr else "天心区", "kind": "园区"}
    if target.startswith("new:cadre-"):
        fr = target == "new:cadre-fr"
        return {
            "district": "芙蓉区" if fr else "天心区", "township": "文艺路街道" if fr else "坡子街街道",
            "name": "新干部", "post": "组织委员", "full_time": "兼职", "started_on": "2026-01-01",
        }  # fmt: skip
    if target == "new:point-fr":
        return {
            "unit": "长沙市教育局", "leader_name": "新领导", "leader_post": "副局长",
            "uscc": world.orgs["fr_assoc"].uscc, "started_on": "2026-01-01",
        }  # fmt: skip
    if target.startswith("new:applicant-"):
        fr = target == "new:applicant-fr"
        return {
            "id_number": development_person(world, target).id_number,
            "party_org": "D-FR-1" if fr else "D-TX-1", "applied_on": "2025-01-01",
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
    if name in BODY_FORMS:
        return reverse(name, kwargs={"pk": body_records(world)[target].pk})
    if name == "web:applicant_step":
        key, action = target.split(":")
        pk = development_records(world, key).pk
        return reverse(name, kwargs={"pk": pk, "action": action})
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


BODY_FORMS = ("web:work_body_edit", "web:work_body_staff_new", "web:work_body_staff_edit",
              "web:township_cadre_edit", "web:contact_point_edit")  # fmt: skip


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
    "web:work_body_edit": lambda w: {"established_on": "2015-03-01"},
    "web:work_body_staff_new": lambda w: {
        "name": "陈新",
        "post": "干事",
        "full_time": "兼职",
        "started_on": "2026-01-05",
    },
    "web:work_body_staff_edit": lambda w: {"post": "副主任"},
    "web:township_cadre_edit": lambda w: {"full_time": "专职"},
    "web:contact_point_edit": lambda w: {"ended_on": "2026-10-01"},
    "web:applicant_step": lambda w: {"day": "2025-06-01"},
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


def check(where: str, method: str, response: Any, expected: str, before: Any, after: Any,
          bounds: tuple[str, ...] = BOUNDS) -> None:  # fmt: skip
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
        assert errors and any(b in e for e in errors for b in bounds), (where, errors)
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
            bounds = BOUNDS + NOT_FOUND_BOUND.get(target, ())
            check(where, "POST", response, expected, before, after, bounds)
            walked += 2
    assert walked == len(rows) * len(actors) * 2 >= 300
