"""Findings as text (an aligned table) and as an Excel workbook."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from dangjian.areas.models import Area
from dangjian.compliance.engine import CheckResult
from dangjian.compliance.rules.base import RULES, SEVERITY_LABEL
from dangjian.lib import sheets
from dangjian.lib.bulk import key_batches

SUBJECT_LABEL = {
    "social_org": "社会组织",
    "party_org": "党组织",
    "person": "党员",
    "unit": "单位",
    "area": "区划",
}


def width(text: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def area_names(codes: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for batch in key_batches(sorted(codes)):
        names.update(Area.objects.filter(code__in=batch).values_list("code", "name"))
    return names


def as_text(result: CheckResult) -> str:
    names = area_names({f.area for f in result.findings})
    lines = [f"检查日期 {result.as_of}    政策设置版本 {result.policy_version}", ""]
    lines.append("各规则问题数：")
    for rule, count in result.summary.items():
        lines.append(f"  {pad(rule, 16)} {count:>7}  {RULES[rule].title}")
    lines.append(f"  {pad('合计', 16)} {len(result.findings):>7}")
    if result.findings:
        lines.append("")
        header = ["规则", "严重", "对象", "名称", "所在区划", "整改期限", "问题"]
        rows = [
            [
                f.rule,
                SEVERITY_LABEL[RULES[f.rule].severity],
                f.subject.key,
                f.subject.name,
                names.get(f.area, f.area),
                (f.due.isoformat() + ("（已逾期）" if f.due < result.as_of else ""))
                if f.due
                else "",
                f.message,
            ]
            for f in result.findings
        ]
        sizes = [
            min(40, max(width(h), *(width(r[i]) for r in rows))) for i, h in enumerate(header[:-1])
        ]
        lines.append(
            "  ".join(pad(h, s) for h, s in zip(header, [*sizes, 0], strict=True)).rstrip()
        )
        for row in rows:
            lines.append(
                "  ".join(pad(c, s) for c, s in zip(row, [*sizes, 0], strict=True)).rstrip()
            )
    return "\n".join(lines) + "\n"


def write_xlsx(result: CheckResult, path: Path) -> None:
    from openpyxl.styles import Font, PatternFill

    names = area_names({f.area for f in result.findings})
    book = sheets.workbook(write_only=True)
    summary = book.create_sheet("汇总")
    sheets.append(
        summary, [f"政策规则检查（{result.as_of}），政策设置版本 {result.policy_version}"]
    )
    sheets.append(summary, ["规则编号", "条款", "规则", "严重程度", "问题数"])
    for rule, count in result.summary.items():
        r = RULES[rule]
        sheets.append(summary, [rule, r.clause, r.title, SEVERITY_LABEL[r.severity], count])
    sheet = book.create_sheet("问题清单")
    overdue_fill = PatternFill("solid", fgColor="FDE2E2")
    header = [
        "规则编号", "条款", "严重程度", "对象类型", "对象编码", "对象名称", "所在区划代码",
        "所在区划", "问题", "整改要求", "整改期限", "是否逾期", "政策原文",
    ]  # fmt: skip
    sheets.append(sheet, header, font=Font(bold=True))
    for f in result.findings:
        spec = RULES[f.rule]
        overdue = f.due is not None and f.due < result.as_of
        row = sheets.cells(sheet, [
            f.rule, spec.clause, SEVERITY_LABEL[spec.severity], SUBJECT_LABEL[f.subject.type],
            f.subject.key, f.subject.name, f.area, names.get(f.area, ""), f.message, spec.action,
            f.due, "是" if overdue else "否", spec.quote,
        ])  # fmt: skip
        if overdue:
            for cell in row:
                cell.fill = overdue_fill
        sheet.append(row)
    sheets.save(book, path, policy_version=result.policy_version)
