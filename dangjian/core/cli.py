"""The base of the project's commands: errors in plain Chinese, CONTRACT.md's exit codes
(0 success, 1 invalid input with nothing written, 2 usage error, 130 interrupted).

Whatever goes wrong for a user — an uninitialised database, a file that cannot be opened, a
usage error, Ctrl-C — is one Chinese line on stderr, never a traceback (`--traceback` shows
one, for developers). See docs/deployment.md, "Command line".
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

UNINITIALISED = "数据库尚未初始化：请先运行 dangjian init"
INTERRUPTED = "已中断"
# 128 + SIGINT, what a shell reports for a program ended by Ctrl-C: a script can tell an
# interrupted run from invalid input (1). Transactions in progress are rolled back.
EXIT_INTERRUPTED = 130

# Database needs (DangjianCommand.database):
READY = "ready"  # a migrated database; an uninitialised one is answered with UNINITIALISED
CREATE = "create"  # the command creates or initialises the database itself (init, demo)


class DangjianCommand(BaseCommand):
    database: str | None = READY
    # Options naming a file the command writes: checked before any work is done.
    output_options: tuple[str, ...] = ("output", "errors")
    # The one line `dangjian help` shows (default: `help`).
    summary: str = ""

    def database_need(self, options: dict[str, Any]) -> str | None:
        """What this run needs of the database (READY, CREATE or None)."""
        return self.database

    def check_outputs(self, options: dict[str, Any]) -> None:
        for name in self.output_options:
            if isinstance(options.get(name), Path):
                check_writable(options[name])

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        localise_parser(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        if options.get("traceback") or not getattr(self, "_called_from_command_line", False):
            self.check_outputs(options)
            return super().execute(*args, **options)
        try:
            self.check_outputs(options)
            need = self.database_need(options)
            if need is not None:
                check_database(create=need == CREATE)
            return super().execute(*args, **options)
        except KeyboardInterrupt:
            self.stderr.write(INTERRUPTED)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            error = user_error(exc)
            if error is None:
                raise
            # Django would print "CommandError: …"; users read the message alone.
            self.stderr.write(str(error))
            # What the failed work left half-done (openpyxl's writer of a file that could not
            # be opened) complains when collected at exit: the user has read why already.
            sys.unraisablehook = lambda _unraisable: None
            sys.exit(error.returncode)


def user_error(exc: BaseException) -> CommandError | None:
    """The CommandError a user should read for `exc`; None for a bug (a traceback)."""
    from django.db import DatabaseError

    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, OSError):
        return CommandError(file_error_message(exc), returncode=1)
    if isinstance(exc, DatabaseError):
        message = database_error_message(exc)
        return None if message is None else CommandError(message, returncode=1)
    return None


_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中有一部分不是目录",
    errno.EEXIST: "文件已存在",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ETXTBSY: "文件正被使用",
}


def file_error_message(exc: OSError) -> str:
    """ "无法打开文件「path」：reason", naming the directory when it is the one missing."""
    reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    if exc.filename is None:
        return f"文件读写失败：{reason}"
    path = Path(str(exc.filename))
    if exc.errno == errno.ENOENT and path.parent != path and not path.parent.exists():
        return f"无法打开文件「{path}」：目录「{path.parent}」不存在"
    if exc.errno == errno.ENOTDIR:
        above = next((p for p in path.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            return f"无法打开文件「{path}」：「{above}」是文件，不是目录"
    return f"无法打开文件「{path}」：{reason}"


def check_writable(path: Path) -> None:
    """Refuse an output file that cannot be written, before the work that would fill it."""
    parent = path.parent
    if path.is_dir():
        raise CommandError(f"无法写入「{path}」：这是一个目录，不是文件", returncode=1)
    if not parent.exists():
        raise CommandError(f"无法写入「{path}」：目录「{parent}」不存在", returncode=1)
    if not parent.is_dir():
        raise CommandError(f"无法写入「{path}」：「{parent}」不是目录", returncode=1)
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CommandError(f"无法写入「{path}」：没有写入权限", returncode=1)


_MISSING_SCHEMA = re.compile(
    r"no such (table|column)|relation .* does not exist|column .* does not exist", re.I
)


def database_error_message(exc: Exception) -> str | None:
    """The message for a database error a user can do something about; None for a bug."""
    from django.db import OperationalError, ProgrammingError

    text = str(exc)
    if isinstance(exc, OperationalError | ProgrammingError) and _MISSING_SCHEMA.search(text):
        return UNINITIALISED  # or a database older than the code: init migrates it
    if not isinstance(exc, OperationalError):
        return None
    if "database is locked" in text:
        return "数据库正被其他程序占用（database is locked），请稍后重试"
    return connection_error_message(exc)


def connection_error_message(exc: Exception) -> str:
    from django.db import connection

    s = connection.settings_dict
    text = str(exc).strip()
    if connection.vendor == "sqlite":
        name = s["NAME"]
        if "unable to open" in text:
            parent = Path(str(name)).parent
            reason = f"目录「{parent}」不存在" if not parent.exists() else "没有访问权限"
            return f"无法打开数据库文件「{name}」：{reason}"
        return f"数据库文件「{name}」出错：{text.splitlines()[0] if text else exc!r}"
    where = f"{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{s.get('NAME')}"
    if m := re.search(r'database "([^"]+)" does not exist', text):
        reason = f"数据库「{m.group(1)}」不存在，请先创建"
    elif "password authentication failed" in text or "no password supplied" in text:
        reason = "用户名或密码错误"
    elif "Connection refused" in text or "could not connect" in text.lower():
        reason = "数据库服务没有响应"
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else repr(exc)
    return f"无法连接数据库 {where}：{reason}（请检查 DATABASE_URL）"


def check_database(*, create: bool = False) -> None:
    """Raise the user's CommandError unless the database can be used: connected, and (unless
    the command creates it) initialised. Cheap: one introspection query; a SQLite file that
    does not exist is not even opened (which would leave an empty file behind)."""
    from django.db import DatabaseError, connection

    if not create and not _sqlite_file_exists():
        raise CommandError(UNINITIALISED, returncode=1)
    try:
        connection.ensure_connection()
        if not create and not database_initialised():
            raise CommandError(UNINITIALISED, returncode=1)
    except DatabaseError as exc:
        raise CommandError(connection_error_message(exc), returncode=1) from None


def _sqlite_file_exists() -> bool:
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or name.startswith("file:"):
        return True  # a server, or an in-memory database
    return Path(name).exists()


def database_initialised() -> bool:
    """Whether `dangjian init` ran on this database (its migrations table exists)."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return _sqlite_file_exists() and MigrationRecorder(connection).has_table()


