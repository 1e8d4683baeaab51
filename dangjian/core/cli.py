"""The base of the project's commands: errors in plain Chinese, CONTRACT.md's exit codes
(0 success, 1 invalid input with nothing written, 2 usage error)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class DangjianCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if options.get("traceback") or not getattr(self, "_called_from_command_line", False):
                raise
            # Django would print "CommandError: …"; users read the message alone.
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)


@contextlib.contextmanager
def progress_bar(stream: Any, description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal; nothing (None) when the output is not one."""
    if not getattr(stream, "isatty", lambda: False)():
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def add_user_argument(parser: Any) -> None:
    parser.add_argument(
        "--user",
        help="以该用户身份运行：只涉及其管辖范围（省略则为系统本身，涉及全部数据）",
    )


def user_and_area(options: dict[str, Any]) -> tuple[Any, Any]:
    """The acting user (None: the system) and the area asked for, through the jurisdiction
    gate: an area outside the user's jurisdiction is reported exactly as a missing one."""
    from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
    from dangjian.accounts.models import User

    user = None
    if options.get("user"):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{options['user']}」不存在", returncode=2)
    area = None
    if options.get("area"):
        try:
            area = Jurisdiction(user).access_area(options["area"])
        except NotFound:
            raise CommandError(f"区划代码「{options['area']}」不存在", returncode=1) from None
    return user, area
