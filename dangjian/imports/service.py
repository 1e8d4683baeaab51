"""The import: one service behind the command, the web page and the API.

All-or-nothing by default: every row is validated and written inside one transaction, which
is rolled back if any row is wrong (or for a dry run), so that the counts and the changed
fields a dry run reports are exactly what the real import would do. With `skip_invalid`,
the valid rows are kept and the rejected ones go to the errors file with their reasons,
ready to be fixed and imported again (identity numbers in it are masked: the row number
leads back to the source file, docs/security.md).

A large file is read and parsed by a forked worker process while this one checks and writes
the rows before (`_Reader`): the same rows, in the same order, with the same errors.

One module of about 680 lines, on purpose: the transaction, the parse worker and the errors
file share the row numbering, the batch marks and the switches (`PARALLEL`, `BATCH_SIZE`)
that the tests and `bench/import_.py` set on this module; split, a switch set on one
module would silently miss the code in the other.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role, User
from dangjian.compliance.policy import in_force
from dangjian.core.version import bump
from dangjian.imports.base import Change, Context, Kind, Outcome, Row
from dangjian.imports.errors import CellError, FileError, RowError
from dangjian.imports.fields import Column, ExcelError, as_text, is_blank
from dangjian.imports.models import ImportBatch
from dangjian.imports.readers import open_table
from dangjian.imports.registry import KINDS
from dangjian.imports.table import Table
from dangjian.imports.writers import may_write
from dangjian.lib import bulk, sheets
from dangjian.lib.codes import mask_id_number, mask_id_numbers_in

BATCH_SIZE = 2000
# A file at least this large is read and parsed in a worker process while this one checks
# and writes what it has already parsed (on Linux, with more than one core): see _Reader.
PARALLEL_MIN_BYTES = 4 << 20
# None: a worker when the file is that large and a core is free; True or False: always or
# never (True still only where a process can fork safely).
PARALLEL: bool | None = None
KEEP_ERRORS = 10_000  # errors kept in memory for the result; the errors file has them all
KEEP_CHANGES = 1_000
# The mark that starts every cell of a template's hint row (skipped on import).
HINT_MARK = "【说明】"
# Columns the errors file adds, ignored when the fixed file is imported again.
ERRORS_FILE_COLUMNS = ("原行号", "错误原因")

# PostgreSQL's advisory lock that writing imports take in turn ("dangjian" as a number).
IMPORT_LOCK_KEY = int.from_bytes(b"dangjian", "big")
CONCURRENT_WRITE = "另一个导入或操作同时写入了相同的记录，本次没有写入任何数据：请稍后重新导入"

Progress = Callable[[int, int], None]
Prepare = Callable[[dict[str, Any]], Any]
# A column with no name in the header row.
UNNAMED = Column("", "", lambda raw: raw)


@dataclass
class ImportResult:
    kind: str
    file_name: str
    dry_run: bool
    skip_invalid: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    batch_id: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def written(self) -> bool:
        """Did anything reach the database?"""
        return self.batch_id is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "changes": [{"row": c.row, "key": c.key, "fields": c.fields} for c in self.changes],
            "batch": self.batch_id,
        }


def map_headers(headers: list[Any], kind: type[Kind]) -> tuple[list[Column | None], list[RowError]]:
    """Which column each position holds: Chinese name or English key, any order."""
    by_name: dict[str, Column] = {}
    for column in kind.columns:
        by_name[column.label] = column
        by_name[column.key] = column
    mapping: list[Column | None] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        # Chinese spreadsheets often write the parentheses full-width: 所在乡镇（街道）.
        name = as_text(header).lstrip("\ufeff").strip().replace("（", "(").replace("）", ")")
        if not name:
            mapping.append(UNNAMED)  # allowed only while every cell below it is empty
            continue
        if name in ERRORS_FILE_COLUMNS:
            mapping.append(None)
            continue
        found = by_name.get(name)
        if found is None:
            errors.append(
                RowError(
                    1,
                    "列名",
                    name,
                    f"未知的列，{kind.label}文件可用的列："
                    + "、".join(c.label for c in kind.columns),
                )
            )
            mapping.append(None)
            continue
        if found.key in seen:
            errors.append(
                RowError(1, "列名", name, f"与第{seen[found.key]}列重复（都是「{found.label}」）")
            )
        seen[found.key] = position
        mapping.append(found)
    for column in kind.columns:
        if column.required and column.key not in seen:
            errors.append(RowError(1, "列名", column.label, "缺少必填列"))
    return mapping, errors


class ErrorsFile:
    """The rejected rows as CSV (UTF-8 with BOM, for Excel; written by lib.sheets, so that
    no cell is a formula): the row number and the reasons first, then the row as it was,
    except that identity numbers are masked, in their column and wherever else they appear
    (the row number leads back to the source file)."""

    def __init__(
        self, path: Path | None, headers: list[Any], kind: type[Kind] | None = None
    ) -> None:
        self._fh = sheets.open_csv(path) if path else None
        if self._fh is not None:
            self._writer = sheets.CsvWriter(self._fh)
            kept = [as_text(h) for h in headers if as_text(h) not in ERRORS_FILE_COLUMNS]
            self._keep = [i for i, h in enumerate(headers) if as_text(h) not in ERRORS_FILE_COLUMNS]
            self._width = len(headers)
            columns = kind.columns if kind else ()
            personal = {n for c in columns if c.personal for n in (c.label, c.key)}
            self._personal = [
                n for n, h in enumerate(kept) if h.lstrip("\ufeff").strip() in personal
            ]
            self._writer.writerow([*ERRORS_FILE_COLUMNS, *kept])

    def write(self, number: int, cells: list[Any], errors: list[RowError]) -> None:
        if self._fh is None:
            return
        reasons = "；".join(str(e) for e in errors)
        row = [as_text(cells[i]) if i < len(cells) else "" for i in self._keep]
        row += [as_text(c) for c in cells[self._width :]]  # cells under no column name too
        for n in self._personal:
            if len(row[n]) >= 15 and row[n][:6].isdigit():  # as Row.error names it
                row[n] = mask_id_number(row[n])
        self._writer.writerow(
            [number, mask_id_numbers_in(reasons), *(mask_id_numbers_in(c) for c in row)]
        )

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _skipped(cells: list[Any]) -> bool:
    """A blank row, or the hint row of a template (every filled cell starts with the mark)."""
    for cell in cells:
        if not is_blank(cell) and not (isinstance(cell, str) and cell.startswith(HINT_MARK)):
            return False
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Parser:
    """Reads a row's cells into a Row: which column each position holds, worked out once for
    the file, and each cell given to its column's parser."""

    def __init__(
        self, mapping: list[Column | None], kind: type[Kind], prepare: Prepare | None = None
    ) -> None:
        self.prepare = prepare
        # A pure parser's values by cell text, per column (`fields.pure`): bounded, cleared
        # when full.
        self.named: list[tuple[int, Column, str, Any, bool, dict[str, Any] | None]] = [
            (position, column, column.key, column.parse, column.required,
             {} if getattr(column.parse, "pure", False) else None)
            for position, column in enumerate(mapping)
            if column is not None and column is not UNNAMED
        ]  # fmt: skip
        self.mapping = mapping
        self.template: dict[str, Any] = {column.key: None for column in kind.columns}
        self.positions = {column.key: position for position, column, *_ in self.named}
        # Rows no longer than this and without unnamed columns need no check for cells
        # outside the named columns.
        self.plain_width = len(mapping) if all(c is not UNNAMED for c in mapping) else -1

    def __call__(self, row_number: int, cells: list[Any]) -> tuple[Row, list[RowError]]:
        values = self.template.copy()
        errors: list[RowError] = []
        width = len(cells)
        for position, column, key, parse, required, memo in self.named:
            cell = cells[position] if position < width else None
            if memo is not None and type(cell) is str:
                value = memo.get(cell, _MISSING)
                if value is not _MISSING:
                    values[key] = value
                    continue
            if is_blank(cell):
                if required:
                    errors.append(RowError(row_number, column.label, "", "必填"))
                continue
            if type(cell) is ExcelError:
                errors.append(RowError(row_number, column.label, str(cell), cell.reason))
                continue
            try:
                value = parse(cell)
            except CellError as exc:
                shown = _shown(column, as_text(cell))
                errors.append(RowError(row_number, column.label, shown, str(exc)))
                continue
            values[key] = value
            if memo is not None and type(cell) is str:
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[cell] = value
        if width > self.plain_width:
            mapping = self.mapping
            for position in range(width):
                unnamed = position >= len(mapping) or mapping[position] is UNNAMED
                if unnamed and not is_blank(cells[position]):
                    errors.append(
                        RowError(
                            row_number,
                            f"第{position + 1}列",
                            mask_id_numbers_in(as_text(cells[position])[:50]),
                            "该列没有列名：请补上列名或删除该列内容",
                        )
                    )
        row = Row(row_number, cells, None, values, self.positions)
        if self.prepare is not None and not errors:
            row.prepared = self.prepare(values)
        return row, errors


