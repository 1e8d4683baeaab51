"""The pages of member development (docs/development.md, "The pages"): a new application and
every further step through the page — each a one-row import of the `applicants` or `people`
kind, so a bad value gets the kind's Chinese message next to the date and nothing is
written —, an applicant outside the user's jurisdiction answers 404, and the pipeline counts,
medians, shares by position and its xlsx on hand-made data."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.development.selectors import counts, median_days, new_members_by_position
from dangjian.imports.models import ImportBatch
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def staff_of(org: Any, name: str = "申请人", position: str = "staff") -> Person:
    person = factories.person(name, political_status=PoliticalStatus.MASSES)
    Employment.objects.create(
        person=person, org=org, started_on=dt.date(2015, 1, 1), position=position
    )
    return person


def applicant(person: Person, party_org: Any, **dates: Any) -> Applicant:
    fields: dict[str, Any] = {"applied_on": dt.date(2024, 1, 10), **dates}
    a = Applicant(person=person, party_org=party_org, **fields)
    a.full_clean()
    a.save()
    return a


def written() -> list[int]:
    return [
        ImportBatch.objects.count(),
        Applicant.history.count(),
        Membership.objects.count(),
        Membership.history.count(),
    ]


def step(c: Client, a: Applicant, action: str, day: str) -> Any:
    url = reverse("web:applicant_step", kwargs={"pk": a.pk, "action": action})
    version = c.get(url).context["form"]["version"].value()
    return c.post(url, {"day": day, "version": version or ""})


def day_errors(response: Any) -> list[str]:
    assert response.status_code == 422, response.status_code
    form = response.context["form"]
    return [str(e) for e in form.errors.get("day", [])] + [str(e) for e in form.non_field_errors()]


def test_every_step_through_the_page(world):
    secretary = client(world.users["secretary"])
    person = staff_of(world.orgs["fr_assoc"])
    response = secretary.post(
        reverse("web:applicant_new"),
        {"id_number": person.id_number, "party_org": "D-FR-1", "applied_on": "2024-01-10"},
    )
    assert response.status_code == 302, response.context["form"].errors
    a = Applicant.objects.get(person=person)
    assert response["Location"] == reverse("web:applicant", kwargs={"pk": a.pk})
    assert a.status == ApplicantStatus.DEVELOPING and a.party_org.code == "D-FR-1"
    page = secretary.get(reverse("web:applicant", kwargs={"pk": a.pk}))
    assert "记录谈话" in page.content.decode()
    for action, day in (("talk", "2024-01-20"), ("activist", "2024-03-01"),
                        ("candidate", "2025-03-05")):  # fmt: skip
        assert step(secretary, a, action, day).status_code == 302
    a.refresh_from_db()
    assert (a.talked_on, a.activist_on, a.candidate_on) == (
        dt.date(2024, 1, 20), dt.date(2024, 3, 1), dt.date(2025, 3, 5),
    )  # fmt: skip
    assert step(secretary, a, "admit", "2025-09-01").status_code == 302
    a.refresh_from_db()
    m = Membership.objects.get(person=person)
    person.refresh_from_db()
    assert a.status == ApplicantStatus.ADMITTED and a.status_changed_on == dt.date(2025, 9, 1)
    assert m.joined_on == dt.date(2025, 9, 1) and m.confirmed_on is None
    assert m.relation_party_org.code == "D-FR-1"
    assert person.political_status == PoliticalStatus.PROBATIONARY
    assert Employment.objects.filter(person=person).count() == 1  # the employment kept
    assert step(secretary, a, "extend", "2026-12-01").status_code == 302
    m.refresh_from_db()
    assert m.probation_extended_to == dt.date(2026, 12, 1)
    assert step(secretary, a, "confirm", "2026-10-01").status_code == 302
    m.refresh_from_db()
    person.refresh_from_db()
    assert m.confirmed_on == dt.date(2026, 10, 1)
    assert person.political_status == PoliticalStatus.MEMBER
    assert m.probation_extended_to is None


def test_stop(world):
    officer = client(world.users["wenyilu"])
    a = applicant(staff_of(world.orgs["fr_assoc"]), world.party_orgs["fr"])
    assert step(officer, a, "stop", "2024-06-01").status_code == 302
    a.refresh_from_db()
    assert a.status == ApplicantStatus.STOPPED and a.status_changed_on == dt.date(2024, 6, 1)
    page = officer.get(reverse("web:applicant", kwargs={"pk": a.pk})).content.decode()
    assert "没有可办理的步骤" in page


@pytest.mark.parametrize(
    ("action", "day", "message"),
    [
        ("talk", "2024-01-01", "早于入党申请日期 2024-01-10"),
        ("talk", "", "必填"),
        ("talk", "2999-01-01", "晚于今天"),
        ("candidate", "2024-05-01", "没有确定入党积极分子日期"),
        ("admit", "2024-05-01", "尚未确定为发展对象"),
        ("confirm", "2024-05-01", "不是预备党员"),
    ],
)
def test_a_bad_step_shows_the_chinese_error_and_writes_nothing(world, action, day, message):
    officer = client(world.users["furong"])
    a = applicant(staff_of(world.orgs["fr_assoc"]), world.party_orgs["fr"])
    before = written()
    errors = day_errors(step(officer, a, action, day))
    assert any(message in e for e in errors), errors
    assert written() == before


def test_an_admission_refused_by_the_applicants_kind_writes_no_membership(world):
    """Admission writes the membership, then the applicant; when the second is refused the
    first is undone (one transaction)."""
    officer = client(world.users["furong"])
    day = dt.date(2024, 1, 10)
    a = applicant(
        staff_of(world.orgs["fr_assoc"]), world.party_orgs["fr"], activist_on=day, candidate_on=day
    )
    before = written()
    # admitted on the day of the application: 「入党申请日期时已是党员」 from the applicants kind
    errors = day_errors(step(officer, a, "admit", "2024-01-10"))
    assert any("已是党员" in e for e in errors), errors
    assert written() == before
    assert not Membership.objects.filter(person=a.person).exists()


def test_a_duplicate_application_is_refused(world):
    officer = client(world.users["furong"])
    a = applicant(staff_of(world.orgs["fr_assoc"]), world.party_orgs["fr"])
    response = officer.post(
        reverse("web:applicant_new"),
        {"id_number": a.person.id_number, "party_org": "D-FR-1", "applied_on": "2024-02-10"},
    )
    assert response.status_code == 422
    assert "已登记" in str(response.context["form"].errors)


def test_an_applicant_outside_the_jurisdiction_is_404(world):
    a = applicant(staff_of(world.orgs["tx_fund"]), world.party_orgs["tx"])
    for who in ("furong", "wenyilu", "secretary", "supervisor"):
        c = client(world.users[who])
        assert c.get(reverse("web:applicant", kwargs={"pk": a.pk})).status_code == 404
        url = reverse("web:applicant_step", kwargs={"pk": a.pk, "action": "talk"})
        assert c.get(url).status_code == 404
        assert c.post(url, {"day": "2024-02-01"}).status_code == 404
    assert (
        client(world.users["outsider"])
        .get(reverse("web:applicant", kwargs={"pk": a.pk}))
        .status_code
        == 200
    )


def test_a_reader_who_may_not_write_gets_403(world):
    a = applicant(staff_of(world.orgs["fr_assoc"]), world.party_orgs["fr"])
    registry = client(world.users["registry"])
    assert registry.get(reverse("web:applicant", kwargs={"pk": a.pk})).status_code == 200
    url = reverse("web:applicant_step", kwargs={"pk": a.pk, "action": "talk"})
    assert registry.post(url, {"day": "2024-02-01"}).status_code == 403


def hand_made(world: Any) -> PartyOrganization:
    fr = world.party_orgs["fr"]
    org = world.orgs["fr_assoc"]
    d = dt.date
    applicant(staff_of(org, "甲"), fr, applied_on=d(2025, 1, 1))  # 申请人
    applicant(staff_of(org, "乙"), fr, applied_on=d(2025, 1, 1), activist_on=d(2025, 3, 1))
    applicant(staff_of(org, "丙"), fr, applied_on=d(2024, 1, 1), activist_on=d(2024, 1, 31),
              candidate_on=d(2025, 2, 1))  # fmt: skip
    applicant(staff_of(org, "丁"), fr, applied_on=d(2024, 1, 1), status=ApplicantStatus.STOPPED,
              status_changed_on=d(2024, 6, 1))  # fmt: skip
    # admitted 2026-02-01 (a 专业骨干); on 2026-01-15 still a 发展对象
    admitted = staff_of(org, "戊", position="specialist")
    applicant(admitted, fr, applied_on=d(2024, 1, 1), activist_on=d(2024, 2, 1),
              candidate_on=d(2025, 2, 1), status=ApplicantStatus.ADMITTED,
              status_changed_on=d(2026, 2, 1))  # fmt: skip
    Membership.objects.create(person=admitted, joined_on=d(2026, 2, 1), relation_party_org=fr)
    manager = staff_of(org, "己", position="manager")
    Membership.objects.create(person=manager, joined_on=d(2026, 3, 1), relation_party_org=fr)
    Membership.objects.create(
        person=factories.person("庚"), joined_on=d(2026, 4, 1), relation_party_org=fr
    )
    return fr


def test_the_pipeline_counts_on_hand_made_data(world):
    fr = hand_made(world)
    scope = PartyOrganization.objects.filter(pk=fr.pk)
    on = dt.date(2026, 1, 15)
    assert counts(scope, on) == {"applicant": 1, "activist": 1, "candidate": 2, "probationary": 0}
    later = dt.date(2026, 6, 1)
    # world's fr_member: a member since 2010, confirmed 2011, no relation recorded
    assert counts(scope, later) == {
        "applicant": 1, "activist": 1, "candidate": 1, "probationary": 3,
    }  # fmt: skip
    medians = median_days(scope, later)
    # 申请人: 30 (丙), 31 (戊), 59 (乙) days; 积极分子: 367, 366; 发展对象: 365 (戊)
    assert medians == {"applicant": 31, "activist": 366.5, "candidate": 365, "probationary": None}
    shares = {s.key: s.count for s in new_members_by_position(scope, 2026)}
    assert shares == {"staff": 0, "specialist": 1, "manager": 1, "other": 1}


def test_the_pipeline_page_and_its_xlsx(world):
    hand_made(world)
    c = client(world.users["furong"])
    response = c.get(reverse("web:development"), {"as_of": "2026-06-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "发展党员" in body and 'id="dev-chart"' in body
    stages = {s["key"]: s["count"] for s in response.context["stages"]}
    assert stages["probationary"] == 3
    # by the district's townships; the secretary: by Party organization
    lines = {line.label: values for line, _url, values in response.context["lines"]}
    assert lines["文艺路街道"] == [1, 1, 1, 3]
    assert response.context["by_area"]
    own = client(world.users["secretary"]).get(reverse("web:development"), {"as_of": "2026-06-01"})
    assert [(line.party_org_code, values) for line, _u, values in own.context["lines"]] == [
        ("D-FR-1", [1, 1, 1, 3])
    ]
    response = c.get(reverse("web:development"), {"as_of": "2026-06-01", "format": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "姓名" and "所处阶段" in header
    assert sheet.max_row - 1 == 5
    # outside the jurisdiction: nothing of 芙蓉区
    outsider = client(world.users["outsider"])
    stages = {
        s["key"]: s["count"]
        for s in outsider.get(reverse("web:development"), {"as_of": "2026-06-01"}).context["stages"]
    }
    assert stages == {"applicant": 0, "activist": 0, "candidate": 0, "probationary": 0}


def test_the_dashboard_counts_the_stages_and_links_to_them(world):
    """The dashboard's 党员队伍 panel: applicants, activists and candidates on its date, each
    linking to the development page's list of exactly them (no more placeholder)."""
    fr = world.party_orgs["fr"]
    applicant(staff_of(world.orgs["fr_assoc"], "甲"), fr)
    applicant(staff_of(world.orgs["fr_assoc"], "乙"), fr, talked_on=dt.date(2024, 1, 20),
              activist_on=dt.date(2024, 3, 1))  # fmt: skip
    page = client(world.users["furong"]).get(reverse("web:dashboard"))
    text = page.content.decode()
    assert "将随党员发展数据的导入显示" not in text
    stages = text.split('id="development-stages"')[1].split("</p>")[0]
    assert "入党申请人 <a" in stages and "入党积极分子 <a" in stages and "发展对象 <a" in stages
    development = reverse("web:development")
    for stage, n in (("applicant", 1), ("activist", 1), ("candidate", 0)):
        assert f'stage={stage}">{n}</a>' in stages, stage
        url = stages.split(f"stage={stage}")[0].rsplit('href="', 1)[1] + f"stage={stage}"
        listed = client(world.users["furong"]).get(url.replace("&amp;", "&"))
        assert listed.status_code == 200 and url.startswith(development)
