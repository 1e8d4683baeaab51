"""The import kinds of organization life of the project's own design (docs/organization-life.md):
`pairings`, `demonstration-sites`, `joint-groups`, `activities` — every bad value refused
with its row, column and value, nothing written; re-importing the same file changes
nothing; a secretary writes its own Party organization's records, never another branch's."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dangjian.accounts.models import Role
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.life.models import (
    Activity,
    ActivityKind,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Pairing,
    SiteLevel,
)
from tests import factories
from tests.actors import build_world
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)
FOUNDED = dt.date(2020, 3, 1)


@pytest.fixture
def branches(areas):
    """P-A and P-B in 文艺路街道, P-C in 坡子街街道 (天心区), P-OLD dissolved in 2022."""
    return {
        "a": factories.party_org(areas["wenyilu"], founded_on=FOUNDED, code="P-A", name="甲党支部"),
        "b": factories.party_org(areas["wenyilu"], founded_on=FOUNDED, code="P-B", name="乙党支部"),
        "c": factories.party_org(areas["pozi"], founded_on=FOUNDED, code="P-C", name="丙党支部"),
        "old": factories.party_org(
            areas["wenyilu"],
            founded_on=FOUNDED,
            code="P-OLD",
            status="dissolved",
            dissolved_on=dt.date(2022, 1, 1),
        ),
    }


def run(tmp_path, kind, rows, user=None, **kwargs):
    path = write_csv(tmp_path / f"{kind}.csv", rows, kind=kind)
    return import_file(kind, path, user=user, today=TODAY, **kwargs)


def refused(tmp_path, kind, rows, column, value, message, user=None):
    """The import is refused with exactly one error, at row 2, naming `column` and `value`;
    nothing is written."""
    before = table_counts()
    result = run(tmp_path, kind, rows, user=user)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, column)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message, str(result.errors[0])
    # A long value is named by its beginning.
    assert value.startswith(result.errors[0].value) and result.errors[0].value[:40] == value[:40]
    assert str(result.errors[0]).startswith(f"第2行 {column}「{result.errors[0].value}」: ")
    after = table_counts()
    if user is not None:  # a user's refused import still leaves its batch record out
        before.pop("imports.ImportBatch", None), after.pop("imports.ImportBatch", None)
    assert after == before
    return result.errors[0]


def accepted(tmp_path, kind, rows, user=None, **kwargs):
    result = run(tmp_path, kind, rows, user=user, **kwargs)
    assert result.ok, [str(e) for e in result.errors]
    return result


# --- activities ------------------------------------------------------------------------------


def activity(**over: str) -> list[str]:
    row = {
        "party_org": "P-A", "kind": "志愿服务", "held_on": "2024-03-05", "title": "学雷锋志愿服务",
        "participants": "12", "duties": "团结凝聚群众、建设先进文化", "partner": "",
        "joint_group": "", "occasion": "学雷锋纪念日", "description": "一、集合\n二、清扫街道",
    }  # fmt: skip
    row.update(over)
    return list(row.values())


def test_an_activity_is_recorded_and_importing_it_again_changes_nothing(tmp_path, branches):
    result = accepted(tmp_path, "activities", [activity()])
    assert result.created == 1
    saved = Activity.objects.get()
    assert (saved.party_org, saved.kind, saved.held_on) == (
        branches["a"], ActivityKind.VOLUNTEER, dt.date(2024, 3, 5),
    )  # fmt: skip
    assert (saved.participants, saved.duties, saved.occasion) == (
        12,
        "masses,culture",
        "学雷锋纪念日",
    )
    assert saved.description == "一、集合\n二、清扫街道"
    again = accepted(tmp_path, "activities", [activity()])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = accepted(tmp_path, "activities", [activity(participants="15")])
    assert (changed.created, changed.updated) == (0, 1)
    assert changed.changes[0].fields == ["参加人数"]
    assert Activity.history.count() == 2


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
        ({"kind": "文艺汇演"}, "活动类型", "文艺汇演", "不是可选值"),
        ({"held_on": "2025-07-01"}, "开展日期", "2025-07-01", "晚于今天"),
        ({"held_on": "2020-02-29"}, "开展日期", "2020-02-29", "早于党组织成立日期 2020-03-01"),
        ({"held_on": "2024-02-30"}, "开展日期", "2024-02-30", "日期不存在"),
        ({"party_org": "P-OLD", "held_on": "2022-01-01"}, "开展日期", "2022-01-01",
         "党组织已于 2022-01-01 撤销"),
        ({"title": ""}, "活动名称", "", "必填"),
        ({"participants": "-1"}, "参加人数", "-1", "应在0到100000之间"),
        ({"participants": "十二"}, "参加人数", "十二", "应为整数"),
        ({"duties": "团结凝聚群众、搞好团建"}, "职责分类", "团结凝聚群众、搞好团建",
         "不是党组织的六项职责之一：搞好团建"),
        ({"partner": "P-B"}, "共建党组织编码", "P-B", "只有结对共建活动填写共建党组织编码"),
        ({"kind": "结对共建"}, "共建党组织编码", "", "结对共建活动须填写共建党组织编码"),
        ({"kind": "结对共建", "partner": "P-NONE"}, "共建党组织编码", "P-NONE", "党组织编码不存在"),
        ({"kind": "结对共建", "partner": "P-A"}, "共建党组织编码", "P-A", "不能是本党组织自己"),
        ({"joint_group": "文艺路联组"}, "联组名称", "文艺路联组", "只有联组活动填写联组名称"),
        ({"kind": "联组活动"}, "联组名称", "", "联组活动须填写联组名称"),
        ({"kind": "联组活动", "joint_group": "没有的联组"}, "联组名称", "没有的联组",
         "不是该党组织牵头或参加的联组"),
        ({"occasion": "很" * 41}, "活动契机", "很" * 41, "超过40个字"),
    ],
)  # fmt: skip
def test_a_bad_activity_is_refused(tmp_path, branches, over, column, value, message):
    refused(tmp_path, "activities", [activity(**over)], column, value, message)


def test_a_required_column_left_blank_is_refused(tmp_path, branches):
    error = refused(tmp_path, "activities", [activity(held_on="")], "开展日期", "", "必填")
    assert error.row == 2


def test_a_pairing_activity_names_another_party_organization(tmp_path, branches):
    accepted(tmp_path, "activities", [activity(kind="结对共建", partner="P-C", title="联学联建")])
    # A partner outside the writer's area is still a known Party organization.
    assert Activity.objects.get().partner == branches["c"]


def group(name="文艺路联组", lead="P-A", founded=dt.date(2023, 1, 1), dissolved=None):
    return JointGroup.objects.create(
        name=name,
        lead_id=_pk(lead),
        township_id=_township(lead),
        founded_on=founded,
        dissolved_on=dissolved,
    )


def _pk(code):
    from dangjian.partyorgs.models import PartyOrganization

    return PartyOrganization.objects.get(code=code).pk


def _township(code):
    from dangjian.partyorgs.models import PartyOrganization

    return PartyOrganization.objects.get(code=code).township_id


def test_a_joint_activity_names_a_group_of_its_party_organization_on_that_day(tmp_path, branches):
    g = group(dissolved=dt.date(2025, 1, 1))
    JointGroupMember.objects.create(group=g, party_org=branches["a"], started_on=g.founded_on)
    JointGroupMember.objects.create(
        group=g, party_org=branches["b"], started_on=dt.date(2023, 6, 1),
        ended_on=dt.date(2024, 6, 1),
    )  # fmt: skip
    joint = {"kind": "联组活动", "joint_group": "文艺路联组", "title": "联组联学"}
    # The lead, and a member while it is one.
    accepted(tmp_path, "activities", [activity(**joint, held_on="2023-01-01")])
    accepted(tmp_path, "activities", [activity(**joint, party_org="P-B", held_on="2024-05-31")])
    assert {a.joint_group for a in Activity.objects.all()} == {g}
    refused(tmp_path, "activities", [activity(**joint, party_org="P-B", held_on="2024-06-01")],
            "联组名称", "文艺路联组", "该党组织在 2024-06-01 不是此联组的成员")  # fmt: skip
    refused(tmp_path, "activities", [activity(**joint, held_on="2022-12-31")],
            "联组名称", "文艺路联组", "该联组在 2022-12-31 不存在（成立于2023-01-01，撤销于2025-01-01）")  # fmt: skip
    refused(tmp_path, "activities", [activity(**joint, held_on="2025-01-01")],
            "联组名称", "文艺路联组", "该联组在 2025-01-01 不存在")  # fmt: skip


def test_a_joint_activity_of_an_ambiguous_group_name_is_refused(tmp_path, branches):
    for lead in ("P-A", "P-B"):
        g = group(lead=lead)
        for code in ("P-A", "P-B"):
            JointGroupMember.objects.create(
                group=g, party_org_id=_pk(code), started_on=g.founded_on
            )
    refused(tmp_path, "activities",
            [activity(kind="联组活动", joint_group="文艺路联组", held_on="2024-01-01")],
            "联组名称", "文艺路联组", "名称对应多个联组（牵头党组织编码：P-A、P-B）")  # fmt: skip


def test_the_same_activity_twice_in_a_file_is_refused(tmp_path, branches):
    before = table_counts()
    result = run(tmp_path, "activities", [activity(), activity(participants="3")])
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "活动名称", "与第2行重复")]
    assert table_counts() == before


def test_one_bad_activity_writes_nothing(tmp_path, branches):
    before = table_counts()
    result = run(tmp_path, "activities",
                 [activity(), activity(title="其他活动", held_on="2030-01-01")])  # fmt: skip
    assert not result.ok and [e.row for e in result.errors] == [3]
    assert table_counts() == before


# --- pairings --------------------------------------------------------------------------------


def pairing(**over: str) -> list[str]:
    row = {
        "party_org": "P-A", "partner": "P-C", "partner_name": "", "started_on": "2023-04-01",
        "ended_on": "", "content": "联学联建，共享阵地",
    }  # fmt: skip
    row.update(over)
    return list(row.values())


def test_pairings_with_a_party_organization_in_and_outside_the_system(tmp_path, branches):
    outside = {"partner": "", "partner_name": "中共长沙市教育局机关委员会"}
    result = accepted(tmp_path, "pairings", [pairing(), pairing(**outside)])
    assert result.created == 2
    assert {(p.partner_id, p.partner_name) for p in Pairing.objects.all()} == {
        (branches["c"].pk, ""),
        (None, "中共长沙市教育局机关委员会"),
    }
    again = accepted(tmp_path, "pairings", [pairing(), pairing(**outside)])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # Its own name next to the code is the same partner: nothing changes.
    named = accepted(tmp_path, "pairings", [pairing(partner_name="丙党支部")])
    assert named.unchanged == 1
    ended = accepted(tmp_path, "pairings", [pairing(ended_on="2025-03-31")])
    assert ended.updated == 1 and ended.changes[0].fields == ["结束日期"]
    # A new pairing with the same partner once the last one ended.
    accepted(tmp_path, "pairings", [pairing(started_on="2025-03-31")])
    assert Pairing.objects.count() == 3


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
        ({"partner": ""}, "共建党组织编码", "", "共建党组织编码与共建单位党组织名称至少填写一项"),
        ({"partner": "P-NONE"}, "共建党组织编码", "P-NONE", "系统外的党组织请填写共建单位党组织名称"),
        ({"partner": "P-A"}, "共建党组织编码", "P-A", "不能是本党组织自己"),
        ({"partner_name": "丁党支部"}, "共建单位党组织名称", "丁党支部",
         "与共建党组织编码对应的党组织名称「丙党支部」不一致"),
        ({"started_on": "2025-07-01"}, "结对日期", "2025-07-01", "晚于今天"),
        ({"started_on": "2020-02-29"}, "结对日期", "2020-02-29", "早于党组织成立日期 2020-03-01"),
        ({"party_org": "P-OLD", "started_on": "2022-03-01"}, "结对日期", "2022-03-01",
         "党组织已于 2022-01-01 撤销"),
        ({"started_on": "2023/4/1x"}, "结对日期", "2023/4/1x", "不是日期"),
        ({"ended_on": "2023-03-31"}, "结束日期", "2023-03-31", "早于结对日期 2023-04-01"),
        ({"content": "共" * 501}, "共建内容", "共" * 501, "超过500个字"),
    ],
)  # fmt: skip
def test_a_bad_pairing_is_refused(tmp_path, branches, over, column, value, message):
    refused(tmp_path, "pairings", [pairing(**over)], column, value, message)


def test_overlapping_pairings_with_the_same_partner_are_refused(tmp_path, branches):
    accepted(tmp_path, "pairings", [pairing(ended_on="2024-04-01")])
    refused(tmp_path, "pairings", [pairing(started_on="2024-03-31")], "结对日期", "2024-03-31",
            "与同一共建党组织的结对与结对日期为 2023-04-01 的记录（至2024-04-01，已登记）期间重叠")  # fmt: skip
    # Within the file too.
    before = table_counts()
    result = run(tmp_path, "pairings", [pairing(partner="P-B"), pairing(partner="P-B", started_on="2024-01-01")])  # fmt: skip
    assert [(e.row, e.column) for e in result.errors] == [(3, "结对日期")]
    assert "第2行" in result.errors[0].message
    assert table_counts() == before
    # From the day it ended, a new one.
    accepted(tmp_path, "pairings", [pairing(started_on="2024-04-01")])


def test_the_same_pairing_twice_in_a_file_is_refused(tmp_path, branches):
    result = run(tmp_path, "pairings", [pairing(), pairing(content="另一项")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "结对日期", "与第2行重复")]


# --- demonstration-sites ---------------------------------------------------------------------


def site(**over: str) -> list[str]:
    row = {
        "party_org": "P-A",
        "level": "区（县、市）级",
        "year": "2024",
        "named_by": "中共芙蓉区委社会工作部",
    }
    row.update(over)
    return list(row.values())


def test_a_demonstration_site_is_recorded_once(tmp_path, branches):
    accepted(tmp_path, "demonstration-sites", [site(), site(level="市级", year="2025")])
    assert {(s.level, s.year) for s in DemonstrationSite.objects.all()} == {
        (SiteLevel.DISTRICT, 2024), (SiteLevel.CITY, 2025),
    }  # fmt: skip
    again = accepted(tmp_path, "demonstration-sites", [site(), site(level="市级", year="2025")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    renamed = accepted(tmp_path, "demonstration-sites", [site(named_by="芙蓉区委组织部")])
    assert renamed.updated == 1 and renamed.changes[0].fields == ["命名单位"]


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
        ({"level": "省级"}, "示范点级别", "省级", "不是可选值"),
        ({"year": "1999"}, "命名年度", "1999", "应在2000到2025之间"),
        ({"year": "2026"}, "命名年度", "2026", "应在2000到2025之间"),
        ({"year": "二〇二四"}, "命名年度", "二〇二四", "应为整数"),
        ({"year": ""}, "命名年度", "", "必填"),
        ({"year": "2019"}, "命名年度", "2019", "早于党组织成立年度（2020年）"),
        ({"party_org": "P-OLD", "year": "2022"}, "命名年度", "2022", "党组织已于 2022-01-01 撤销"),
        ({"named_by": "名" * 101}, "命名单位", "名" * 101, "超过100个字"),
    ],
)  # fmt: skip
def test_a_bad_demonstration_site_is_refused(tmp_path, branches, over, column, value, message):
    refused(tmp_path, "demonstration-sites", [site(**over)], column, value, message)


def test_a_site_named_in_the_year_its_party_organization_was_dissolved_counts(tmp_path, branches):
    accepted(tmp_path, "demonstration-sites", [site(party_org="P-OLD", year="2021")])


def test_the_same_site_twice_in_a_file_is_refused(tmp_path, branches):
    result = run(tmp_path, "demonstration-sites", [site(), site(named_by="")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "命名年度", "与第2行重复")]


# --- joint-groups ----------------------------------------------------------------------------


def member(**over: str) -> list[str]:
    row = {
        "name": "文艺路联组", "lead": "P-A", "township": "", "founded_on": "2023-01-01",
        "dissolved_on": "", "member": "P-A", "started_on": "2023-01-01", "ended_on": "",
    }  # fmt: skip
    row.update(over)
    return list(row.values())


def test_a_group_with_its_members_is_recorded_and_importing_it_again_changes_nothing(
    tmp_path, areas, branches
):
    rows = [member(), member(member="P-B", started_on="2023-03-01"), member(member="P-C")]
    result = accepted(tmp_path, "joint-groups", rows)
    assert (result.created, result.updated) == (3, 0)
    g = JointGroup.objects.get()
    # The township is the lead's when the file leaves it blank.
    assert (g.lead, g.township, g.founded_on) == (
        branches["a"],
        areas["wenyilu"],
        dt.date(2023, 1, 1),
    )
    assert {(m.party_org.code, m.started_on) for m in g.members.all()} == {
        ("P-A", dt.date(2023, 1, 1)), ("P-B", dt.date(2023, 3, 1)), ("P-C", dt.date(2023, 1, 1)),
    }  # fmt: skip
    again = accepted(tmp_path, "joint-groups", [member(township="文艺路街道"), *rows[1:]])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # The 联组 dissolved: one changed row says so, with the member who left that day.
    dissolved = [
        member(dissolved_on="2025-01-01"),
        member(member="P-B", started_on="2023-03-01", dissolved_on="2025-01-01", ended_on="2025-01-01"),
        member(member="P-C", dissolved_on="2025-01-01"),
    ]  # fmt: skip
    changed = accepted(tmp_path, "joint-groups", dissolved)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 1)
    assert [(c.row, c.fields) for c in changed.changes] == [(3, ["退出日期"]), (2, ["撤销日期"])]
    assert JointGroup.objects.get().dissolved_on == dt.date(2025, 1, 1)
    assert JointGroup.history.count() == 2 and JointGroupMember.history.count() == 4


def test_a_member_is_added_to_a_stored_group_in_a_row_of_its_own(tmp_path, branches):
    accepted(tmp_path, "joint-groups", [member()])
    added = accepted(tmp_path, "joint-groups", [member(member="P-B", started_on="2024-01-01")])
    assert added.created == 1 and JointGroupMember.objects.count() == 2


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"name": ""}, "联组名称", "", "必填"),
        ({"lead": "P-NONE", "member": "P-B"}, "牵头党组织编码", "P-NONE", "党组织编码不存在"),
        ({"township": "不存在街道"}, "所在乡镇(街道)", "不存在街道", "没有名为「不存在街道」的乡镇"),
        ({"township": "430102"}, "所在乡镇(街道)", "430102", "不是乡镇(街道)"),
        ({"founded_on": "2025-07-01", "started_on": "2025-06-30"}, "成立日期", "2025-07-01", "晚于今天"),
        ({"founded_on": "2020-02-29", "started_on": "2020-03-01"}, "成立日期", "2020-02-29",
         "早于牵头党组织成立日期 2020-03-01"),
        ({"dissolved_on": "2022-12-31"}, "撤销日期", "2022-12-31", "早于成立日期 2023-01-01"),
        ({"started_on": "2022-12-31"}, "加入日期", "2022-12-31", "早于联组成立日期 2023-01-01"),
        ({"started_on": "2025-07-01"}, "加入日期", "2025-07-01", "晚于今天"),
        ({"dissolved_on": "2024-01-01", "started_on": "2024-01-01"}, "加入日期", "2024-01-01",
         "联组已于 2024-01-01 撤销"),
        ({"ended_on": "2022-12-31"}, "退出日期", "2022-12-31", "早于加入日期 2023-01-01"),
        ({"dissolved_on": "2024-01-01", "ended_on": "2024-01-02"}, "退出日期", "2024-01-02",
         "晚于联组撤销日期 2024-01-01"),
    ],
)  # fmt: skip
def test_a_bad_group_row_is_refused(tmp_path, branches, over, column, value, message):
    refused(tmp_path, "joint-groups", [member(**over)], column, value, message)


def test_a_bad_member_is_refused(tmp_path, branches):
    rows = [member()]
    before = table_counts()
    for over, column, value, message in [
        ({"member": "P-NONE"}, "成员党组织编码", "P-NONE", "党组织编码不存在"),
        ({"member": "P-OLD", "started_on": "2023-01-01"}, "加入日期", "2023-01-01",
         "该党组织已于 2022-01-01 撤销"),
    ]:  # fmt: skip
        result = run(tmp_path, "joint-groups", [*rows, member(**over)])
        assert [(e.row, e.column, e.value) for e in result.errors] == [(3, column, value)], [
            str(e) for e in result.errors
        ]
        assert message in result.errors[0].message
    assert table_counts() == before


def test_a_group_without_its_lead_among_its_members_is_refused(tmp_path, branches):
    before = table_counts()
    result = run(tmp_path, "joint-groups", [member(member="P-B"), member(member="P-C")])
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "牵头党组织编码", "P-A"), (3, "", ""),
    ]  # fmt: skip
    assert "牵头党组织须是本联组的成员" in result.errors[0].message
    assert result.errors[1].message == "同一联组的第2行有错误，未能导入"
    assert table_counts() == before
    # Its lead's row may come last.
    accepted(tmp_path, "joint-groups", [member(member="P-B"), member(member="P-C"), member()])


def test_skip_invalid_writes_the_whole_groups_only(tmp_path, branches):
    rows = [
        member(member="P-B"),  # 文艺路联组 has no row for its lead
        member(name="第二联组", lead="P-B", member="P-B"),
        member(name="第二联组", lead="P-B", member="P-C", started_on="2022-01-01"),  # too early
    ]
    result = run(tmp_path, "joint-groups", rows, skip_invalid=True)
    assert sorted((e.row, e.column) for e in result.errors) == [
        (2, "牵头党组织编码"),
        (4, "加入日期"),
    ]
    assert [g.name for g in JointGroup.objects.all()] == ["第二联组"]
    assert JointGroupMember.objects.get().party_org.code == "P-B"


def test_rows_of_one_group_must_agree_on_the_group(tmp_path, branches):
    before = table_counts()
    result = run(tmp_path, "joint-groups",
                 [member(), member(member="P-B", founded_on="2023-01-02", started_on="2023-01-02")])  # fmt: skip
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "成立日期", "2023-01-02")]
    assert "与第2行不一致" in result.errors[0].message
    result = run(tmp_path, "joint-groups", [member(), member(member="P-B", township="坡子街街道")])
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (3, "所在乡镇(街道)", "坡子街街道")
    ]
    assert table_counts() == before


def test_overlapping_periods_of_a_member_are_refused(tmp_path, branches):
    accepted(tmp_path, "joint-groups", [member(), member(member="P-B", ended_on="2024-01-01")])
    refused(tmp_path, "joint-groups", [member(member="P-B", started_on="2023-12-31")], "加入日期",
            "2023-12-31", "与该党组织在本联组的与加入日期为 2023-01-01 的记录（至2024-01-01，已登记）期间重叠")  # fmt: skip
    before = table_counts()
    result = run(tmp_path, "joint-groups", [member(member="P-C"), member(member="P-C", started_on="2024-06-01")])  # fmt: skip
    assert [(e.row, e.column) for e in result.errors] == [(3, "加入日期")]
    assert table_counts() == before
    accepted(tmp_path, "joint-groups", [member(member="P-B", started_on="2024-01-01")])


def test_the_same_member_twice_in_a_file_is_refused(tmp_path, branches):
    result = run(tmp_path, "joint-groups", [member(), member(ended_on="2024-01-01")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "加入日期", "与第2行重复")]


def test_a_group_dated_against_its_stored_members_is_refused(tmp_path, branches):
    accepted(tmp_path, "joint-groups", [member(), member(member="P-B", started_on="2023-06-01")])
    # The lead's row of 2023-01-01 stays: a row with another 加入日期 is another period.
    refused(tmp_path, "joint-groups", [member(founded_on="2023-07-01", started_on="2023-07-01")],
            "成立日期", "2023-07-01", "晚于已登记成员 P-A 的加入日期 2023-01-01")  # fmt: skip
    refused(tmp_path, "joint-groups", [member(dissolved_on="2023-06-01")],
            "撤销日期", "2023-06-01", "不晚于已登记成员 P-B 的加入日期 2023-06-01")  # fmt: skip


# --- who may write ---------------------------------------------------------------------------


def test_an_area_officer_writes_inside_its_area_only(tmp_path, areas, branches):
    furong = factories.user("furong-life", role=Role.DISTRICT, area=areas["furong"])
    refused(tmp_path, "activities", [activity(party_org="P-C")], "党组织编码", "P-C",
            "该党组织不在您的管辖范围（芙蓉区（430102））内", user=furong)  # fmt: skip
    refused(tmp_path, "joint-groups", [member(township="坡子街街道")], "所在乡镇(街道)",
            "坡子街街道", "不在您的管辖范围（芙蓉区（430102））内", user=furong)  # fmt: skip
    refused(tmp_path, "joint-groups", [member(member="P-C")], "成员党组织编码", "P-C",
            "不在您的管辖范围", user=furong)  # fmt: skip
    # A partner is named, not written: it may lie outside.
    accepted(tmp_path, "pairings", [pairing()], user=furong)


KINDS_ROWS = {
    "activities": (activity, "党组织编码"),
    "pairings": (pairing, "党组织编码"),
    "demonstration-sites": (site, "党组织编码"),
    "joint-groups": (member, "牵头党组织编码"),
}


@pytest.mark.parametrize("kind", list(KINDS_ROWS))
def test_a_secretary_writes_its_own_party_organizations_records_only(tmp_path, areas, kind):
    world = build_world(areas)
    secretary = world.users["secretary"]  # of D-FR-1; D-TX-1 is another branch
    make, column = KINDS_ROWS[kind]
    key = "lead" if kind == "joint-groups" else "party_org"
    other = {key: "D-TX-1", "partner": "D-FR-1"} if kind == "pairings" else {key: "D-TX-1"}
    if kind == "joint-groups":
        other["member"] = "D-FR-1"
    error = refused(tmp_path, kind, [make(**other)], column, "D-TX-1", "不在您的管辖范围内",
                    user=secretary)  # fmt: skip
    assert str(error) == f"第2行 {column}「D-TX-1」: 该党组织不在您的管辖范围内"
    own = {key: "D-FR-1", "partner": "D-TX-1"} if kind == "pairings" else {key: "D-FR-1"}
    if kind == "joint-groups":
        own["member"] = "D-FR-1"
    accepted(tmp_path, kind, [make(**own)], user=secretary)


def test_a_secretary_cannot_take_another_branch_into_its_group(tmp_path, areas):
    world = build_world(areas)
    secretary = world.users["secretary"]
    rows = [member(lead="D-FR-1", member="D-FR-1"), member(lead="D-FR-1", member="D-TX-1")]
    before = table_counts()
    result = run(tmp_path, "joint-groups", rows, user=secretary)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "成员党组织编码", "D-TX-1")]
    assert JointGroup.objects.count() == before["life.JointGroup"]


@pytest.mark.parametrize("kind", list(KINDS_ROWS))
def test_the_registry_may_not_write_organization_life(tmp_path, areas, kind):
    world = build_world(areas)
    result = run(tmp_path, kind, [KINDS_ROWS[kind][0]()], user=world.users["registry"])
    assert not result.ok
    assert result.errors[0].message.startswith("您无权写入")


# --- the documentation ------------------------------------------------------------------------


def test_the_documented_columns_are_the_kinds_columns():
    """docs/organization-life.md's tables name each kind's columns, keys and whether they are
    required, in the kinds' order."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "organization-life.md").read_text()
    section = text.split("## Import kinds of the project's own design", 1)[1].split("\n## ")[0]
    tables = {}
    for heading, body in re.findall(r"### `([a-z-]+)` — [^\n]*\n((?:\|[^\n]*\n)+)", section):
        rows = [line.split("|")[1:-1] for line in body.strip().splitlines()[2:]]
        tables[heading] = [(c.strip(), k.strip(), r.strip()) for c, k, r, _v in rows]
    assert list(tables) == ["activities", "pairings", "demonstration-sites", "joint-groups"]
    for kind, documented in tables.items():
        columns = KINDS[kind].columns
        assert [(c, k) for c, k, _r in documented] == [(c.label, c.key) for c in columns], kind
        for (label, _key, required), column in zip(documented, columns, strict=True):
            assert (required == "yes") == column.required, (kind, label, required)
    # The import order it gives: after `meetings`, `trainings`, `applicants` and `transfers`
    # (CONTRACT's order), the 联组 before the activities naming them.
    order = list(KINDS)
    assert order[order.index("meetings") + 1 : order.index("meetings") + 4] == [
        "trainings",
        "applicants",
        "transfers",
    ]
    after = order[order.index("transfers") + 1 : order.index("transfers") + 5]
    assert after == ["pairings", "demonstration-sites", "joint-groups", "activities"]
    assert (
        "Import order after `meetings`, `trainings`, `applicants` and `transfers` (CONTRACT's "
        "order):\n`pairings`,"
    ) in text
