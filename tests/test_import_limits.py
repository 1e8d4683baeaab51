"""What an xlsx import file may hold (settings IMPORT_MAX_*; issue 12, item 8), and cells that
hold an Excel error value (item 12).

The bombs are written small on disk (the zip and its XML written directly, highly
compressible) and imported by the real console script in a process of its own, whose peak
memory (and its worker's) is measured: refused with a Chinese message naming the limit, in
little memory and time, whatever the file decompresses to.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.errors import FileError
from dangjian.imports.models import PendingUpload, UploadState
from dangjian.imports.readers import open_table
from dangjian.imports.service import import_file
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests import importing
from tests.actors import build_world
from tests.importing import table_counts, write_xlsx

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
MiB = 1 << 20
PEAK_LIMIT_MIB = 300
A = make_uscc("51430102MJJ000001")

# --- Writing an xlsx file by hand -------------------------------------------------------------

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b" "
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def write_book(path: Path, rows: Iterable[bytes], shared: Iterable[bytes] = ()) -> Path:
    """An xlsx file whose sheet holds `rows` (XML of <row> elements) and whose shared
    strings are `shared` (XML of <si> elements), both streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b">")
            for item in shared:
                fh.write(item)
            fh.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b"><sheetData>")
            for row in rows:
                fh.write(row)
            fh.write(b"</sheetData></worksheet>")
    return path


def header_row(labels: list[str]) -> bytes:
    cells = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (bytes([65 + i]), label.encode())
        for i, label in enumerate(labels)
    )
    return b'<row r="1">' + cells + b"</row>"


def huge_cell_bomb(path: Path, megabytes: int = 400) -> Path:
    """One shared string of `megabytes` MiB, named by the second row."""

    def shared() -> Iterator[bytes]:
        yield b"<si><t>"
        block = b"x" * MiB
        for _ in range(megabytes):
            yield block
        yield b"</t></si>"

    rows = [
        header_row(importing.header("orgs")),
        b'<row r="2"><c r="B2" t="s"><v>0</v></c></row>',
    ]
    return write_book(path, rows, shared())


