"""`dangjian report coverage|org-building` and `dangjian plan joint|apply`: every format,
`--area`, `--as-of`, `--user`, the exit codes of CONTRACT.md, and the printable workbook."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dangjian.partyorgs.models import Coverage, PartyOrganization, PartyOrgForm
from dangjian.reports.coverage import LABELS, coverage_report
from dangjian.reports.management.commands.plan import Command as PlanCommand
from dangjian.reports.management.commands.report import Command as ReportCommand
from dangjian.reports.models import JointProposal
from dangjian.reports.orgbuilding import COLUMN_LABELS, ROWS, org_building_report
from dangjian.reports.output import COVERAGE_FIELDS
from tests import factories
from tests.actors import World, build_world

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"
DATE = dt.date.fromisoformat(AS_OF)


@pytest.fixture
def world(areas) -> World:
    """tests/actors.py, plus organizations for the planner: three culture ones with one
    formal member each in 文艺路街道 (one group), and 1 + 2 formal members of education in
    坡子街街道 (one group)."""
    w = build_world(areas)
    for i in range(3):
        w.orgs[f"wy{i}"] = factories.org_with_members(areas["wenyilu"], 1, industry="culture")
    w.orgs["pz1"] = factories.org_with_members(areas["pozi"], 1, industry="education")
    w.orgs["pz2"] = factories.org_with_members(
        areas["pozi"], 2, kind="service_agency", industry="education"
    )
    return w


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run a command as from the command line: (exit status, stdout, stderr)."""
    # run_from_argv closes the connections when done: that would end the test's transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    commands = {"report": ReportCommand, "plan": PlanCommand}

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            commands[argv[0]]().run_from_argv(["dangjian", *argv])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --- report coverage --------------------------------------------------------------------


def test_it_prints_the_coverage_report_as_json(world):
    rows = json.loads(command("report", "coverage", "--format", "json", "--as-of", AS_OF))
    assert rows == coverage_report(as_of=DATE)["rows"]
    assert [(r["level"], r["area"]) for r in rows] == [
        ("city", "430100"),
        ("district", "430102"),
        ("district", "430103"),
        ("township", "430102001"),
        ("township", "430102002"),
        ("township", "430103001"),
    ]
    assert list(rows[0]) == COVERAGE_FIELDS
    # 朝阳街街道: the school has no formal member — a rate over nothing is null
    chaoyang = rows[4]
    assert (chaoyang["org_coverage_rate"], chaoyang["work_coverage_rate"]) == (None, 1.0)


def test_it_prints_the_coverage_report_as_text(world):
    text = command("report", "coverage", "--as-of", AS_OF)
    lines = text.splitlines()
    assert lines[0] == f"长沙市社会组织党建覆盖情况（截至 {AS_OF}）"
    assert lines[2].split() == [LABELS[k] for k in COVERAGE_FIELDS]
    body = [line.split() for line in lines[3:9]]
    assert [cells[:3] for cells in body] == [
        ["430100", "长沙市", "市"],
        ["430102", "芙蓉区", "区县(市)"],
        ["430103", "天心区", "区县(市)"],
        ["430102001", "文艺路街道", "乡镇(街道)"],
        ["430102002", "朝阳街街道", "乡镇(街道)"],
        ["430103001", "坡子街街道", "乡镇(街道)"],
    ]
    rows = coverage_report(as_of=DATE)["rows"]
    for cells, row in zip(body, rows, strict=True):
        for key, cell in zip(COVERAGE_FIELDS[3:], cells[3:], strict=True):
            value = row[key]
            if key.endswith("_rate"):
                assert cell == ("—" if value is None else f"{value * 100:.1f}%"), key
            else:
                assert cell == str(value), key
    assert "“—”表示分母为0" in text


