"""Evidence attachments: what a file is, by its content, never by its name.

Accepted: PDF, JPG, PNG, DOCX, XLSX, at most `MAX_BYTES` each. DOCX and XLSX are zip
packages: one is accepted when its directory names `[Content_Types].xml` and the main part
of a Word document (`word/document.xml`) or of a workbook (`xl/workbook.xml`), and no macros
(`vbaProject.bin`). Nothing is decompressed: the zip's central directory is all we read.
Anything else is refused with a message naming the file and what it was found to be.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = "PDF、JPG、PNG、DOCX、XLSX"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"


class AttachmentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPG"
    PNG = "png", "PNG"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"


# The extension a stored file gets: the one of what it is, whatever it was called.
EXTENSIONS = {
    AttachmentKind.PDF: ".pdf",
    AttachmentKind.JPEG: ".jpg",
    AttachmentKind.PNG: ".png",
    AttachmentKind.DOCX: ".docx",
    AttachmentKind.XLSX: ".xlsx",
}

# Other contents, named in the refusal (their leading bytes).
KNOWN = [
    (b"MZ", "Windows 可执行程序（EXE/DLL）"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（DOC/XLS）或加密的 Office 文档"),
    (b"GIF8", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"RIFF", "RIFF 文件（WEBP 图片、WAV 音频或 AVI 视频）"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "GZIP 压缩包"),
    (b"{\\rtf", "RTF 文档"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
]


class FileRefused(ValidationError):
    """The file is not one we keep: the message names it and what it was found to be."""


def display_name(name: str | None) -> str:
    """The file's own name, without any folder a browser or a caller put before it."""
    base = PurePath((name or "").replace("\\", "/")).name
    return base[:200] or "（未命名文件）"


def human_size(size: int) -> str:
    """12 字节, 3.4 KB, 5.6 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def detect(file: IO[bytes] | Any, name: str | None = None) -> AttachmentKind:
    """The kind of `file` (a Django `File` or any seekable binary file), read from its
    content; raises `FileRefused` for anything else. Leaves the file at its start."""
    shown = display_name(name if name is not None else getattr(file, "name", ""))
    size = size_of(file)
    if size > MAX_BYTES:
        raise FileRefused(
            f"文件「{shown}」大小为 {size:,} 字节（约 {size / 1024 / 1024:.1f} MB），"
            f"超过每个附件 10 MB（{MAX_BYTES:,} 字节）的上限"
        )
    if size == 0:
        raise FileRefused(f"文件「{shown}」是空文件")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(PDF_SIGNATURE):
        return AttachmentKind.PDF
    if head.startswith(PNG_SIGNATURE):
        return AttachmentKind.PNG
    if head.startswith(JPEG_SIGNATURE):
        return AttachmentKind.JPEG
    if head.startswith(ZIP_SIGNATURE):
        kind, found = _office(file)
        file.seek(0)
        if kind is not None:
            return kind
    else:
        found = _describe(file, head)
    raise FileRefused(f"文件「{shown}」的内容不是允许的类型（{ALLOWED}），而是{found}")


def size_of(file: Any) -> int:
    """The file's size in bytes: what the upload handler counted, or measured."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, 2)
    end = int(file.tell())
    file.seek(0)
    return end


def _office(file: Any) -> tuple[AttachmentKind | None, str]:
    """(the kind, "") of a Word document or workbook; (None, what it is) otherwise."""
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None, "损坏的 ZIP 压缩包"
    if "[Content_Types].xml" not in names:
        return None, "ZIP 压缩包（不是 Word 或 Excel 文档）"
    if "word/document.xml" in names:
        if "word/vbaProject.bin" in names:
            return None, "含有宏的 Word 文档（DOCM）"
        return AttachmentKind.DOCX, ""
    if "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names:
            return None, "含有宏的 Excel 工作簿（XLSM）"
        return AttachmentKind.XLSX, ""
    if "ppt/presentation.xml" in names:
        return None, "PowerPoint 演示文稿（PPTX）"
    return None, "其他 Office Open XML 文件（不是 Word 或 Excel 文档）"


def _describe(file: Any, head: bytes) -> str:
    for signature, what in KNOWN:
        if head.startswith(signature):
            return what
    file.seek(0)
    sample = file.read(4096)
    file.seek(0)
    if _is_text(sample):
        return "纯文本"
    shown = " ".join(f"{b:02X}" for b in head[:8])
    return f"无法识别的内容（开头字节为 {shown}）"


def _is_text(sample: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            # The sample may end inside a character: judge what comes before it.
            try:
                text = sample[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return False
