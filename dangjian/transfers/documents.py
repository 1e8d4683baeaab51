"""The 组织关系介绍信 of a transfer as a Word file (.docx, A4, one page): the stub (存根),
kept by the issuing Party organization, then a cut line, then the letter the member takes
to the receiving one. Both carry the letter's number, the member's name, gender, age,
ethnicity (not recorded: a blank to fill in by hand), identity number (masked unless the
caller asks for it whole — the view decides, as the exports do: `may_unmask`), Party
status on the day of issue (正式 / 预备), from and to, the validity and the date.

The layout (GB/T 9704 margins, 仿宋 text, 宋体 title) is the minutes' (`dangjian.life.documents`).
The caller passes a transfer found through the jurisdiction gate."""

from __future__ import annotations

import io
from typing import Any

from dangjian.life.documents import DOCX_CONTENT_TYPE, SONG, _run, _setup, chinese_date
from dangjian.transfers.models import Transfer

VALID_DAYS = 30  # 有效期 printed on the letter
BLANK = "＿＿＿＿"

__all__ = ["DOCX_CONTENT_TYPE", "VALID_DAYS", "letter_docx", "letter_facts"]


def _age(transfer: Transfer) -> int:
    born, on = transfer.person.birth_date, transfer.issued_on
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def letter_facts(transfer: Transfer, *, unmask: bool = False) -> dict[str, str]:
    """What the stub and the letter say, as text."""
    person = transfer.person
    membership = getattr(person, "membership", None)
    formal = membership is not None and membership.is_formal(transfer.issued_on)
    return {
        "number": transfer.letter_no or BLANK,
        "name": person.name,
        "gender": person.get_gender_display(),
        "age": str(_age(transfer)),
        "ethnicity": BLANK,
        "id_number": person.id_number if unmask else person.id_masked,
        "status": "正式" if formal else "预备",
        "from": transfer.from_party_org.name,
        "to": transfer.destination,
        "date": chinese_date(transfer.issued_on),
        "valid": str(VALID_DAYS),
    }


def _paragraph(document: Any, text: str, *, center: bool = False, right: bool = False,
               size: float = 14, bold: bool = False, font: str | None = None,
               indent: bool = False, after: float = 4) -> Any:  # fmt: skip
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.line_spacing = 1.25
    kwargs: dict[str, Any] = {"size": size, "bold": bold}
    if font:
        kwargs["font"] = font
    _run(paragraph, text, **kwargs)
    return paragraph


def letter_docx(transfer: Transfer, *, unmask: bool = False) -> bytes:
    """The letter with its stub, as .docx bytes."""
    from docx import Document

    f = letter_facts(transfer, unmask=unmask)
    document = Document()
    _setup(document, f"中国共产党党员组织关系介绍信（{f['name']}）")
    who = (
        f"{f['name']}同志（{f['gender']}，{f['age']}岁，{f['ethnicity']}族，"
        f"公民身份号码 {f['id_number']}）系中共{f['status']}党员"
    )
    # 存根
    _paragraph(document, "中国共产党党员组织关系介绍信（存根）", center=True, size=18,
               font=SONG, bold=True)  # fmt: skip
    _paragraph(document, f"编号：{f['number']}", right=True)
    _paragraph(document, f"{who}，组织关系由{f['from']}转到{f['to']}。", indent=True)
    _paragraph(document, f"有效期 {f['valid']} 天", indent=True)
    _paragraph(document, f["date"], right=True, after=10)
    # the cut line, the number over it
    _paragraph(document, f"- - - - - - - - - - 编号：{f['number']} - - - - - - - - - -",
               center=True, size=12, after=10)  # fmt: skip
    # 介绍信
    _paragraph(document, "中国共产党党员组织关系介绍信", center=True, size=22, font=SONG,
               bold=True)  # fmt: skip
    _paragraph(document, f"编号：{f['number']}", right=True)
    _paragraph(document, f"{f['to']}：")
    _paragraph(document, f"兹介绍{who}，组织关系由{f['from']}转去你处，请接洽。", indent=True)
    _paragraph(document, f"（有效期 {f['valid']} 天）", indent=True, after=16)
    seal = f["from"] if f["from"].startswith("中共") else f"中共{f['from']}"
    _paragraph(document, f"{seal}（盖章）", right=True)
    _paragraph(document, f["date"], right=True, after=16)
    _paragraph(document, "党员联系电话：＿＿＿＿＿＿　　党员党费缴纳至：＿＿年＿＿月", size=12)
    _paragraph(document, "转出党组织联系电话：＿＿＿＿＿＿", size=12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