def test_it_writes_the_coverage_report_as_a_workbook(world, tmp_path):
    path = tmp_path / "coverage.xlsx"
    command("report", "coverage", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == f"长沙市社会组织党建覆盖情况（截至 {AS_OF}）"
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == [LABELS[k] for k in COVERAGE_FIELDS]
    rows = coverage_report(as_of=DATE)["rows"]
    assert sheet.max_row == 2 + len(rows)
    level = {"city": "市", "district": "区县(市)", "township": "乡镇(街道)"}
    for excel_row, row in zip(sheet.iter_rows(min_row=3, values_only=True), rows, strict=True):
        expected = [level[row[k]] if k == "level" else row[k] for k in COVERAGE_FIELDS]
        assert list(excel_row) == expected
    rate = COVERAGE_FIELDS.index("org_coverage_rate") + 1
    assert sheet.cell(row=3, column=rate).number_format == "0.0%"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$2:$2"


# --- report org-building ----------------------------------------------------------------


def test_it_prints_the_official_table_as_json_and_text(world):
    report = json.loads(command("report", "org-building", "--format", "json", "--as-of", AS_OF))
    assert report == org_building_report(as_of=DATE)
    # No area asked for: the area the organizations lie in, not "全部" (issue 12.14).
    assert (report["as_of"], report["area"], report["area_name"]) == (AS_OF, None, "长沙市")
    assert report["columns"] == ["total", "association", "foundation", "service_agency"]
    # associations fr_assoc (standalone), wy0–2, pz1 (1 formal each); the foundation tx_fund
    # (standalone); service agencies: the school (no member), pz2 (2 formal)
    assert report["rows"]["units"] == [8, 5, 1, 2]
    assert report["rows"]["standalone_branch"] == [2, 1, 1, 0]
    assert report["rows"]["uncovered_few"] == [5, 4, 0, 1]
    assert report["rows"]["uncovered_none"] == [1, 0, 0, 1]
    text = command("report", "org-building", "--format", "text", "--as-of", AS_OF)
    lines = text.splitlines()
    assert lines[:2] == [
        "社会组织法人单位建立党的基层组织情况",
        f"填报区划：长沙市    统计截至：{AS_OF}",
    ]
    assert lines[3].split() == ["项目", *COLUMN_LABELS]
    for line, (key, label, _indent) in zip(lines[4:], ROWS, strict=True):
        assert line.split() == [*label.split(), *map(str, report["rows"][key])], key


def test_it_writes_the_official_table_ready_to_print(world, tmp_path):
    path = tmp_path / "org-building.xlsx"
    command(
        "report", "org-building", "--format", "xlsx", "-o", str(path),
        "--as-of", AS_OF, "--area", "430102",
    )  # fmt: skip
    report = org_building_report(as_of=DATE, area=world.areas["furong"])
    sheet = load_workbook(path).active
    assert sheet.title == "建立党的基层组织情况"
    assert sheet["A1"].value == "社会组织法人单位建立党的基层组织情况"
    assert sheet["A2"].value == f"填报区划：芙蓉区    统计截至：{AS_OF}"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 16
    # the header: 项目 over two rows and two columns, the unit count over the four columns
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:F1", "A2:F2", "A3:B4", "C3:F3",
        "A5:B5",  # 单位数
        "A6:A8",  # 已单独建立党组织: 党委, 总支部, 支部
        "A9:A11",  # 联合建立: 联合党支部, 其中3名以上, 联合党支部数
        "A12:A15",  # 未建立党组织
        "A16:A19",  # 补充情况
        "A21:F21",  # the note
    }  # fmt: skip
    assert (sheet["A3"].value, sheet["C3"].value) == ("项目", "社会组织法人单位（个）")
    assert [sheet.cell(row=4, column=c).value for c in range(3, 7)] == COLUMN_LABELS
    assert [sheet.cell(row=r, column=1).value for r in (5, 6, 9, 12, 16)] == [
        "单位数", "已单独建立党组织", "联合建立", "未建立党组织", "补充情况",
    ]  # fmt: skip
    assert [sheet.cell(row=r, column=2).value for r in range(6, 20)] == [
        "建立党委的", "建立总支部的", "建立支部的", "已建立联合党支部的",
        "　其中：具有3名以上正式党员的", "　联合党支部数", "应建尚未建立党组织的",
        "仅有个别党员的", "没有党员的", "　已派党建工作指导员的", "从业人员", "党员",
        "　其中：未转入组织关系的", "党建工作指导员",
    ]  # fmt: skip
    for i, (key, _label, _indent) in enumerate(ROWS):
        cells = [sheet.cell(row=5 + i, column=c).value for c in range(3, 7)]
        assert cells == report["rows"][key], key
    # Thin borders all round every cell of the table, but inside a merged cell.
    merged = {(r, c): m for m in sheet.merged_cells.ranges for r, c in m.cells if m.min_row >= 3}
    for row in sheet.iter_rows(min_row=3, max_row=19, min_col=1, max_col=6):
        for cell in row:
            r, c = cell.row, cell.column
            m = merged.get((r, c))
            sides = {
                "left": m is None or c == m.min_col,
                "right": m is None or c == m.max_col,
                "top": m is None or r == m.min_row,
                "bottom": m is None or r == m.max_row,
            }
            for side, wanted in sides.items():
                if wanted:
                    assert getattr(cell.border, side).style == "thin", (cell.coordinate, side)
    assert (
        "单位数＝单独建立" in sheet["A21"].value and report["policy_version"] in sheet["A21"].value
    )
    setup = sheet.page_setup
    assert (str(setup.paperSize), setup.orientation) == ("9", "portrait")  # A4, portrait
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 1)  # one page


