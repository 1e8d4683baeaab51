"""What a user sees from the `dangjian` console script when something is wrong: an
uninitialised database, an output file that cannot be written, an input that is missing or
is not what its name says, an interrupted run, a usage error. Never a traceback: one Chinese
line and CONTRACT.md's exit code (1 invalid input, nothing written; 2 usage error; 130 an
interrupted run). Each case runs the real console script in a process of its own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from tests import factories
from tests.test_import_corpus import CORPUS_DIR, process_database

__all__ = ["process_database"]  # a fixture, used by name below

ROOT = Path(__file__).resolve().parent.parent
DANGJIAN = Path(sys.executable).parent / "dangjian"
UNINITIALISED = "数据库尚未初始化：请先运行 dangjian init"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PROJECT_COMMANDS = [
    "init",
    "user",
    "token",
    "demo",
    "import",
    "export",
    "check",
    "daily",
    "rules",
    "report",
    "plan",
    "backup",
]


def dangjian(
    *argv: str, url: str, var: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The console script, on the database `url`, its var files in `var`."""
    environ = {
        **os.environ,
        "DATABASE_URL": url,
        "DANGJIAN_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        **(env or {}),
    }
    return subprocess.run(
        [str(DANGJIAN), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=600,
    )


@dataclass
class Case:
    argv: list[str]
    code: int
    says: str = ""  # a fragment of the message
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)


def run_all(cases: list[Case], url: str, var: Path) -> list[str]:
    """Every case, a few at a time; what went wrong, one line each."""

    def one(case: Case) -> str | None:
        done = dangjian(*case.argv, url=url, var=var, stdin=case.stdin, env=case.env)
        err = done.stderr
        wrong = []
        if done.returncode != case.code:
            wrong.append(f"exit {done.returncode} (expected {case.code})")
        if "Traceback" in err or "Error:" in err or "error:" in err:
            wrong.append("a traceback or an English error")
        if not CHINESE.search(err):
            wrong.append("no Chinese message")
        if case.says and case.says not in err:
            wrong.append(f"no 「{case.says}」")
        if wrong:
            return f"dangjian {' '.join(case.argv)}: {', '.join(wrong)}\n{err[-1500:]}"
        return None

    # the first alone: it creates the keys in `var` (two processes at once would race)
    first = one(cases[0])
    with ThreadPoolExecutor(max_workers=3) as pool:
        return [w for w in [first, *pool.map(one, cases[1:])] if w]


@pytest.fixture
def ready(areas, process_database):
    """A migrated database with the sample divisions, usable by another process."""
    return process_database


# An uninitialised database ------------------------------------------------------------------


def test_every_command_answers_an_uninitialised_database_with_one_line(tmp_path):
    db = tmp_path / "empty.sqlite3"
    url = f"sqlite:///{db}"
    cases = [
        Case(["user", "add", "x", "--role", "city", "--area", "430100"], 1),
        Case(["token", "create", "x"], 1),
        Case(["token", "list", "x"], 1),
        Case(["import", "orgs", str(CORPUS_DIR / "orgs/valid.csv")], 1),
        Case(["export", "orgs"], 1),
        Case(["check"], 1),
        Case(["check", "--explain", "430102D001"], 1),
        Case(["report", "coverage"], 1),
        Case(["report", "org-building", "--format", "json"], 1),
        Case(["plan", "joint"], 1),
        Case(["backup", str(tmp_path / "b.sqlite3")], 1),
    ]

    def one(case: Case) -> str | None:
        done = dangjian(*case.argv, url=url, var=tmp_path / "var")
        if (done.returncode, done.stderr) != (1, UNINITIALISED + "\n"):
            return f"dangjian {' '.join(case.argv)}: exit {done.returncode}\n{done.stderr[-800:]}"
        return None

    wrong = [w for w in map(one, cases) if w]
    assert not wrong, "\n".join(wrong)
    assert not db.exists()  # no database file left behind
    assert not (tmp_path / "b.sqlite3").exists()


def test_an_empty_database_file_is_uninitialised_too(tmp_path):
    db = tmp_path / "empty.sqlite3"
    db.touch()
    done = dangjian("report", "coverage", url=f"sqlite:///{db}", var=tmp_path / "var")
    assert (done.returncode, done.stderr) == (1, UNINITIALISED + "\n")
    # the rule catalogue needs no database
    rules = dangjian("rules", url=f"sqlite:///{db}", var=tmp_path / "var")
    assert rules.returncode == 0 and "COV-STANDALONE" in rules.stdout, rules.stderr


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}"
    done = dangjian("init", url=url, var=tmp_path / "var")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "无法打开数据库" in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.slow
