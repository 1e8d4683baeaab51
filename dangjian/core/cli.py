"""The base of the project's commands: errors in plain Chinese, CONTRACT.md's exit codes
(0 success, 1 invalid input with nothing written, 2 usage error)."""

from __future__ import annotations

import sys
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
