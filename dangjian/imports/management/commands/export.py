"""`dangjian export KIND [--area CODE] [--unmask] [--template] [-o FILE]` (CONTRACT.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser

from dangjian.core.cli import DangjianCommand, add_user_argument, user_and_area
from dangjian.imports.export import write_export, write_template
from dangjian.imports.registry import KINDS


class Command(DangjianCommand):
    help = "导出数据（与导入文件的列相同），或用 --template 生成空白导入模板"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="导出类别")
        parser.add_argument("--area", help="区划代码：只导出该区划内的数据")
        parser.add_argument(
            "--unmask", action="store_true", help="导出完整的公民身份号码（记入审计日志）"
        )
        parser.add_argument("--template", action="store_true", help="生成空白导入模板")
        parser.add_argument(
            "-o", "--output", type=Path, help="输出文件：.csv 或 .xlsx（省略则输出 CSV 到屏幕）"
        )
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        kind, out = options["kind"], options["output"]
        if options["template"]:
            write_template(kind, out or sys.stdout)
            if out:
                self.stderr.write(f"已生成{KINDS[kind].label}导入模板：{out}")
            return
        user, area = user_and_area(options)
        try:
            count = write_export(
                kind, out or sys.stdout, area=area, unmask=options["unmask"], user=user
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=1) from None
        if out:
            self.stderr.write(f"已导出{KINDS[kind].label} {count} 行：{out}")