def test_it_gives_the_wrapped_column_header_room_to_print(world, tmp_path):
    path = tmp_path / "org-building.xlsx"
    command("report", "org-building", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF)
    sheet = load_workbook(path).active
    height = sheet.row_dimensions[4].height or 0
    width = sheet.column_dimensions["F"].width or 0
    # 民办非企业单位(社会服务机构): 13 wide characters and 2 narrow ones ≈ 28 units
    assert height >= 30 or width >= 30


# --- --area, --as-of, --user ------------------------------------------------------------


def test_it_reports_on_one_area(world):
    rows = json.loads(
        command("report", "coverage", "--format", "json", "--as-of", AS_OF, "--area", "430102")
    )
    assert [r["area"] for r in rows] == ["430102", "430102001", "430102002"]
    rows = json.loads(
        command("report", "coverage", "--format", "json", "--as-of", AS_OF, "--area", "430102001")
    )
    assert [r["area"] for r in rows] == ["430102001"]
    table = json.loads(
        command("report", "org-building", "--format", "json", "--as-of", AS_OF, "--area", "430103")
    )
    assert (table["area"], table["area_name"]) == ("430103", "天心区")
    assert table["rows"]["units"] == [3, 1, 1, 1]  # pz1; tx_fund; pz2


def test_it_reports_as_of_a_date(world):
    # tests/actors.py founds its Party organizations on 2018-01-01
    before = json.loads(
        command("report", "org-building", "--format", "json", "--as-of", "2017-12-31")
    )
    after = json.loads(
        command("report", "org-building", "--format", "json", "--as-of", "2018-01-01")
    )
    assert before["as_of"] == "2017-12-31"
    assert before["rows"]["standalone_branch"] == [0, 0, 0, 0]
    assert after["rows"]["standalone_branch"] == [2, 1, 1, 0]
    assert before["rows"]["units"] == after["rows"]["units"]
    rows = json.loads(command("report", "coverage", "--format", "json", "--as-of", "2014-12-31"))
    assert all(r["orgs_active"] == 0 for r in rows)  # the organizations register in 2015


def test_it_shows_a_district_officer_only_their_district(world):
    rows = json.loads(
        command("report", "coverage", "--format", "json", "--as-of", AS_OF, "--user", "furong")
    )
    whole = {r["area"]: r for r in coverage_report(as_of=DATE)["rows"]}
    assert rows == [whole[c] for c in ("430102", "430102001", "430102002")]
    table = json.loads(
        command("report", "org-building", "--format", "json", "--as-of", AS_OF, "--user", "furong")
    )
    assert (table["area"], table["area_name"]) == ("430102", "芙蓉区")
    assert table["rows"] == org_building_report(as_of=DATE, area=world.areas["furong"])["rows"]
    plan = json.loads(
        command("plan", "joint", "--format", "json", "--as-of", AS_OF, "--user", "furong")
    )
    assert [g["township"] for g in plan["groups"]] == ["430102001"]
    assert plan["unplaced"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "coverage", "--format", "json"),
        ("report", "org-building", "--format", "json"),
        ("plan", "joint", "--format", "json"),
    ],
)
def test_it_refuses_an_area_outside_the_jurisdiction_as_an_unknown_one(world, cli, argv):
    outside = cli(*argv, "--user", "furong", "--area", "430103")
    unknown = cli(*argv, "--user", "furong", "--area", "430199")
    assert outside == (1, "", "区划代码「430103」不存在\n")
    assert unknown == (1, "", "区划代码「430199」不存在\n")
    # the city officer may see 天心区
    code, out, _err = cli(*argv, "--user", "city", "--area", "430103")
    assert code == 0 and json.loads(out)