def test_demo_sets_an_empty_database_up_itself_and_keeps_its_users_beside_it(tmp_path):
    db = tmp_path / "first.sqlite3"
    var = tmp_path / "var"
    url = f"sqlite:///{db}"
    done = dangjian("demo", "--scale", "30", "--no-serve", url=url, var=var)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    users = tmp_path / "first.demo-users.txt"
    assert users.stat().st_mode & 0o777 == 0o600
    assert "city_admin" in users.read_text()
    assert str(users) in done.stdout
    assert not (var / "demo-users.txt").exists()
    # another database keeps its own users: the first database's file is untouched
    other = dangjian(
        "demo",
        "--scale",
        "20",
        "--seed",
        "2",
        "--no-serve",
        url=f"sqlite:///{tmp_path / 'b.db'}",
        var=var,
    )
    assert other.returncode == 0, other.stderr[-3000:]
    assert (tmp_path / "b.demo-users.txt").read_text() != users.read_text()
    assert users.read_text() in done.stdout
    # make run: on a database with data, demo --if-empty shows the users saved beside it
    again = dangjian("demo", "--no-serve", "--if-empty", url=url, var=var)
    assert again.returncode == 0, again.stderr[-3000:]
    assert users.read_text() in again.stdout
    # and the database is ready for every other command
    check = dangjian("check", "--format", "json", url=url, var=var)
    assert check.returncode == 0, check.stderr[-3000:]


def test_the_users_file_of_a_server_database_is_named_after_it(settings, tmp_path):
    from dangjian.demo import users_file_path

    settings.VAR_DIR = tmp_path
    postgres = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "dangjian",
        "HOST": "db.example",
        "PORT": 5433,
    }
    assert users_file_path(postgres) == tmp_path / "demo-users.db.example-5433-dangjian.txt"
    assert users_file_path({**postgres, "NAME": "other"}) != users_file_path(postgres)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/x/data.sqlite3"}
    assert users_file_path(sqlite) == Path("/srv/x/data.demo-users.txt")


# Files --------------------------------------------------------------------------------------


def test_no_command_prints_a_traceback_for_an_unwritable_output(ready, tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    sqlite = connection.vendor == "sqlite"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        Case(["check", "--format", "xlsx", "-o", str(missing / "t.xlsx")], 1, "目录"),
        Case(["check", "--format", "json", "-o", str(missing / "t.json")], 1, str(missing)),
        Case(["report", "org-building", "--format", "xlsx", "-o", str(missing / "t.xlsx")], 1),
        Case(["report", "coverage", "--format", "text", "-o", str(tmp_path)], 1, str(tmp_path)),
        Case(["plan", "joint", "--format", "xlsx", "-o", str(missing / "t.xlsx")], 1),
        Case(["export", "orgs", "-o", str(missing / "t.csv")], 1),
        Case(["export", "orgs", "--template", "-o", str(missing / "t.xlsx")], 1),
        Case(["backup", str(a_file / "b.sqlite3")], 1, str(a_file) if sqlite else "pg_dump"),
        Case(
            [
                "import",
                "orgs",
                str(CORPUS_DIR / "orgs/bad-date.csv"),
                "--errors",
                str(missing / "e.csv"),
            ],
            1,
        ),
    ]
    wrong = run_all(cases, ready, tmp_path / "var")
    assert not wrong, "\n".join(wrong)
    assert not missing.exists()


def test_no_command_prints_a_traceback_for_a_missing_or_wrong_input(ready, tmp_path):
    text = tmp_path / "orgs.xlsx"
    text.write_text("统一社会信用代码,名称\n", encoding="utf-8")
    cases = [
        Case(["import", "orgs", str(tmp_path / "none.csv")], 1, "none.csv"),
        Case(["import", "orgs", str(text)], 1, "xlsx"),
        Case(["import", "orgs", str(tmp_path)], 1),
        Case(["backup", "--restore", "--yes", str(tmp_path / "none.sqlite3")], 1),
        Case(["backup", "--restore", str(text)], 1, "已取消"),  # no answer on stdin
        Case(["backup", "--restore", "--yes", str(text)], 1),
        Case(["user", "add", "u", "--role", "city", "--area", "430100", "--password-stdin"], 1),
        Case(["token", "create", "nobody"], 1, "nobody"),
        Case(["check", "--explain", "NO-SUCH"], 1, "NO-SUCH"),
        Case(["plan", "apply", "999", "1", "--code", "X", "--name", "Y"], 1, "999"),
        Case(["report", "coverage", "--area", "999999"], 1, "999999"),
        Case(["export", "orgs", "--area", "999999"], 1, "999999"),
        Case(["rules"], 1, "none.toml", env={"DANGJIAN_POLICY_FILE": str(tmp_path / "none.toml")}),
        Case(["init", "--bogus"], 2),
        Case(["demo", "--scale", "huge", "--no-serve"], 2, "规模「huge」无效"),
    ]
    wrong = run_all(cases, ready, tmp_path / "var")
    assert not wrong, "\n".join(wrong)


