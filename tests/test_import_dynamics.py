"""The `inspections`, `rectifications` and `venues` kinds (CONTRACT.md, "Party work: the
further import kinds") and the project's `evaluations` and `service-centres`
(docs/dynamics.md, docs/dynamics.md): every bad input of issue 18 refused with row, column
and value and nothing written; re-importing and export → import change nothing; the
writers' bounds (the registry writes inspections of its own organizations only)."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import Role
from dangjian.areas.models import Unit, UnitKind
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE
from dangjian.inspections.models import AnnualInspection, Evaluation
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel
from dangjian.rectifications.models import Rectification
from dangjian.venues.models import ServiceCentre, Venue
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(areas):
    return factories.org(areas["wenyilu"], registered_on=dt.date(2015, 3, 1))


@pytest.fixture
def branch(areas, org):
    return factories.party_org(areas["wenyilu"], code="P-WEAK", covers=[org])


def run(tmp_path, kind, rows, user=None):
    path = write_csv(tmp_path / f"{kind}.csv", rows, kind=kind)
    return import_file(kind, path, user=user)


def refused(tmp_path, kind, rows, column, value, message, user=None):
    before = table_counts()
    result = run(tmp_path, kind, rows, user=user)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message, result.errors[0].message
    assert table_counts() == before


def inspection(org, **over: str) -> list[str]:
    values = {"uscc": org.uscc, "year": "2025", "result": "合格", "party_section": "否",
              "inspected_on": "2026-04-15"}  # fmt: skip
    return list({**values, **over}.values())


def rectification(po, **over: str) -> list[str]:
    values = {"party_org": po.code, "identified_on": "2026-03-01", "problem": "组织生活不正常",
              "deadline": "2026-09-30", "resolved_on": ""}  # fmt: skip
    return list({**values, **over}.values())


def venue(po, **over: str) -> list[str]:
    values = {"party_org": po.code, "name": "党员活动室", "has_place": "是",
              "has_facilities": "是", "has_sign": "是", "has_flag": "否", "has_reading": "是",
              "has_rules": "是", "checked_on": "2026-05-20"}  # fmt: skip
    return list({**values, **over}.values())


def evaluation(org, **over: str) -> list[str]:
    values = {"uscc": org.uscc, "evaluated_on": "2025-10-20", "grade": "4A",
              "valid_until": "2030-10-19", "party_section": "是", "party_score": "92"}  # fmt: skip
    return list({**values, **over}.values())


# inspections ------------------------------------------------------------------------------------


def test_an_inspection_is_written_and_reimporting_changes_nothing(tmp_path, org):
    result = run(tmp_path, "inspections", [inspection(org)])
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    stored = AnnualInspection.objects.get(org=org, year=2025)
    assert (stored.result, stored.party_section, stored.inspected_on) == (
        "qualified", False, dt.date(2026, 4, 15),
    )  # fmt: skip
    assert run(tmp_path, "inspections", [inspection(org)]).unchanged == 1
    changed = run(tmp_path, "inspections", [inspection(org, party_section="是")])
    assert changed.updated == 1 and changed.changes[0].fields == ["党建情况已填报"]
    assert stored.history.count() == 2


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"inspected_on": "2025-12-31"}, "年检日期", "2025-12-31", "应在年检年度之后的年份"),
        ({"inspected_on": "2025-04-15"}, "年检日期", "2025-04-15", "应在年检年度之后的年份"),
        ({"inspected_on": "2099-01-01"}, "年检日期", "2099-01-01", "晚于今天"),
        ({"party_section": "有"}, "党建情况已填报", "有", "应为「是」或「否」"),
        ({"party_section": "Y"}, "党建情况已填报", "Y", "应为「是」或「否」"),
        ({"party_section": ""}, "党建情况已填报", "", "必填"),
        ({"result": "优秀"}, "年检结论", "优秀", "不是可选值"),
        ({"year": "2014"}, "年检年度", "2014", "早于该社会组织的登记年份"),
        ({"uscc": "91430100MA4L0000X1"}, "统一社会信用代码", "91430100MA4L0000X1", ""),
    ],
)  # fmt: skip
def test_bad_inspections_are_refused(tmp_path, org, over, column, value, message):
    refused(tmp_path, "inspections", [inspection(org, **over)], column, value, message)


def test_an_inspection_dated_in_the_next_year_is_accepted(tmp_path, org):
    assert run(tmp_path, "inspections", [inspection(org, inspected_on="2026-01-01")]).ok


def test_the_registry_writes_inspections_of_its_own_organizations_only(tmp_path, areas, org):
    own = Unit.objects.get(name="芙蓉区民政局")
    clerk = factories.user("reg", role=Role.REGISTRY, unit=own)
    other = factories.user("reg2", role=Role.REGISTRY,
                           unit=factories.unit("天心区民政局", UnitKind.CIVIL_AFFAIRS,
                                               areas["tianxin"]))  # fmt: skip
    assert run(tmp_path, "inspections", [inspection(org)], user=clerk).ok
    refused(tmp_path, "inspections", [inspection(org, party_section="是")], "统一社会信用代码",
            org.uscc, OUTSIDE, user=other)  # fmt: skip
    assert run(tmp_path, "evaluations", [evaluation(org)], user=clerk).ok
    # and nothing of the Party organizations' records
    po = factories.party_org(areas["wenyilu"])
    result = run(tmp_path, "venues", [venue(po)], user=clerk)
    assert not result.ok and "无权" in result.errors[0].message


# evaluations ------------------------------------------------------------------------------------


def test_an_evaluation_is_written(tmp_path, org):
    result = run(tmp_path, "evaluations", [evaluation(org, grade="4a")])
    assert result.ok, [str(e) for e in result.errors]
    stored = Evaluation.objects.get(org=org)
    assert (stored.grade, stored.party_section, stored.party_score) == ("4A", True, 92)


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"grade": "6A"}, "评估等级", "6A", "不是可选值"),
        ({"grade": "AAAA"}, "评估等级", "AAAA", "不是可选值"),
        ({"valid_until": "2025-10-20"}, "有效期至", "2025-10-20", "应晚于评估日期"),
        ({"party_section": "否"}, "党建工作得分", "92", "不填写得分"),
        ({"party_score": "101"}, "党建工作得分", "101", ""),
    ],
)  # fmt: skip
def test_bad_evaluations_are_refused(tmp_path, org, over, column, value, message):
    refused(tmp_path, "evaluations", [evaluation(org, **over)], column, value, message)


# rectifications ---------------------------------------------------------------------------------


def test_a_rectification_is_written(tmp_path, branch):
    assert run(tmp_path, "rectifications", [rectification(branch)]).created == 1
    done = run(tmp_path, "rectifications", [rectification(branch, resolved_on="2026-09-01")])
    assert done.updated == 1
    assert Rectification.objects.get().resolved_on == dt.date(2026, 9, 1)


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"deadline": "2026-02-28"}, "整顿期限", "2026-02-28", "早于认定日期"),
        ({"resolved_on": "2026-02-28"}, "整顿完成日期", "2026-02-28", "早于认定日期"),
        ({"identified_on": "2099-01-01", "deadline": "2099-06-01"}, "认定日期", "2099-01-01",
         "晚于今天"),
        ({"identified_on": "2015-01-01"}, "认定日期", "2015-01-01", "早于该党组织的成立日期"),
        ({"problem": ""}, "主要问题", "", "必填"),
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
    ],
)  # fmt: skip
def test_bad_rectifications_are_refused(tmp_path, branch, over, column, value, message):
    refused(tmp_path, "rectifications", [rectification(branch, **over)], column, value, message)


def test_a_township_party_organization_may_be_rectified(tmp_path, areas):
    po = factories.party_org(areas["wenyilu"], form=PartyOrgForm.TOWNSHIP,
                             level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    assert run(tmp_path, "rectifications", [rectification(po)]).ok


def test_a_party_organization_outside_the_district_answers_as_unknown(tmp_path, areas):
    po = factories.party_org(areas["pozi"])
    furong = factories.user("fr", role=Role.DISTRICT, area=areas["furong"])
    refused(tmp_path, "rectifications", [rectification(po)], "党组织编码", po.code,
            "党组织编码不存在", user=furong)  # fmt: skip


# venues -----------------------------------------------------------------------------------------


def test_a_venue_check_is_written_and_a_centre_is_linked_by_name(tmp_path, areas, branch):
    result = run(tmp_path, "service-centres", [[
        "文艺路街道党群服务中心", areas["wenyilu"].code, "长沙市芙蓉区文艺路100号", "800", "120",
        "周一至周五 9:00—17:30", "文艺路街道办事处",
    ]])  # fmt: skip
    assert result.ok, [str(e) for e in result.errors]
    centre = ServiceCentre.objects.get()
    assert run(tmp_path, "venues", [venue(branch, name="文艺路街道党群服务中心")]).ok
    stored = Venue.objects.get()
    assert stored.centre == centre and stored.missing == ["有党旗"]
    assert run(tmp_path, "venues", [venue(branch, name="文艺路街道党群服务中心")]).unchanged == 1


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"has_flag": "有"}, "有党旗", "有", "应为「是」或「否」"),
        ({"has_place": "1"}, "有场所", "1", "应为「是」或「否」"),
        ({"has_rules": "是的"}, "有制度", "是的", "应为「是」或「否」"),
        ({"has_sign": ""}, "有标志", "", "必填"),
        ({"checked_on": "2099-01-01"}, "核查日期", "2099-01-01", "晚于今天"),
        ({"checked_on": "2015-06-01"}, "核查日期", "2015-06-01", "早于该党组织的成立日期"),
        ({"name": ""}, "场所名称", "", "必填"),
    ],
)  # fmt: skip
def test_bad_venues_are_refused(tmp_path, branch, over, column, value, message):
    refused(tmp_path, "venues", [venue(branch, **over)], column, value, message)


def test_a_secretary_records_its_own_venue_only(tmp_path, areas, branch):
    secretary = factories.user("sec", role=Role.ORG, party_org=branch)
    assert run(tmp_path, "venues", [venue(branch)], user=secretary).ok
    other = factories.party_org(areas["wenyilu"])
    refused(tmp_path, "venues", [venue(other)], "党组织编码", other.code, "党组织编码不存在",
            user=secretary)  # fmt: skip


# export → import ----------------------------------------------------------------------------------


def test_every_kind_round_trips(tmp_path, areas, org, branch):
    run(tmp_path, "service-centres", [["芙蓉区党群服务中心", areas["wenyilu"].code,
                                       "芙蓉区某路1号", "", "", "", ""]])  # fmt: skip
    rows = {
        "inspections": [inspection(org), inspection(org, year="2024", inspected_on="2025-05-01",
                                                     party_section="是")],
        "evaluations": [evaluation(org), evaluation(org, evaluated_on="2020-10-20",
                                                    valid_until="2025-10-19", party_section="否",
                                                    party_score="", grade="3A")],
        "rectifications": [rectification(branch), rectification(branch,
                           identified_on="2025-01-02", resolved_on="2025-06-01")],
        "venues": [venue(branch), venue(branch, checked_on="2025-05-20", name="芙蓉区党群服务中心")],
    }  # fmt: skip
    for kind, kind_rows in rows.items():
        assert run(tmp_path, kind, kind_rows).created == len(kind_rows), kind
    for kind in ("service-centres", *rows):
        exported = list(export_rows(kind, unmask=True))
        assert len(exported) >= 1
        again = run(tmp_path, kind, exported)
        assert again.ok and again.unchanged == len(exported) and again.created == 0, kind
