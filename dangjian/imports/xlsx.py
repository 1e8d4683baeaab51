"""Reading an xlsx import file (`readers.open_table` picks it by content): its limits are
checked on the decompressed bytes before calamine reads it, and every Excel error cell is
kept to be named by its row and column."""

from __future__ import annotations

import contextlib
import functools
import html
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from dangjian.imports.errors import FileError
from dangjian.imports.fields import ExcelError
from dangjian.imports.table import BLANK_HEADER, EMPTY, Table, blank

# --- Limits of an xlsx file (settings IMPORT_MAX_*): checked on the decompressed bytes as
# they come, before calamine reads the file (it holds a whole sheet in memory: about 70
# bytes per cell of the sheet's rectangle, and every cell's text, each shared string copied
# into every cell that names it).

OTHER_PART_BYTES = 16 << 20  # the workbook's own small parts (workbook.xml, styles.xml, …)
PENDING_BYTES = 8 << 20  # one row of the sheet (one shared string) as XML, at most
SCAN_BYTES = 1 << 20
# Patterns that start with a literal are fast: the reference comes first in a cell as Excel
# and openpyxl write it; a cell with its reference elsewhere counts as one without.
_ROW_NUMBER = re.compile(rb"<row r=\"(\d+)\"")
_CELL_COLUMN = re.compile(rb"<c r=\"([A-Z]{1,3})")
_SHARED_REF = re.compile(rb"t=\"s\"[^>]*>\s*<v>(\d+)</v>")
_ERROR_CELL = re.compile(rb"<c r=\"([A-Z]{1,3})(\d+)\"[^>]*?\bt=\"e\"[^>]*>\s*<v>([^<]*)</v>")
MAX_ERROR_CELLS = 100_000  # kept to be named row by row (calamine gives them as "")
_T_MARKUP = len(b"<t></t>")
_PLAIN_INLINE = re.compile(rb"<is><t>([^<]*)</t></is>")
_INLINE = re.compile(rb"<is>(.*?)</is>", re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_STRING_ITEM = re.compile(rb"<si\b[^>]*?(?:/>|>(.*?)</si>)", re.S)
_TEXT_RUN = re.compile(rb"<t\b[^>]*>([^<]*)</t>")
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_XML_PART = (".xml", ".rels")


@dataclass(frozen=True)
class XlsxLimits:
    cell_chars: int
    rows: int
    cells: int
    text_bytes: int
    xml_bytes: int

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        from django.conf import settings

        return cls(
            cell_chars=getattr(settings, "IMPORT_MAX_CELL_CHARS", 32767),
            rows=getattr(settings, "IMPORT_MAX_ROWS", 1_048_576),
            cells=getattr(settings, "IMPORT_MAX_CELLS", 3_200_000),
            text_bytes=getattr(settings, "IMPORT_MAX_TEXT_MB", 48) << 20,
            xml_bytes=getattr(settings, "IMPORT_MAX_XML_MB", 512) << 20,
        )


def _item_chars(item: bytes) -> int:
    """The characters of a string item (<si> or <is>, or a value) as Excel shows it."""
    runs = _TEXT_RUN.findall(_PHONETIC.sub(b"", item)) if b"<" in item else [item]
    return len(html.unescape(b"".join(runs).decode("utf-8", "replace")))


def _first_sheet_member(read: Callable[[str], bytes]) -> str:
    return _workbook_parts(read)[0]


def _workbook_parts(read: Callable[[str], bytes]) -> tuple[str, str]:
    """The zip members of the first sheet and of the shared strings."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    book = ElementTree.fromstring(read("xl/workbook.xml"))
    sheet = book.find("m:sheets/m:sheet", ns)
    rid = sheet.get(f"{{{ns['r']}}}id") if sheet is not None else None
    rels = ElementTree.fromstring(read("xl/_rels/workbook.xml.rels"))
    first, shared = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
    for rel in rels:
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if rel.get("Id") == rid:
            first = member
        elif rel.get("Type", "").endswith("/sharedStrings"):
            shared = member
    return first, shared


def _with_errors(cells: list[Any], errors: list[tuple[int, str]]) -> list[Any]:
    """The row's cells with its Excel error values in place (calamine gives them as "")."""
    cells = list(cells)
    for column, value in errors:
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = ExcelError(value)
    return cells


def _row_at(piece: bytes, position: int, first_row: int) -> int:
    """The number of the row of the sheet at `position` in `piece`, which starts at
    `first_row` (or before it, with the sheet's first bytes)."""
    start = piece.rfind(b"<row", 0, position)
    match = _ROW_NUMBER.match(piece, start) if start >= 0 else None
    return int(match[1]) if match else first_row - 1 + piece.count(b"<row", 0, position)


@functools.cache
def _wider_than(width: int) -> re.Pattern[bytes] | None:
    """A cell reference beyond column `width` (up to Z; None: look at every cell)."""
    if width >= 26:
        return None
    first = "A" if width == 0 else chr(ord("A") + width)
    return re.compile(rb'<c r="(?:[%s-Z]|[A-Z]{2})' % first.encode())


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _XlsxScan:
    """One pass over the parts of an xlsx file that calamine reads, decompressed as a stream
    and counted as it goes (a zip header's sizes may lie): refuses the file (FileError) as
    soon as it goes beyond a limit. Also notes whether the sheet holds a formula."""

    def __init__(self, archive: zipfile.ZipFile, limits: XlsxLimits) -> None:
        self.limits = limits
        self.has_formula = False
        # Cells holding an Excel error value: row -> [(column index, value)].
        self.errors: dict[int, list[tuple[int, str]]] = {}
        self._error_count = 0
        self._archive = archive
        self._lengths: array[int] = array("I")  # bytes of each shared string
        self._text = 0  # bytes of text calamine would hold
        self._row_tags = 0
        self._height = 0
        self._width = 0
        names = set(archive.namelist())
        for info in archive.infolist():
            if info.file_size > limits.xml_bytes:
                raise self._too_big(info.filename, limits.xml_bytes)
        sheet, shared = _workbook_parts(self.part)
        for name in sorted(names):
            if (
                name.endswith(_XML_PART)
                and name not in (sheet, shared)
                and not name.startswith("xl/worksheets/")
            ):
                for _chunk in self._chunks(name, OTHER_PART_BYTES):
                    pass
        if shared in names:
            self._shared_strings(shared)
        self._sheet(sheet)

    def part(self, name: str) -> bytes:
        """A small part of the workbook, whole."""
        return b"".join(self._chunks(name, OTHER_PART_BYTES))

    def _too_big(self, name: str, limit: int) -> FileError:
        return FileError(
            f"xlsx 文件中的「{name}」解压后超过{limit >> 20}MB（导入文件的上限）："
            "文件过大或已损坏，请拆分成多个文件，或在 Excel 中重新保存后再导入"
        )

    def _cell_too_long(self, row: int = 0) -> FileError:
        return FileError(
            f"有单元格超过{self.limits.cell_chars:,}个字符（Excel 单元格的上限）："
            "文件可能已损坏，请检查后在 Excel 中重新保存再导入",
            row=row,
        )

    def _add_text(self, size: int) -> None:
        self._text += size
        if self._text > self.limits.text_bytes:
            raise FileError(
                f"工作表的文字合计超过{self.limits.text_bytes >> 20}MB（导入文件的上限，"
                "每个单元格的文字都计算在内）：请拆分成多个文件，或改用 CSV 文件导入"
            )

    def _chunks(self, name: str, limit: int) -> Iterator[bytes]:
        size = 0
        with self._archive.open(name) as fh:
            while chunk := fh.read(SCAN_BYTES):
                size += len(chunk)
                if size > limit:
                    raise self._too_big(name, limit)
                yield chunk

    def _pieces(
        self, name: str, start: bytes, row: Callable[[], int] = lambda: 0
    ) -> Iterator[bytes]:
        """The part in pieces that each end just before an element `start` begins: whole
        rows (whole string items), however the part is cut into chunks."""
        pending = b""
        for chunk in self._chunks(name, self.limits.xml_bytes):
            data = pending + chunk if pending else chunk
            cut = data.rfind(start)
            if cut <= 0:
                if len(data) > PENDING_BYTES:
                    yield data  # the caller may name what makes it so long
                    if len(data) - data.rfind(b"<") > self.limits.cell_chars:
                        raise self._cell_too_long(row())
                    raise FileError(
                        f"该行解压后超过{PENDING_BYTES >> 20}MB（导入文件的上限）："
                        "文件可能已损坏，请在 Excel 中重新保存后再导入",
                        row=row(),
                    )
                pending = data
                continue
            pending = data[cut:]
            yield data[:cut]
        if pending:
            yield pending

    def _shared_strings(self, name: str) -> None:
        lengths, limit = self._lengths, self.limits.cell_chars
        for piece in self._pieces(name, b"<si"):
            self._add_text(len(piece))
            items = _STRING_ITEM.findall(piece)
            if not items and len(piece) > PENDING_BYTES:
                raise self._cell_too_long()
            # The text, less the markup of its one <t> element (a rich text has more).
            lengths.extend(len(item) - _T_MARKUP if len(item) > _T_MARKUP else 0 for item in items)
            if (
                items
                and max(map(len, items)) > limit
                and any(len(item) > limit and _item_chars(item) > limit for item in items)
            ):
                raise self._cell_too_long()

    def _error_cells(self, piece: bytes) -> None:
        for letters, row, value in _ERROR_CELL.findall(piece):
            self._error_count += 1
            if self._error_count > MAX_ERROR_CELLS:
                raise FileError(
                    f"有超过{MAX_ERROR_CELLS:,}个单元格是 Excel 错误值（如 #REF!、#N/A）："
                    "请改为实际内容后再导入"
                )
            text = html.unescape(value.decode("utf-8", "replace"))
            self.errors.setdefault(int(row), []).append((_column_number(letters) - 1, text))

    @staticmethod
    def _piece_width(piece: bytes, width: int) -> int:
        """The columns the rows of `piece` span, and `width` before, at least."""
        wider = _wider_than(width)
        if wider is None or wider.search(piece):
            width = max([width, *map(_column_number, set(_CELL_COLUMN.findall(piece)))])
        # Cells without a reference (first): at least as many columns as a row has cells.
        if piece.count(b'<c r="') < piece.count(b"<c"):  # and a <col> or two
            width = max(width, *(row.count(b"<c") for row in piece.split(b"<row")))
        return width

    def _sheet(self, name: str) -> None:
        limits, lengths = self.limits, self._lengths
        for piece in self._pieces(name, b"<row", row=lambda: self._height + 1):
            if (
                not self.has_formula
                and (b"f>" in piece or b"f " in piece)
                and _FORMULA.search(piece)
            ):
                self.has_formula = True  # a piece ends before a row: never inside a tag
            if b't="e"' in piece:
                self._error_cells(piece)
            numbers = _ROW_NUMBER.findall(piece)
            first_row = self._height + 1
            self._row_tags += piece.count(b"<row")
            top = max(map(int, numbers)) if numbers else 0
            self._height = max(self._height, self._row_tags, top)
            if self._height > limits.rows:
                raise FileError(
                    f"工作表超过{limits.rows:,}行（导入文件的上限，空行也计算在内）："
                    "请删除多余的行，或拆分成多个文件后再导入",
                    row=limits.rows + 1,
                )
            self._width = self._piece_width(piece, self._width)
            if self._height * self._width > limits.cells:
                raise FileError(
                    f"工作表超过{limits.cells:,}个单元格（导入文件的上限，按行数×列数计算，"
                    f"本表有{self._width:,}列）：请删除多余的行和列，"
                    "或拆分成多个文件，或改用 CSV 文件导入",
                    row=limits.cells // self._width + 1,
                )
            try:
                self._add_text(sum(map(lengths.__getitem__, map(int, _SHARED_REF.findall(piece)))))
            except IndexError:
                raise FileError(BROKEN_XLSX) from None
            inline = piece.count(b"<is>")
            sizes = list(map(len, _PLAIN_INLINE.findall(piece))) if inline else []
            if len(sizes) < inline:  # rich text: its markup counted too
                sizes = [len(item) - _T_MARKUP for item in _INLINE.findall(piece)]
            if sizes and max(sizes) > limits.cell_chars:
                for match in _INLINE.finditer(piece):
                    item = match[1]
                    if len(item) > limits.cell_chars and _item_chars(item) > limits.cell_chars:
                        raise self._cell_too_long(_row_at(piece, match.start(), first_row))
            self._add_text(sum(sizes))
            # Text in a value: a formula's string result, an ISO date, an error (the values
            # of numbers are numbers to calamine).
            text_values = b't="str"' in piece or b't="e"' in piece or b't="d"' in piece
            values = _VALUE.findall(piece) if text_values else []
            if values and max(map(len, values)) > limits.cell_chars:
                for match in _VALUE.finditer(piece):
                    value = match[1]
                    if len(value) > limits.cell_chars and _item_chars(value) > limits.cell_chars:
                        raise self._cell_too_long(_row_at(piece, match.start(), first_row))
            self._add_text(sum(map(len, values)))


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
BROKEN_XLSX = "xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    KeyError,
    ElementTree.ParseError,
    OSError,
    EOFError,
    NotImplementedError,  # zipfile: a version or compression it does not read
    zlib.error,
    ValueError,
)


