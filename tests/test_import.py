"""The import service and command: kinds, upserts, all-or-nothing, dry run, skip-invalid,
history, jurisdiction — on real files and a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.models import ImportBatch
from dangjian.imports.service import import_file
from dangjian.lib.codes import make_id_number, make_uscc
from dangjian.orgs.models import OrgStatus, SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person
from tests import factories, importing
from tests.importing import table_counts, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

A = make_uscc("51430102MJJ000001")  # 社会团体 in 芙蓉区
B = make_uscc("52430102MJJ000002")  # 社会服务机构
C = make_uscc("53430103MJJ000003")  # 基金会 in 天心区
P1 = make_id_number("43010219800101001")
P2 = make_id_number("43010219900202002")
P3 = make_id_number("43010219600404004")


def org_row(uscc=A, name="芙蓉区书法协会", kind="社会团体", **over):
    return importing.org_row(uscc, name, kind=kind, **over)


@pytest.fixture
def base(areas):
    unit_ensure_registries(under=areas["city"])
    return areas


@pytest.fixture
def orgs_file(tmp_path, base):
    return write_csv(
        tmp_path / "orgs.csv",
        [
            org_row(),
            org_row(
                B,
                "芙蓉区康乐养老服务中心",
                "民办非企业单位",
                mode="业务主管单位",
                supervisor="长沙市卫生健康委员会",
                industry="养老服务",
                township="430102002",
            ),
            org_row(
                C,
                "天心区助学基金会",
                "基金会",
                registry="天心区民政局",
                district="天心区",
                township="坡子街街道",
                status="注销",
                changed_on="2024/6/1",
            ),
        ],
        kind="orgs",
    )


def test_it_imports_organizations_from_csv(orgs_file):
    result = import_file("orgs", orgs_file)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    b = SocialOrganization.objects.get(uscc=B)
    assert b.kind == "service_agency" and b.supervisor.name == "长沙市卫生健康委员会"
    assert b.township.code == "430102002"
    c = SocialOrganization.objects.get(uscc=C)
    assert c.status == OrgStatus.DEREGISTERED and c.status_changed_on == dt.date(2024, 6, 1)
    assert "新登记单位 1 个：长沙市卫生健康委员会" in result.notes


def test_it_imports_the_same_rows_from_xlsx_with_date_cells(tmp_path, base):
    path = write_xlsx(
        tmp_path / "orgs.xlsx",
        [[A, "芙蓉区书法协会", "社会团体", "芙蓉区民政局", "直接登记", None, "文化", "芙蓉区",
          "文艺路街道", "识字里社区", dt.datetime(2015, 3, 1), "正常", None, 12, None]],
        kind="orgs",
    )  # fmt: skip
    result = import_file("orgs", path)
    assert result.ok, result.errors
    org = SocialOrganization.objects.get()
    assert org.registered_on == dt.date(2015, 3, 1) and org.staff_count == 12
    assert org.community.name == "识字里社区"


def test_importing_the_same_file_twice_changes_nothing(orgs_file):
    import_file("orgs", orgs_file)
    history = SocialOrganization.history.count()
    rows = list(SocialOrganization.objects.values())
    result = import_file("orgs", orgs_file)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert SocialOrganization.history.count() == history
    assert list(SocialOrganization.objects.values()) == rows


def test_an_import_is_one_entry_in_the_history_attributed_to_user_and_file(orgs_file, base):
    user = factories.user("city", role="city", area=base["city"])
    result = import_file("orgs", orgs_file, user=user)
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.user, batch.file_name, batch.created) == (user, "orgs.csv", 3)
    reasons = set(SocialOrganization.history.values_list("history_change_reason", "history_user"))
    assert reasons == {(f"导入#{batch.pk} orgs「orgs.csv」", user.pk)}


def test_a_dry_run_reports_changes_and_writes_nothing(orgs_file, tmp_path):
    import_file("orgs", orgs_file)
    changed = write_csv(
        tmp_path / "changed.csv", [org_row(name="芙蓉区书法家协会", staff="15")], kind="orgs"
    )
    before = table_counts()
    result = import_file("orgs", changed, dry_run=True)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.changes[0].row == 2 and result.changes[0].fields == ["社会组织名称", "从业人员数"]
    assert table_counts() == before
    assert SocialOrganization.objects.get(uscc=A).name == "芙蓉区书法协会"


def test_one_bad_row_and_nothing_is_written(tmp_path, base):
    path = write_csv(
        tmp_path / "orgs.csv",
        [org_row(), org_row(B, kind="社会服务机构", registered_on="2015-02-30")],
        kind="orgs",
    )
    before = table_counts()
    result = import_file("orgs", path)
    assert not result.ok
    assert [str(e) for e in result.errors] == ["第3行 成立登记日期「2015-02-30」: 日期不存在"]
    assert table_counts() == before


def test_skip_invalid_keeps_good_rows_and_writes_the_rest_to_fix_and_import_again(tmp_path, base):
    path = write_csv(
        tmp_path / "orgs.csv",
        [org_row(), org_row(B, kind="社会服务机构", township="不存在街道")],
        kind="orgs",
    )
    errors = tmp_path / "errors.csv"
    result = import_file("orgs", path, skip_invalid=True, errors_path=errors)
    assert result.written and (result.created, result.rejected) == (1, 1)
    text = errors.read_text(encoding="utf-8-sig")
    assert "第3行 所在乡镇(街道)「不存在街道」" in text
    fixed = errors.read_text(encoding="utf-8-sig").replace("不存在街道", "文艺路街道")
    (tmp_path / "fixed.csv").write_text(fixed, encoding="utf-8-sig")
    again = import_file("orgs", tmp_path / "fixed.csv")
    assert again.ok, again.errors
    assert again.created == 1 and SocialOrganization.objects.count() == 2


def test_it_refuses_an_organization_outside_the_importers_district(tmp_path, base):
    furong_officer = factories.user("furong", role="district", area=base["furong"])
    path = write_csv(
        tmp_path / "orgs.csv",
        [
            org_row(
                C, kind="基金会", registry="天心区民政局", district="天心区", township="坡子街街道"
            )
        ],
        kind="orgs",
    )
    result = import_file("orgs", path, user=furong_officer)
    assert [str(e) for e in result.errors] == [
        "第2行 所在乡镇(街道)「坡子街街道」: 不在您的管辖范围（芙蓉区（430102））内"
    ]


def _full_dataset(tmp_path, orgs_file):
    assert import_file("orgs", orgs_file).ok
    party_orgs = write_csv(
        tmp_path / "po.csv",
        [
            ["D002", "芙蓉区书法协会党支部", "党支部", "单独组建", "D001", A, "文艺路街道", "2017-07-01", "2023-07-01", "正常", ""],
            ["D001", "芙蓉区社会组织综合党委", "党委", "行业党委", "", "", "文艺路街道", "2010-01-01", "", "正常", ""],
            ["D003", "联合党支部", "党支部", "联合组建", "D001", f"{B}、{C}", "430102001", "2019-01-01", "", "正常", ""],
        ],
        kind="party-orgs",
    )  # fmt: skip
    result = import_file("party-orgs", party_orgs)
    assert result.ok, result.errors
    people = write_csv(
        tmp_path / "people.csv",
        [
            ["张三", P1, A, "负责人", "2015-03-01", "", "中共党员", "2005-07-01", "2006-07-01", "D002"],
            ["张三", P1, B, "管理层", "2016-05-08", "2020-01-01", "中共党员", "2005-07-01", "2006-07-01", "D002"],
            ["李四", P2, A, "一线员工", "2018-01-01", "", "中共预备党员", "2026-03-01", "", ""],
        ],
        kind="people",
        encoding="gb18030",
    )  # fmt: skip
    result = import_file("people", people)
    assert result.ok, result.errors
    committees = write_csv(
        tmp_path / "cm.csv", [["D002", P1, "书记", "2023-07-01", "", "是"]], kind="committees"
    )
    assert import_file("committees", committees).ok
    instructors = write_csv(
        tmp_path / "ins.csv",
        [["赵六", P3, "离退休干部", C, "2020-01-01", "2024-06-01"]],
        kind="instructors",
    )
    assert import_file("instructors", instructors).ok


def test_it_imports_every_kind_in_order(tmp_path, orgs_file):
    _full_dataset(tmp_path, orgs_file)
    d002 = PartyOrganization.objects.get(code="D002")
    assert d002.parent.code == "D001"  # named before its parent in the file
    assert set(
        Coverage.objects.filter(party_org__code="D003").values_list("org__uscc", flat=True)
    ) == {B, C}
    zhang = Person.objects.by_id_number(P1).get()
    assert zhang.membership.relation_party_org == d002 and zhang.membership.is_formal(
        dt.date(2020, 1, 1)
    )
    assert Employment.objects.filter(person=zhang).count() == 2
    assert not Person.objects.by_id_number(P2).get().membership.is_formal(dt.date(2026, 6, 1))
    office = CommitteeMembership.objects.get()
    assert office.person == zhang and office.full_time and office.role == "secretary"
    assignment = InstructorAssignment.objects.get()
    assert assignment.instructor.person.name == "赵六" and assignment.ended_on == dt.date(
        2024, 6, 1
    )


def test_a_covered_organization_no_longer_listed_stops_being_covered_today(tmp_path, orgs_file):
    _full_dataset(tmp_path, orgs_file)
    path = write_csv(
        tmp_path / "po2.csv",
        [
            [
                "D003",
                "联合党支部",
                "党支部",
                "联合组建",
                "D001",
                B,
                "430102001",
                "2019-01-01",
                "",
                "正常",
                "",
            ]
        ],
        kind="party-orgs",
    )
    result = import_file("party-orgs", path, today=dt.date(2026, 11, 26))
    assert result.updated == 1 and result.changes[0].fields == ["覆盖社会组织"]
    ended = Coverage.objects.get(org__uscc=C)
    assert ended.ended_on == dt.date(2026, 11, 26)
    assert not ended.is_current(dt.date(2026, 11, 26)) and ended.is_current(dt.date(2026, 11, 25))


def test_a_person_who_is_no_longer_a_member_loses_the_membership(tmp_path, orgs_file):
    _full_dataset(tmp_path, orgs_file)
    path = write_csv(
        tmp_path / "p.csv",
        [["李四", P2, A, "一线员工", "2018-01-01", "", "群众", "", "", ""]],
        kind="people",
    )
    result = import_file("people", path)
    assert result.ok and result.updated == 1
    assert not Membership.objects.filter(person__name="李四").exists()
    assert Membership.history.filter(history_type="-").count() == 1


def test_the_command_exits_1_and_prints_the_errors(tmp_path, base, capsys):
    bad = A[:-1] + ("0" if A[-1] != "0" else "1")
    path = write_csv(tmp_path / "orgs.csv", [org_row(bad)], kind="orgs")
    with pytest.raises(SystemExit) as info:
        call_command("import", "orgs", str(path))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert f"第2行 统一社会信用代码「{bad}」: 校验位不正确" in err
    assert not SocialOrganization.objects.exists()


def test_the_command_imports_and_reports(orgs_file, capsys):
    call_command("import", "orgs", str(orgs_file))
    assert "导入完成" in capsys.readouterr().out
    call_command("import", "orgs", str(orgs_file), "--dry-run")
    assert "未变化 3" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_large_file_read_by_the_worker_process_gives_the_same_result(
    tmp_path, base, monkeypatch, skip_invalid
):
    """The worker that reads and parses a large file while this process writes (service
    `_Reader`) yields the same rows, in the same order, with the same errors, as reading it
    here: over several batches, with refused rows in the first, a middle and the last batch."""
    from dangjian.imports import service

    bad = {
        2: {"registered_on": "2015-02-30"},
        2999: {"township": "不存在街道"},
        4499: {"staff": "x"},
    }
    rows = [
        org_row(make_uscc(f"51430102MJJ{i:06d}"), f"芙蓉区第{i}协会", **bad.get(i, {}))
        for i in range(4500)
    ]
    path = write_csv(tmp_path / "orgs.csv", rows, kind="orgs")
    started = []
    real_start = service._Reader.start.__func__  # type: ignore[attr-defined]

    def start(cls, table, parse):
        reader = real_start(cls, table, parse)
        started.append(reader is not None)
        return reader

    monkeypatch.setattr(service._Reader, "start", classmethod(start))
    outcomes = []
    for parallel in (False, True):
        monkeypatch.setattr(service, "PARALLEL", parallel)
        errors = tmp_path / f"errors-{parallel}.csv"
        result = import_file(
            "orgs", path, dry_run=not skip_invalid, skip_invalid=skip_invalid, errors_path=errors
        )
        outcomes.append(
            (
                [str(e) for e in result.errors],
                (result.rows, result.created, result.rejected, result.error_count),
                errors.read_bytes(),
                SocialOrganization.objects.count(),
            )
        )
        SocialOrganization.objects.all().delete()
    assert started == [True], "the worker process was not used"
    assert outcomes[0] == outcomes[1]
    assert [e.split(" ")[0] for e in outcomes[0][0]] == ["第4行", "第3001行", "第4501行"]
    assert outcomes[0][3] == (4497 if skip_invalid else 0)
