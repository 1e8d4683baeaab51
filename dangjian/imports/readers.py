"""Reading an import file — CSV (UTF-8 with or without BOM, or GB18030, detected) or xlsx —
as a stream of rows, with a clear Chinese error for every way a file can be broken.

Rows are numbered as a spreadsheet numbers them: the header is row 1, and blank rows count
(they are skipped, but the numbers of the rows after them stay those the user sees).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dangjian.imports.errors import FileError
from dangjian.imports.table import BLANK_HEADER, EMPTY, Table
from dangjian.imports.xlsx import XlsxTable
from dangjian.lib.sheets import csv_unquote_row

CSV_FIELD_LIMIT = 131072  # characters in one cell; more means a broken file
SNIFF_BYTES = 65536
XLSX_MAGIC = b"PK\x03\x04"


def open_table(path: Path, name: str | None = None) -> Table:
    """Open `path`; its content decides how it is read. The file name `name` (the user's
    original one) only words the message when an Excel name holds something else."""
    name = name or path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise FileError(f"无法打开文件「{name}」：{exc.strerror}") from None
    if not head:
        raise FileError(EMPTY)
    if head.startswith(XLSX_MAGIC):
        return XlsxTable(path)
    if head.startswith(OLE2_MAGIC):
        raise FileError("这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入")
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        if _looks_like_text(head):
            raise FileError(
                "文件扩展名是 Excel，但内容是文本（CSV）而不是 .xlsx：请将扩展名改为 .csv，"
                "或在 Excel 中另存为 .xlsx 后再导入"
            )
        raise FileError("文件扩展名是 Excel，但内容不是有效的 .xlsx 文件（文件可能已损坏）")
    return CsvTable(path, head)


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A line longer than this (bytes) cannot be a row of an import file: refused before it is
# decoded, so that a file without line breaks is not read into memory whole.
MAX_LINE_BYTES = 16 << 20
ENCODING_LABEL = {"utf-8": "UTF-8", "gb18030": "GB18030"}
_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
_BYTES_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
READ_BYTES = 1 << 16


def _looks_like_text(head: bytes) -> bool:
    start = head[:4096]
    start = start[: max(start.rfind(b"\n"), start.rfind(b"\r")) + 1] or start
    return b"\x00" not in head and _decide_encoding(start) is not None


def _decide_encoding(line: bytes) -> str | None:
    """The encoding of a file whose first 64 KiB are plain ASCII, from its first line that
    is not: UTF-8 if it decodes as such (GB18030 text almost never does), else GB18030."""
    for encoding in ("utf-8", "gb18030"):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _sniff_encoding(head: bytes) -> tuple[str | None, int]:
    """(encoding, bytes to skip) from the first bytes; None while they are plain ASCII."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError(
            "文件是 UTF-16 编码（Excel 的「Unicode 文本」）：请在 Excel 中另存为"
            "「CSV UTF-8（逗号分隔）」或 .xlsx 后再导入"
        )
    if b"\x00" in head:
        raise FileError(
            "文件含有二进制内容，不是文本格式的 CSV："
            "请上传 .csv（UTF-8 或 GB18030 编码）或 .xlsx 文件"
        )
    if len(head) == SNIFF_BYTES:  # the rest of the last line may start a character
        head = head[: max(head.rfind(b"\n"), head.rfind(b"\r")) + 1]
    if head.isascii():
        return None, 0  # decided by the first line that is not
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", 0
    first = next(line for line in _BYTES_LINE.findall(head) if not line.isascii())
    if _is_utf8_chinese(first):
        return "utf-8", 0  # UTF-8 and then rows of another encoding: named by their row
    try:
        first.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError(
            "无法识别文件编码：请将文件另存为 UTF-8 编码的 CSV，或直接上传 .xlsx"
        ) from None
    return "gb18030", 0