_MISSING = object()
MEMO_SIZE = 50_000  # distinct texts remembered per column


def _shown(column: Column, text: str) -> str:
    """Identity numbers are named masked, even in error messages — also one typed into a
    column of another kind (a date, a name)."""
    if column.personal and len(text) >= 15 and text[:6].isdigit():
        return mask_id_number(text)
    return mask_id_numbers_in(text[:100])


@dataclass(frozen=True)
class _Mark:
    """In the stream of parsed rows: check and write the rows so far (after every
    BATCH_SIZE-th row without errors, and at the end), with the reader's progress there."""

    progress: tuple[int, int]
    end: bool = False


@dataclass(frozen=True)
class _Stop:
    """In a worker's stream: the file turned out to be unreadable here, or the worker failed."""

    error: RowError | None = None  # a FileError's
    crash: str = ""  # the traceback of anything else


_Item = tuple[int, list[Any], Row | None, list[RowError]]  # number, cells, row, parse errors


def _parsed(table: Table, parse: _Parser) -> Iterator[_Item | _Mark]:
    """The rows of the file in order, parsed (blank and hint rows left out), with the marks
    where the rows so far are checked and written."""
    good = 0
    for number, cells in table.rows():
        if _skipped(cells):
            continue
        row, errors = parse(number, cells)
        yield number, cells, (None if errors else row), errors
        if not errors:
            good += 1
            if good == BATCH_SIZE:
                good = 0
                yield _Mark(table.progress())
    yield _Mark(table.progress(), end=True)


