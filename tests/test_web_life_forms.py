"""Pairings, demonstration sites, activities and 联组 written in the pages
(docs/organization-life.md, "The forms"): each page is a one-row import of its kind
(imports/records.py), so a bad value says what the file says, the Party organization a
writer may not write is refused by the kind itself, a record outside the jurisdiction
answers 404 as a missing one, and every save is in the record's history, undoable as its
batch. Real database, real client: a secretary (their own branch and the one under it) and
the area officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.imports.export import headers
from dangjian.imports.models import ImportBatch
from dangjian.imports.record_views import KIND_LABELS
from dangjian.imports.records import FORM_KINDS, LIFE_RECORDS, key_values, record_values
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.lib import sheets
from dangjian.life.models import (
    Activity,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Pairing,
)
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db

FOUNDED = dt.date(2018, 1, 1)


@pytest.fixture
def world(areas):
    """The actors' world, and a branch under D-FR-1 (the secretary writes for both) and one
    more of 文艺路街道 the secretary does not see."""
    w = build_world(areas)
    w.party_orgs["fr_child"] = factories.party_org(
        areas["wenyilu"], code="D-FR-2", name="芙蓉区书法协会第二党支部", founded_on=FOUNDED,
        parent=w.party_orgs["fr"],
    )  # fmt: skip
    w.party_orgs["fr_other"] = factories.party_org(
        areas["wenyilu"], code="D-FR-3", name="文艺路某商会党支部", founded_on=FOUNDED
    )
    return w


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(c: Client, url: str) -> dict[str, str]:
    """The form as the page fills it in: its enabled fields' current values."""
    response = c.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form = response.context["form"]
    return {n: form[n].value() or "" for n in form.fields if not form.fields[n].disabled}


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.status_code
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def saved(response: Any) -> str:
    """The page a successful save goes to."""
    problems = response.context["form"].errors if response.context else None
    assert response.status_code == 302, problems
    return response["Location"]


def file_errors(tmp_path: Any, kind: str, row: dict[str, str], user: Any) -> dict[str, list[str]]:
    """What a one-row file of `kind` says of `row`, by column key (nothing is written)."""
    path = tmp_path / f"{kind}.csv"
    sheets.write_csv(path, headers(kind), [[row.get(c.key, "") for c in KINDS[kind].columns]])
    result = import_file(kind, path, user=user)
    by_label = {c.label: c.key for c in KINDS[kind].columns}
    out: dict[str, list[str]] = {}
    for error in result.errors:
        out.setdefault(by_label.get(error.column, ""), []).append(error.message)
    return out


def undo_last_save(c: Client, reason: str) -> None:
    batch = ImportBatch.objects.get(file_name=f"页面表单：{reason}")
    assert c.post(f"/imports/batches/{batch.pk}/undo/").status_code == 302
    batch.refresh_from_db()
    assert batch.undone_at is not None


def history_of(c: Client, url: str) -> list[dict[str, Any]]:
    return c.get(url).context["history"]


# --- every kind, new and corrected ------------------------------------------------------------


