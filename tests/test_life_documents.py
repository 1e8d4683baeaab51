"""The documents of organization life (dangjian/life/documents.py): a meeting's minutes as a
Word file — its contents, and as LibreOffice prints it (A4, one page or several) —, the
workbook of the six duties, whose figures `duty_counts` computes in a fixed number of
queries, and the year's statistics of meetings, which add up to the grid's cells."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from dangjian.life.documents import (
    DUTIES_SUBJECT,
    duties_xlsx,
    duty_counts,
    minutes_docx,
    minutes_title,
)
from dangjian.life.models import (
    DUTY_ORDER,
    Activity,
    ActivityKind,
    Attendance,
    Meeting,
    MeetingType,
    PartyGroup,
    ReviewState,
)
from dangjian.partyorgs.models import PartyOrganization
from tests import factories

pytestmark = pytest.mark.django_db

A4_POINTS = (595, 842)
TOPIC = "学习贯彻党的二十届四中全会精神"
MINUTES = "一、王书记传达全会精神。\n\n　　二、党员交流学习体会。\r\n三、部署下季度工作。"


@pytest.fixture
def branch(areas) -> PartyOrganization:
    return factories.party_org(areas["wenyilu"], name="长沙市文艺路街道书法协会党支部")


@pytest.fixture
def id_numbers() -> list[str]:
    return [factories.id_number_for() for _ in range(4)]


def attended(meeting: Meeting, id_numbers: list[str]) -> Meeting:
    people = [
        ("张三", "present", ""),
        ("李四", "present", ""),
        ("王五", "leave", "外出学习"),
        ("赵六", "absent", ""),
    ]
    for (name, status, reason), number in zip(people, id_numbers, strict=True):
        person = factories.person(name, id_number=number)
        Attendance.objects.create(meeting=meeting, person=person, status=status, reason=reason)
    return meeting


def make_meeting(branch: PartyOrganization, **fields: object) -> Meeting:
    values: dict[str, object] = {
        "type": MeetingType.ASSEMBLY,
        "held_on": dt.date(2026, 3, 5),
        "topic": TOPIC,
        "expected": 4,
        "present": 2,
        "duties": "political,self",
        "place": "协会二楼会议室",
        "host": "王书记",
        "recorder": "李委员",
        "minutes": MINUTES,
    }
    values.update(fields)
    meeting = Meeting(party_org=branch, **values)
    meeting.full_clean()
    meeting.save()
    return meeting


def docx_text(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The paragraphs of the body and the rows of its tables, as text."""
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, rows


def test_the_minutes_carry_the_meeting(branch, id_numbers):
    meeting = attended(make_meeting(branch), id_numbers)
    data = minutes_docx(meeting)
    paragraphs, rows = docx_text(data)
    assert paragraphs[0] == "长沙市文艺路街道书法协会党支部党员大会会议记录"
    table = {row[0]: row[1:] for row in rows}
    assert table["会议时间"] == ["2026年3月5日", "会议地点", "协会二楼会议室"]
    assert table["主持人"] == ["王书记", "记录人", "李委员"]
    assert table["应到人数"] == ["4人", "实到人数", "2人"]
    assert table["出席人员"][0] == "张三、李四"
    assert table["请假人员"][0] == "王五（外出学习）"
    assert table["缺席人员"][0] == "赵六"
    assert table["会议主题"][0] == TOPIC
    assert table["职责分类"][0] == "保证政治方向、加强自身建设"
    assert table["审核状态"] == ["已审核", "审核人", ""]
    # The minutes paragraph by paragraph, blank lines and leading spaces dropped.
    start = paragraphs.index("会议内容：")
    assert paragraphs[start + 1 : start + 4] == [
        "一、王书记传达全会精神。",
        "二、党员交流学习体会。",
        "三、部署下季度工作。",
    ]
    assert paragraphs[start + 4] == "审核情况："
    assert any(p.startswith("主持人签字：") and "记录人签字：" in p for p in paragraphs)
    # Names only: no identity number, whole or in part, anywhere in the file.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith("xml")
        )
    for number in id_numbers:
        assert number not in xml and number[-8:] not in xml


