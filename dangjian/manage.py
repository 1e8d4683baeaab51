"""The `dangjian` console script: Django's manage.py under the project's name, in Chinese.

`dangjian help` lists the project's own commands with one line each (`help --all` adds
Django's); an unknown command is a usage error (exit 2); Ctrl-C is one line (exit 130).
"""

import os
import signal
import sys
from difflib import get_close_matches
from typing import Any

# The project's commands in the order a newcomer meets them (`dangjian help`); a command
# missing here is listed after them.
ORDER = [
    "init",
    "demo",
    "user",
    "token",
    "import",
    "export",
    "check",
    "daily",
    "rules",
    "report",
    "plan",
    "backup",
]


def _utility_class() -> Any:
    from django.core.management import ManagementUtility, get_commands, load_command_class
    from django.core.management.color import color_style

    class Utility(ManagementUtility):
        show_all = False

        def execute(self) -> None:
            self.show_all = self.argv[1:2] == ["help"] and "--all" in self.argv[2:]
            if self.argv[1:2] == ["check"]:
                # `check --settings REVISED.toml` names a policy file, not Django's settings
                # module, which Django's own first reading of the line would take it for.
                self.argv = [
                    self.argv[0],
                    "check",
                    *(
                        "--revised-settings" + a[len("--settings") :]
                        if a == "--settings" or a.startswith("--settings=")
                        else a
                        for a in self.argv[2:]
                    ),
                ]
            super().execute()

        def project_commands(self) -> dict[str, str]:
            commands = {
                name: app for name, app in get_commands().items() if app.startswith("dangjian.")
            }
            rank = {name: i for i, name in enumerate(ORDER)}
            return dict(sorted(commands.items(), key=lambda c: (rank.get(c[0], len(ORDER)), c[0])))

        def main_help_text(self, commands_only: bool = False) -> str:
            if commands_only or self.settings_exception is not None:
                return str(super().main_help_text(commands_only))
            ours = self.project_commands()
            width = max(map(len, ours)) + 2
            lines = [
                "社会组织党建工作管理系统（长办发〔2015〕2号）的命令行。",
                f"用法：{self.prog_name} 命令 [参数]",
                "",
                "命令：",
            ]
            for name, app in ours.items():
                command = load_command_class(app, name)
                summary = getattr(command, "summary", "") or command.help
                lines.append(f"  {name.ljust(width)}{summary.splitlines()[0]}")
            lines += [
                "",
                f"查看一个命令的用法：{self.prog_name} help 命令（或 {self.prog_name} 命令 --help）",
            ]
            if not self.show_all:
                lines.append(
                    f"Django 及其组件的命令（开发服务器、数据库迁移等）：{self.prog_name} help --all"
                )
                return "\n".join(lines)
            lines += ["", "Django 及其组件的命令（说明为英文）："]
            by_app: dict[str, list[str]] = {}
            for name, app in get_commands().items():
                if name not in ours:
                    label = "django" if app == "django.core" else app.rpartition(".")[-1]
                    by_app.setdefault(label, []).append(name)
            style = color_style()
            for label in sorted(by_app):
                lines += ["", style.NOTICE(f"[{label}]")]
                lines += [f"  {name}" for name in sorted(by_app[label])]
            return "\n".join(lines)

        def fetch_command(self, subcommand: str) -> Any:
            commands = get_commands()
            if subcommand not in commands:
                matches = get_close_matches(subcommand, commands)
                hint = f"，是否要用 {self.prog_name} {matches[0]}？" if matches else "。"
                sys.stderr.write(
                    f"未知命令「{subcommand}」{hint}（{self.prog_name} help 列出全部命令）\n"
                )
                sys.exit(2)
            return super().fetch_command(subcommand)

    return Utility


def main() -> None:
    # Piped into `head` and the like: end quietly, as command-line tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from dangjian.core.cli import EXIT_INTERRUPTED, INTERRUPTED

    try:
        _utility_class()(sys.argv).execute()
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
