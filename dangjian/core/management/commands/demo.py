"""`dangjian demo [--scale city|province|national|N] [--seed N] [--no-serve]` (CONTRACT.md).

A thin wrapper over `dangjian.demo.generate`: generate, save and print the demo users,
then serve the web application unless `--no-serve`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser

from dangjian import demo
from dangjian.core.cli import CREATE, DangjianCommand, database_up_to_date


def _scale(value: str) -> demo.Scale:
    try:
        return demo.parse_scale(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(DangjianCommand):
    # What a newcomer types first: an empty or older database is set up (`dangjian init`).
    database = CREATE
    summary = "生成演示数据（长沙市、湖南省或全国规模）和各角色的演示用户，然后启动网站"
    help = (
        "生成可复现的演示数据（长沙市约8,000个社会组织，或 province / national / 指定数量），"
        "为每个角色创建一个演示用户并打印其密码，然后启动网站（--no-serve 则不启动）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=_scale,
            default=demo.SCALES["city"],
            help="规模：city（长沙市，约8,000个社会组织）、province（湖南省，约35,000个）、"
            "national（全国，约890,000个，宜用 PostgreSQL）或一个正整数（长沙市内的社会组织数）",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子（默认 1）：同一种子同一规模数据相同"
        )
        parser.add_argument("--no-serve", action="store_true", help="生成后不启动网站")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有数据时跳过生成并正常退出（make run 用），而不是报错退出",
        )
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="网站监听地址（默认 127.0.0.1:8000）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: demo.Scale = options["scale"]
        if not database_up_to_date():
            call_command("init", stdout=self.stdout, stderr=self.stderr)
        if options["if_empty"] and not demo.database_is_empty():
            self.stdout.write("数据库中已有数据，跳过演示数据生成。")
            self.show_saved_users()
            self.serve(options)
            return
        with self.progress(scale) as report:
            try:
                summary = demo.generate(scale, options["seed"], progress=report)
            except demo.DatabaseNotEmpty as exc:
                raise CommandError(str(exc), returncode=1) from None
        if summary.scale.name != "national":
            self.record_history()
        path = demo.write_users_file(summary.users)
        self.stdout.write("")
        self.stdout.write(f"演示用户（已保存到 {path}，仅文件所有者可读）：")
        self.stdout.write(demo.users_table(summary.users))
        self.stdout.write(summary.line())
        self.serve(options)

    def show_saved_users(self) -> None:
        """The demo users of this database, as saved beside it when it was generated."""
        path = demo.users_file_path()
        if path.exists():
            self.stdout.write(f"演示用户（保存在 {path}）：")
            self.stdout.write(path.read_text(encoding="utf-8"), ending="")
        else:
            self.stdout.write(
                f"没有该数据库的演示用户文件（{path}）：数据不是由 dangjian demo 生成的"
            )

    def record_history(self, months: int = 12) -> None:
        """Record the rules check at the end of each of the last months, so that the task list
        and its trend over time start with a history (the data carries its dates)."""
        from dangjian.compliance.engine import evaluate, record

        for n in range(months - 1, -1, -1):
            year, month = demo.DEMO_TODAY.year, demo.DEMO_TODAY.month - n
            while month <= 0:
                month, year = month + 12, year - 1
            day = demo.DEMO_TODAY if n == 0 else dt.date(year, month, 1) - dt.timedelta(days=1)
            record(evaluate(as_of=day))
        self.stdout.write(f"已记录最近 {months} 个月的政策规则检查（待办问题及其变化）")

    def serve(self, options: dict[str, Any]) -> None:
        if options["no_serve"]:
            return
        self.stdout.write(f"打开 http://{options['addrport']}/ 用上面的演示用户登录（Ctrl-C 停止）")
        # --insecure: let the demo serve its static files without DEBUG.
        call_command("runserver", options["addrport"], use_reloader=False, insecure_serving=True)

    @contextmanager
    def progress(self, scale: demo.Scale) -> Iterator[demo.Progress | None]:
        """A progress bar on a terminal; elsewhere nothing until the summary line."""
        if not sys.stdout.isatty() or self.stdout._out is not sys.stdout:
            yield None
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(f"生成演示数据（{scale.label}）", total=scale.orgs)

            def report(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            yield report