def test_the_minutes_are_a4_with_chinese_fonts(branch):
    document = Document(io.BytesIO(minutes_docx(make_meeting(branch))))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.cm, 1) for m in margins] == [3.7, 3.5, 2.8, 2.6]
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"
    title = document.paragraphs[0].runs[0]._element.rPr.rFonts
    assert title.get(qn("w:eastAsia")) == "宋体"
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")) in {"宋体", "仿宋"}


@pytest.mark.parametrize(
    ("name", "kind", "group", "title"),
    [
        ("某协会党支部", MeetingType.COMMITTEE, None, "某协会党支部委员会会议记录"),
        ("某协会党总支", MeetingType.ASSEMBLY, None, "某协会党总支党员大会会议记录"),
        ("某商会联合党委", MeetingType.LIFE, None, "某商会联合党委组织生活会会议记录"),
        ("某协会党支部", MeetingType.LECTURE, None, "某协会党支部党课记录"),
        ("某协会党支部", MeetingType.THEME_DAY, None, "某协会党支部主题党日活动记录"),
        ("某协会党支部", MeetingType.APPRAISAL, None, "某协会党支部民主评议党员会议记录"),
        ("某协会党支部", MeetingType.GROUP, "第一党小组", "某协会党支部第一党小组会会议记录"),
        (
            "某协会功能型党组织",
            MeetingType.ASSEMBLY,
            None,
            "某协会功能型党组织支部党员大会会议记录",
        ),
    ],
)
def test_the_title_names_the_organization_and_the_meeting(areas, name, kind, group, title):
    party_org = factories.party_org(areas["wenyilu"], name=name)
    party_group = None
    if group:
        party_group = PartyGroup.objects.create(
            party_org=party_org, name=group, founded_on=dt.date(2020, 1, 1)
        )
    meeting = make_meeting(party_org, type=kind, party_group=party_group)
    assert minutes_title(meeting) == title
    paragraphs, rows = docx_text(minutes_docx(meeting))
    assert paragraphs[0] == title
    assert (["党小组", group, group, group] in rows) == bool(group)


def test_the_minutes_of_a_meeting_recorded_briefly(branch, django_user_model):
    """No attendance, no minutes, no counts: the table says so rather than printing blanks
    that look forgotten; characters XML cannot hold are dropped, not an error."""
    reviewer = django_user_model.objects.create(username="reviewer", first_name="周审核")
    meeting = make_meeting(
        branch,
        expected=None,
        present=None,
        duties="",
        minutes="",
        topic="专题\x01学习\x0b",
        state=ReviewState.RETURNED,
        reviewed_by=reviewer,
        opinion="请补充参会人员",
    )
    paragraphs, rows = docx_text(minutes_docx(meeting))
    table = {row[0]: row[1:] for row in rows}
    assert table["出席人员"][0] == table["请假人员"][0] == table["缺席人员"][0] == "未登记"
    assert table["应到人数"] == ["", "实到人数", ""]
    assert table["会议主题"][0] == "专题学习"
    assert table["职责分类"][0] == "未标注"
    assert table["审核状态"] == ["已退回", "审核人", "周审核"]
    assert table["审核意见"][0] == "请补充参会人员"
    assert paragraphs[paragraphs.index("会议内容：") + 1] == "（未填写）"


def soffice_pdf(tmp_path: Path, files: list[Path]) -> dict[str, object]:
    """The files as LibreOffice prints them (headless Writer, to PDF), by name: each a
    pypdf reader."""
    from pypdf import PdfReader

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "soffice is missing: run `make libreoffice` (apt-get install libreoffice-writer-nogui)"
        )
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {path.stem: PdfReader(tmp_path / f"{path.stem}.pdf") for path in files}