class XlsxTable(Table):
    def __init__(self, path: Path, limits: XlsxLimits | None = None) -> None:
        self._path = path
        self._errors: dict[int, list[tuple[int, str]]] = {}
        self._has_formula = self._scan(limits or XlsxLimits.from_settings())
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(str(path))
            names = self._book.sheet_names
            if not names:
                raise FileError("xlsx 文件中没有工作表")
            self._sheet = self._book.get_sheet_by_index(0)
            # calamine gives the rows from row 1 but the columns from the first one used.
            self._pad = [""] * (self._sheet.start[1] if self._sheet.start else 0)
            self._height = self._sheet.height
            self._iter = iter(self._sheet.iter_rows())
            first = next(self._iter, None)
        except FileError:
            self.close()
            raise
        except Exception:  # calamine raises its own zip and XML errors
            self.close()
            raise FileError(
                "xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
            ) from None
        self._row = 1
        self.headers = (
            ["" if cell is None else str(cell) for cell in [*self._pad, *first]] if first else []
        )
        try:
            self._formula_check()
            if not any(header.strip() for header in self.headers):
                if any(any(not blank(cell) for cell in cells) for _n, cells in self.rows()):
                    raise FileError(BLANK_HEADER)
                raise FileError(EMPTY)
        except FileError:
            self.close()
            raise
        self._row = 1

    def _scan(self, limits: XlsxLimits) -> bool:
        """The file within the limits (or FileError), before calamine reads it; has its
        sheet a formula?"""
        try:
            with zipfile.ZipFile(self._path) as archive:
                scan = _XlsxScan(archive, limits)
            self._errors = scan.errors
            return scan.has_formula
        except FileError:
            raise
        except _BROKEN_ZIP:
            raise FileError(BROKEN_XLSX) from None

    def _formula_check(self) -> None:
        """Refuse formulas: the value Excel shows may not be what the file stores."""
        if not self._has_formula:
            return
        try:
            with zipfile.ZipFile(self._path) as archive:
                member = _first_sheet_member(archive.read)
                with archive.open(member) as fh:
                    for _event, element in ElementTree.iterparse(fh):
                        if not element.tag.endswith("}c"):
                            continue
                        formula = next((c for c in element if c.tag.endswith("}f")), None)
                        if formula is not None:
                            raise self._formula_error(element.get("r", ""), formula.text)
                        element.clear()
        except FileError:
            raise
        except _BROKEN_ZIP:
            raise FileError(BROKEN_XLSX) from None

    def _formula_error(self, ref: str, formula: str | None) -> FileError:
        letters = "".join(c for c in ref if c.isalpha()).upper()
        number = int("".join(c for c in ref if c.isdigit()) or 0)
        position = 0
        for letter in letters:
            position = position * 26 + ord(letter) - ord("A") + 1
        header = self.headers[position - 1].strip() if 0 < position <= len(self.headers) else ""
        return FileError(
            "是公式：请将公式复制后「选择性粘贴为数值」再导入",
            row=number,
            column=header if header and number != 1 else f"{letters}列",
            value=f"={formula}" if formula else "（公式）",
        )

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        errors = self._errors
        try:
            for cells in self._iter:
                self._row += 1
                row = [*self._pad, *cells] if self._pad else cells
                if errors and self._row in errors:
                    row = _with_errors(row, errors[self._row])
                yield self._row, row
        except Exception:
            raise FileError(
                "xlsx 文件从该行起已损坏，无法读取：请在 Excel 中重新保存后再导入",
                row=self._row + 1,
            ) from None

    def progress(self) -> tuple[int, int]:
        return (self._row, self._height)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._book.close()
