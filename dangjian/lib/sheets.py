"""Every spreadsheet the system writes — xlsx workbooks and CSV files — is written here, so
that no value taken from the data reaches a spreadsheet as a formula (formula injection,
docs/security.md «电子表格公式注入»).

xlsx: a str is always a string cell. openpyxl would make a str that starts with "=" a
formula (and "#N/A" an error value); `put` never lets it. A string that Excel would read as
a formula if it were typed (= + - @) also gets Excel's quote prefix, so that editing the
cell in Excel keeps it text. The code itself writes no formula; one it meant would have to
be written here, explicitly. `save` writes the same bytes for the same content (no
timestamps), and turns any formula cell that reached a workbook some other way back into
text.

CSV: a cell that starts with = + - @ TAB or CR — or with apostrophes followed by one of
them — is written with one apostrophe more in front (`csv_quote`); the import takes exactly
that one off again (`csv_unquote`, in imports/readers.py), so export → import round-trips.
Negative numbers get the apostrophe too: no import column takes one.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell

# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = frozenset("=+-@\t\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APP_NAME = "社会组织党建工作管理系统"
# Every member of a workbook carries this date (ZIP's first day), whatever the clock says.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --- CSV ---------------------------------------------------------------------------------


def _formula_like(text: str) -> bool:
    """Starts with a formula character, after any apostrophes."""
    first = text[:1]
    if first == "'":
        first = text.lstrip("'")[:1]
    return first in FORMULA_START


def csv_quote(value: Any) -> str:
    """The cell as written to a CSV file: text a spreadsheet would run gets an apostrophe
    in front (and so does text that starts with apostrophes before such a character, so
    that `csv_unquote` can tell the two apart)."""
    text = "" if value is None else str(value)
    return "'" + text if _formula_like(text) else text


def csv_unquote(text: str) -> str:
    """The inverse of `csv_quote`: exactly the apostrophe it added, taken off again."""
    return text[1:] if text[:1] == "'" and _formula_like(text) else text


def csv_unquote_row(cells: list[str]) -> list[str]:
    """`csv_unquote` on every cell of a row read from a CSV file (in place)."""
    if "'" not in "".join(cells):  # most rows: one scan in C
        return cells
    for i, cell in enumerate(cells):
        if cell[:1] == "'" and _formula_like(cell):
            cells[i] = cell[1:]
    return cells


class CsvWriter:
    """`csv.writer` whose every cell goes through `csv_quote`."""

    def __init__(self, fh: IO[str], *, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(fh, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_quote(value) for value in row])


def open_csv(path: Path) -> IO[str]:
    """A CSV file to write: UTF-8 with a BOM, which Excel opens as UTF-8."""
    return path.open("w", encoding="utf-8-sig", newline="")


def write_csv(out: Path | IO[str], header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> int:
    """`header` and `rows` as CSV to a path (see `open_csv`) or an open text stream.
    Returns the number of rows (without the header)."""
    fh = open_csv(out) if isinstance(out, Path) else out
    count = 0
    try:
        writer = CsvWriter(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    finally:
        if isinstance(out, Path):
            fh.close()
    return count


# --- xlsx --------------------------------------------------------------------------------


def workbook(*, write_only: bool = False) -> Workbook:
    """A new workbook, its author the system. Write cells with `put`, `set_cell`, `cells`
    or `append`, and save it with `save`."""
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    book.properties.creator = APP_NAME
    book.properties.lastModifiedBy = APP_NAME
    return book


def put(cell: Cell, value: Any) -> Cell:
    """Store `value` in `cell`: a str as a string, whatever it starts with."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value[:1] in FORMULA_START:
            cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def set_cell(sheet: Any, row: int, column: int, value: Any) -> Cell:
    """The cell at (`row`, `column`) of a worksheet (not write-only), holding `value`."""
    return put(sheet.cell(row=row, column=column), value)


def cells(sheet: Any, values: Iterable[Any]) -> list[Cell]:
    """A row of cells of `sheet` (write-only or not) holding `values`, to style and then
    `sheet.append`. A value that is already a cell stays as it is."""
    from openpyxl.cell import Cell

    row = []
    for value in values:
        row.append(value if isinstance(value, Cell) else put(Cell(sheet, 1, 1), value))
    return row


def append(sheet: Any, values: Iterable[Any], *, font: Any = None) -> list[Cell]:
    """Append a row holding `values` (see `cells`) to `sheet`; returns its cells."""
    row = cells(sheet, values)
    if font is not None:
        for cell in row:
            cell.font = font
    sheet.append(row)
    return row


class _Zip(zipfile.ZipFile):
    """A ZIP file whose members all carry the same date and mode: the same workbook gives
    the same bytes."""

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
        info.compress_type = self.compression
        info.compress_level = self.compresslevel
        info.external_attr = 0o600 << 16
        info.file_size = size
        return info

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        path = Path(filename)
        info = self._info(str(arcname or path.name), path.stat().st_size)
        with path.open("rb") as src, self.open(info, "w") as dest:
            shutil.copyfileobj(src, dest, 1 << 16)


def save(book: Workbook, out: Path | IO[bytes], *, policy_version: str | None = None) -> None:
    """Save `book` to a path or a binary stream: without the time of day (the same content
    gives the same bytes: export → import → export compares files; the workbook says it was
    made on ZIP's first day, 1980-01-01), and without a formula cell
    (one that reached a workbook other than through `put` is made text again). Its
    properties name the policy settings version it follows, `policy_version`
    (docs/policy-versions.md: every export passes the version it was made with)."""
    from openpyxl.writer.excel import ExcelWriter

    if policy_version:
        book.properties.keywords = f"政策设置版本 {policy_version}"
        book.properties.subject = f"{APP_NAME}（政策设置版本 {policy_version}）"

    if not book.write_only:
        for sheet in book.worksheets:
            for cell in sheet._cells.values():
                if cell.data_type == "f":
                    cell.data_type = "s"
    book.properties.created = book.properties.modified = dt.datetime(*_ZIP_DATE)
    archive = _Zip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).save()  # closes the archive
    finally:
        archive.close()
