"""The documents of organization life: a meeting's minutes as a Word file (会议记录, .docx
for printing and signing), the year's statistics of meetings held and missed
(组织生活开展情况统计, from the grid the pages show) and the spread of meetings and
activities over the six duties (POLICY 1), as Excel workbooks written by
`dangjian.lib.sheets` (no text from the data becomes a formula).

Every function takes what is already scoped to the user's jurisdiction (a meeting found
through the gate, the grid's rows, a queryset of Party organizations): the views choose
what a user may print, this module only lays it out.

One module over 500 lines: the three are the life app's printed documents and share their
layout (the A4 set-up, the bordered sheet with its merged header and 合计 row); split, each
part would import the others' private helpers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from dangjian.accounts.jurisdiction import Scope
from dangjian.compliance.policy import in_force
from dangjian.lib import sheets
from dangjian.life.grid import MISSING, ORDER, Row
from dangjian.life.models import (
    DUTY_ORDER,
    Activity,
    AttendanceStatus,
    Duty,
    Meeting,
    MeetingType,
    ReviewState,
    duties_text,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table, _Cell

    from dangjian.partyorgs.models import PartyOrganization

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- the minutes (.docx) -----------------------------------------------------------------

# GB/T 9704-2012 (党政机关公文格式): A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]  # 15.6
# The table: label | value | label | value, a value running over the last three columns
# where it stands alone on its row.
COLUMNS_CM = (2.6, 5.2, 2.6, 5.2)
SONG = "宋体"  # the title (SimSun; LibreOffice falls back to an installed CJK font)
FANG_SONG = "仿宋"  # the text (FangSong)
LATIN = "Times New Roman"
TITLE_PT, TEXT_PT = 22, 14  # 二号, 四号
# Characters XML 1.0 refuses (a control character pasted into a form or imported).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# How each type's record is called: 「支部委员会会议记录」, not 「…会议会议记录」.
RECORD_NAMES = {
    MeetingType.COMMITTEE: "支部委员会会议记录",
    MeetingType.LECTURE: "党课记录",
    MeetingType.THEME_DAY: "主题党日活动记录",
}


def minutes_title(meeting: Meeting) -> str:
    """「<党组织名称><会议类型>会议记录」 (for a Party group's meeting, with the group's name)."""
    kind = MeetingType(meeting.type)
    record = RECORD_NAMES.get(kind, f"{kind.label}会议记录")
    name = meeting.party_org.name
    if name.endswith(("支部", "总支", "党委")):  # 某协会党支部党员大会, not …党支部支部党员大会
        record = record.removeprefix("支部")
    group = meeting.party_group.name if meeting.party_group is not None else ""
    if group.endswith("党小组"):  # 第一党小组会议记录
        record = record.removeprefix("党小组")
    return f"{name}{group}{record}"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _east_asian(element: Any, east_asia: str) -> None:
    """Set the East Asian font of a run's or a style's properties (w:rFonts/@w:eastAsia):
    what Word and LibreOffice use for Chinese characters."""
    from docx.oxml.ns import qn

    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def _run(
    paragraph: Any, text: str, *, font: str = FANG_SONG, size: float = TEXT_PT, bold: bool = False
) -> Any:
    from docx.shared import Pt

    run = paragraph.add_run(_clean(text))
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._element, font)
    return run


def _setup(document: DocxDocument, title: str) -> None:
    """A4 portrait with the government margins; 仿宋 四号 as the normal text, in Chinese."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin = Cm(MARGINS_CM["top"])
    section.bottom_margin = Cm(MARGINS_CM["bottom"])
    section.left_margin = Cm(MARGINS_CM["left"])
    section.right_margin = Cm(MARGINS_CM["right"])
    section.footer_distance = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.size = Pt(TEXT_PT)
    _east_asian(normal.element, FANG_SONG)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    properties = document.core_properties
    properties.author = properties.last_modified_by = sheets.APP_NAME
    properties.title = title
    properties.comments = ""
    # 第 N 页 共 M 页 in the footer: a minutes of several pages is signed page by page.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)):
        _run(footer, text, size=10.5)
        if field is not None:
            simple = OxmlElement("w:fldSimple")
            simple.set(qn("w:instr"), f" {field} ")
            inner = OxmlElement("w:r")
            value = OxmlElement("w:t")
            value.text = "1"
            inner.append(value)
            simple.append(inner)
            footer._p.append(simple)


def _table(document: DocxDocument) -> Table:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    table = document.add_table(rows=0, cols=len(COLUMNS_CM))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, COLUMNS_CM, strict=True):
        column.width = Cm(width)
    return table