def test_it_exits_2_on_usage_errors(world, cli, tmp_path):
    code, out, err = cli("report", "org-building", "--format", "xlsx")
    assert (code, out, err) == (2, "", "--format xlsx 须用 -o 指定输出文件\n")
    code, _out, err = cli("report", "coverage", "--as-of", "2026-13-01")
    assert (code, err) == (2, "日期「2026-13-01」格式不正确，应为 YYYY-MM-DD\n")
    code, _out, err = cli("report", "coverage", "--user", "nobody")
    assert (code, err) == (2, "用户「nobody」不存在\n")
    code, _out, err = cli("plan", "joint", "--format", "xlsx")
    assert code == 2
    code, _out, _err = cli("report", "coverage", "--format", "pdf")  # argparse
    assert code == 2
    assert list(tmp_path.iterdir()) == []


def test_it_writes_json_and_text_to_a_file(world, cli, tmp_path):
    for fmt, name in (("json", "coverage.json"), ("text", "coverage.txt")):
        path = tmp_path / name
        argv = ("report", "coverage", "--format", fmt, "--as-of", AS_OF)
        code, out, err = cli(*argv, "-o", str(path))
        version = coverage_report(as_of=DATE)["policy_version"]
        assert (code, out, err) == (0, "", f"已写入 {path}（政策设置版本 {version}）\n")
        assert path.read_text(encoding="utf-8") == cli(*argv)[1]
    assert (
        json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
        == (coverage_report(as_of=DATE)["rows"])
    )
    path = tmp_path / "table.json"
    code, _out, _err = cli("report", "org-building", "--format", "json", "-o", str(path))
    assert code == 0 and json.loads(path.read_text(encoding="utf-8"))["rows"]["units"][0] == 8


# --- plan joint, plan apply -------------------------------------------------------------