def test_an_interrupted_command_says_so_in_one_line(ready, tmp_path):
    """Ctrl-C: one Chinese line and exit 130 (128 + SIGINT, as the shells report it)."""
    environ = {
        **os.environ,
        "DATABASE_URL": ready,
        "DANGJIAN_VAR_DIR": str(tmp_path / "var"),
    }
    # `backup --restore` waits for its confirmation: interrupt it there.
    process = subprocess.Popen(
        [str(DANGJIAN), "backup", "--restore", str(tmp_path / "b.sqlite3")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=environ,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen = ""
    while "确认" not in seen and time.monotonic() < deadline:
        seen += process.stdout.read(1)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "已中断"


# Usage and help -----------------------------------------------------------------------------


def test_usage_errors_are_in_chinese(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    cases = [
        Case(["user", "add", "x", "--role", "nobody"], 2, "无效的选项"),
        Case(["user"], 2, "缺少必需的参数"),
        Case(["report"], 2, "缺少必需的参数"),
        Case(["report", "nothing"], 2, "无效的选项"),
        Case(["check", "--bogus"], 2, "无法识别的参数：--bogus"),
        Case(["check", "--format"], 2, "需要一个值"),
        Case(["demo", "--seed", "x"], 2, "不是整数"),
        Case(["import"], 2, "缺少必需的参数"),
        Case(["nosuch"], 2, "未知命令「nosuch」"),
        Case(["chek"], 2, "check"),  # did you mean
    ]
    wrong = run_all(cases, url, tmp_path / "var")
    assert not wrong, "\n".join(wrong)


def test_help_lists_the_project_commands_in_chinese(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    done = dangjian("help", url=url, var=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^  (\S+)\s+(\S.*)$", done.stdout, re.M)
    assert sorted(name for name, _ in listed) == sorted(PROJECT_COMMANDS)
    for _name, description in listed:
        assert CHINESE.search(description)
    assert "runserver" not in done.stdout and "help --all" in done.stdout
    for argv in (["--help"], []):
        assert dangjian(*argv, url=url, var=tmp_path / "var").stdout == done.stdout
    everything = dangjian("help", "--all", url=url, var=tmp_path / "var")
    assert everything.returncode == 0
    for name in [*PROJECT_COMMANDS, "runserver", "migrate", "collectstatic", "db_worker"]:
        assert re.search(rf"^  {name}\b", everything.stdout, re.M), name


def test_help_of_one_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    for argv in (["help", "check"], ["check", "--help"]):
        done = dangjian(*argv, url=url, var=tmp_path / "var")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("用法：dangjian check")
        assert "--explain" in done.stdout and "显示本帮助并退出" in done.stdout
        assert "usage:" not in done.stdout and "show this help" not in done.stdout
    sub = dangjian("report", "coverage", "--help", url=url, var=tmp_path / "var")
    assert sub.stdout.startswith("用法：dangjian report coverage"), sub.stdout


def test_every_project_command_is_a_dangjian_command():
    from django.core.management import get_commands, load_command_class

    from dangjian.core.cli import DangjianCommand

    ours = {name: app for name, app in get_commands().items() if app.startswith("dangjian.")}
    assert sorted(ours) == sorted(PROJECT_COMMANDS)
    for name, app in ours.items():
        assert isinstance(load_command_class(app, name), DangjianCommand), name


def test_explain_names_the_covering_party_org_by_its_code(db):
    import io

    from django.core.management import call_command

    areas = factories.changsha_sample()
    org = factories.org(areas["wenyilu"], name="芙蓉区摄影协会")
    factories.party_org(areas["wenyilu"], covers=[org], code="430102D001", name="摄影协会党支部")
    out = io.StringIO()
    call_command("check", "--as-of", "2024-06-15", "--explain", org.uscc, stdout=out)
    line = next(s for s in out.getvalue().splitlines() if "覆盖党组织" in s)
    assert "430102D001" in line and "#" not in line, line