def _fill(cell: _Cell, text: str, *, label: bool = False) -> None:
    """A cell's text: a label centred in bold, a value left-aligned, line by line."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = _clean(text).splitlines() or [""]
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT
        _run(paragraph, line, bold=label)


def _row(table: Table, *pairs: tuple[str, str]) -> None:
    """One row: two label–value pairs side by side, or one pair whose value takes the rest
    of the row."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Cm

    row = table.add_row()
    row.height = Cm(1.0)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    cells = row.cells
    for cell, width in zip(cells, COLUMNS_CM, strict=True):
        cell.width = Cm(width)
    if len(pairs) == 1:
        value = cells[1].merge(cells[3])
        _fill(cells[0], pairs[0][0], label=True)
        _fill(value, pairs[0][1])
        return
    for i, (label, value_text) in enumerate(pairs):
        _fill(cells[2 * i], label, label=True)
        _fill(cells[2 * i + 1], value_text)


def _heading(document: DocxDocument, text: str) -> None:
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, text, bold=True)


def _attendance(meeting: Meeting) -> dict[str, list[str]]:
    """The names under each attendance status (请假: 姓名（事由）), in the order entered."""
    names: dict[str, list[str]] = {status: [] for status in AttendanceStatus.values}
    rows = meeting.attendance.order_by("pk").values_list("person__name", "status", "reason")
    for name, status, reason in rows:
        shown = f"{name}（{reason}）" if status == AttendanceStatus.LEAVE and reason else name
        names[status].append(shown)
    return names


def _count(value: int | None) -> str:
    return "" if value is None else f"{value}人"


def minutes_docx(meeting: Meeting) -> bytes:
    """The minutes of `meeting` as a Word document (A4, government margins, 宋体 title and
    仿宋 text): the particulars in a bordered table, the minutes paragraph by paragraph, the
    review, and lines for the host's and the recorder's signatures. Only names are printed
    of the people who attended (never an identity number)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    title = minutes_title(meeting)
    document = Document()
    _setup(document, title)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(18)
    _run(heading, title, font=SONG, size=TITLE_PT, bold=True)

    names = _attendance(meeting)
    recorded = any(names.values())
    table = _table(document)
    _row(table, ("会议时间", chinese_date(meeting.held_on)), ("会议地点", meeting.place))
    _row(table, ("主持人", meeting.host), ("记录人", meeting.recorder))
    _row(table, ("应到人数", _count(meeting.expected)), ("实到人数", _count(meeting.present)))
    if meeting.party_group is not None:
        _row(table, ("党小组", meeting.party_group.name))
    for status, label in (
        (AttendanceStatus.PRESENT, "出席人员"),
        (AttendanceStatus.LEAVE, "请假人员"),
        (AttendanceStatus.ABSENT, "缺席人员"),
    ):
        _row(table, (label, "、".join(names[status]) or ("无" if recorded else "未登记")))
    _row(table, ("会议主题", meeting.topic))
    _row(table, ("职责分类", duties_text(meeting.duties) or "未标注"))

    _heading(document, "会议内容：")
    lines = [line.strip(" \t\u3000") for line in _clean(meeting.minutes).splitlines()]
    paragraphs = [line for line in lines if line] or ["（未填写）"]
    for text in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(TEXT_PT * 2)
        paragraph.paragraph_format.line_spacing = Pt(26)
        _run(paragraph, text)

    _heading(document, "审核情况：")
    reviewer = meeting.reviewed_by
    review = _table(document)
    _row(
        review,
        ("审核状态", ReviewState(meeting.state).label),
        ("审核人", (reviewer.get_full_name().strip() or reviewer.username) if reviewer else ""),
    )
    reviewed_at = meeting.reviewed_at
    _row(review, ("审核时间", chinese_date(timezone.localdate(reviewed_at)) if reviewed_at else ""))
    _row(review, ("审核意见", meeting.opinion))

    signatures = document.add_paragraph()
    signatures.paragraph_format.space_before = Pt(36)
    signatures.paragraph_format.keep_together = True
    for i, label in enumerate(("主持人签字：", "记录人签字：")):
        _run(signatures, ("　　　" if i else "") + label)
        _run(signatures, "　" * 7).font.underline = True
    date_line = document.add_paragraph()
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date_line.paragraph_format.space_before = Pt(18)
    _run(date_line, "年　　月　　日")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- workbooks ---------------------------------------------------------------------------


def _borders() -> Any:
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def _title(scope: Scope | str, subject: str) -> tuple[str, str]:
    """The workbook's title and the line under it, from the jurisdiction's label."""
    if isinstance(scope, str):
        scope = Scope(scope, True)
    return scope.title(subject), scope.line


def _sheet(
    sheet: Any,
    title: str,
    line: str,
    header: Sequence[str | tuple[str, str]],
    rows: Iterable[Sequence[Any]],
    total: Sequence[Any],
    *,
    fixed: int,
    widths: Sequence[float],
    note: str = "",
) -> None:
    """A sheet laid out for printing: the title and the scope line merged over the table,
    the header in bold (a column `(group, label)` goes under its group's merged cell, the
    others span both header rows), every cell bordered, a bold 合计 row, the first `fixed`
    columns and the header frozen, A4 landscape one page wide."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = len(header)
    border = _borders()
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    for r, text in ((1, title), (2, line)):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        sheets.set_cell(sheet, r, 1, text).alignment = center
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 28
    depth = 2 if any(isinstance(h, tuple) for h in header) else 1
    for c, entry in enumerate(header, start=1):
        for r in range(3, 3 + depth):
            cell = sheet.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = bold, center, border
        if isinstance(entry, tuple):
            group, label = entry
            sheets.set_cell(sheet, 4, c, label)
            previous = header[c - 2] if c > 1 else None
            if not (isinstance(previous, tuple) and previous[0] == group):
                span = 1
                while c + span <= columns and _group_of(header[c + span - 1]) == group:
                    span += 1
                sheets.set_cell(sheet, 3, c, group)
                if span > 1:
                    sheet.merge_cells(
                        start_row=3, start_column=c, end_row=3, end_column=c + span - 1
                    )
        else:
            sheets.set_cell(sheet, 3, c, entry)
            if depth == 2:
                sheet.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    for r in range(3, 3 + depth):
        sheet.row_dimensions[r].height = 42 if depth == 1 else 24
    for values in rows:
        for cell in sheets.append(sheet, values):
            cell.border = border
    for cell in sheets.append(sheet, total, font=bold):
        cell.border = border
    if note:
        r = sheet.max_row + 1
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=columns)
        sheets.set_cell(sheet, r, 1, note).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[r].height = 48
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = sheet.cell(row=3 + depth, column=fixed + 1).coordinate
    sheet.print_title_rows = f"3:{2 + depth}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def _group_of(entry: str | tuple[str, str]) -> str | None:
    return entry[0] if isinstance(entry, tuple) else None


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    sheets.save(book, buffer, policy_version=in_force().version)
    return buffer.getvalue()


