"""Writing people, committee offices and instructors' assignments in the pages, and the
writers who are no area officers (issue 14 item 4): the registry writes the registration
facts of the organizations it registers directly, a secretary their own Party
organization's members and offices. Every form is a one-row import of its kind
(imports/records.py), so a row about a record outside the writer's jurisdiction is refused
by the import kinds themselves — for a file exactly as for a form (imports/writers.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dangjian.imports.export import headers
from dangjian.imports.models import ImportBatch
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE
from dangjian.lib import crypto, sheets
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import CommitteeMembership, InstructorAssignment, PartyOrganization
from dangjian.people.models import Employment, Membership, Person
from tests import factories
from tests.test_web_records import client_for
from tests.test_web_records import world as world


def form_data(client: Client, url: str) -> dict[str, str]:
    """The form as the page fills it in (its enabled fields' current values)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form = response.context["form"]
    return {
        name: form[name].value() or "" for name in form.fields if not form.fields[name].disabled
    }


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.status_code
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def person_by(number: str) -> Person | None:
    return Person.objects.filter(id_hash=crypto.lookup_hash(number)).first()


@pytest.mark.django_db
def test_an_officer_records_a_person_their_membership_and_employments(world):
    client = client_for(world.users["wenyilu"])
    org = world.orgs["fr_assoc"]
    number = factories.id_number_for(901)
    data = form_data(client, "/people/new/")
    data.update(
        name="新党员甲", id_number=number, political_status="中共预备党员",
        joined_on="2025-07-01", relation_party_org="D-FR-1", employer_uscc=org.uscc,
        position="专业骨干", employed_on="2024-03-01", reason="新入职",
    )  # fmt: skip
    response = client.post("/people/new/", data)
    person = person_by(number)
    assert person is not None, errors_of(response)
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.membership.relation_party_org.code == "D-FR-1"
    job = Employment.objects.get(person=person)
    assert (job.org_id, job.position, job.started_on) == (org.pk, "specialist", dt.date(2024, 3, 1))

    # The person's own fields: the identity number is shown masked and never sent.
    page = client.get(f"/people/{person.pk}/edit/")
    html = page.content.decode()
    assert number not in html and person.id_masked in html
    data = form_data(client, f"/people/{person.pk}/edit/")
    assert "id_number" not in data and "employer_uscc" not in data
    data.update(political_status="中共党员", confirmed_on="2026-07-01", reason="按期转正")
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302, response.context and errors_of(response)
    person.refresh_from_db()
    assert person.political_status == "member"
    assert Membership.objects.get(person=person).confirmed_on == dt.date(2026, 7, 1)
    assert Employment.objects.filter(person=person).count() == 1  # untouched

    # One employment ended: its organization and start name it, and stay as they are.
    url = f"/people/{person.pk}/employments/{job.pk}/edit/"
    data = form_data(client, url)
    assert "employer_uscc" not in data and "employed_on" not in data
    data.update(left_on="2026-10-31", reason="离职")
    assert client.post(url, data).status_code == 302
    job.refresh_from_db()
    assert job.ended_on == dt.date(2026, 10, 31)
    assert Employment.objects.filter(person=person).count() == 1
    # The person's page shows the change of their employment, undoable from there.
    history = client.get(f"/people/{person.pk}/").context["history"]
    assert history[0]["type"] == f"修改（从业情况：{org.name}）" and history[0]["undo"]
    assert any(h["type"] == "修改（党员信息）" for h in history)

    # A second employment, from the person's page.
    url = f"/people/{person.pk}/employments/new/"
    data = form_data(client, url)
    data.update(employer_uscc=world.orgs["fr_assoc"].uscc, employed_on="2026-11-01")
    assert client.post(url, data).status_code == 302
    assert Employment.objects.filter(person=person).count() == 2
    reasons = list(
        person.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert "页面表单：新入职" in reasons[0] and "页面表单：按期转正" in reasons[1]


@pytest.mark.django_db
def test_the_form_and_the_file_give_the_same_message_for_the_same_mistake(world, tmp_path):
    client = client_for(world.users["furong"])
    number = factories.id_number_for(902)
    data = form_data(client, "/people/new/")
    data.update(
        name="错误甲", id_number=number, political_status="中共党员",
        joined_on="2020-07-01", confirmed_on="2019-07-01",
    )  # fmt: skip
    form_errors = errors_of(client.post("/people/new/", data))
    path = tmp_path / "people.csv"
    row = {key: "" for key in headers("people")}
    sheets.write_csv(
        path,
        headers("people"),
        [["错误甲", number, "", "", "", "", "中共党员", "2020-07-01", "2019-07-01", ""]],
    )
    result = import_file("people", path, user=world.users["furong"])
    assert row and [e.message for e in result.errors] == form_errors["confirmed_on"]
    assert form_errors["confirmed_on"] == ["早于入党日期 2020-07-01"]
    assert person_by(number) is None


@pytest.mark.django_db
def test_committee_offices_and_instructors_are_written_from_their_pages(world):
    client = client_for(world.users["furong"])
    party_org = world.party_orgs["fr"]
    member = world.people["fr_member"]
    deputy = factories.member(world.orgs["fr_assoc"], relation=party_org)
    url = f"/party-orgs/{party_org.code}/offices/new/"
    data = form_data(client, url)
    assert "party_org" not in data  # the Party organization of the page
    data.update(id_number=deputy.id_number, role="副书记", started_on="2026-01-05", full_time="否")
    assert client.post(url, data).status_code == 302
    office = CommitteeMembership.objects.get(person=deputy)
    assert (office.party_org_id, office.role) == (party_org.pk, "deputy")

    secretary = CommitteeMembership.objects.get(person=member)
    url = f"/offices/{secretary.pk}/edit/"
    data = form_data(client, url)
    assert "role" not in data and "started_on" not in data
    data.update(ended_on="2026-11-30", reason="换届离任")
    assert client.post(url, data).status_code == 302
    secretary.refresh_from_db()
    assert secretary.ended_on == dt.date(2026, 11, 30)
    assert CommitteeMembership.objects.count() == 2

    org = world.orgs["fr_assoc"]
    url = f"/orgs/{org.uscc}/instructors/new/"
    data = form_data(client, url)
    data.update(
        name="指导员乙", id_number=factories.id_number_for(903), source="离退休干部",
        assigned_on="2026-03-01",
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    assignment = InstructorAssignment.objects.get(org=org)
    url = f"/instructor-assignments/{assignment.pk}/edit/"
    data = form_data(client, url)
    data.update(ended_on="2026-09-30")
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == dt.date(2026, 9, 30)

    # Outside the jurisdiction these pages do not exist.
    outsider = client_for(world.users["outsider"])
    assert outsider.get(f"/offices/{secretary.pk}/edit/").status_code == 404
    assert outsider.get(f"/instructor-assignments/{assignment.pk}/edit/").status_code == 404
    assert outsider.get(f"/party-orgs/{party_org.code}/offices/new/").status_code == 404
    assert outsider.get(f"/people/{member.pk}/edit/").status_code == 404


@pytest.mark.django_db
def test_the_registry_writes_the_registration_facts_of_its_own_organizations(world):
    client = client_for(world.users["registry"])
    org = world.orgs["fr_assoc"]  # registered directly by 芙蓉区民政局
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    assert "party_management" not in data  # a Party-building decision: shown, not sent
    data.update(staff_count="25", reason="年检更正")
    assert client.post(url, data).status_code == 302
    org.refresh_from_db()
    assert org.staff_count == 25

    # Not another registry's name, not an organization it does not register directly.
    data = form_data(client, url)
    data.update(registry="天心区民政局")
    assert errors_of(client.post(url, data))["registry"] == ["只能填写本机关（芙蓉区民政局）"]
    assert client.get(f"/orgs/{world.orgs['fr_school'].uscc}/edit/").status_code == 404
    assert client.get(f"/orgs/{world.orgs['tx_fund'].uscc}/edit/").status_code == 404
    # A new organization of its own, registered directly.
    uscc = factories.uscc_for(n=990)
    data = form_data(client, "/orgs/new/")
    data.update(
        uscc=uscc, name="芙蓉区新协会", kind="社会团体", registry="芙蓉区民政局",
        registration_mode="直接登记", industry="其他", district="芙蓉区", township="文艺路街道",
        registered_on="2026-06-01", status="正常",
    )  # fmt: skip
    response = client.post("/orgs/new/", data)
    assert response.status_code == 302, errors_of(response)
    assert SocialOrganization.objects.get(uscc=uscc).registry.name == "芙蓉区民政局"
    # Nothing else.
    for url in ("/party-orgs/new/", "/people/new/", "/party-orgs/D-FR-1/edit/"):
        assert client.get(url).status_code in (403, 404), url


@pytest.mark.django_db
def test_a_secretary_writes_their_own_members_and_offices_only(world):
    client = client_for(world.users["secretary"])
    number = factories.id_number_for(904)
    data = form_data(client, "/people/new/")
    assert data["relation_party_org"] == "D-FR-1"
    data.update(name="支部新党员", id_number=number, joined_on="2024-07-01",
                confirmed_on="2025-07-01")  # fmt: skip
    response = client.post("/people/new/", data)
    assert response.status_code == 302, errors_of(response)
    person = person_by(number)
    assert person is not None and person.membership.relation_party_org.code == "D-FR-1"

    # Another Party organization's member: not theirs to write.
    other = factories.id_number_for(905)
    data.update(id_number=other, relation_party_org="D-TX-1")
    assert errors_of(client.post("/people/new/", data))["relation_party_org"] == [
        "该党组织不在您的管辖范围内"
    ]
    assert person_by(other) is None
    # A person registered elsewhere cannot be taken over by naming them.
    outsider_member = world.people["tx_member"]
    data.update(id_number=outsider_member.id_number, relation_party_org="D-FR-1")
    assert errors_of(client.post("/people/new/", data))["id_number"] == [OUTSIDE]
    assert Membership.objects.get(person=outsider_member).relation_party_org is None

    # Offices of their own Party organization; not of another; no organizations.
    url = "/party-orgs/D-FR-1/offices/new/"
    data = form_data(client, url)
    data.update(id_number=number, role="委员", started_on="2026-01-01")
    assert client.post(url, data).status_code == 302
    assert CommitteeMembership.objects.filter(person=person, role="member").exists()
    assert client.get("/party-orgs/D-TX-1/offices/new/").status_code == 404
    assert client.get("/orgs/new/").status_code == 403
    assert client.get(f"/orgs/{world.orgs['fr_assoc'].uscc}/edit/").status_code == 403


@pytest.mark.django_db
def test_an_import_never_writes_over_a_record_outside_the_importer_s_jurisdiction(world, tmp_path):
    """A 天心区 officer names 芙蓉区's organization, Party organization and member in rows
    that are otherwise inside 天心区: each is refused and nothing changes."""
    outsider = world.users["outsider"]
    org = world.orgs["fr_assoc"]
    path = tmp_path / "orgs.csv"
    sheets.write_csv(
        path,
        headers("orgs"),
        [[org.uscc, "被改名的协会", "社会团体", "天心区民政局", "直接登记", "", "其他",
          "天心区", "坡子街街道", "", "2018-01-01", "正常", "", "", ""]],
    )  # fmt: skip
    result = import_file("orgs", path, user=outsider)
    assert [(e.column, e.message) for e in result.errors] == [("统一社会信用代码", OUTSIDE)]
    org.refresh_from_db()
    assert org.name == "芙蓉区书法协会" and org.township == world.areas["wenyilu"]

    path = tmp_path / "party-orgs.csv"
    sheets.write_csv(
        path,
        headers("party-orgs"),
        [["D-FR-1", "被改名的支部", "党支部", "单独组建", "", "", "坡子街街道",
          "2018-01-01", "", "正常", ""]],
    )  # fmt: skip
    result = import_file("party-orgs", path, user=outsider)
    assert [(e.column, e.message) for e in result.errors] == [("党组织编码", OUTSIDE)]
    assert PartyOrganization.objects.get(code="D-FR-1").name == "芙蓉区书法协会党支部"

    member = world.people["fr_member"]
    path = tmp_path / "people.csv"
    sheets.write_csv(
        path,
        headers("people"),
        [["改名者", member.id_number, "", "", "", "", "群众", "", "", ""]],
    )
    result = import_file("people", path, user=outsider)
    assert [(e.column, e.message) for e in result.errors] == [("公民身份号码", OUTSIDE)]
    member.refresh_from_db()
    assert member.name == "芙蓉甲党员" and Membership.objects.filter(person=member).exists()
    # A new organization's form does not tell an existing one outside from a new one: it
    # answers as the import does.
    client = client_for(outsider)
    data = form_data(client, "/orgs/new/")
    data.update(
        uscc=org.uscc, name="某协会", kind="社会团体", registry="天心区民政局",
        registration_mode="直接登记", industry="其他", district="天心区", township="坡子街街道",
        registered_on="2018-01-01", status="正常",
    )  # fmt: skip
    assert errors_of(client.post("/orgs/new/", data))["uscc"] == [OUTSIDE]


@pytest.mark.django_db
def test_a_change_is_undone_from_the_history_of_the_record(world):
    client = client_for(world.users["wenyilu"])
    org = world.orgs["fr_assoc"]
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    data.update(name="改错的名称", reason="误改")
    assert client.post(url, data).status_code == 302
    page = client.get(f"/orgs/{org.uscc}/")
    history = page.context["history"]
    assert history[0]["reason"].endswith("「页面表单：误改」") and history[0]["undo"]
    undo_page = history[0]["undo"]
    assert client.get(undo_page).status_code == 200
    batch = ImportBatch.objects.get(file_name="页面表单：误改")
    assert client.post(f"/imports/batches/{batch.pk}/undo/").status_code == 302
    org.refresh_from_db()
    assert org.name == "芙蓉区书法协会"
    history = client.get(f"/orgs/{org.uscc}/").context["history"]
    assert history[0]["reason"].startswith("撤销导入#") and not history[1]["undo"]
    # Someone who may not write organizations sees the history without the undo.
    supervisor_view = client_for(world.users["secretary"]).get(f"/orgs/{org.uscc}/")
    assert not any(h["undo"] for h in supervisor_view.context["history"])


@pytest.mark.django_db
def test_a_person_who_belongs_to_no_jurisdiction_may_be_completed_by_any_officer(world, tmp_path):
    """A name and a number only (no employment, relation, office or assignment) is nobody's:
    another district's officer may give them an employer in their own area."""
    number = factories.id_number_for(906)
    path = tmp_path / "people.csv"
    sheets.write_csv(
        path, headers("people"), [["无单位者", number, "", "", "", "", "群众", "", "", ""]]
    )
    assert import_file("people", path, user=world.users["outsider"]).ok
    sheets.write_csv(
        path,
        headers("people"),
        [
            [
                "无单位者",
                number,
                world.orgs["fr_assoc"].uscc,
                "",
                "2026-01-01",
                "",
                "群众",
                "",
                "",
                "",
            ]
        ],
    )
    result = import_file("people", path, user=world.users["furong"])
    assert result.ok and result.created == 1, result.errors
    # Now they are 芙蓉区's: the other district's officer may no longer write them.
    sheets.write_csv(
        path, headers("people"), [["改名者", number, "", "", "", "", "群众", "", "", ""]]
    )
    result = import_file("people", path, user=world.users["outsider"])
    assert [e.message for e in result.errors] == [OUTSIDE]
    assert person_by(number).name == "无单位者"


@pytest.mark.django_db
def test_a_relation_held_elsewhere_may_be_kept_but_not_given(world, tmp_path):
    """A member working in 芙蓉区 whose relation 天心区's branch holds: 芙蓉区's officer
    records that they left the job, keeping the relation; giving another member a relation
    to that branch is refused."""
    org = world.orgs["fr_assoc"]
    member = factories.member(org, relation=world.party_orgs["tx"])
    job = Employment.objects.get(person=member)
    path = tmp_path / "people.csv"
    row = [member.name, member.id_number, org.uscc, "", job.started_on.isoformat(),
           "2026-10-31", "中共党员", "2010-07-01", "2011-07-01", "D-TX-1"]  # fmt: skip
    sheets.write_csv(path, headers("people"), [row])
    result = import_file("people", path, user=world.users["furong"])
    assert result.ok, [str(e) for e in result.errors]
    job.refresh_from_db()
    assert job.ended_on == dt.date(2026, 10, 31)
    other = factories.member(org, relation=world.party_orgs["fr"])
    row = [other.name, other.id_number, "", "", "", "", "中共党员", "2010-07-01", "2011-07-01",
           "D-TX-1"]  # fmt: skip
    sheets.write_csv(path, headers("people"), [row])
    result = import_file("people", path, user=world.users["furong"])
    assert [e.message for e in result.errors] == ["该党组织不在您的管辖范围内"]
    assert Membership.objects.get(person=other).relation_party_org.code == "D-FR-1"


@pytest.mark.django_db
def test_the_import_service_refuses_a_kind_its_user_may_not_write(world, tmp_path):
    """Whatever calls it (a page, the API, the command), the service writes nothing of a
    kind the user may not write: the registry no people, a supervisory unit nothing."""
    path = tmp_path / "people.csv"
    number = factories.id_number_for(907)
    sheets.write_csv(
        path, headers("people"), [["某人", number, "", "", "", "", "群众", "", "", ""]]
    )
    for actor, kind in (("registry", "people"), ("supervisor", "people"), ("instructor", "orgs")):
        result = import_file(kind, path, user=world.users[actor])
        assert not result.ok and [e.message for e in result.errors] == [
            f"您无权写入「{'人员' if kind == 'people' else '社会组织'}」数据"
        ], actor
    assert person_by(number) is None and not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_officer_above_may_undo_each_change_and_the_page_reads_them_at_once(world):
    """文艺路街道's saves, seen by 芙蓉区's officer: each undoable (every record they wrote is
    in the district), found in as many queries for three saves as for one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = world.orgs["fr_assoc"]
    township, district = client_for(world.users["wenyilu"]), client_for(world.users["furong"])
    url = f"/orgs/{org.uscc}/edit/"

    def save(count: str) -> None:
        data = form_data(township, url)
        data.update(staff_count=count, reason=f"人数{count}")
        assert township.post(url, data).status_code == 302

    def read() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            history = district.get(f"/orgs/{org.uscc}/").context["history"]
        return len(queries), [h["undo"] for h in history if h["reason"].startswith("导入#")]

    save("11")
    one, links = read()
    assert len(links) == 1 and all(links)
    save("12")
    save("13")
    three, links = read()
    assert len(links) == 3 and all(links)
    assert three == one
    # The outsider's page does not exist; the secretary may not write organizations.
    assert client_for(world.users["outsider"]).get(f"/orgs/{org.uscc}/").status_code == 404
