"""Evidence attachments: the type is read from the content, never from the name; at most
10 MB; stored under tasks/ of the configured storage with a name nobody chose, and served
by no URL of its own."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangjian.tasks.files import MAX_BYTES, AttachmentKind, FileRefused, detect

# --- Real files, made here --------------------------------------------------------------------


def pdf_bytes(text: str = "test") -> bytes:
    """A one-page PDF 1.4, its cross-reference table pointing at each object."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes() -> bytes:
    """A 1×1 red PNG, with its chunks' CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """An 8×8 grey baseline JPEG: one block whose coefficients are all zero (the DC and
    AC tables each hold one code of one bit)."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    quantization = b"\x00" + bytes([1] * 64)
    frame = struct.pack(">BHHB", 8, 8, 8, 1) + bytes([1, 0x11, 0])
    one_code = bytes([1] + [0] * 15)
    huffman = b"\x00" + one_code + b"\x00" + b"\x10" + one_code + b"\x00"
    scan = bytes([1, 1, 0x00, 0, 63, 0])
    return (
        b"\xff\xd8"
        + segment(0xDB, quantization)
        + segment(0xC0, frame)
        + segment(0xC4, huffman)
        + segment(0xDA, scan)
        + b"\x3f"  # DC difference 0, then end of block; padded with ones
        + b"\xff\xd9"
    )


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>整改情况说明</w:t></w:r></w:p></w:body></w:document>"
)


def docx_bytes(*, macro: bool = False) -> bytes:
    """A minimal Word document (the three parts Word needs; python-docx is not a
    dependency of the project, and writes the same package)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr("word/document.xml", DOCUMENT)
        if macro:
            package.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["整改事项", "完成日期"])
    sheet.append(["配备专职党务工作者", "2026-03-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


ALLOWED = "PDF、JPG、PNG、DOCX、XLSX"


# --- What is accepted -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("整改报告.pdf", pdf_bytes(), AttachmentKind.PDF),
        ("现场照片.png", png_bytes(), AttachmentKind.PNG),
        ("现场照片.jpg", jpeg_bytes(), AttachmentKind.JPEG),
        ("会议记录.docx", docx_bytes(), AttachmentKind.DOCX),
        ("名单.xlsx", xlsx_bytes(), AttachmentKind.XLSX),
    ],
)
def test_it_accepts_each_allowed_type_by_its_content(name, content, kind):
    assert detect(upload(name, content)) == kind


def test_it_goes_by_the_content_not_the_name():
    assert detect(upload("照片.pdf", png_bytes())) == AttachmentKind.PNG
    assert detect(upload("报告", pdf_bytes())) == AttachmentKind.PDF
    assert detect(upload("名单.docx", xlsx_bytes())) == AttachmentKind.XLSX


def test_it_accepts_exactly_ten_megabytes():
    content = pdf_bytes() + b"%" * (MAX_BYTES - len(pdf_bytes()))
    assert len(content) == MAX_BYTES
    assert detect(upload("大文件.pdf", content)) == AttachmentKind.PDF


def test_it_reads_a_plain_binary_file_too():
    assert detect(io.BytesIO(pdf_bytes()), "报告.pdf") == AttachmentKind.PDF
    assert detect(ContentFile(png_bytes(), name="a.png")) == AttachmentKind.PNG


# --- What is refused ------------------------------------------------------------------------


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        detect(upload(name, content))
    (message,) = caught.value.messages
    return message


def test_it_refuses_a_program_renamed_as_pdf():
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    assert refusal("整改报告.pdf", program) == (
        f"文件「整改报告.pdf」的内容不是允许的类型（{ALLOWED}），而是Windows 可执行程序（EXE/DLL）"
    )


def test_it_refuses_text_renamed_as_pdf():
    assert refusal("说明.pdf", "这是一段文字，不是PDF。\n".encode()) == (
        f"文件「说明.pdf」的内容不是允许的类型（{ALLOWED}），而是纯文本"
    )


def test_it_refuses_ten_megabytes_and_one_byte():
    content = pdf_bytes() + b"%" * (MAX_BYTES + 1 - len(pdf_bytes()))
    assert refusal("大文件.pdf", content) == (
        "文件「大文件.pdf」大小为 10,485,761 字节（约 10.0 MB），"
        "超过每个附件 10 MB（10,485,760 字节）的上限"
    )


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("空.pdf", b"", None),
        (
            "旧版.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "旧版 Office 文档（DOC/XLS）或加密的 Office 文档",
        ),
        ("动图.gif", b"GIF89a" + b"\x00" * 50, "GIF 图片"),
        ("宏.docx", docx_bytes(macro=True), "含有宏的 Word 文档（DOCM）"),
        ("压缩包.docx", b"", "ZIP 压缩包（不是 Word 或 Excel 文档）"),
        ("坏的.xlsx", b"PK\x03\x04" + b"\x00" * 60, "损坏的 ZIP 压缩包"),
        (
            "随机.png",
            bytes(range(128, 256)) * 4,
            "无法识别的内容（开头字节为 80 81 82 83 84 85 86 87）",
        ),
    ],
)
def test_it_names_what_it_found(name, content, found):
    if name == "压缩包.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as package:
            package.writestr("readme.txt", "hello")
        content = buffer.getvalue()
    message = refusal(name, content)
    if found is None:
        assert message == f"文件「{name}」是空文件"
    else:
        assert message == f"文件「{name}」的内容不是允许的类型（{ALLOWED}），而是{found}"


def test_the_name_in_a_message_is_the_files_own_without_folders():
    message = refusal("C:\\Users\\张三\\桌面\\说明.pdf", b"plain text")
    assert message.startswith("文件「说明.pdf」")


def test_the_signatures_are_real_files():
    """The test files are what they claim: a PDF ends with its EOF marker and a table
    pointing at its objects, a PNG's chunks carry their CRCs, an xlsx opens."""
    from openpyxl import load_workbook

    pdf = pdf_bytes()
    assert pdf.rstrip().endswith(b"%%EOF")
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")
    png = png_bytes()
    length = struct.unpack(">I", png[8:12])[0]
    assert (
        zlib.crc32(png[12 : 16 + length]) == struct.unpack(">I", png[16 + length : 20 + length])[0]
    )
    book = load_workbook(io.BytesIO(xlsx_bytes()))
    assert book.active["A2"].value == "配备专职党务工作者"
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as package:
        assert "整改情况说明" in package.read("word/document.xml").decode()
    jpeg = jpeg_bytes()
    assert jpeg.startswith(b"\xff\xd8\xff") and jpeg.endswith(b"\xff\xd9")


