"""The `applicants` kind and the `people` kind's 预备期延长至 (CONTRACT.md, "Party work: the
further import kinds"; docs/development.md): every bad input refused with row, column and
value, nothing written (all or nothing); re-importing and export → import change nothing;
the writer's bounds — a Party organization outside the jurisdiction answers as unknown."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate
from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE, may_write
from dangjian.lib.codes import mask_id_number
from dangjian.people.models import Membership
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(areas):
    org = factories.org(areas["wenyilu"])
    po = factories.party_org(areas["wenyilu"], code="P-DEV", covers=[org])
    po.covered_org = org  # type: ignore[attr-defined]
    return po


@pytest.fixture
def staff(branch):
    """Three employees of the organization the branch covers, none a member."""
    people = []
    for i in range(3):
        p = factories.person(f"员工{i}")
        factories.employ(p, branch.covered_org)
        people.append(p)
    return people


def row(person, **over: str) -> list[str]:
    values = {
        "id_number": person.id_number if person is not None else "", "party_org": "P-DEV",
        "applied_on": "2025-03-05", "talked_on": "2025-03-20", "activist_on": "2025-06-01",
        "candidate_on": "2026-06-01", "status": "培养中", "status_changed_on": "",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None, kind="applicants", **kwargs):
    path = write_csv(tmp_path / f"{kind}.csv", rows, kind=kind)
    return import_file(kind, path, user=user, **kwargs)


def refused(tmp_path, rows, column, value, message, user=None, kind="applicants", line=2):
    before = table_counts()
    result = run(tmp_path, rows, user=user, kind=kind)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(line, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message
    assert table_counts() == before


def test_an_applicant_is_written_and_reimporting_changes_nothing(tmp_path, staff, branch):
    rows = [row(p) for p in staff]
    result = run(tmp_path, rows)
    assert result.ok and result.created == 3, [str(e) for e in result.errors]
    stored = Applicant.objects.get(person=staff[0])
    assert (stored.party_org, stored.applied_on, stored.candidate_on, stored.status) == (
        branch, dt.date(2025, 3, 5), dt.date(2026, 6, 1), ApplicantStatus.DEVELOPING,
    )  # fmt: skip
    again = run(tmp_path, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    stopped = run(tmp_path, [row(staff[0], status="已停止培养", status_changed_on="2026-07-01")])
    assert stopped.updated == 1 and stopped.changes[0].fields == ["培养状态", "状态变更日期"]
    assert stored.history.count() == 2


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"activist_on": "", "candidate_on": "2026-06-01"}, "确定发展对象日期", "2026-06-01",
         "没有确定入党积极分子日期"),
        ({"candidate_on": "2025-05-31"}, "确定发展对象日期", "2025-05-31",
         "早于确定入党积极分子日期 2025-06-01"),
        ({"talked_on": "2025-03-04"}, "谈话日期", "2025-03-04", "早于入党申请日期 2025-03-05"),
        ({"activist_on": "2025-03-04", "candidate_on": ""}, "确定入党积极分子日期", "2025-03-04",
         "早于入党申请日期 2025-03-05"),
        ({"status": "已接收为预备党员"}, "状态变更日期", "", "培养状态为「已接收为预备党员」时必填"),
        ({"status": "培养中", "status_changed_on": "2026-07-01"}, "状态变更日期", "2026-07-01",
         "不填写"),
        ({"status": "已转正"}, "培养状态", "已转正", "不是可选值"),
        ({"applied_on": ""}, "入党申请日期", "", "必填"),
        ({"applied_on": "2099-01-01", "talked_on": "", "activist_on": "", "candidate_on": ""},
         "入党申请日期", "2099-01-01", "晚于今天"),
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
        ({"applied_on": "2025-13-01"}, "入党申请日期", "2025-13-01", ""),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, staff, over, column, value,
                                                          message):  # fmt: skip
    refused(tmp_path, [row(staff[0], **over)], column, value, message)


def test_one_bad_row_and_nothing_is_written(tmp_path, staff):
    before = table_counts()
    result = run(tmp_path, [row(staff[0]), row(staff[1], candidate_on="2025-01-01")])
    assert [(e.row, e.column) for e in result.errors] == [(3, "确定发展对象日期")]
    assert table_counts() == before


def test_an_unknown_person_and_the_same_person_twice(tmp_path, staff):
    unknown = factories.id_number_for(997)
    refused(tmp_path, [row(None, id_number=unknown)], "公民身份号码", mask_id_number(unknown),
            "不是已登记的人员")  # fmt: skip
    result = run(tmp_path, [row(staff[0]), row(staff[0])])
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "公民身份号码", "与第2行重复")
    ]


def test_a_person_already_a_member_on_the_application_day_is_refused(tmp_path, branch):
    member = factories.member(
        branch.covered_org, relation=branch, joined_on=dt.date(2025, 3, 5), confirmed_on=None
    )
    masked = mask_id_number(member.id_number)
    refused(tmp_path, [row(member)], "公民身份号码", masked, "入党申请日期时已是党员")
    # Admitted after applying: the application stands.
    assert run(tmp_path, [row(member, applied_on="2024-01-05", talked_on="2024-01-20",
                               activist_on="2024-03-01", candidate_on="2025-03-01",
                               status="已接收为预备党员",
                               status_changed_on="2025-03-05")]).ok  # fmt: skip


def test_the_writer_s_bounds(tmp_path, areas, staff, branch):
    # A township officer elsewhere: the Party organization answers as unknown, the person
    # (stored, not theirs) as outside.
    pozi = factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"])
    there = factories.person("坡子街员工")
    factories.employ(there, factories.org(areas["pozi"]))
    refused(tmp_path, [row(there)], "党组织编码", "P-DEV", "党组织编码不存在", user=pozi)
    result = run(tmp_path, [row(staff[0])], user=pozi)
    assert {(e.column, e.message) for e in result.errors} >= {("公民身份号码", OUTSIDE)}
    # The branch's secretary writes its own applicants; a secretary elsewhere sees no branch.
    secretary = factories.user("sec", role=Role.ORG, party_org=branch)
    assert may_write(secretary, "applicants")
    assert run(tmp_path, [row(staff[0])], user=secretary).ok
    other = factories.party_org(areas["pozi"], code="P-OTHER")
    stranger = factories.user("sec2", role=Role.ORG, party_org=other)
    result = run(tmp_path, [row(staff[1], party_org="P-DEV")], user=stranger)
    assert ("党组织编码", "党组织编码不存在（请先导入党组织）") in {
        (e.column, e.message) for e in result.errors
    }
    # An applicant developed outside the writer's Party organizations is not taken over.
    officer = factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"])
    assert run(tmp_path, [row(staff[1])], user=officer).ok
    factories.employ(staff[1], factories.org(areas["pozi"]))  # now the pozi officer sees them
    pozi_branch = factories.party_org(areas["pozi"], code="P-POZI")
    assert pozi_branch.code == "P-POZI"
    refused(tmp_path, [row(staff[1], party_org="P-POZI")], "公民身份号码",
            mask_id_number(staff[1].id_number), OUTSIDE, user=pozi)  # fmt: skip


def test_export_round_trips(tmp_path, staff):
    run(tmp_path, [row(staff[0]), row(staff[1], status="已停止培养", status_changed_on="2026-01-05",
                                      candidate_on="", talked_on="")])  # fmt: skip
    masked = list(export_rows("applicants"))
    assert {r[0] for r in masked} == {mask_id_number(p.id_number) for p in staff[:2]}
    full = list(export_rows("applicants", unmask=True))
    again = run(tmp_path, full)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(export_rows("applicants", unmask=True)) == full


def test_an_applicant_written_is_evaluated(tmp_path, staff):
    run(tmp_path, [row(staff[0], talked_on="", activist_on="", candidate_on="")])
    result = evaluate(as_of=dt.date(2025, 4, 6), rules=["DEV-TALK"])
    assert [f.subject.pk for f in result.findings] == [staff[0].pk]


# The `people` kind's 预备期延长至 ---------------------------------------------------------------


def person_row(p, **over: str) -> list[str]:
    values = {
        "name": p.name, "id_number": p.id_number, "employer_uscc": "", "position": "",
        "employed_on": "", "left_on": "", "political_status": "中共预备党员",
        "joined_on": "2025-01-10", "confirmed_on": "", "relation_party_org": "P-DEV",
        "probation_extended_to": "2026-07-10",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def test_an_extended_probation_is_written_and_exported(tmp_path, staff, branch):
    result = run(tmp_path, [person_row(staff[0])], kind="people")
    assert result.ok, [str(e) for e in result.errors]
    membership = Membership.objects.get(person=staff[0])
    assert membership.probation_extended_to == dt.date(2026, 7, 10)
    exported = [r for r in export_rows("people", unmask=True) if r[1] == staff[0].id_number]
    assert exported and all(r[-1] == "2026-07-10" for r in exported)
    again = run(tmp_path, exported, kind="people")
    assert (again.created, again.updated) == (0, 0)
    findings = evaluate(as_of=dt.date(2026, 10, 11), rules=["DEV-PROBATION-OVERDUE"]).findings
    assert [f.facts["probation_ends"] for f in findings] == ["2026-07-10"]


@pytest.mark.parametrize(
    ("over", "value", "message"),
    [
        ({"political_status": "中共党员", "confirmed_on": "2026-01-10"}, "2026-07-10",
         "只有中共预备党员填写此项"),
        ({"political_status": "群众", "joined_on": "", "relation_party_org": ""}, "2026-07-10",
         "不填写此项"),
        ({"probation_extended_to": "2026-01-10"}, "2026-01-10",
         "须晚于预备期的正常期满日 2026-01-10"),
        ({"probation_extended_to": "2026-01-09"}, "2026-01-09", "须晚于预备期的正常期满日"),
    ],
)  # fmt: skip
def test_an_extension_for_someone_not_probationary_or_too_early(tmp_path, staff, over, value,
                                                                message):  # fmt: skip
    refused(tmp_path, [person_row(staff[0], **over)], "预备期延长至", value, message,
            kind="people")  # fmt: skip


def test_the_day_after_the_normal_end_is_an_extension(tmp_path, staff):
    assert run(tmp_path, [person_row(staff[0], probation_extended_to="2026-01-11")],
               kind="people").ok  # fmt: skip


def test_one_applicant_is_written_and_read_back_as_a_form_does(staff, areas, branch):
    from dangjian.imports.records import key_values, record_save, record_values

    officer = factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"])
    values = dict(zip(["id_number", "party_org", "applied_on", "talked_on", "activist_on",
                       "candidate_on", "status", "status_changed_on"],
                      row(staff[0]), strict=True))  # fmt: skip
    saved = record_save(kind="applicants", values=values, user=officer, new=True)
    assert saved.ok, saved.errors
    stored = Applicant.objects.get(person=staff[0])
    shown = record_values("applicants", stored, officer)
    assert shown is not None and shown["id_number"] == staff[0].id_masked
    assert shown["party_org"] == "P-DEV" and shown["status"] == "培养中"
    assert key_values("applicants", stored) == {"id_number": staff[0].id_number}
    bad = record_save(kind="applicants", values={**values, "talked_on": "2025-03-01"},
                      user=officer)  # fmt: skip
    assert bad.errors == {"talked_on": ["早于入党申请日期 2025-03-05"]}