def database_up_to_date() -> bool:
    """Whether every migration is applied (loads the migration files: about 0.1 s)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if not database_initialised():
        return False
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


# Usage errors and help in Chinese ---------------------------------------------------------


class ChineseHelpFormatter(DjangoHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class DangjianParser(CommandParser):
    """Django's CommandParser, with argparse's English error messages in Chinese."""

    def error(self, message: str) -> Any:
        text = translate_usage_error(message)
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}：{text}（用法：{self.prog} --help）\n")
        raise CommandError(f"参数错误：{text}", returncode=2)


# Django's own options, which every command has.
BASE_OPTION_HELP = {
    "help": "显示本帮助并退出",
    "version": "显示版本号并退出",
    "verbosity": "输出的详细程度：0 最少，1 正常，2 详细，3 非常详细",
    "settings": "Django 设置模块，例如 dangjian.settings（默认取环境变量 DJANGO_SETTINGS_MODULE）",
    "pythonpath": "加入 Python 模块搜索路径的目录",
    "traceback": "出错时显示完整的调用栈（供开发人员排查）",
    "no_color": "不使用彩色输出",
    "force_color": "总是使用彩色输出",
    "skip_checks": "跳过系统检查",
}


def localise_parser(parser: argparse.ArgumentParser) -> None:
    """Chinese headings, help of Django's own options and error messages, for the parser and
    its subcommands' parsers (Django builds them as CommandParsers)."""
    if type(parser) is CommandParser:
        parser.__class__ = DangjianParser
    parser.formatter_class = ChineseHelpFormatter
    parser._positionals.title = "位置参数"
    parser._optionals.title = "选项"
    for action in parser._actions:
        if action.option_strings and action.dest in BASE_OPTION_HELP:
            action.help = BASE_OPTION_HELP[action.dest]
        if isinstance(action, argparse._SubParsersAction):
            if action.metavar is None:
                action.metavar = "{" + ",".join(action.choices) + "}"
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                sub.description = sub.description or helps.get(name)
                localise_parser(sub)


def _quoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f"「{value}」"


_TYPE_NAMES = {"int": "整数", "float": "数字"}

_USAGE_ERRORS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"invalid choice: (.+) \(choose from (.+)\)", re.S),
        lambda m: (
            f"无效的选项{_quoted(m[1])}，可选：{m[2].replace(chr(39), '').replace(', ', '、')}"
        ),
    ),
    (
        re.compile(r"unknown parser (.+) \(choices: (.+)\)", re.S),
        lambda m: f"无效的选项{_quoted(m[1])}，可选：{m[2].replace(', ', '、')}",
    ),
    (
        re.compile(r"the following arguments are required: (.+)", re.S),
        lambda m: f"缺少必需的参数：{m[1]}",
    ),
    (re.compile(r"unrecognized arguments: (.+)", re.S), lambda m: f"无法识别的参数：{m[1]}"),
    (re.compile(r"expected one argument"), lambda m: "需要一个值"),
    (re.compile(r"expected at most one argument"), lambda m: "最多只能给一个值"),
    (re.compile(r"expected at least one argument"), lambda m: "至少需要一个值"),
    (re.compile(r"expected (\d+) arguments?"), lambda m: f"需要 {m[1]} 个值"),
    (
        re.compile(r"invalid (\S+) value: (.+)", re.S),
        lambda m: f"{_quoted(m[2])}不是{_TYPE_NAMES.get(m[1], '有效的值')}",
    ),
    (re.compile(r"not allowed with argument (.+)", re.S), lambda m: f"不能与参数 {m[1]} 同时使用"),
    (re.compile(r"ignored explicit argument (.+)", re.S), lambda m: f"不接受值{_quoted(m[1])}"),
    (
        re.compile(r"ambiguous option: (\S+) could match (.+)", re.S),
        lambda m: f"选项 {m[1]} 有歧义，可能是：{m[2]}",
    ),
    (
        re.compile(r"one of the arguments (.+) is required", re.S),
        lambda m: f"须给出以下参数之一：{m[1]}",
    ),
    (re.compile(r"unexpected option string: (.+)", re.S), lambda m: f"意外的选项：{m[1]}"),
]


def translate_usage_error(message: str) -> str:
    """argparse's message in Chinese; one it does not know (the project's own, already in
    Chinese, from a type= function) unchanged."""
    m = re.fullmatch(r"argument (.+?): (.*)", message, re.S)
    if m:
        name, inner = m[1], translate_usage_error(m[2])
        return inner if name.startswith("{") else f"参数 {name}：{inner}"
    for pattern, chinese in _USAGE_ERRORS:
        if found := pattern.fullmatch(message.strip()):
            return chinese(found)
    return message


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