# --- Stored, and never served without the gate ------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def task_and_users(areas):
    from tests.test_tasks import world_task

    return world_task(areas)


def test_an_attachment_is_stored_under_tasks_with_a_name_nobody_chose(media, task_and_users):
    from dangjian.tasks.services import task_attach

    task, users = task_and_users
    attachment = task_attach(
        user=users["secretary"], task=task, file=upload("../../etc/照片.pdf", png_bytes())
    )
    attachment.refresh_from_db()
    assert attachment.original_name == "照片.pdf"
    assert attachment.kind == AttachmentKind.PNG
    assert attachment.size == len(png_bytes())
    stored = Path(str(attachment.file.name))
    assert stored.parts[:2] == ("tasks", str(task.pk))
    assert stored.suffix == ".png"
    assert "照片" not in stored.name
    on_disk = media / stored
    assert on_disk.read_bytes() == png_bytes()
    event = task.events.get(action="attach")
    assert event.text == "上传附件「照片.pdf」（PNG，69 字节）"
    assert event.attachment == attachment


def test_a_refused_file_writes_nothing(media, task_and_users):
    from dangjian.tasks.models import Attachment
    from dangjian.tasks.services import TaskError, task_attach

    task, users = task_and_users
    with pytest.raises(TaskError) as caught:
        task_attach(user=users["secretary"], task=task, file=upload("a.pdf", b"MZ" + b"\0" * 64))
    assert caught.value.messages == [
        f"文件「a.pdf」的内容不是允许的类型（{ALLOWED}），而是Windows 可执行程序（EXE/DLL）"
    ]
    assert not Attachment.objects.exists()
    assert not task.events.filter(action="attach").exists()
    assert not (media / "tasks").exists() or not any((media / "tasks").rglob("*.*"))


def test_no_url_serves_an_attachment(client, media, task_and_users):
    from dangjian.tasks.services import task_attach

    task, users = task_and_users
    attachment = task_attach(user=users["secretary"], task=task, file=upload("r.pdf", pdf_bytes()))
    client.force_login(users["secretary"])
    for url in (f"/{attachment.file.name}", f"/media/{attachment.file.name}"):
        assert client.get(url).status_code == 404


def test_an_attachment_is_found_only_through_the_gate(media, task_and_users):
    from dangjian.accounts.jurisdiction import NotFound
    from dangjian.tasks.selectors import attachment_get
    from dangjian.tasks.services import task_attach

    task, users = task_and_users
    attachment = task_attach(user=users["secretary"], task=task, file=upload("r.pdf", pdf_bytes()))
    assert attachment_get(users["wenyilu"], attachment.pk) == attachment
    assert attachment_get(users["secretary"], str(attachment.pk)) == attachment
    for who in ("outsider", "supervisor"):
        with pytest.raises(NotFound, match="附件不存在"):
            attachment_get(users[who], attachment.pk)
    with pytest.raises(NotFound, match="附件不存在"):
        attachment_get(users["wenyilu"], attachment.pk + 1000)
    with pytest.raises(NotFound, match="附件不存在"):
        attachment_get(users["wenyilu"], "../x")