def blank_rows_bomb(path: Path, rows: int = 3_000_000, width: int | None = None) -> Path:
    """`rows` rows under the header, each a single blank cell (without references, as a
    writer may leave them out: the file stays small)."""
    labels = importing.header("orgs")[:width] if width else importing.header("orgs")

    def body() -> Iterator[bytes]:
        yield header_row(labels)
        block = b'<row><c t="inlineStr"><is><t> </t></is></c></row>' * 10_000
        for _ in range(rows // 10_000):
            yield block

    return write_book(path, body())


# --- Running the real console script ----------------------------------------------------------


@pytest.fixture
def process_database(transactional_db, tmp_path):
    """A database another process can use: on SQLite a file copy of the (migrated,
    in-memory) test database, on PostgreSQL the test database itself (as
    tests/test_import_corpus.py)."""
    if connection.vendor == "sqlite":
        import sqlite3

        path = tmp_path / "process.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


# Runs its arguments and reports the peak resident memory of it and of its children (the
# parse worker): RUSAGE_CHILDREN of this wrapper covers every process it waited for.
PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'peak_kib={peak}', file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def console_script() -> str:
    return str(Path(sys.executable).with_name("dangjian"))


def run_import(
    url: str, *argv: object, env: dict[str, str] | None = None
) -> tuple[int, str, float, float]:
    """(exit status, stderr, peak MiB, seconds) of `dangjian import …` in a process."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, console_script(), "import", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **(env or {})},
        timeout=120,
    )
    seconds = time.monotonic() - started
    stderr, _, peak = done.stderr.rpartition("peak_kib=")
    return done.returncode, stderr, int(peak) / 1024, seconds


# --- The bombs ----------------------------------------------------------------------------------


def test_a_400_mib_cell_is_refused_at_once_in_little_memory(process_database, tmp_path):
    bomb = huge_cell_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1 * MiB
    status, stderr, peak, seconds = run_import(process_database, "orgs", bomb)
    assert "Traceback" not in stderr
    assert status == 1
    assert stderr.strip() == (
        "文件: 有单元格超过32,767个字符（Excel 单元格的上限）：文件可能已损坏，"
        "请检查后在 Excel 中重新保存再导入"
    )
    assert peak < PEAK_LIMIT_MIB, f"{peak:.0f} MiB"
    assert seconds < 30


def test_three_million_blank_rows_are_refused_at_once_in_little_memory(process_database, tmp_path):
    """Blank rows are skipped, but they count: the sheet's rows × columns go beyond
    IMPORT_MAX_CELLS long before the end of the file."""
    bomb = blank_rows_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1 * MiB
    status, stderr, peak, seconds = run_import(process_database, "orgs", bomb)
    assert "Traceback" not in stderr
    assert status == 1
    assert stderr.strip() == (
        "第213334行: 工作表超过3,200,000个单元格（导入文件的上限，按行数×列数计算，"
        "本表有15列）：请删除多余的行和列，或拆分成多个文件，或改用 CSV 文件导入"
    )
    assert peak < PEAK_LIMIT_MIB, f"{peak:.0f} MiB"
    assert seconds < 30


def test_rows_beyond_excels_sheet_limit_are_refused(tmp_path, settings):
    """One column: the rows limit (Excel's 1,048,576) comes first; blank rows count."""
    bomb = blank_rows_bomb(tmp_path / "rows.xlsx", rows=1_100_000, width=1)
    with pytest.raises(FileError) as raised:
        open_table(bomb)
    assert str(raised.value.error) == (
        "第1048577行: 工作表超过1,048,576行（导入文件的上限，空行也计算在内）："
        "请删除多余的行，或拆分成多个文件后再导入"
    )


def test_the_limits_are_settings(tmp_path, settings):
    rows = [header_row(["社会组织名称"])] + [
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (n, n, b"y" * n)
        for n in range(2, 12)
    ]
    path = write_book(tmp_path / "small.xlsx", rows)
    with open_table(path):
        pass  # within the defaults
    for name, value, message in (
        ("IMPORT_MAX_ROWS", 10, "第11行: 工作表超过10行（导入文件的上限，空行也计算在内）"),
        ("IMPORT_MAX_CELLS", 5, "第6行: 工作表超过5个单元格（导入文件的上限，按行数×列数计算"),
        ("IMPORT_MAX_CELL_CHARS", 8, "第9行: 有单元格超过8个字符（Excel 单元格的上限）"),
    ):
        setattr(settings, name, value)
        with pytest.raises(FileError) as raised:
            open_table(path)
        assert str(raised.value.error).startswith(message), name
        delattr(settings, name)


def test_a_shared_string_named_by_every_cell_counts_once_per_cell(tmp_path, settings):
    """calamine copies a shared string into every cell that names it: a 30,000-character
    string named by 3,000 cells is 90 MB of text, beyond IMPORT_MAX_TEXT_MB."""
    shared = [b"<si><t>" + b"z" * 30_000 + b"</t></si>"]
    rows = [header_row(["社会组织名称"])] + [
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(2, 3002)
    ]
    path = write_book(tmp_path / "amplified.xlsx", rows, shared)
    assert path.stat().st_size < 100_000
    with pytest.raises(FileError) as raised:
        open_table(path)
    assert str(raised.value.error) == (
        "文件: 工作表的文字合计超过48MB（导入文件的上限，每个单元格的文字都计算在内）："
        "请拆分成多个文件，或改用 CSV 文件导入"
    )


def test_a_zip_header_that_lies_about_the_size_does_not_help(tmp_path):
    """The sizes are counted as the parts are decompressed, not taken from the zip: a part
    that claims 100 bytes is read as no more than that, and then found broken."""
    rows = [header_row(["社会组织名称"])] + [
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(2, 60_000)
    ]
    path = write_book(tmp_path / "big.xlsx", rows)
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert MiB < size < 1 << 32
    data = path.read_bytes()
    declared = size.to_bytes(4, "little")
    assert data.count(declared) == 2  # the local header's and the central directory's
    path.write_bytes(data.replace(declared, (100).to_bytes(4, "little")))
    with pytest.raises(FileError) as raised:
        open_table(path)
    assert str(raised.value.error) == (
        "文件: xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
    )


def test_the_web_upload_gets_the_same_refusal(areas, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path / "var"
    unit_ensure_registries(under=areas["city"])
    world = build_world(areas)
    client = Client()
    client.force_login(world.users["furong"])
    bomb = huge_cell_bomb(tmp_path / "bomb.xlsx", megabytes=64)
    with bomb.open("rb") as fh:
        client.post(reverse("web:import_upload"), {"kind": "orgs", "file": fh})
    upload = PendingUpload.objects.latest("pk")
    assert upload.state == UploadState.CHECKED
    assert upload.check_summary["file_errors"] == 1
    page = client.get(reverse("web:import_detail", args=[upload.pk])).content.decode()
    assert "有单元格超过32,767个字符（Excel 单元格的上限）" in page


# --- Excel error values (item 12) ------------------------------------------------------------

EXCEL_ERRORS = {
    "#REF!": "引用无效",
    "#VALUE!": "值的类型不对",
    "#DIV/0!": "除数为零",
    "#N/A": "值不可用",
    "#NAME?": "无法识别的名称",
    "#NUM!": "数值无效",
    "#NULL!": "区域没有交集",
}


def write_with_errors(path: Path, cells: list[tuple[int, str, str]]) -> Path:
    """An orgs file of valid rows, with (row, column label, error) cells set to that Excel
    error value (data type "e", as Excel saves a pasted error)."""
    labels = importing.header("orgs")
    rows = [
        importing.org_row(make_uscc(f"51430102MJJ{n:06d}"), f"芙蓉区书法协会{n}")
        for n in range(1, 1 + max(r for r, _c, _e in cells))
    ]
    path = write_xlsx(path, [labels, *rows])
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    for row, label, error in cells:
        cell = sheet.cell(row=row, column=labels.index(label) + 1)
        cell.value = error
        cell.data_type = "e"
    book.save(path)
    return path


def test_an_excel_error_cell_is_named_with_its_meaning(areas, tmp_path):
    unit_ensure_registries(under=areas["city"])
    cells = []
    for n, error in enumerate(EXCEL_ERRORS, start=2):
        cells.append((n, "社会组织名称", error))  # required
        cells.append((n, "所在村(社区)", error))  # optional text
        cells.append((n, "从业人员数", error))  # optional number
    path = write_with_errors(tmp_path / "errors.xlsx", cells)
    before = table_counts()
    result = import_file("orgs", path)
    assert [str(e) for e in result.errors] == [
        f"第{n}行 {column}「{error}」: 单元格是 Excel 错误值 {error}（{EXCEL_ERRORS[error]}），"
        "请改为实际内容"
        for n, error in enumerate(EXCEL_ERRORS, start=2)
        for column in ("社会组织名称", "所在村(社区)", "从业人员数")
    ]
    assert table_counts() == before
    assert not SocialOrganization.objects.exists()


def test_a_row_of_error_cells_only_is_not_skipped_as_blank(areas, tmp_path):
    unit_ensure_registries(under=areas["city"])
    labels = importing.header("orgs")
    path = write_with_errors(tmp_path / "errors.xlsx", [(2, label, "#N/A") for label in labels])
    result = import_file("orgs", path)
    assert result.rejected == 1
    assert str(result.errors[0]) == (
        "第2行 统一社会信用代码「#N/A」: 单元格是 Excel 错误值 #N/A（值不可用），请改为实际内容"
    )
