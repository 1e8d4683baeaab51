"""`dangjian import KIND FILE [--dry-run] [--skip-invalid] [--errors FILE]` (CONTRACT.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from dangjian.core.cli import DangjianCommand, progress_bar
from dangjian.imports.registry import KINDS
from dangjian.imports.service import ImportResult, import_file

SHOW_ERRORS = 200


class Command(DangjianCommand):
    summary = "导入 CSV 或 xlsx 文件：社会组织、党组织、人员、班子成员、指导员"
    help = (
        "导入 CSV 或 xlsx 文件：orgs 社会组织、party-orgs 党组织、people 人员、"
        "committees 班子成员、instructors 指导员"
    )
    # No system checks: on SQLite, Django's JSONField check opens a transaction (BEGIN
    # IMMEDIATE), which would wait for an import that is writing and then report a false
    # error after 20 s; the import waits its turn itself (IMPORT_LOCK_WAIT_SECONDS).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="导入类别")
        parser.add_argument("file", type=Path, help=".csv（UTF-8 或 GB18030）或 .xlsx 文件")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查，显示将新增、更新、不变的行数，不写入"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="导入正确的行，有错误的行连同原因写入 --errors 文件",
        )
        parser.add_argument("--errors", type=Path, help="把有错误的行及原因写成 CSV 文件")
        parser.add_argument("--user", help="以该用户身份导入（记入变更历史，并按其管辖范围检查）")

    def handle(self, *args: Any, **options: Any) -> None:
        from dangjian.accounts.models import User

        if options["skip_invalid"] and not options["errors"]:
            raise CommandError(
                "使用 --skip-invalid 时须用 --errors 指定错误行文件，以免丢失未导入的行",
                returncode=2,
            )
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户「{options['user']}」不存在", returncode=2)
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}", returncode=1)
        with progress_bar(self.stdout, f"导入 {path.name}") as progress:
            result = import_file(
                options["kind"],
                path,
                user=user,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                errors_path=options["errors"],
                progress=progress,
            )
        self._report(result, options)
        if not result.ok and (not options["skip_invalid"] or not result.written):
            sys.exit(1)  # invalid input, and nothing written

    def _report(self, result: ImportResult, options: dict[str, Any]) -> None:
        out, err = self.stdout, self.stderr
        for error in result.errors[:SHOW_ERRORS]:
            err.write(str(error))
        if result.error_count > SHOW_ERRORS:
            err.write(
                f"……另有 {result.error_count - SHOW_ERRORS} 条错误"
                + (
                    f"，见 {options['errors']}"
                    if options["errors"]
                    else "（用 --errors 文件查看全部）"
                )
            )
        for warning in result.warnings[:SHOW_ERRORS]:
            err.write(f"提示：{warning}")
        for note in result.notes:
            out.write(note)
        counts = f"新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}"
        if result.dry_run:
            for change in result.changes:
                out.write(f"第{change.row}行 {change.key}：将更新 {'、'.join(change.fields)}")
            verdict = (
                "检查完成（未写入）"
                if result.ok
                else f"检查发现 {result.error_count} 处错误（未写入）"
            )
            out.write(f"{verdict}：{result.rows} 行数据，将{counts}")
        elif result.ok:
            out.write(f"导入完成（导入#{result.batch_id}）：{result.rows} 行数据，{counts}")
        elif result.skip_invalid and result.written:
            out.write(
                f"部分导入（导入#{result.batch_id}）：{result.rows} 行数据，{counts}；"
                f"{result.rejected} 行有错误未导入，已写入 {options['errors']}"
            )
        else:
            out.write(
                f"未导入：发现 {result.error_count} 处错误，没有写入任何数据。请改正后重新导入。"
            )
