"""`dangjian backup FILE` / `dangjian backup --restore FILE`: SQLite online backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from dangjian.core.backup import BackupError, backup, restore
from dangjian.core.cli import CREATE, READY, DangjianCommand


class Command(DangjianCommand):
    help = "备份内置 SQLite 数据库（运行中在线备份），或用 --restore 从备份恢复"

    def database_need(self, options: dict[str, Any]) -> str | None:
        # A backup copies an initialised database; a restore may set up an empty one.
        return CREATE if options["restore"] else READY

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件")
        parser.add_argument("--restore", action="store_true", help="用该备份替换当前数据库")
        parser.add_argument("--yes", action="store_true", help="恢复时不再确认")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if options["restore"]:
                if not options["yes"]:
                    try:
                        answer = input(
                            f"将用「{path}」替换当前数据库，当前数据会丢失。确认请输入 yes："
                        )
                    except EOFError:  # nothing on stdin (a script): no confirmation
                        answer = ""
                        self.stdout.write("")
                    if answer.strip() != "yes":
                        raise CommandError("已取消", returncode=1)
                restore(path)
                self.stdout.write(f"已从「{path}」恢复数据库")
            else:
                pages = backup(path)
                self.stdout.write(f"已备份到「{path}」（{pages} 页）")
                self.stderr.write(
                    f"提醒：身份证号的加密密钥（{settings.DATA_KEY_FILE} 或 DANGJIAN_DATA_KEY）"
                    "须另行妥善备份，没有它无法读取身份证号。"
                )
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
