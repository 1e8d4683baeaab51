"""`dangjian daily [--schedule]`: the full check of the day, recorded (once a day: a
second run the same day does nothing), then the due-soon reminders and the e-mail digests
(tasks/digest.py; each sent once). With `--schedule`, queue it for the background
worker instead, which then runs it every day (`make run`; docs/deployment.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from dangjian.compliance import live, tasks
from dangjian.core.cli import DangjianCommand
from dangjian.tasks import digest


class Command(DangjianCommand):
    help = "每日政策规则全面检查（记录待办的变化）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="交由后台任务每日自动运行（make run 使用）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = tasks.schedule()
            self.stdout.write("已安排每日检查" if queued else "每日检查已在后台任务队列中")
            return
        run = live.daily_check()
        if run is None:
            self.stdout.write("今天的检查已记录，无需重复")
        else:
            self.stdout.write(
                f"已记录 {run.as_of} 的检查：新发现 {run.opened} 项，已解决 {run.resolved} 项，"
                f"未解决 {run.open} 项"
            )
        reminders, mails = digest.daily()
        self.stdout.write(f"到期提醒 {reminders} 条，提醒邮件 {mails} 封")