def _is_utf8_chinese(line: bytes) -> bool:
    """UTF-8 with Chinese in it: GB18030 bytes (almost) never are."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text)


class _DecodeError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class CsvTable(Table):
    """A CSV file, decoded line by line: a line that is not in the file's encoding (a row
    pasted from a file of another encoding) is named by its row, exactly."""

    def __init__(self, path: Path, head: bytes) -> None:
        self.encoding, skip = _sniff_encoding(head)
        self._raw = path.open("rb")
        self._raw.seek(skip)
        self._size = path.stat().st_size
        self._row = 0
        csv.field_size_limit(CSV_FIELD_LIMIT)
        self._reader = csv.reader(self._lines(), strict=False)
        try:
            header = self._next()
            if header is None or not any(cell.strip() for cell in header):
                if header is not None and any(
                    any(cell.strip() for cell in row) for _number, row in self.rows()
                ):
                    raise FileError(BLANK_HEADER)
                raise FileError(EMPTY)
        except BaseException:
            self.close()
            raise
        self.headers = header

    def _lines(self) -> Iterator[str]:
        """The file's lines, decoded. A line ends in \\r\\n, \\n or a lone \\r (old Excel
        for Mac); neither byte occurs inside a UTF-8 or GB18030 character, so a block cut
        after one decodes on its own."""
        read = self._raw.read
        parts: list[bytes] = []  # a line longer than a block, so far
        size = 0
        while block := read(READ_BYTES):
            while block.endswith(b"\r") and (extra := read(1)):
                block += extra  # never split a \r\n between two blocks
            cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1
            if not cut:
                parts.append(block)
                size += len(block)
                if size > MAX_LINE_BYTES:
                    raise _DecodeError(
                        f"有一行超过{MAX_LINE_BYTES >> 20}MB，文件可能已损坏（例如引号不成对）"
                    )
                continue
            lines = b"".join([*parts, block[:cut]]) if parts else block[:cut]
            parts, size = ([block[cut:]], len(block) - cut) if cut < len(block) else ([], 0)
            yield from self._decode_lines(lines)
        if parts:
            yield from self._decode_lines(b"".join(parts))

    def _decode_lines(self, data: bytes) -> Iterator[str]:
        if self.encoding is None and data.isascii():
            yield from _TEXT_LINE.findall(data.decode("ascii"))
            return
        if self.encoding is not None:
            try:
                text = data.decode(self.encoding)
            except UnicodeDecodeError:
                pass
            else:
                yield from _TEXT_LINE.findall(text)
                return
        # Line by line: to decide the encoding, or to name the line that is not in it.
        for line in _BYTES_LINE.findall(data):
            yield self._decode(line)

    def _decode(self, line: bytes) -> str:
        if self.encoding is None:
            if line.isascii():
                return line.decode("ascii")
            self.encoding = _decide_encoding(line)
            if self.encoding is None:
                raise _DecodeError(
                    "无法识别该行的编码：请将文件另存为 UTF-8 编码的 CSV，或直接上传 .xlsx"
                )
        try:
            return line.decode(self.encoding)
        except UnicodeDecodeError:
            raise _DecodeError(
                f"文件编码不一致：该行不是{ENCODING_LABEL[self.encoding]}编码"
                "（文件可能由不同来源拼接而成）。请将整个文件另存为 UTF-8 编码后再导入"
            ) from None

    def _next(self) -> list[str] | None:
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except _DecodeError as exc:
            raise FileError(exc.message, row=self._row + 1) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileError(
                    f"有单元格超过{CSV_FIELD_LIMIT}个字符，文件可能已损坏（例如引号不成对）",
                    row=self._row + 1,
                ) from None
            raise FileError(f"不是有效的 CSV：{exc}", row=self._row + 1) from None
        self._row += 1
        return row

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        while (row := self._next()) is not None:
            # Take off the apostrophe our own CSV files put before formula-like text.
            yield self._row, csv_unquote_row(row)

    def progress(self) -> tuple[int, int]:
        try:
            return (self._raw.tell(), self._size)
        except (OSError, ValueError):
            return (0, self._size)

    def close(self) -> None:
        self._raw.close()