def test_the_minutes_print_on_a4_in_libreoffice(branch, id_numbers, tmp_path):
    """A short meeting prints on one A4 page, with the topic, the names and the leave reason
    on it; 2000 characters of minutes flow onto more pages, every one A4, numbered."""
    short = attended(make_meeting(branch), id_numbers)
    long = make_meeting(
        branch,
        held_on=dt.date(2026, 6, 5),
        minutes="\n".join("会议认真学习讨论，" * 25 for _ in range(9)),  # 2025 characters
    )
    files = []
    for name, meeting in (("short", short), ("long", long)):
        path = tmp_path / f"{name}.docx"
        path.write_bytes(minutes_docx(meeting))
        files.append(path)
    pdfs = soffice_pdf(tmp_path, files)
    for reader in pdfs.values():
        for page in reader.pages:  # type: ignore[attr-defined]
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    assert len(pdfs["short"].pages) == 1  # type: ignore[attr-defined]
    text = "".join(pdfs["short"].pages[0].extract_text().split())  # type: ignore[attr-defined]
    for expected in (TOPIC, "张三、李四", "王五（外出学习）", "主持人签字", "第1页共1页"):
        assert expected in text
    pages = pdfs["long"].pages  # type: ignore[attr-defined]
    assert len(pages) >= 2
    last = "".join(pages[-1].extract_text().split())
    assert f"第{len(pages)}页共{len(pages)}页" in last and "记录人签字" in last


# --- the six duties ----------------------------------------------------------------------

YEAR_START, YEAR_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def duties_world(areas):
    """Three branches in two townships and one outside the queryset, with meetings and
    activities inside and outside 2026, approved and not, with and without duties."""
    a = factories.party_org(areas["wenyilu"], name="甲协会党支部", code="P0000000A")
    b = factories.party_org(areas["wenyilu"], name='=HYPERLINK("x")', code="P0000000B")
    c = factories.party_org(areas["pozi"], name="丙商会党支部", code="P0000000C")
    outside = factories.party_org(areas["chaoyang"], name="丁协会党支部", code="P0000000D")
    day = iter(dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(300))
    for party_org, duties, state in (
        (a, "political,self", ReviewState.APPROVED),
        (a, "political", ReviewState.APPROVED),
        (a, "masses", ReviewState.SUBMITTED),  # not approved: not counted
        (a, "", ReviewState.APPROVED),  # no duty: not counted
        (c, "culture,development,talent", ReviewState.APPROVED),
        (outside, "political", ReviewState.APPROVED),
    ):
        make_meeting(party_org, held_on=next(day), duties=duties, state=state)
    make_meeting(a, held_on=dt.date(2025, 12, 31), duties="political")  # before the year
    make_meeting(a, held_on=dt.date(2027, 1, 1), duties="political")  # after it
    for party_org, duties, held_on in (
        (a, "masses", dt.date(2026, 5, 1)),
        (c, "masses,political", dt.date(2026, 12, 31)),
        (c, "masses,political", dt.date(2026, 1, 1)),
        (c, "self", dt.date(2027, 1, 1)),  # after the year
    ):
        Activity.objects.create(
            party_org=party_org,
            kind=ActivityKind.VOLUNTEER,
            held_on=held_on,
            title=f"志愿服务{held_on}",
            duties=duties,
        )
    return {"a": a, "b": b, "c": c, "outside": outside}


def expected_counts(**figures: int) -> dict[str, int]:
    return {code: figures.get(code, 0) for code in DUTY_ORDER}


def test_duty_counts_count_approved_meetings_and_activities_by_duty(
    duties_world, django_assert_num_queries
):
    orgs = PartyOrganization.objects.exclude(pk=duties_world["outside"].pk)
    with django_assert_num_queries(2):
        counts = duty_counts(orgs, YEAR_START, YEAR_END)
    assert counts == {
        duties_world["a"].pk: expected_counts(political=2, self=1, masses=1),
        duties_world["c"].pk: expected_counts(
            culture=1, development=1, talent=1, masses=2, political=2
        ),
    }
    # One day: both bounds included.
    assert duty_counts(orgs, YEAR_END, YEAR_END) == {
        duties_world["c"].pk: expected_counts(masses=1, political=1)
    }


def test_duty_counts_take_two_queries_whatever_the_number_of_organizations(
    duties_world, areas, django_assert_num_queries
):
    for i in range(5):
        party_org = factories.party_org(areas["pozi"])
        make_meeting(party_org, held_on=dt.date(2026, 2, 1 + i), duties="self")
    with django_assert_num_queries(2):
        counts = duty_counts(PartyOrganization.objects.all(), YEAR_START, YEAR_END)
    assert len(counts) == 3 + 5


