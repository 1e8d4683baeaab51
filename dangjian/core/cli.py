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
