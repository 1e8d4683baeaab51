"""Reports as text and as Excel workbooks laid out for printing (written by
`dangjian.lib.sheets`: no text from the data becomes a formula)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dangjian.accounts.jurisdiction import Scope
from dangjian.compliance.output import pad, width
from dangjian.lib import sheets
from dangjian.orgs.models import Industry
from dangjian.reports.coverage import LABELS
from dangjian.reports.orgbuilding import COLUMN_LABELS, OVERCOUNT_NOTE, ROWS
from dangjian.reports.planner import JointPlan, same_industry

LEVEL_LABEL = {"city": "市", "district": "区县(市)", "township": "乡镇(街道)"}
COVERAGE_FIELDS = [
    "area", "name", "level", "orgs_active", "orgs_with_formal_members", "orgs_3plus",
    "orgs_standalone", "orgs_joint", "orgs_instructor", "org_coverage_rate",
    "work_coverage_rate", "party_orgs", "members_formal", "members_probationary",
]  # fmt: skip


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return f"{value * 100:.1f}%"
    if key == "level":
        return LEVEL_LABEL.get(value, value)
    return str(value)


def coverage_text(report: dict[str, Any]) -> str:
    header = [LABELS[k] for k in COVERAGE_FIELDS]
    rows = [[_cell(k, row[k]) for k in COVERAGE_FIELDS] for row in report["rows"]]
    sizes = [
        max(width(h), *(width(r[i]) for r in rows)) if rows else width(h)
        for i, h in enumerate(header)
    ]
    lines = [f"{report['title']}（截至 {report['as_of']}）", ""]
    lines.append("  ".join(pad(h, s) for h, s in zip(header, sizes, strict=True)).rstrip())
    for row in rows:
        cells = []
        for i, (cell, size) in enumerate(zip(row, sizes, strict=True)):
            cells.append(pad(cell, size) if i < 3 else " " * (size - width(cell)) + cell)
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append("组织覆盖率 = 有正式党员且被党组织覆盖的社会组织 ÷ 有正式党员的社会组织；")
    lines.append(
        "工作覆盖率 = 被党组织覆盖或有党建工作指导员的社会组织 ÷ 全部正常社会组织；“—”表示分母为0。"
    )
    lines.append(f"政策设置版本 {report['policy_version']}。")
    return "\n".join(lines) + "\n"


def _borders() -> Any:
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def _print_setup(sheet: Any, *, landscape: bool) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def coverage_xlsx(report: dict[str, Any], path: Path) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "覆盖情况"
    sheets.append(sheet, [f"{report['title']}（截至 {report['as_of']}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COVERAGE_FIELDS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    border = _borders()
    for cell in sheets.append(sheet, [LABELS[k] for k in COVERAGE_FIELDS]):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for row in report["rows"]:
        values = [
            LEVEL_LABEL.get(row[k], row[k]) if k == "level" else row[k] for k in COVERAGE_FIELDS
        ]
        for i, cell in enumerate(sheets.append(sheet, values)):
            cell.border = border
            if COVERAGE_FIELDS[i].endswith("_rate"):
                cell.number_format = "0.0%"
            if row["level"] != "township" and i < 3:
                cell.font = Font(bold=True)
    for i, key in enumerate(COVERAGE_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 20 if key == "name" else 11
    sheet.freeze_panes = "D3"
    sheet.print_title_rows = "2:2"
    _print_setup(sheet, landscape=True)
    sheet.page_setup.fitToHeight = 0  # as many pages down as the townships need
    sheet.oddFooter.left.text = f"政策设置版本 {report['policy_version']}"
    sheets.save(book, path, policy_version=report["policy_version"])


def org_building_xlsx(report: dict[str, Any], path: Path) -> None:
    """The table as on paper: a title with the area and date, merged header cells, borders,
    one A4 page."""
    from openpyxl.styles import Alignment, Font

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "建立党的基层组织情况"
    border = _borders()
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells("A1:F1")
    sheets.put(sheet["A1"], "社会组织法人单位建立党的基层组织情况")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = center
    sheet.merge_cells("A2:F2")
    sheets.put(sheet["A2"], f"{report['scope']}    统计截至：{report['as_of']}")
    sheet["A2"].alignment = center
    # Header: 项目 spans two columns and two rows; 单位数 over the four columns.
    sheet.merge_cells("A3:B4")
    sheets.put(sheet["A3"], "项目")
    sheet.merge_cells("C3:F3")
    sheets.put(sheet["C3"], "社会组织法人单位（个）")
    for i, label in enumerate(COLUMN_LABELS):
        sheets.set_cell(sheet, 4, 3 + i, label)
    groups = {
        "已单独建立党组织": [1, 2, 3],
        "未建立党组织": [7, 8, 9, 10],
        "补充情况": [11, 12, 13, 14],
    }
    row_of = {}
    for index, (key, label, indent) in enumerate(ROWS):
        excel_row = 5 + index
        row_of[key] = excel_row
        short = label.split(" — ")[-1]
        if indent == 0:
            sheet.merge_cells(start_row=excel_row, start_column=1, end_row=excel_row, end_column=2)
            sheets.set_cell(sheet, excel_row, 1, short)
        else:
            sheets.set_cell(sheet, excel_row, 2, ("　" * (indent - 1)) + short)
        for i, value in enumerate(report["rows"][key]):
            sheets.set_cell(sheet, excel_row, 3 + i, value)
    for title, indexes in groups.items():
        first, last = 5 + indexes[0], 5 + indexes[-1]
        sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
        sheets.set_cell(sheet, first, 1, title)
    joint_row = row_of["joint"]
    sheet.merge_cells(start_row=joint_row, start_column=1, end_row=joint_row + 2, end_column=1)
    sheets.set_cell(sheet, joint_row, 1, "联合建立")
    for row in sheet.iter_rows(min_row=3, max_row=4 + len(ROWS), min_col=1, max_col=6):
        for cell in row:
            cell.border = border
            cell.alignment = (
                center if cell.column != 2 else Alignment(vertical="center", wrap_text=True)
            )
    for cell in (sheet["A3"], sheet["C3"], *sheet[4]):
        cell.font = Font(bold=True)
    sheet.row_dimensions[4].height = 36  # 民办非企业单位(社会服务机构) takes two lines
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 30
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 14
    for r in range(5, 5 + len(ROWS)):
        sheet.row_dimensions[r].height = 24
    note = 5 + len(ROWS) + 1
    sheet.merge_cells(start_row=note, start_column=1, end_row=note, end_column=6)
    sheets.set_cell(
        sheet,
        note,
        1,
        "说明：单位数＝单独建立（党委、总支部、支部）＋联合建立＋未建立（应建未建、仅有个别党员、没有党员）；"
        f"{OVERCOUNT_NOTE}；政策设置版本 {report['policy_version']}。",
    ).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[note].height = 80  # four or five lines of wrapped text
    _print_setup(sheet, landscape=False)
    sheets.save(book, path, policy_version=report["policy_version"])


PLAN_TITLE = "联合党组织组建方案"


def industry_label(value: str | None) -> str:
    return Industry(value).label if value else "多行业"


def plan_xlsx(plan: JointPlan, path: Path, *, scope: Scope | None = None) -> None:
    """The joint plan (`plan joint --format xlsx`, the page's download): the groups, the
    townships' figures, and the organizations that could not be placed; titled with the
    jurisdiction planned for (`scope`)."""
    from openpyxl.styles import Font

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "方案"
    title = scope.title(PLAN_TITLE) if scope is not None else PLAN_TITLE
    sheets.append(sheet, [f"{title}（数据截至 {plan.as_of}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    header = [
        "组号", "乡镇(街道)代码", "行业", "跨乡镇", "正式党员", "统一社会信用代码",
        "社会组织名称", "该组织正式党员",
    ]  # fmt: skip
    sheets.append(sheet, header, font=Font(bold=True))
    for i, g in enumerate(plan.groups, start=1):
        for c in g.orgs:
            sheets.append(sheet, [
                i, g.township, industry_label(g.industry), "是" if g.cross_township else "否",
                g.formal_members, c.uscc, c.name, c.formal,
            ])  # fmt: skip
    summary = book.create_sheet("乡镇汇总")
    sheets.append(summary, [
        "乡镇(街道)代码", "名称", "1名正式党员", "2名正式党员", "最多可组建", "方案组数",
        "同行业组数",
    ])  # fmt: skip
    for t in plan.townships:
        sheets.append(
            summary,
            [t.code, t.name, t.ones, t.twos, t.bound, len(t.groups), same_industry(t.groups)],
        )
    unplaced = book.create_sheet("无法安排")
    sheets.append(unplaced, ["统一社会信用代码", "社会组织名称", "原因"])
    for c, why in plan.unplaced:
        sheets.append(unplaced, [c.uscc, c.name, why])
    for ws in (sheet, summary, unplaced):
        for column in ws.columns:
            letter = column[0].column_letter
            ws.column_dimensions[letter].width = 18
    sheets.save(book, path, policy_version=plan.policy_version)
