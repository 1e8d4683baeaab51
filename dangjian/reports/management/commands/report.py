"""`dangjian report coverage|org-building [--as-of DATE] [--area CODE] [--format …] [-o FILE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dangjian.compliance.management.commands.check import parse_date
from dangjian.core.cli import DangjianCommand, add_user_argument, user_and_area
from dangjian.reports.coverage import coverage_report
from dangjian.reports.orgbuilding import COLUMN_LABELS, ROWS, org_building_report
from dangjian.reports.output import coverage_text, coverage_xlsx, org_building_xlsx


class Command(DangjianCommand):
    help = "统计报表：coverage 覆盖情况；org-building 社会组织法人单位建立党的基层组织情况"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        for name, formats, text in (
            ("coverage", ["json", "xlsx", "text"], "按区划统计覆盖情况（市、区县、乡镇街道）"),
            ("org-building", ["json", "xlsx", "text"], "社会组织法人单位建立党的基层组织情况"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--as-of", help="统计日期 YYYY-MM-DD（默认今天）")
            p.add_argument("--area", help="区划代码")
            p.add_argument("--format", choices=formats, default="text")
            p.add_argument("-o", "--output", type=Path, help="输出文件")
            add_user_argument(p)

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        user, area = user_and_area(options)
        fmt, out = options["format"], options["output"]
        if fmt == "xlsx" and out is None:
            raise CommandError("--format xlsx 须用 -o 指定输出文件", returncode=2)
        if options["report"] == "coverage":
            report = coverage_report(as_of=as_of, area=area, user=user)
            if fmt == "xlsx":
                coverage_xlsx(report, out)
            else:
                text = (
                    json.dumps(report["rows"], ensure_ascii=False, indent=2) + "\n"
                    if fmt == "json"
                    else coverage_text(report)
                )
                self._emit(text, out)
                if fmt == "json" and out is None:
                    # The rows keep CONTRACT's shape; the version beside them.
                    self.stderr.write(f"政策设置版本 {report['policy_version']}")
        else:
            report = org_building_report(as_of=as_of, area=area, user=user)
            if fmt == "xlsx":
                org_building_xlsx(report, out)
            elif fmt == "json":
                self._emit(json.dumps(report, ensure_ascii=False, indent=2) + "\n", out)
            else:
                self._emit(_org_building_text(report), out)
        if out is not None:
            self.stderr.write(f"已写入 {out}（政策设置版本 {report['policy_version']}）")

    def _emit(self, text: str, out: Path | None) -> None:
        if out is None:
            self.stdout.write(text, ending="")
        else:
            out.write_text(text, encoding="utf-8")


def _org_building_text(report: dict[str, Any]) -> str:
    from dangjian.compliance.output import pad, width

    lines = [
        "社会组织法人单位建立党的基层组织情况",
        f"{report['scope']}    统计截至：{report['as_of']}",
        "",
    ]
    label_width = max(width(label) for _k, label, _i in ROWS) + 2

    def right(text: str, size: int = 30) -> str:
        return " " * max(1, size - width(text)) + text

    lines.append(pad("项目", label_width) + "".join(right(c) for c in COLUMN_LABELS))
    for key, label, _indent in ROWS:
        cells = report["rows"][key]
        lines.append(pad(label, label_width) + "".join(right(str(n)) for n in cells))
    return "\n".join(lines) + "\n"