def test_a_secretary_records_and_corrects_a_pairing_of_their_branch(world):
    secretary = client(world.users["secretary"])
    new = reverse("web:party_org_pairing_new", kwargs={"code": "D-FR-1"})
    page = secretary.get(new)
    form = page.context["form"]
    assert form.fields["party_org"].disabled and form["party_org"].value() == "D-FR-1"
    data = form_data(secretary, new)
    data.update(partner_name="中共某局机关委员会", started_on="2025-03-01", content="共建阵地")
    assert saved(secretary.post(new, data)).endswith("/party-orgs/D-FR-1/life/#activities")
    pairing = Pairing.objects.get()
    assert (pairing.party_org, pairing.partner_name) == (
        world.party_orgs["fr"],
        "中共某局机关委员会",
    )
    # Its branch's 组织生活 page lists it, with the form's link.
    life = secretary.get(reverse("web:party_org_life", kwargs={"code": "D-FR-1"})).content.decode()
    edit = reverse("web:pairing_edit", args=[pairing.pk])
    assert "中共某局机关委员会" in life and f"{edit}?from=life" in life
    # The same pairing again: refused, saying so.
    again = errors_of(secretary.post(new, data))
    assert again["__all__"] == [
        "与「中共某局机关委员会」自 2025-03-01 起的结对共建已登记，不能重复新增，请修改该记录"
    ]
    # Corrected: its key locked, its end and content written; in its history, undoable.
    data = form_data(secretary, edit)
    assert not {"party_org", "partner", "partner_name", "started_on"} & set(data)
    data.update(ended_on="2026-02-28", reason="协议到期")
    assert saved(secretary.post(edit, data)).endswith("/life/lists/#pairings")
    pairing.refresh_from_db()
    assert pairing.ended_on == dt.date(2026, 2, 28) and Pairing.objects.count() == 1
    history = history_of(secretary, edit)
    assert history[0]["type"] == "修改" and history[0]["reason"].endswith("「页面表单：协议到期」")
    assert [f["label"] for f in history[0]["fields"]] == ["结束日期"] and history[0]["undo"]
    undo_last_save(secretary, "协议到期")
    pairing.refresh_from_db()
    assert pairing.ended_on is None


def test_an_officer_records_and_corrects_a_pairing_from_the_lists(world):
    officer = client(world.users["wenyilu"])
    new = reverse("web:pairing_new")
    data = form_data(officer, new)
    assert data["party_org"] == ""  # typed: an officer writes for any branch of the area
    # A partner in the system, in another district: only named.
    data.update(party_org="D-FR-3", partner="D-TX-1", started_on="2024-05-01")
    assert saved(officer.post(new, data)).endswith("/life/lists/#pairings")
    pairing = Pairing.objects.get()
    assert (pairing.party_org.code, pairing.partner.code) == ("D-FR-3", "D-TX-1")
    edit = reverse("web:pairing_edit", args=[pairing.pk])
    data = form_data(officer, edit)
    data.update(content="联合开展志愿服务", reason="补充内容")
    saved(officer.post(edit, data))
    pairing.refresh_from_db()
    assert pairing.content == "联合开展志愿服务"
    assert history_of(officer, edit)[0]["undo"]


def test_demonstration_sites_are_named_and_corrected(world):
    secretary = client(world.users["secretary"])
    year = str(timezone.localdate().year - 1)
    new = reverse("web:party_org_site_new", kwargs={"code": "D-FR-2"})  # the branch under theirs
    data = form_data(secretary, new)
    data.update(level="区（县、市）级", year=year, named_by="中共芙蓉区委社会工作部")
    saved(secretary.post(new, data))
    site = DemonstrationSite.objects.get()
    assert (site.party_org.code, site.level, site.year) == ("D-FR-2", "district", int(year))
    again = errors_of(secretary.post(new, data))["__all__"]
    assert again == [
        f"该党组织{year}年命名的区（县、市）级党建示范点已登记，不能重复新增，请修改该记录"
    ]
    officer = client(world.users["furong"])
    edit = reverse("web:site_edit", args=[site.pk])
    data = form_data(officer, edit)
    assert not {"party_org", "level", "year"} & set(data)
    data.update(named_by="中共长沙市芙蓉区委社会工作部", reason="更正命名单位")
    saved(officer.post(edit, data))
    site.refresh_from_db()
    assert site.named_by == "中共长沙市芙蓉区委社会工作部"
    history = history_of(officer, edit)
    assert history[0]["reason"].endswith("「页面表单：更正命名单位」") and history[0]["undo"]
    undo_last_save(officer, "更正命名单位")
    site.refresh_from_db()
    assert site.named_by == "中共芙蓉区委社会工作部"
    # The officer names one from the lists page too.
    new = reverse("web:site_new")
    data = form_data(officer, new)
    data.update(party_org="D-FR-3", level="乡镇（街道）级", year=year)
    saved(officer.post(new, data))
    assert DemonstrationSite.objects.count() == 2