# --- the six duties ----------------------------------------------------------------------


def duty_counts(
    party_orgs: QuerySet[PartyOrganization], start: dt.date, end: dt.date
) -> dict[int, dict[str, int]]:
    """For each Party organization of `party_orgs` that served any duty from `start` to
    `end` (both included): how many approved meetings plus activities served each of the
    six duties (every code of `DUTY_ORDER` present, zeros included). A record marked with
    two duties counts for both. Two grouped queries, whatever the number of organizations:
    one row per organization and combination of duties."""
    counts: dict[int, dict[str, int]] = {}
    meetings = Meeting.objects.filter(state=ReviewState.APPROVED)
    for model_qs in (meetings, Activity.objects.all()):
        grouped = (
            model_qs.filter(party_org__in=party_orgs, held_on__range=(start, end))
            .exclude(duties="")
            .order_by()
            .values_list("party_org_id", "duties")
            .annotate(n=Count("pk"))
        )
        for party_org_id, duties, n in grouped:
            row = counts.get(party_org_id)
            if row is None:
                row = counts[party_org_id] = dict.fromkeys(DUTY_ORDER, 0)
            for code in set(duties.split(",")):
                if code in row:
                    row[code] += n
    return counts


DUTIES_SUBJECT = "社会组织党组织履行职责情况统计"
DUTIES_NOTE = (
    "说明：统计期内已审核的组织生活会议与党建活动，按所标注的职责分类计数"
    "（六项职责见长办发〔2015〕2号一）；一次会议或活动标注多项职责的，分别计入各项，"
    "故各项之和可多于会议与活动次数；未标注职责的不计入。"
)


