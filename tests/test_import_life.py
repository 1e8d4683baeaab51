"""The `party-groups` and `meetings` kinds (CONTRACT.md, "Party work: the further import
kinds"): every bad input of issue 15 refused with row, column and value, nothing written;
attendance person by person; the review state a writer's row leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import Role
from dangjian.imports.service import import_file
from dangjian.lib.codes import mask_id_number
from dangjian.life.models import Attendance, AttendanceStatus, Meeting, PartyGroup, ReviewState
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db

FOUNDED = dt.date(2020, 3, 1)


@pytest.fixture
def branch(areas):
    return factories.party_org(areas["wenyilu"], founded_on=FOUNDED, code="P-LIFE")


@pytest.fixture
def members(branch):
    return [
        factories.member(None, relation=branch, joined_on=dt.date(2019, 1, 1), confirmed_on=None)
        for _ in range(3)
    ]


def meeting_row(**over: str) -> list[str]:
    row = {
        "party_org": "P-LIFE", "type": "支部党员大会", "party_group": "", "held_on": "2024-05-10",
        "topic": "学习党章", "expected": "", "present": "", "duties": "", "place": "", "host": "",
        "recorder": "", "minutes": "", "attended": "", "on_leave": "", "absent": "",
    }  # fmt: skip
    row.update(over)
    return list(row.values())


def run(tmp_path, kind, rows, user=None, **kwargs):
    path = write_csv(tmp_path / f"{kind}.csv", rows, kind=kind)
    return import_file(kind, path, user=user, **kwargs)


def refused(tmp_path, kind, rows, column, value, message):
    before = table_counts()
    result = run(tmp_path, kind, rows)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message
    assert table_counts() == before
    return result.errors[0]


def test_a_meeting_is_recorded_and_counts_as_approved(tmp_path, branch, members):
    a, b, c = members
    rows = [
        meeting_row(
            duties="保证政治方向、加强自身建设",
            attended=f"{a.id_number};{b.id_number}",
            on_leave=f"{c.id_number}（出差）",
            minutes="一、学习\n二、讨论",
        )
    ]
    result = run(tmp_path, "meetings", rows)
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    meeting = Meeting.objects.get()
    assert (meeting.expected, meeting.present, meeting.state) == (3, 2, ReviewState.APPROVED)
    assert meeting.duties == "political,self"
    assert meeting.minutes == "一、学习\n二、讨论"
    assert {(x.person_id, x.status, x.reason) for x in Attendance.objects.all()} == {
        (a.pk, AttendanceStatus.PRESENT, ""),
        (b.pk, AttendanceStatus.PRESENT, ""),
        (c.pk, AttendanceStatus.LEAVE, "出差"),
    }
    again = run(tmp_path, "meetings", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    # The attendance given again replaces it: c came after all, b is no longer listed.
    changed = run(
        tmp_path,
        "meetings",
        [
            meeting_row(
                duties="保证政治方向、加强自身建设",
                attended=f"{a.id_number};{c.id_number}",
                minutes="一、学习\n二、讨论",
            )
        ],
    )
    assert (changed.created, changed.updated) == (0, 1)
    assert {(x.person_id, x.status) for x in Attendance.objects.all()} == {
        (a.pk, AttendanceStatus.PRESENT),
        (c.pk, AttendanceStatus.PRESENT),
    }
    assert Meeting.objects.get().expected == 2
    assert Attendance.history.filter(history_type="-").count() == 1


def test_present_above_expected_is_refused(tmp_path, branch):
    refused(tmp_path, "meetings", [meeting_row(expected="5", present="6")], "实到人数", "6",
            "多于应到人数")  # fmt: skip


def test_a_group_meeting_without_its_group_is_refused(tmp_path, branch):
    refused(tmp_path, "meetings", [meeting_row(type="党小组会")], "党小组名称", "",
            "党小组会须填写党小组名称")  # fmt: skip


def test_a_group_meeting_of_an_unknown_group_is_refused(tmp_path, branch):
    refused(tmp_path, "meetings", [meeting_row(type="党小组会", party_group="第九党小组")],
            "党小组名称", "第九党小组", "不是该党组织的党小组")  # fmt: skip


def test_a_group_meeting_before_its_group_existed_is_refused(tmp_path, branch):
    PartyGroup.objects.create(party_org=branch, name="第一党小组", founded_on=dt.date(2024, 6, 1))
    refused(tmp_path, "meetings",
            [meeting_row(type="党小组会", party_group="第一党小组", held_on="2024-05-31")],
            "党小组名称", "第一党小组", "不存在")  # fmt: skip
    ok = run(tmp_path, "meetings",
             [meeting_row(type="党小组会", party_group="第一党小组", held_on="2024-06-01")])  # fmt: skip
    assert ok.ok and Meeting.objects.get().party_group.name == "第一党小组"


def test_a_meeting_in_the_future_is_refused(tmp_path, branch):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused(tmp_path, "meetings", [meeting_row(held_on=tomorrow)], "召开日期", tomorrow, "晚于今天")
    today = dt.date.today().isoformat()
    assert run(tmp_path, "meetings", [meeting_row(held_on=today)]).ok


def test_a_meeting_before_the_branch_was_founded_is_refused(tmp_path, branch):
    refused(tmp_path, "meetings", [meeting_row(held_on="2020-02-29")], "召开日期", "2020-02-29",
            "早于党组织成立日期 2020-03-01")  # fmt: skip
    assert run(tmp_path, "meetings", [meeting_row(held_on="2020-03-01")]).ok


def test_attendance_of_someone_not_a_member_that_day_is_refused(tmp_path, branch, members):
    late = factories.member(
        None, relation=branch, joined_on=dt.date(2024, 5, 11), confirmed_on=None
    )
    error = refused(tmp_path, "meetings", [meeting_row(attended=late.id_number)], "出席人员",
                    mask_id_number(late.id_number), "不是该党组织在 2024-05-10 的党员")  # fmt: skip
    assert late.id_number not in str(error)
    elsewhere = factories.member(None, joined_on=dt.date(2019, 1, 1), confirmed_on=None)
    refused(tmp_path, "meetings", [meeting_row(absent=elsewhere.id_number)], "缺席人员",
            mask_id_number(elsewhere.id_number), "不是该党组织")  # fmt: skip
    assert run(
        tmp_path, "meetings", [meeting_row(held_on="2024-05-11", attended=late.id_number)]
    ).ok


def test_an_unknown_duty_is_refused(tmp_path, branch):
    refused(tmp_path, "meetings", [meeting_row(duties="保证政治方向、搞好团建")], "职责分类",
            "保证政治方向、搞好团建", "不是党组织的六项职责之一：搞好团建")  # fmt: skip


def test_counts_that_contradict_the_attendance_are_refused(tmp_path, branch, members):
    a, b, _c = members
    refused(tmp_path, "meetings", [meeting_row(expected="3", attended=f"{a.id_number}、{b.id_number}")],
            "应到人数", "3", "与参会名单不符")  # fmt: skip


def test_a_party_group_needs_a_branch_and_a_known_leader(tmp_path, areas, branch):
    committee = factories.party_org(areas["wenyilu"], level="committee", code="P-COMM")
    refused(tmp_path, "party-groups", [["P-COMM", "第一党小组", "", "2021-01-01", ""]],
            "党组织编码", "P-COMM", "不是党支部")  # fmt: skip
    assert committee.pk
    unknown = factories.id_number_for(999)
    refused(tmp_path, "party-groups", [["P-LIFE", "第一党小组", unknown, "2021-01-01", ""]],
            "组长公民身份号码", mask_id_number(unknown), "不是已登记的人员")  # fmt: skip
    refused(tmp_path, "party-groups", [["P-LIFE", "第一党小组", "", "2021-01-01", "2020-12-31"]],
            "撤销日期", "2020-12-31", "早于成立日期")  # fmt: skip
    leader = factories.member(None, relation=branch)
    ok = run(
        tmp_path, "party-groups", [["P-LIFE", "第一党小组", leader.id_number, "2021-01-01", ""]]
    )
    assert ok.ok and PartyGroup.objects.get().leader == leader


def test_one_bad_row_writes_nothing(tmp_path, branch):
    before = table_counts()
    result = run(
        tmp_path, "meetings", [meeting_row(), meeting_row(held_on="2024-06-01", present="x")]
    )
    assert not result.ok and [e.row for e in result.errors] == [3]
    assert table_counts() == before


def test_a_secretarys_meeting_is_a_draft_and_cannot_change_while_submitted(tmp_path, areas, branch):
    secretary = factories.user("sec-life", role=Role.ORG, party_org=branch)
    result = run(tmp_path, "meetings", [meeting_row()], user=secretary)
    assert result.ok, [str(e) for e in result.errors]
    meeting = Meeting.objects.get()
    assert meeting.state == ReviewState.DRAFT
    Meeting.objects.filter(pk=meeting.pk).update(state=ReviewState.SUBMITTED)
    same = run(tmp_path, "meetings", [meeting_row()], user=secretary)
    assert same.ok and same.unchanged == 1
    changed = run(tmp_path, "meetings", [meeting_row(topic="学习党章（修改）")], user=secretary)
    assert not changed.ok and "已报送" in changed.errors[0].message
    Meeting.objects.filter(pk=meeting.pk).update(state=ReviewState.APPROVED)
    again = run(tmp_path, "meetings", [meeting_row(topic="学习党章（修改）")], user=secretary)
    assert again.ok and Meeting.objects.get().state == ReviewState.DRAFT
    officer = factories.user("twp-life", role=Role.TOWNSHIP, area=areas["wenyilu"])
    approved = run(tmp_path, "meetings", [meeting_row(topic="学习党章（定稿）")], user=officer)
    assert approved.ok and Meeting.objects.get().state == ReviewState.APPROVED


def test_a_secretary_cannot_record_another_branchs_meeting(tmp_path, areas, branch):
    other = factories.party_org(areas["wenyilu"], founded_on=FOUNDED, code="P-OTHER")
    secretary = factories.user("sec-life2", role=Role.ORG, party_org=other)
    before = table_counts()
    result = run(tmp_path, "meetings", [meeting_row()], user=secretary)
    assert not result.ok and result.errors[0].column == "党组织编码"
    assert "管辖范围" in result.errors[0].message
    assert {k: v for k, v in table_counts().items() if k != "imports.ImportBatch"} == {
        k: v for k, v in before.items() if k != "imports.ImportBatch"
    }