def test_activities_are_recorded_and_corrected(world):
    secretary = client(world.users["secretary"])
    new = reverse("web:party_org_activity_new", kwargs={"code": "D-FR-1"})
    data = form_data(secretary, new)
    data.update(
        kind="志愿服务", held_on="2026-03-05", title="学雷锋志愿服务", participants="12",
        duties="团结凝聚群众、服务人才成长", occasion="学雷锋纪念日",
        description="一、集合\n二、清扫街巷",
    )  # fmt: skip
    saved(secretary.post(new, data))
    activity = Activity.objects.get()
    assert (activity.party_org.code, activity.kind, activity.participants) == (
        "D-FR-1", "volunteer", 12
    )  # fmt: skip
    assert activity.description == "一、集合\n二、清扫街巷"
    again = errors_of(secretary.post(new, data))["__all__"]
    assert again == [
        "该党组织 2026-03-05 的志愿服务「学雷锋志愿服务」已登记，不能重复新增，请修改该记录"
    ]
    edit = reverse("web:activity_edit", args=[activity.pk])
    data = form_data(secretary, edit + "?from=life")
    assert not {"party_org", "kind", "held_on", "title"} & set(data)
    assert data["description"] == "一、集合\n二、清扫街巷"
    data.update(participants="15", reason="更正人数")
    location = saved(secretary.post(edit + "?from=life", data))
    assert location.endswith("/party-orgs/D-FR-1/life/#activities")
    activity.refresh_from_db()
    assert activity.participants == 15 and activity.description == "一、集合\n二、清扫街巷"
    history = history_of(secretary, edit)
    assert [f["label"] for f in history[0]["fields"]] == ["参加人数"] and history[0]["undo"]
    # An officer: a 结对共建 activity of another branch of the area, from the lists page.
    officer = client(world.users["wenyilu"])
    new = reverse("web:activity_new")
    data = form_data(officer, new)
    data.update(party_org="D-FR-3", kind="结对共建", held_on="2026-04-01", title="共建座谈",
                partner="D-FR-1")  # fmt: skip
    saved(officer.post(new, data))
    pairing_activity = Activity.objects.get(title="共建座谈")
    edit = reverse("web:activity_edit", args=[pairing_activity.pk])
    data = form_data(officer, edit)
    assert data["partner"] == "D-FR-1"
    data.update(occasion="七一", reason="补充契机")
    saved(officer.post(edit, data))
    pairing_activity.refresh_from_db()
    assert pairing_activity.occasion == "七一"
    undo_last_save(officer, "补充契机")
    pairing_activity.refresh_from_db()
    assert pairing_activity.occasion == ""


