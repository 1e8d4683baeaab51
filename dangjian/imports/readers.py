"""Reading an import file — CSV (UTF-8 with or without BOM, or GB18030, detected) or xlsx —
as a stream of rows, with a clear Chinese error for every way a file can be broken.

Rows are numbered as a spreadsheet numbers them: the header is row 1, and blank rows count
(they are skipped, but the numbers of the rows after them stay those the user sees).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from dangjian.imports.errors import FileError

CSV_FIELD_LIMIT = 131072  # characters in one cell; more means a broken file
SNIFF_BYTES = 65536
XLSX_MAGIC = b"PK\x03\x04"


class Table:
    """Rows of one file: `headers` (row 1) and `rows()` -> (row number, cells)."""

    headers: list[str]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError

    def progress(self) -> tuple[int, int]:
        """(done, total) in some unit (bytes or rows), for a progress bar."""
        return (0, 0)

    def close(self) -> None:
        pass

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(path: Path, name: str | None = None) -> Table:
    """Open `path` (its original file name `name` decides nothing: the content does)."""
    name = name or path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise FileError(f"无法打开文件「{name}」：{exc.strerror}") from None
    if not head:
        raise FileError("文件是空的：第1行应为列名")
    if head.startswith(XLSX_MAGIC):
        return XlsxTable(path)
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileError(
                "这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入"
            )
        raise FileError("文件扩展名是 Excel，但内容不是有效的 .xlsx 文件（文件可能已损坏）")
    return CsvTable(path, head)


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise FileError(
            "文件含有二进制内容，不是文本格式的 CSV："
            "请上传 .csv（UTF-8 或 GB18030 编码）或 .xlsx 文件"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileError(
            "无法识别文件编码：请将文件另存为 UTF-8 编码的 CSV，或直接上传 .xlsx"
        ) from None


class CsvTable(Table):
    def __init__(self, path: Path, head: bytes) -> None:
        self.encoding = _detect_encoding(head)
        self._raw = path.open("rb")
        self._size = path.stat().st_size
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        self._row = 0
        csv.field_size_limit(CSV_FIELD_LIMIT)
        self._reader = csv.reader(self._text, strict=False)
        header = self._next()
        if header is None:
            raise FileError("文件是空的：第1行应为列名")
        self.headers = header

    def _next(self) -> list[str] | None:
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}[self.encoding]
            raise FileError(
                f"文件编码不一致：第{self._row + 1}行附近的内容不是{label}编码"
                "（文件可能由不同来源拼接而成）。请将整个文件另存为 UTF-8 编码后再导入",
                row=self._row + 1,
            ) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileError(
                    f"第{self._row + 1}行有单元格超过{CSV_FIELD_LIMIT}个字符，"
                    "文件可能已损坏（例如引号不成对）",
                    row=self._row + 1,
                ) from None
            raise FileError(
                f"第{self._row + 1}行不是有效的 CSV：{exc}", row=self._row + 1
            ) from None
        self._row += 1
        return row

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        while (row := self._next()) is not None:
            yield self._row, row

    def progress(self) -> tuple[int, int]:
        try:
            return (self._raw.tell(), self._size)
        except (OSError, ValueError):
            return (0, self._size)

    def close(self) -> None:
        self._text.close()


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


class XlsxTable(Table):
    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(str(path))
            names = self._book.sheet_names
            if not names:
                raise FileError("xlsx 文件中没有工作表")
            self._sheet = self._book.get_sheet_by_index(0)
        except FileError:
            raise
        except Exception:  # calamine raises its own zip and XML errors
            raise FileError(
                "xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
            ) from None
        self._formula_check()
        self._height = self._sheet.height
        self._iter = iter(self._sheet.iter_rows())
        self._row = 0
        first = next(self._iter, None)
        if first is None:
            raise FileError("文件是空的：第1行应为列名")
        self._row = 1 + self._sheet.start[0] if self._sheet.start else 1
        self.headers = ["" if cell is None else str(cell) for cell in first]

    def _first_sheet_member(self, archive: zipfile.ZipFile) -> str:
        ns = {
            "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        }
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheet = book.find("m:sheets/m:sheet", ns)
        rid = sheet.get(f"{{{ns['r']}}}id") if sheet is not None else None
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            if rel.get("Id") == rid:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else "xl/" + target
        return "xl/worksheets/sheet1.xml"

    def _formula_check(self) -> None:
        """Refuse formulas: the value Excel shows may not be what the file stores."""
        try:
            with zipfile.ZipFile(self._path) as archive:
                member = self._first_sheet_member(archive)
                found = False
                with archive.open(member) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        if _FORMULA.search(tail + chunk):
                            found = True
                            break
                        tail = chunk[-8:]
                if not found:
                    return
                with archive.open(member) as fh:
                    for _event, element in ElementTree.iterparse(fh):
                        if element.tag.endswith("}c") and any(
                            child.tag.endswith("}f") for child in element
                        ):
                            ref = element.get("r", "")
                            letters = "".join(c for c in ref if c.isalpha())
                            number = int("".join(c for c in ref if c.isdigit()) or 0)
                            raise FileError(
                                f"第{number}行{letters}列是公式：请将公式复制后「选择性粘贴为数值」再导入",
                                row=number,
                            )
        except FileError:
            raise
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError):
            raise FileError(
                "xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
            ) from None

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        try:
            for cells in self._iter:
                self._row += 1
                yield self._row, cells
        except Exception:
            raise FileError(
                f"xlsx 文件第{self._row + 1}行附近已损坏，无法读取", row=self._row + 1
            ) from None

    def progress(self) -> tuple[int, int]:
        return (self._row, self._height)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._book.close()