def _parallel(path: Path) -> bool:
    """Is it worth reading the file in a worker process, and can we? Only where a process
    can fork safely: not in a process with other threads (a web server's), whose locks the
    copy would inherit held."""
    if PARALLEL is False or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.active_count() > 1:
        return False
    if PARALLEL:
        return True
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size >= PARALLEL_MIN_BYTES and _spare_core()


def _spare_core() -> bool:
    """Would the worker have a core to itself? Not on one core, nor while the machine is
    already busy (load average at least the cores less one half): the worker's share of the
    work then only adds its own cost (about a sixth more CPU in all, for handing the rows
    over), and the import is faster without it."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except OSError:
        return True
    return load < (cores or 1) - 0.5


def _area_of(user: User | None) -> Any:
    """The area an importer writes in: an officer's area, the registry's (its unit's) area;
    None for the system operator and for a secretary (whose rows the gate bounds)."""
    if user is None or not user.role:
        return None
    if user.role == Role.REGISTRY:
        return user.unit.area if user.unit is not None else None
    return user.area if user.area_id else None


class _Reader:
    """`_parsed`, run by a forked worker process that reads and parses the file while this
    process checks and writes the rows it already has: the same rows, errors and marks in the
    same order, so the import does exactly what it does without it. The worker works at most
    one message ahead (the pipe blocks), so memory does not grow with the file; it never
    touches the database."""

    def __init__(self, table: Table, parse: _Parser) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._positions = parse.positions
        self._process = context.Process(
            target=_read_in_worker,
            args=(send, self._receive, os.getpid(), table, parse),
            daemon=True,
        )
        gc.freeze()  # the worker's garbage collector leaves the inherited objects alone
        try:
            self._process.start()
        except BaseException:
            self._receive.close()
            raise
        finally:
            gc.unfreeze()
            send.close()

    @classmethod
    def start(cls, table: Table, parse: _Parser) -> _Reader | None:
        """A worker reading the rest of `table`, or None when none can be started (the file
        is then read here, as for a small file)."""
        try:
            return cls(table, parse)
        except OSError:  # no process to be had (limits, memory)
            return None

    def __iter__(self) -> Iterator[_Item | _Mark]:
        positions = self._positions
        while True:
            try:
                message = self._receive.recv_bytes()
            except EOFError:
                raise RuntimeError("导入文件的读取进程意外退出") from None
            for item in pickle.loads(message):
                if type(item) is tuple:
                    number, cells, values, errors, prepared = item
                    row = None
                    if values is not None:
                        row = Row(number, cells, None, values, positions, prepared)
                    yield number, cells, row, errors
                elif isinstance(item, _Mark):
                    yield item
                    if item.end:
                        return
                elif item.error is not None:
                    error = item.error
                    raise FileError(
                        error.message, row=error.row, column=error.column, value=error.value
                    )
                else:
                    raise RuntimeError(f"导入文件的读取进程出错：\n{item.crash}")

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _die_with_parent(parent: int) -> None:
    """End this process (SIGKILL) when `parent` ends, however it ends (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the broken pipe ends the worker
        pass
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


PR_SET_PDEATHSIG = 1


def _read_in_worker(
    send: Connection, receive: Connection, parent: int, table: Table, parse: _Parser
) -> None:
    """The worker: `_parsed` as messages, one at every mark (so, BATCH_SIZE rows and the
    rows refused on the way), and one whenever that many refused rows pile up. It ends with
    the importing process, or as soon as its pipe breaks (the reading end is that process's
    alone: closed here)."""
    _die_with_parent(parent)
    receive.close()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the importing process decides
    items: list[Any] = []

    def post() -> None:
        try:
            send.send_bytes(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the importing process has gone (or closed its end): so do we
            os._exit(1)
        items.clear()

    try:
        for item in _parsed(table, parse):
            if isinstance(item, _Mark):
                items.append(item)
                post()
                continue
            number, cells, row, errors = item
            if row is None:
                items.append((number, cells, None, errors, None))
            else:
                items.append((number, cells, row.values, errors, row.prepared))
            if len(items) > 2 * BATCH_SIZE:
                post()
    except FileError as exc:
        items.append(_Stop(error=exc.error))
        post()
    except BaseException:
        items.append(_Stop(crash=traceback.format_exc()))
        post()
    finally:
        send.close()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector runs less often while an import runs: a large import
    keeps hundreds of thousands of objects alive (the keys seen, the people named), which
    every collection of the oldest generation walks again, while the rows it makes are
    freed by their reference counts. Measured: a year of the province's dues 38 → 32 s
    (docs/benchmarks.md). The thresholds are restored afterwards."""
    global _importing, _thresholds
    with _gc_lock:
        if _importing == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(100_000, 50, 100)
        _importing += 1
    try:
        yield
    finally:
        with _gc_lock:
            _importing -= 1
            if _importing == 0:  # the last import of the process (threads: a web server)
                gc.set_threshold(*_thresholds)


_gc_lock = threading.Lock()
_importing = 0
_thresholds: tuple[int, ...] = gc.get_threshold()


def import_file(
    kind_name: str,
    path: Path,
    *,
    user: User | None = None,
    file_name: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import one file of `kind_name` (CONTRACT.md); see the module's docstring."""
    kind_cls = KINDS[kind_name]
    file_name = file_name or path.name
    run = _Run(kind_cls, ImportResult(kind_name, file_name, dry_run, skip_invalid), progress)
    if user is not None and not may_write(user, kind_name):
        # The pages and the API refuse first; this holds for every other caller too.
        run.reject(RowError(0, "", "", f"您无权写入「{kind_cls.label}」数据"))
        return run.result
    try:
        table = open_table(path, file_name)
    except FileError as exc:
        run.reject(exc.error)
        sink = ErrorsFile(errors_path, [])
        sink.write(exc.error.row, [], [exc.error])  # the file itself: its reason, in the file too
        sink.close()
        return run.result
    run.sink = ErrorsFile(errors_path, table.headers, kind_cls)
    try:
        with table:
            mapping, header_errors = map_headers(table.headers, kind_cls)
            if header_errors:
                for error in header_errors:
                    run.reject(error)
                run.sink.write(1, table.headers, header_errors)
                return run.result
            run.execute(table, mapping, user=user, path=path, today=today)
    except FileError as exc:  # found mid-file: the transaction has been rolled back
        run.reject(exc.error)
        run.sink.write(exc.error.row, [], [exc.error])
        run.result.batch_id = None
    except IntegrityError as exc:
        # Imports take turns (_writing_turn); a unique key that another writer (a page, the
        # admin) committed while this import waited for it is said so, not a traceback.
        if not _unique_violation(exc):
            raise
        error = RowError(0, "", "", CONCURRENT_WRITE)
        run.reject(error)
        run.sink.write(0, [], [error])
        run.result.batch_id = None
    finally:
        run.sink.close()
    return run.result


@contextlib.contextmanager
def _writing_turn() -> Iterator[None]:
    """The import's transaction, begun once no other import is writing: imports take turns,
    so that two imports of the same records never both insert them (the second finds them
    unchanged). On PostgreSQL an advisory lock taken first thing in the transaction; on
    SQLite the write lock itself (BEGIN IMMEDIATE), waited for as long. Beyond
    IMPORT_LOCK_WAIT_SECONDS the import says so (FileError) and writes nothing."""
    wait = int(getattr(settings, "IMPORT_LOCK_WAIT_SECONDS", 600))
    busy = FileError(
        f"另一个导入正在写入数据，等待{wait}秒后仍未结束，本次没有写入任何数据：请稍后重新导入"
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            previous = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA busy_timeout = {wait * 1000}")
        try:
            with contextlib.ExitStack() as stack:
                try:  # BEGIN IMMEDIATE: waits up to the busy timeout for the write lock
                    stack.enter_context(transaction.atomic())
                except OperationalError as exc:
                    if "locked" in str(exc) or "busy" in str(exc):
                        raise busy from None
                    raise
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {previous}")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('lock_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{wait}s"])
                try:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
                except OperationalError:
                    raise busy from None
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        yield


def _unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state == "23505" or "UNIQUE constraint failed" in str(exc)


class _Run:
    def __init__(self, kind_cls: type[Kind], result: ImportResult, progress: Progress | None):
        self.kind_cls = kind_cls
        self.result = result
        self.progress = progress
        self.sink = ErrorsFile(None, [])

    def reject(self, error: RowError) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < KEEP_ERRORS:
            self.result.errors.append(error)

    def reject_row(self, number: int, cells: list[Any], errors: list[RowError]) -> None:
        self.result.rejected += 1
        for error in errors:
            self.reject(error)
        self.sink.write(number, cells, errors)

    def execute(
        self,
        table: Table,
        mapping: list[Column | None],
        *,
        user: User | None,
        path: Path,
        today: dt.date | None,
    ) -> None:
        result, kind_cls = self.result, self.kind_cls
        now = timezone.now()
        with bulk.import_tuning(), _fewer_collections(), _writing_turn():
            batch = ImportBatch.objects.create(
                kind=kind_cls.name,
                file_name=result.file_name[:255],
                file_sha256=_sha256(path),
                user=user,
                started_at=now,
                skip_invalid=result.skip_invalid,
            )
            ctx = Context(
                today=today or timezone.localdate(),
                now=now,
                user_id=user.pk if user else None,
                reason=batch.history_reason,
                area=_area_of(user),
                gate=Jurisdiction(user) if user is not None else None,
                policy=in_force(today or timezone.localdate()),
            )
            kind = kind_cls(ctx)
            outcome = Outcome()
            chunk: list[Row] = []

            def flush(progress: tuple[int, int]) -> None:
                records = []
                for row, (record, errors) in zip(chunk, kind.check_many(chunk), strict=True):
                    if errors:
                        self.reject_row(row.number, row.cells, errors)
                    elif record is not None:
                        records.append(record)
                chunk.clear()
                if records:
                    outcome.add(kind.write(records))
                if self.progress:
                    self.progress(*progress)

            custom = type(kind).prepare is not Kind.prepare
            parse = _Parser(mapping, kind_cls, kind.prepare if custom else None)
            reader = _Reader.start(table, parse) if _parallel(path) else None
            total = 0
            try:
                for item in reader if reader is not None else _parsed(table, parse):
                    if isinstance(item, _Mark):
                        flush(item.progress)
                        total = item.progress[1]
                        continue
                    number, cells, row, errors = item
                    result.rows += 1
                    if row is None:
                        self.reject_row(number, cells, errors)
                        continue
                    chunk.append(row)
            finally:
                if reader is not None:
                    reader.close()
            late, held_errors = kind.finish()
            outcome.add(late)
            for row, errors in held_errors:
                self.reject_row(row.number, row.cells, errors)
            if self.progress:
                self.progress(total, total)
            result.created = outcome.created
            result.updated = outcome.updated
            result.unchanged = outcome.unchanged
            result.changes = outcome.changes[:KEEP_CHANGES]
            result.warnings = list(kind.warnings())[:KEEP_ERRORS]
            result.notes.extend(kind.notes())
            if result.dry_run or (result.error_count and not result.skip_invalid):
                transaction.set_rollback(True)
                return
            batch.finished_at = timezone.now()
            batch.rows = result.rows
            batch.created, batch.updated = result.created, result.updated
            batch.unchanged, batch.rejected = result.unchanged, result.rejected
            batch.save()
            bump()
            result.batch_id = batch.pk