def test_a_joint_group_is_founded_given_members_and_corrected(world):
    secretary = client(world.users["secretary"])
    new = reverse("web:party_org_joint_group_new", kwargs={"code": "D-FR-1"})
    page = secretary.get(new)
    fields = page.context["form"].fields
    assert fields["lead"].disabled and not {"member", "started_on", "ended_on"} & set(fields)
    data = form_data(secretary, new)
    data.update(name="文艺路书法联组", founded_on="2024-01-01")
    location = saved(secretary.post(new, data))
    group = JointGroup.objects.get()
    assert location == reverse("web:joint_group", args=[group.pk])
    assert (group.lead.code, group.township, group.founded_on) == (
        "D-FR-1", world.areas["wenyilu"], dt.date(2024, 1, 1)
    )  # fmt: skip
    # Its first member is its lead, from the day it was founded.
    lead = JointGroupMember.objects.get()
    assert (lead.party_org.code, lead.started_on, lead.ended_on) == (
        "D-FR-1", dt.date(2024, 1, 1), None
    )  # fmt: skip
    again = errors_of(secretary.post(new, data))["__all__"]
    assert again == [
        "联组「文艺路书法联组」（牵头党组织 D-FR-1）已登记，不能重复新增，请在该联组页面添加成员或修改"
    ]
    # The secretary adds the branch under theirs; the 联组's own columns are locked.
    add = reverse("web:joint_group_member_new", args=[group.pk])
    form = secretary.get(add).context["form"]
    assert all(form.fields[k].disabled for k in ("name", "lead", "founded_on", "township"))
    data = form_data(secretary, add)
    data.update(member="D-FR-2", started_on="2024-06-01")
    assert saved(secretary.post(add, data)) == reverse("web:joint_group", args=[group.pk])
    member = JointGroupMember.objects.get(party_org__code="D-FR-2")
    assert errors_of(secretary.post(add, data))["__all__"] == [
        "D-FR-2 自 2024-06-01 加入联组「文艺路书法联组」的记录已登记，不能重复新增，请修改该成员记录"
    ]
    # A branch they do not see cannot be made a member, as in a file.
    data.update(member="D-FR-3")
    assert errors_of(secretary.post(add, data))["member"] == ["该党组织不在您的管辖范围内"]
    # The member leaves: its row corrected, the 联组's columns as they are.
    edit = reverse("web:joint_group_member_edit", args=[member.pk])
    data = form_data(secretary, edit)
    assert set(data) == {"ended_on", "reason", "version"}
    data.update(ended_on="2025-12-31", reason="退出联组")
    saved(secretary.post(edit, data))
    member.refresh_from_db()
    assert member.ended_on == dt.date(2025, 12, 31)
    page = secretary.get(reverse("web:joint_group", args=[group.pk]))
    assert page.status_code == 200 and "芙蓉区书法协会第二党支部" in page.content.decode()
    history = page.context["history"]
    assert history[0]["type"] == "修改（成员：D-FR-2）" and history[0]["undo"]
    # An officer corrects the 联组's own dates (through its lead's row) and adds a member.
    officer = client(world.users["wenyilu"])
    edit = reverse("web:joint_group_edit", args=[group.pk])
    data = form_data(officer, edit)
    assert set(data) == {"township", "founded_on", "dissolved_on", "reason", "version"}
    data.update(dissolved_on="2025-06-30", reason="联组撤销")
    problems = errors_of(officer.post(edit, data))  # a member left after that day
    assert problems["dissolved_on"] == ["早于已登记成员 D-FR-2 的退出日期 2025-12-31"]
    data.update(dissolved_on="2026-06-30")
    saved(officer.post(edit, data))
    group.refresh_from_db()
    assert group.dissolved_on == dt.date(2026, 6, 30)
    assert JointGroupMember.objects.get(party_org__code="D-FR-1").ended_on is None
    data = form_data(officer, add)
    data.update(member="D-FR-3", started_on="2025-01-01")
    saved(officer.post(add, data))
    assert JointGroupMember.objects.filter(group=group).count() == 3
    undo_last_save(officer, "联组撤销")
    group.refresh_from_db()
    assert group.dissolved_on is None


def test_an_officer_founds_a_joint_group_from_the_lists(world):
    officer = client(world.users["furong"])
    new = reverse("web:joint_group_new")
    data = form_data(officer, new)
    data.update(name="朝阳街联组", lead="D-FR-3", township="朝阳街街道", founded_on="2023-03-01")
    saved(officer.post(new, data))
    group = JointGroup.objects.get()
    assert (group.township, group.lead.code) == (world.areas["chaoyang"], "D-FR-3")
    assert list(group.members.values_list("party_org__code", "started_on")) == [
        ("D-FR-3", dt.date(2023, 3, 1))
    ]


# --- the same messages as a file ---------------------------------------------------------------


