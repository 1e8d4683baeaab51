"""Imports in processes of their own (issue 12, items 9 and 10): two imports of the same
records at once, on a file database (SQLite) and on PostgreSQL, wait their turn instead of
failing with a traceback; and the parse worker of an import killed with `kill -9` ends with
it instead of living on, blocked on its pipe, with the database files open."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.service import IMPORT_LOCK_KEY
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests import importing
from tests.importing import write_csv

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def process_database(areas, tmp_path):
    """The test database with the areas and the registries, where other processes can use
    it: on SQLite a file copy of the (in-memory) test database, on PostgreSQL the test
    database itself (committed to; emptied after the test by pytest-django)."""
    unit_ensure_registries(under=areas["city"])
    if connection.vendor == "sqlite":
        path = tmp_path / "process.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")  # as the settings open it (a write lock)
        copy.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def org_file(path: Path, rows: int) -> Path:
    return write_csv(
        path,
        [
            importing.org_row(make_uscc(f"51430102MJJ{n:06d}"), f"芙蓉区书法协会{n}")
            for n in range(1, rows + 1)
        ],
        kind="orgs",
    )


def organizations(url: str) -> int:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute("SELECT COUNT(*) FROM orgs_socialorganization").fetchone()[0]
    return SocialOrganization.objects.count()


def console(url: str, *argv: object, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dangjian")), *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **kw.get("env", {})},  # type: ignore[dict-item]
    )


# --- Two imports at once (item 9) --------------------------------------------------------------


def test_two_imports_of_the_same_records_at_once_take_turns(process_database, tmp_path):
    """Both start together and overlap: the second waits for the first, then finds its rows
    unchanged; no traceback, nothing lost, nothing twice."""
    rows = 4000
    path = org_file(tmp_path / "orgs.csv", rows)
    runs = [console(process_database, "import", "orgs", path) for _ in range(2)]
    done = [run.communicate(timeout=180) for run in runs]
    for run, (out, err) in zip(runs, done, strict=True):
        assert "Traceback" not in err, err[-2000:]
        assert run.returncode == 0, (out, err)
    summaries = sorted(
        re.sub(r"导入#\d+", "导入#N", out.strip().splitlines()[-1]) for out, _ in done
    )
    assert summaries == [
        f"导入完成（导入#N）：{rows} 行数据，新增 0，更新 0，未变化 {rows}",
        f"导入完成（导入#N）：{rows} 行数据，新增 {rows}，更新 0，未变化 0",
    ]
    assert organizations(process_database) == rows


def test_an_import_that_waits_too_long_says_so(process_database, tmp_path):
    """The wait has a bound (IMPORT_LOCK_WAIT_SECONDS): beyond it, a Chinese message and exit
    1, nothing written. The turn is held meanwhile by this test, as a writing import holds it:
    SQLite's write lock, PostgreSQL's advisory lock of the imports."""
    path = write_csv(
        tmp_path / "small.csv",
        [importing.org_row(make_uscc("51430102MJJ900001"), "芙蓉区围棋协会")],
        kind="orgs",
    )
    with holding_the_turn(process_database):
        started = time.monotonic()
        run = console(
            process_database, "import", "orgs", path, env={"IMPORT_LOCK_WAIT_SECONDS": "1"}
        )
        _out, err = run.communicate(timeout=120)
        assert time.monotonic() - started > 1
    assert "Traceback" not in err, err[-2000:]
    assert run.returncode == 1
    assert err.strip() == (
        "文件: 另一个导入正在写入数据，等待1秒后仍未结束，本次没有写入任何数据：请稍后重新导入"
    )
    assert organizations(process_database) == 0
    # Once the turn is free, the same import goes through.
    run = console(process_database, "import", "orgs", path, env={"IMPORT_LOCK_WAIT_SECONDS": "1"})
    assert run.wait(timeout=120) == 0
    assert organizations(process_database) == 1


def test_a_record_another_writer_commits_meanwhile_is_a_message_not_a_traceback(
    process_database, areas, tmp_path
):
    """A writer that is not an import (a page, the admin) does not take the imports' turn:
    on PostgreSQL the import's INSERT waits for that writer's uncommitted row with the same
    key, and fails once it commits. The import says so and writes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the import waits for the lock instead")
    from django.db import transaction

    from tests import factories

    uscc = make_uscc("51430102MJJ900002")
    path = write_csv(
        tmp_path / "orgs.csv",
        [
            importing.org_row(make_uscc("51430102MJJ900001"), "芙蓉区围棋协会"),
            importing.org_row(uscc, "芙蓉区象棋协会"),
        ],
        kind="orgs",
    )
    with transaction.atomic():
        org = factories.org(areas["wenyilu"], name="芙蓉区象棋协会")
        SocialOrganization.objects.filter(pk=org.pk).update(uscc=uscc)
        run = console(process_database, "import", "orgs", path)
        deadline = time.monotonic() + 60
        while not import_waits_for_a_row_lock():
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    _out, err = run.communicate(timeout=120)
    assert "Traceback" not in err, err[-2000:]
    assert run.returncode == 1
    assert err.strip() == (
        "文件: 另一个导入或操作同时写入了相同的记录，本次没有写入任何数据：请稍后重新导入"
    )
    assert SocialOrganization.objects.count() == 1


def import_waits_for_a_row_lock() -> bool:
    """Is a session waiting for a lock? (pg_locks is live; pg_stat_activity would be a
    snapshot taken once in this test's transaction.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
        return bool(cursor.fetchone()[0])


@contextlib.contextmanager
def holding_the_turn(url: str) -> Iterator[None]:
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            db.execute("ROLLBACK")
            db.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_KEY])


# --- The parse worker ends with its import (item 10) -------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with (task / "children").open() as fh:
            found += [int(c) for c in fh.read().split()]
    return found


def alive(pid: int) -> bool:
    """Running (or stopped), not gone nor a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="Linux /proc")
def test_the_parse_worker_dies_with_its_import(process_database, tmp_path):
    path = org_file(tmp_path / "orgs.csv", 30_000)
    driver = (
        "import sys, django\n"
        "django.setup()\n"
        "from dangjian.imports import service\n"
        "from django.core.management import call_command\n"
        "service.PARALLEL = True  # a worker whatever the file's size and the machine's load\n"
        "call_command('import', 'orgs', sys.argv[1])\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", driver, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": process_database,
            "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        },
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers:
        assert run.poll() is None, run.communicate()[1][-2000:]
        assert time.monotonic() < deadline
        workers = children(run.pid)
        time.sleep(0.01)
    time.sleep(0.3)  # the worker well under way, ahead of its parent
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    ended = time.monotonic() + 2
    while any(alive(w) for w in workers) and time.monotonic() < ended:
        time.sleep(0.02)
    left = [w for w in workers if alive(w)]
    for worker in left:
        os.kill(worker, signal.SIGKILL)
    assert not left, "the parse worker outlived its import"