def test_it_prints_the_plan_in_every_format(world, tmp_path):
    plan = json.loads(command("plan", "joint", "--format", "json", "--as-of", AS_OF))
    wy = sorted(world.orgs[f"wy{i}"].uscc for i in range(3))
    pz = sorted([world.orgs["pz1"].uscc, world.orgs["pz2"].uscc])
    assert plan["groups"] == [
        {
            "township": "430102001",
            "industry": "culture",
            "orgs": wy,
            "formal_members": 3,
            "cross_township": False,
        },
        {
            "township": "430103001",
            "industry": "education",
            "orgs": pz,
            "formal_members": 3,
            "cross_township": False,
        },
    ]
    assert plan["unplaced"] == []
    text = command("plan", "joint", "--as-of", AS_OF)
    assert text.startswith(f"联合党组织组建方案（数据截至 {AS_OF}）\n")
    assert (
        "文艺路街道（430102001）：符合条件 3 个（1名正式党员 3 个，2名 0 个），最多可组建 1 个，方案 1 个"
        in text
    )
    assert "第1组 文化，正式党员 3 名：" in text and "第2组 教育，正式党员 3 名：" in text
    assert text.rstrip().endswith(
        "合计：2 个联合党组织，其中同行业 2 个（100%），无法安排 0 个社会组织"
    )
    path = tmp_path / "plan.xlsx"
    command("plan", "joint", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF)
    book = load_workbook(path)
    assert book.sheetnames == ["方案", "乡镇汇总", "无法安排"]
    rows = list(book["方案"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        *[(1, "430102001", "文化", u) for u in wy],
        *[(2, "430103001", "教育", u) for u in pz],
    ]
    summary = list(book["乡镇汇总"].iter_rows(min_row=2, values_only=True))
    assert summary == [
        ("430102001", "文艺路街道", 3, 0, 1, 1, 1),
        ("430103001", "坡子街街道", 1, 1, 1, 1, 1),
    ]
    assert book["无法安排"].max_row == 1


def test_it_saves_a_plan_and_founds_a_group_of_it(world, cli):
    before = JointProposal.objects.count()
    code, out, err = cli("plan", "joint", "--format", "json", "--as-of", AS_OF, "--save")
    assert code == 0
    proposal = JointProposal.objects.get()
    assert JointProposal.objects.count() == before + 1
    assert proposal.plan["groups"] == json.loads(out)["groups"]
    assert f"方案已保存为 方案#{proposal.pk}" in err
    code, out, err = cli(
        "plan", "apply", str(proposal.pk), "2", "--code", "LH-430103001-01",
        "--name", "坡子街街道教育类社会组织联合党支部", "--founded-on", "2026-07-01",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert (
        out == "已组建 坡子街街道教育类社会组织联合党支部（LH-430103001-01），覆盖 2 个社会组织\n"
    )
    party_org = PartyOrganization.objects.get(code="LH-430103001-01")
    assert party_org.form == PartyOrgForm.JOINT and party_org.township.code == "430103001"
    assert {c.org.uscc for c in party_org.coverages.all()} == set(
        proposal.plan["groups"][1]["orgs"]
    )
    # Once founded, the group's organizations are no longer planned.
    plan = json.loads(command("plan", "joint", "--format", "json", "--as-of", "2026-07-01"))
    assert [g["township"] for g in plan["groups"]] == ["430102001"]
    # The same again: the code exists, and the organizations are covered. Nothing written.
    counts = (PartyOrganization.objects.count(), Coverage.objects.count())
    code, out, err = cli(
        "plan", "apply", str(proposal.pk), "2", "--code", "LH-430103001-01", "--name", "再次",
    )  # fmt: skip
    assert (code, out, err) == (1, "", "未组建：党组织编码「LH-430103001-01」已存在\n")
    code, _out, err = cli(
        "plan", "apply", str(proposal.pk), "2", "--code", "LH-2", "--name", "再次",
        "--founded-on", "2026-07-02",
    )  # fmt: skip
    assert code == 1 and err.startswith("未组建：这些社会组织已被党组织覆盖：")
    code, _out, err = cli("plan", "apply", "999999", "1", "--code", "LH-3", "--name", "无")
    assert (code, err) == (1, "方案#999999 不存在\n")
    assert (PartyOrganization.objects.count(), Coverage.objects.count()) == counts


def test_it_plans_for_an_area_only(world):
    plan = json.loads(
        command("plan", "joint", "--format", "json", "--as-of", AS_OF, "--area", "430103")
    )
    assert [g["township"] for g in plan["groups"]] == ["430103001"]
    assert [t["township"] for t in plan["townships"]] == ["430103001"]


def test_it_keeps_the_command_and_the_library_in_step(world):
    """The JSON of the commands is the library's answer, for a user and an area alike."""
    for args, expected in (
        (("--user", "wenyilu"), lambda: coverage_report(as_of=DATE, area=world.areas["wenyilu"])),
        (("--area", "430102002"), lambda: coverage_report(as_of=DATE, area=world.areas["chaoyang"])),
    ):  # fmt: skip
        rows = json.loads(
            command("report", "coverage", "--format", "json", "--as-of", AS_OF, *args)
        )
        assert rows == expected()["rows"]


def test_it_refuses_unknown_report_kinds(world):
    with pytest.raises(CommandError):
        call_command("report", "members")


def test_the_official_table_prints_on_one_a4_page_in_libreoffice(world, tmp_path):
    """The workbook as LibreOffice prints it (headless, to PDF; `make libreoffice` installs
    Debian's libreoffice-calc-nogui): one A4 page, with the title and the figures on it."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "soffice is missing: run `make libreoffice` (apt-get install libreoffice-calc-nogui)"
        )
    path = tmp_path / "org-building.xlsx"
    command("report", "org-building", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "org-building.pdf").read_bytes()
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) == 1
    boxes = {
        tuple(round(float(v)) for v in box.split())
        for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)
    }
    assert boxes == {(0, 0, 595, 842)}  # A4 portrait, in points