def test_a_bad_value_says_in_the_form_what_the_file_says(world, tmp_path):
    secretary_user = world.users["secretary"]
    secretary = client(secretary_user)
    group = JointGroup.objects.create(
        name="书法联组", lead=world.party_orgs["fr"], township=world.areas["wenyilu"],
        founded_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    JointGroupMember.objects.create(
        group=group, party_org=world.party_orgs["fr"], started_on=dt.date(2024, 1, 1)
    )
    cases = [
        (
            "pairings", reverse("web:pairing_new"),
            {"party_org": "D-FR-1", "partner": "D-FR-1", "started_on": "2099-01-01"},
            {"partner": ["不能是本党组织自己"], "started_on": ["晚于今天"]},
        ),
        (
            "demonstration-sites", reverse("web:site_new"),
            {"party_org": "D-FR-1", "level": "市级", "year": "1999"},
            {"year": [f"应在2000到{timezone.localdate().year}之间"]},
        ),
        (
            "activities", reverse("web:activity_new"),
            {"party_org": "D-FR-1", "kind": "结对共建", "held_on": "2017-05-04", "title": "共建",
             "duties": "服务群众"},
            {
                "held_on": ["早于党组织成立日期 2018-01-01"],
                "duties": ["不是党组织的六项职责之一：服务群众（应为保证政治方向、团结凝聚群众、"
                           "服务人才成长、推动事业发展、建设先进文化、加强自身建设）"],
                "partner": ["结对共建活动须填写共建党组织编码"],
            },
        ),
        (
            "joint-groups", reverse("web:joint_group_member_new", args=[group.pk]),
            {"member": "D-FR-2", "started_on": "2023-12-31", "ended_on": "2023-01-01"},
            {"started_on": ["早于联组成立日期 2024-01-01"], "ended_on": ["早于加入日期 2023-12-31"]},
        ),
    ]  # fmt: skip
    for kind, url, row, expected in cases:
        data = form_data(secretary, url)
        data.update(row)
        form_errors = errors_of(secretary.post(url, data))
        assert form_errors == expected, kind
        file_row = {**{k: v for k, v in data.items() if k not in ("reason", "version")}, **row}
        if kind == "joint-groups":
            file_row.update(name="书法联组", lead="D-FR-1", founded_on="2024-01-01")
        assert file_errors(tmp_path, kind, file_row, secretary_user) == expected, kind
    assert not Pairing.objects.exists() and not Activity.objects.exists()
    assert not DemonstrationSite.objects.exists() and JointGroupMember.objects.count() == 1


# --- the jurisdiction --------------------------------------------------------------------------


def records_of(world: Any, code: str) -> dict[str, Any]:
    """One record of each kind for the Party organization `code`."""
    party_org = next(p for p in world.party_orgs.values() if p.code == code)
    day = dt.date(2025, 5, 1)
    group = JointGroup.objects.create(name=f"{code}联组", lead=party_org,
                                      township=party_org.township, founded_on=day)  # fmt: skip
    return {
        "pairing": Pairing.objects.create(party_org=party_org, partner_name="某局", started_on=day),
        "site": DemonstrationSite.objects.create(party_org=party_org, level="city", year=2025),
        "activity": Activity.objects.create(
            party_org=party_org, kind="volunteer", held_on=day, title="志愿服务"
        ),
        "group": group,
        "member": JointGroupMember.objects.create(group=group, party_org=party_org, started_on=day),
    }


def pages_of(records: dict[str, Any]) -> list[str]:
    group = records["group"].pk
    return [
        reverse("web:pairing_edit", args=[records["pairing"].pk]),
        reverse("web:site_edit", args=[records["site"].pk]),
        reverse("web:activity_edit", args=[records["activity"].pk]),
        reverse("web:joint_group", args=[group]),
        reverse("web:joint_group_edit", args=[group]),
        reverse("web:joint_group_member_new", args=[group]),
        reverse("web:joint_group_member_edit", args=[records["member"].pk]),
    ]


def test_a_record_outside_the_jurisdiction_answers_as_a_missing_one(world):
    tianxin = pages_of(records_of(world, "D-TX-1"))
    other_branch = pages_of(records_of(world, "D-FR-3"))
    missing = [
        reverse(name, args=[999999])
        for name in ("web:pairing_edit", "web:site_edit", "web:activity_edit", "web:joint_group",
                     "web:joint_group_edit", "web:joint_group_member_new",
                     "web:joint_group_member_edit")
    ]  # fmt: skip
    for who, outside in (("secretary", tianxin + other_branch), ("wenyilu", tianxin),
                         ("outsider", other_branch)):  # fmt: skip
        c = client(world.users[who])
        for url in outside + missing:
            assert c.get(url).status_code == 404, (who, url)
            assert c.post(url, {"reason": "x"}).status_code == 404, (who, url)
    # Inside: the forms open (and the 联组's page) for those who may write them.
    for url in other_branch:
        assert client(world.users["wenyilu"]).get(url).status_code == 200, url
    # The registry sees D-FR-1 (it registered its organization) but writes none of them.
    registry = client(world.users["registry"])
    records = records_of(world, "D-FR-1")
    group_page = reverse("web:joint_group", args=[records["group"].pk])
    for url in pages_of(records):
        expected = 200 if url == group_page else 403  # the 联组 is read, not written
        assert registry.get(url).status_code == expected, url
    add = reverse("web:joint_group_member_new", args=[records["group"].pk])
    assert add not in registry.get(group_page).content.decode()


def test_a_secretary_cannot_record_for_another_branch(world):
    secretary = client(world.users["secretary"])
    for name in ("web:party_org_pairing_new", "web:party_org_site_new",
                 "web:party_org_activity_new", "web:party_org_joint_group_new"):  # fmt: skip
        for code in ("D-TX-1", "D-FR-3"):
            url = reverse(name, kwargs={"code": code})
            assert secretary.get(url).status_code == 404, url
            assert secretary.post(url, {"reason": "x"}).status_code == 404, url
    # Typed on the lists' pages: their own branch prefilled, another refused by the kind.
    rows = {
        "web:pairing_new": {"partner_name": "某局", "started_on": "2025-01-01"},
        "web:site_new": {"level": "市级", "year": "2025"},
        "web:activity_new": {"kind": "志愿服务", "held_on": "2025-01-01", "title": "服务"},
        "web:joint_group_new": {"name": "联组", "founded_on": "2025-01-01"},
    }
    for name, row in rows.items():
        url = reverse(name)
        data = form_data(secretary, url)
        column = "lead" if name == "web:joint_group_new" else "party_org"
        assert data[column] == "D-FR-1", name
        data.update(row, **{column: "D-FR-3"})
        assert errors_of(secretary.post(url, data))[column] == ["该党组织不在您的管辖范围内"]
        data[column] = "D-TX-1"
        assert errors_of(secretary.post(url, data))[column] == ["该党组织不在您的管辖范围内"]
    assert not any(m.objects.exists() for m in (Pairing, DemonstrationSite, Activity, JointGroup))


def test_an_edit_form_older_than_the_record_is_refused(world):
    records = records_of(world, "D-FR-1")
    secretary, officer = client(world.users["secretary"]), client(world.users["wenyilu"])
    edit = reverse("web:joint_group_member_edit", args=[records["member"].pk])
    stale = form_data(secretary, edit)
    # Someone else changes the 联组 itself meanwhile (through its lead's row).
    group_edit = reverse("web:joint_group_edit", args=[records["group"].pk])
    data = form_data(officer, group_edit)
    data.update(dissolved_on="2026-01-01", reason="撤销")
    saved(officer.post(group_edit, data))
    stale.update(ended_on="2025-12-01")
    refused = errors_of(secretary.post(edit, stale))["__all__"][0]
    assert refused.startswith("该记录已由wenyilu于") and "请刷新后在最新内容上修改" in refused


# --- the links -----------------------------------------------------------------------------------


def test_the_lists_link_the_forms_for_those_who_may_write_them(world):
    records = records_of(world, "D-FR-1")
    records["activity"].held_on = dt.date(timezone.localdate().year, 1, 2)
    records["activity"].save()
    year = timezone.localdate().year
    links = [
        reverse("web:activity_new"),
        reverse("web:pairing_new"),
        reverse("web:site_new"),
        reverse("web:joint_group_new"),
        reverse("web:activity_edit", args=[records["activity"].pk]),
        reverse("web:pairing_edit", args=[records["pairing"].pk]),
        reverse("web:site_edit", args=[records["site"].pk]),
        reverse("web:joint_group_edit", args=[records["group"].pk]),
    ]
    group_page = reverse("web:joint_group", args=[records["group"].pk])
    for who, writes in (("secretary", True), ("wenyilu", True), ("city", True),
                        ("registry", False)):  # fmt: skip
        page = client(world.users[who]).get(reverse("web:life_lists") + f"?year={year}")
        body = page.content.decode()
        assert page.status_code == 200, who
        for link in links:
            assert (f'href="{link}"' in body) == writes, (who, link)
        assert f'href="{group_page}"' in body, who  # its members, for all who see it
        detail = next(t for t in page.context["tables"] if t.key == "activity-list")
        assert detail.count == 1 and detail.rows[0][2] == "志愿服务"
    life = reverse("web:party_org_life", kwargs={"code": "D-FR-1"})
    for who, writes in (("secretary", True), ("furong", True), ("registry", False)):
        body = client(world.users[who]).get(life).content.decode()
        for name in ("web:party_org_activity_new", "web:party_org_pairing_new"):
            link = reverse(name, kwargs={"code": "D-FR-1"})
            assert (f'href="{link}"' in body) == writes, (who, name)
        assert "志愿服务" in body and "某局" in body, who
    # The detail list exports whole.
    sheet = client(world.users["furong"]).get(
        reverse("web:life_lists") + f"?year={year}&export=activity-list"
    )
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


# --- the machinery -------------------------------------------------------------------------------


def test_every_life_form_kind_reads_back_its_record_by_its_locked_columns(world):
    """For each kind of organization life with a form: a label, and the record's row as the
    export has it carries exactly the record's locked columns (record_values ∘ key_values)."""
    assert set(LIFE_RECORDS) <= set(FORM_KINDS) and set(FORM_KINDS) <= set(KIND_LABELS)
    records = records_of(world, "D-FR-1")
    partner = Pairing.objects.create(party_org=world.party_orgs["fr"],
                                     partner=world.party_orgs["tx"],
                                     started_on=dt.date(2025, 5, 1))  # fmt: skip
    member = JointGroupMember.objects.create(
        group=records["group"], party_org=world.party_orgs["fr_child"],
        started_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    instances = {
        "pairings": [records["pairing"], partner],
        "demonstration-sites": [records["site"]],
        "activities": [records["activity"]],
        "joint-groups": [records["member"], member],
    }
    assert set(instances) == set(LIFE_RECORDS)
    for user in (world.users["secretary"], world.users["wenyilu"]):
        for kind, found in instances.items():
            for instance in found:
                values = record_values(kind, instance, user)
                assert values is not None, (kind, instance)
                key = key_values(kind, instance)
                assert {k: values[k] for k in FORM_KINDS[kind]} == key, kind
    assert record_values("pairings", records["pairing"], world.users["outsider"]) is None


def test_the_township_officer_may_undo_a_secretary_s_save_an_outsider_may_not(world):
    """Organization life is in the jurisdiction's generic cut (`accounts.jurisdiction.scoped`):
    the officer over the branch sees what the secretary's save wrote, and may undo it."""
    secretary = client(world.users["secretary"])
    new = reverse("web:party_org_pairing_new", kwargs={"code": "D-FR-1"})
    data = form_data(secretary, new)
    data.update(partner_name="中共某局机关委员会", started_on="2025-03-01", reason="新结对")
    saved(secretary.post(new, data))
    batch = ImportBatch.objects.get(file_name="页面表单：新结对")
    outsider = client(world.users["outsider"])
    assert outsider.post(f"/imports/batches/{batch.pk}/undo/").status_code == 404
    assert Pairing.objects.count() == 1
    officer = client(world.users["wenyilu"])
    assert officer.post(f"/imports/batches/{batch.pk}/undo/").status_code == 302
    batch.refresh_from_db()
    assert batch.undone_at is not None and not Pairing.objects.exists()