def sheet_rows(sheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_duties_workbook_adds_up(duties_world):
    orgs = PartyOrganization.objects.exclude(pk=duties_world["outside"].pk)
    book = load_workbook(io.BytesIO(duties_xlsx(orgs, YEAR_START, YEAR_END, "芙蓉区")))
    assert book.sheetnames == ["按党组织", "按乡镇(街道)"]
    by_org, by_township = book["按党组织"], book["按乡镇(街道)"]
    rows = sheet_rows(by_org)
    assert rows[0][0] == "芙蓉区" + DUTIES_SUBJECT
    assert rows[1][0] == "填报区划：芙蓉区    统计期间：2026-01-01 至 2026-12-31"
    assert rows[2] == [
        "党组织名称", "编码", "所在乡镇(街道)",
        "保证政治方向", "团结凝聚群众", "服务人才成长", "推动事业发展", "建设先进文化", "加强自身建设",
    ]  # fmt: skip
    assert rows[3:6] == [
        ["甲协会党支部", "P0000000A", "文艺路街道", 2, 1, 0, 0, 0, 1],
        ['=HYPERLINK("x")', "P0000000B", "文艺路街道", 0, 0, 0, 0, 0, 0],
        ["丙商会党支部", "P0000000C", "坡子街街道", 2, 2, 1, 1, 1, 0],
    ]
    assert rows[6] == ["合计", None, "3个党组织", 4, 3, 1, 1, 1, 1]
    assert by_org["A5"].data_type == "s"  # the name stays text, never a formula
    # The totals are the sums of duty_counts, and the townships' sheet sums the same rows.
    counts = duty_counts(orgs, YEAR_START, YEAR_END)
    assert rows[6][3:] == [sum(c[d] for c in counts.values()) for d in DUTY_ORDER]
    townships = sheet_rows(by_township)
    assert townships[3:6] == [
        ["文艺路街道", "430102001", 2, 2, 1, 0, 0, 0, 1],
        ["坡子街街道", "430103001", 1, 2, 2, 1, 1, 1, 0],
        ["合计", None, 3, 4, 3, 1, 1, 1, 1],
    ]
    for sheet in (by_org, by_township):
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.freeze_panes == "D4"


# --- the year's statistics of meetings -----------------------------------------------------

AS_OF = dt.date(2026, 11, 30)
LONG_AGO = dt.date(2016, 1, 1)


def held(party_org, kind: str, held_on: str, *, party_group=None, state=ReviewState.APPROVED):
    return Meeting.objects.create(
        party_org=party_org,
        type=kind,
        held_on=dt.date.fromisoformat(held_on),
        party_group=party_group,
        topic="测试会议",
        state=state,
    )


@pytest.fixture
def life_world(areas):
    """Three branches in two townships (one with two Party groups and a committee), one
    outside the queryset, and some meetings of 2025–2027 at random besides the ones the
    test counts by hand."""
    import random

    a = factories.party_org(areas["wenyilu"], name="甲协会党支部", code="P0000000A",
                            founded_on=LONG_AGO)  # fmt: skip
    b = factories.party_org(areas["wenyilu"], name="乙协会党支部", code="P0000000B",
                            founded_on=dt.date(2026, 5, 10))  # fmt: skip
    c = factories.party_org(areas["pozi"], name="丙商会党支部", code="P0000000C",
                            founded_on=LONG_AGO)  # fmt: skip
    outside = factories.party_org(areas["chaoyang"], name="丁协会党支部", code="P0000000D",
                                  founded_on=LONG_AGO)  # fmt: skip
    for i in range(3):
        factories.office(a, role="secretary" if i == 0 else "member", started_on=LONG_AGO)
    groups = [
        PartyGroup.objects.create(party_org=a, name=name, founded_on=LONG_AGO)
        for name in ("第一党小组", "第二党小组")
    ]
    # By hand: 甲 holds its 党员大会 in Q1 and Q2 (twice), not in Q3 (Q4 still open).
    held(a, MeetingType.ASSEMBLY, "2026-02-10")
    held(a, MeetingType.ASSEMBLY, "2026-05-10")
    held(a, MeetingType.ASSEMBLY, "2026-06-10")
    held(a, MeetingType.ASSEMBLY, "2026-08-10", state=ReviewState.SUBMITTED)  # not approved
    rng = random.Random(7)
    for party_org in (a, b, c, outside):
        for _ in range(30):
            kind = rng.choice([t for t in MeetingType if t != MeetingType.ASSEMBLY])
            group = rng.choice(groups) if kind == MeetingType.GROUP and party_org == a else None
            if kind == MeetingType.GROUP and group is None:
                continue
            day = dt.date(2025, 10, 1) + dt.timedelta(days=rng.randrange(500))
            Meeting.objects.get_or_create(
                party_org=party_org, type=kind, held_on=day, party_group=group,
                defaults={"topic": "测试会议",
                          "state": rng.choice([ReviewState.APPROVED] * 3 + [ReviewState.DRAFT])},
            )  # fmt: skip
    return {"a": a, "b": b, "c": c, "outside": outside}


def grid_sums(rows, label: str) -> tuple[int, int]:
    """The approved meetings and the missing periods of one type over the grid's rows."""
    cells = [c for row in rows for t, _g, cells in row.lines if t == label for c in cells]
    return sum(c.held for c in cells), sum(c.state == "missing" for c in cells)


def test_the_statistics_add_up_to_the_grid(life_world):
    from dangjian.life.documents import STATISTICS_SUBJECT, life_statistics_xlsx
    from dangjian.life.grid import life_grid

    orgs = PartyOrganization.objects.exclude(pk=life_world["outside"].pk)
    rows = life_grid(orgs, 2026, AS_OF)
    data = life_statistics_xlsx(rows, 2026, "芙蓉区", as_of=AS_OF)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["按党组织", "按乡镇(街道)"]
    by_org, by_township = (sheet_rows(book[name]) for name in book.sheetnames)
    assert by_org[0][0] == f"芙蓉区{STATISTICS_SUBJECT}（2026年）"
    assert by_org[1][0] == "填报区划：芙蓉区    统计截至：2026-11-30"
    types = [str(t.label) for t in MeetingType]  # every type has a line (甲 has groups)
    assert by_org[2] == ["党组织名称", "编码", "所在乡镇(街道)"] + [
        label for t in types for label in (t, None)
    ]
    assert by_org[3] == [None, None, None] + ["召开次数", "缺期数"] * len(types)
    assert [r[:3] for r in by_org[4:8]] == [
        ["甲协会党支部", "P0000000A", "文艺路街道"],
        ["乙协会党支部", "P0000000B", "文艺路街道"],
        ["丙商会党支部", "P0000000C", "坡子街街道"],
        ["合计", None, "3个党支部"],
    ]
    assert by_org[4][3:5] == [3, 1]  # 甲's 党员大会: three approved, Q3 missed
    # Each branch's figures, and the totals, are the sums of the grid's cells.
    for row, line in zip(rows, by_org[4:7], strict=True):
        assert line[3:] == [n for t in types for n in grid_sums([row], t)]
    total = [n for t in types for n in grid_sums(rows, t)]
    assert by_org[7][3:] == total
    assert total[1] > 0 and sum(total[2::2]) > 0 and sum(total[1::2]) > 0  # nothing vacuous
    # Two 党小组 of 甲: its 党小组会 columns add up both lines.
    assert sum(1 for t, _g, _c in rows[0].lines if t == "党小组会") == 2
    # The townships' sheet sums the branches of each township, to the same totals.
    assert by_township[2][:2] == ["乡镇(街道)", "党支部数"]
    wenyilu = [r for r in rows if r.township == "文艺路街道"]
    assert by_township[4] == ["文艺路街道", 2, *[n for t in types for n in grid_sums(wenyilu, t)]]
    assert by_township[5] == ["坡子街街道", 1, *[n for t in types for n in grid_sums(rows[2:], t)]]
    assert by_township[6] == ["合计", 3, *total]
    assert book["按党组织"].freeze_panes == "D5"
    assert book["按乡镇(街道)"].freeze_panes == "C5"


def test_the_statistics_of_no_branch_are_an_empty_table(db):
    from dangjian.life.documents import life_statistics_xlsx

    book = load_workbook(io.BytesIO(life_statistics_xlsx([], 2026, "芙蓉区")))
    rows = sheet_rows(book["按党组织"])
    assert rows[1] == ["填报区划：芙蓉区", None, None]
    assert rows[2:4] == [["党组织名称", "编码", "所在乡镇(街道)"], ["合计", None, "0个党支部"]]