def duties_xlsx(
    party_orgs: QuerySet[PartyOrganization],
    start: dt.date,
    end: dt.date,
    scope: Scope | str,
) -> bytes:
    """The spread of meetings and activities over the six duties, from `start` to `end`:
    a sheet per Party organization of `party_orgs` (every one, those with nothing too) and
    a sheet per township, each with a 合计 row (the figures of `duty_counts`)."""
    counts = duty_counts(party_orgs, start, end)
    orgs = party_orgs.order_by("township__code", "code").values_list(
        "pk", "name", "code", "township__code", "township__name"
    )
    title, line = _title(scope, DUTIES_SUBJECT)
    line = f"{line}    统计期间：{start.isoformat()} 至 {end.isoformat()}"
    labels = [str(Duty(code).label) for code in DUTY_ORDER]
    zero = dict.fromkeys(DUTY_ORDER, 0)
    by_org: list[list[Any]] = []
    townships: dict[str, list[Any]] = {}
    for pk, name, code, township_code, township_name in orgs:
        row = counts.get(pk, zero)
        figures = [row[d] for d in DUTY_ORDER]
        by_org.append([name, code, township_name, *figures])
        area = townships.setdefault(
            township_code, [township_name, township_code, 0, *zero.values()]
        )
        area[2] += 1
        for i, n in enumerate(figures):
            area[3 + i] += n
    totals = [sum(row[3 + i] for row in by_org) for i in range(len(DUTY_ORDER))]

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "按党组织"
    _sheet(
        sheet,
        title,
        line,
        ["党组织名称", "编码", "所在乡镇(街道)", *labels],
        by_org,
        ["合计", "", f"{len(by_org)}个党组织", *totals],
        fixed=3,
        widths=[34, 14, 16, *[11] * len(labels)],
        note=DUTIES_NOTE,
    )
    sheet = book.create_sheet("按乡镇(街道)")
    _sheet(
        sheet,
        title,
        line,
        ["乡镇(街道)", "区划代码", "党组织数", *labels],
        townships.values(),
        ["合计", "", len(by_org), *totals],
        fixed=3,
        widths=[18, 14, 10, *[11] * len(labels)],
        note=DUTIES_NOTE,
    )
    return _save(book)


# --- the year's statistics of meetings ---------------------------------------------------

STATISTICS_SUBJECT = "社会组织党组织生活开展情况统计"
HELD_LABEL, MISSING_LABEL = "召开次数", "缺期数"
STATISTICS_NOTE = (
    "说明：召开次数为本年度已审核的会议次数；缺期数为应召开而未召开已审核会议的"
    "月、季度或年度数，按政策设置的会议频次计（党小组会按各党小组分别计），"
    "尚未结束的期间和无须召开的期间（如党支部成立前）不计入；"
    "统计对象为本年度内存续的党支部，与“组织生活”页面的开展情况表一致。"
)


def statistics_figures(rows: Iterable[Row]) -> tuple[list[str], list[dict[str, tuple[int, int]]]]:
    """The meeting types the rows have lines for (in `MeetingType` order), and for each row
    (in order) the approved meetings held and the periods missed per type: the sums of the
    grid's cells, the lines of a type (one per Party group for 党小组会) added up."""
    figures = []
    types: set[str] = set()
    for row in rows:
        by_type: dict[str, tuple[int, int]] = {}
        for label, _group, cells in row.lines:
            types.add(label)
            held, missing = by_type.get(label, (0, 0))
            held += sum(cell.held for cell in cells)
            missing += sum(cell.state == MISSING for cell in cells)
            by_type[label] = (held, missing)
        figures.append(by_type)
    return sorted(types, key=lambda label: ORDER.get(label, len(ORDER))), figures


def life_statistics_xlsx(
    rows: Sequence[Row], year: int, scope: Scope | str, *, as_of: dt.date | None = None
) -> bytes:
    """组织生活开展情况统计 of `year` from the grid's rows (`life_grid`, as the page shows
    them): per branch and per township, for each meeting type the approved meetings held in
    the year and the required periods missed, with a 合计 row on each sheet. `as_of`, the
    date the grid was made on, goes under the title (it decides which periods have ended)."""
    types, figures = statistics_figures(rows)
    title, line = _title(scope, f"{STATISTICS_SUBJECT}（{year}年）")
    if as_of is not None:
        line = f"{line}    统计截至：{as_of.isoformat()}"
    header: list[str | tuple[str, str]] = ["党组织名称", "编码", "所在乡镇(街道)"]
    for label in types:
        header += [(label, HELD_LABEL), (label, MISSING_LABEL)]
    width = 2 * len(types)
    by_org: list[list[Any]] = []
    townships: dict[str, list[Any]] = {}
    for row, by_type in zip(rows, figures, strict=True):
        values = [n for label in types for n in by_type.get(label, (0, 0))]
        by_org.append([row.name, row.code, row.township, *values])
        area = townships.setdefault(row.township, [row.township, 0, *[0] * width])
        area[1] += 1
        for i, n in enumerate(values):
            area[2 + i] += n
    totals = [sum(r[3 + i] for r in by_org) for i in range(width)]

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "按党组织"
    _sheet(
        sheet,
        title,
        line,
        header,
        by_org,
        ["合计", "", f"{len(by_org)}个党支部", *totals],
        fixed=3,
        widths=[34, 14, 16, *[8] * width],
        note=STATISTICS_NOTE,
    )
    sheet = book.create_sheet("按乡镇(街道)")
    _sheet(
        sheet,
        title,
        line,
        ["乡镇(街道)", "党支部数", *header[3:]],
        townships.values(),
        ["合计", len(by_org), *totals],
        fixed=2,
        widths=[18, 10, *[8] * width],
        note=STATISTICS_NOTE,
    )
    return _save(book)
