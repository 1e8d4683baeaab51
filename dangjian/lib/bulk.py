"""Set-based writes for large imports and generated data: one statement per batch, with the
change history written by the database from the rows it just stored.

The ORM's `bulk_create` builds a model instance per row; at tens of thousands of rows per
second that is most of the cost. These helpers take plain tuples in the model's own field
order and write them with `executemany`; the history rows are copied by an
`INSERT … SELECT` from the main table, so the history is exactly what was stored.
Reads (`fetch`, `fetch_many`) are plain SQL too, with the ORM's own converters, so that
they return what `values_list` would, without compiling a query per batch.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from dangjian.lib import changes

Adapter = Callable[[Any], Any]
_MAX_PARAMS = 900  # well under SQLite's limit on bound parameters
# The page cache of an import's transaction on SQLite (KiB): the indexes an import inserts
# into are touched at random, and with SQLite's default of 2 MiB the pages are written out
# and read back again and again. It is a ceiling, taken as pages are needed and given back
# after the import; it bounds the import's memory whatever the size of the file.
IMPORT_CACHE_KIB = 64 * 1024


def key_batches(keys: Sequence[Any], reserve: int = 100) -> Iterator[list[Any]]:
    """`keys` in as few lists as the database takes in one `IN (…)` with `reserve` other
    parameters beside it: one list on PostgreSQL (the driver binds on the client), lists
    of SQLite's own limit there (32,766 by default) — so that a query over a set of keys
    does not become more queries as the data grows."""
    limit = connection.features.max_query_params
    size = len(keys) if limit is None else max(limit - reserve, 1)
    for start in range(0, len(keys), size or 1):
        yield list(keys[start : start + size])


def _identity(value: Any) -> Any:
    return value


def adapters(model: type[models.Model], fields: Sequence[str]) -> list[Adapter]:
    """Per-field converters from Python values to what the database driver takes.

    Only date-times and JSON need one: dates go to the driver as they are (psycopg takes `date`, and
    Django registers the ISO-text adapter for `date` with sqlite3, which is what
    `adapt_datefield_value` would give)."""
    ops = connection.ops
    out: list[Adapter] = []
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            out.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.JSONField):
            out.append(functools.partial(field.get_db_prep_save, connection=connection))
        else:
            out.append(_identity)
    return out


def _params(convert: Sequence[Adapter], rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """The rows as the driver takes them: as they are unless a field needs its adapter."""
    special = [(i, f) for i, f in enumerate(convert) if f is not _identity]
    width = len(convert)
    out = rows if isinstance(rows, list) else list(rows)
    for row in out:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} fields: {row!r}")
    if not special:
        return out
    converted: list[Sequence[Any]] = []
    for row in out:
        values = list(row)
        for i, f in special:
            values[i] = f(values[i])
        converted.append(values)
    return converted


def _column(model: type[models.Model], name: str) -> str:
    column = model._meta.get_field(name).column  # type: ignore[union-attr]
    assert column is not None
    return str(column)


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.column)


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [_column(model, name) for name in fields]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def import_tuning() -> Iterator[None]:
    """Inside an import's transaction: on SQLite, a larger page cache (IMPORT_CACHE_KIB)
    for as long as it lasts. Nothing that touches durability or locking is changed."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


IdRange = tuple[int, int]


def _max_pk(model: type[models.Model]) -> int:
    pk = _q(_pk_column(model))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {_q(model._meta.db_table)}")
        found = cursor.fetchone()[0]
    return int(found or 0)


def insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> IdRange | None:
    """INSERT the rows (tuples in `fields` order, Python values).

    On SQLite inside a transaction, returns the range of primary keys the rows received,
    (after, last]: the transaction holds the only write lock and the keys are allocated in
    order, so no other row can fall in it; `record_history` takes it instead of the keys.
    Otherwise (PostgreSQL, where other sessions draw on the same sequence) None.

    On PostgreSQL the rows go in with COPY: the same constraints and defaults as INSERT, a
    fraction of the round trips and parsing."""
    params = _params(adapters(model, fields), rows)
    if not params:
        return None
    columns = ", ".join(_q(c) for c in _columns(model, fields))
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {_q(model._meta.db_table)} ({columns}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(copy_sql) as copy,
        ):
            for row in params:
                copy.write_row(row)
        return None
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {_q(model._meta.db_table)} ({columns}) VALUES ({marks})"
    ranged = connection.vendor == "sqlite" and connection.in_atomic_block
    before = _max_pk(model) if ranged else 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    if not ranged:
        return None
    last = _max_pk(model)
    if last - before < len(params):  # cannot happen while the transaction holds the lock
        raise RuntimeError(f"{model._meta.db_table}: fewer new keys than rows inserted")
    return (before, last)


def insert_objects(model: type[models.Model], objs: list[Any]) -> None:
    """`bulk_create` of unsaved objects, each given its key: on SQLite inside a transaction
    one prepared INSERT for all (the keys from `insert`'s range, in order), which skips the
    per-row SQL Django builds; elsewhere Django's `bulk_create` (PostgreSQL returns the
    keys)."""
    if not objs:
        return
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        model._default_manager.bulk_create(objs, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.pre_save(o, True) for f in fields) for o in objs]  # defaults, auto_now
    got = insert(model, [f.name for f in fields], rows)
    assert got is not None
    # The transaction holds the only write lock and one statement took consecutive keys:
    # the last ones (AUTOINCREMENT may have skipped past keys of deleted rows before them).
    last = got[1]
    pk = model._meta.pk
    assert pk is not None
    for key, obj in zip(range(last - len(objs) + 1, last + 1), objs, strict=True):
        setattr(obj, pk.attname, key)
        obj._state.adding = False
        obj._state.db = connection.alias


def update(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]]
) -> None:
    """UPDATE rows by primary key: `rows` are (pk, values in `fields` order)."""
    convert = adapters(model, fields)
    assignments = ", ".join(f"{_q(c)} = %s" for c in _columns(model, fields))
    pk = _q(_pk_column(model))
    sql = f"UPDATE {_q(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"
    params = [(*(f(v) for f, v in zip(convert, values, strict=True)), key) for key, values in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def delete(model: type[models.Model], pks: Sequence[int]) -> None:
    pk = _q(_pk_column(model))
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _MAX_PARAMS):
            chunk = pks[start : start + _MAX_PARAMS]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {_q(model._meta.db_table)} WHERE {pk} IN ({marks})", chunk)


def record_history(
    model: type[models.Model],
    *,
    by: str,
    keys: Sequence[Any] | None = None,
    history_type: str,
    reason: str,
    user_id: int | None,
    when: dt.datetime,
    id_range: IdRange | None = None,
) -> None:
    """Copy the current rows whose field `by` is in `keys` — or, given `id_range` (what
    `insert` returns), whose primary key is in it — into the model's history table
    (django-simple-history's), as one change of `history_type` ('+' created, '~' changed,
    '-' deleted: call that one *before* deleting)."""
    if id_range is None and not keys:
        return
    history = model.history.model  # type: ignore[attr-defined]
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    target = ", ".join(
        [_q(c) for c in copied]
        + [_q(c) for c in ("history_date", "history_change_reason", "history_type")]
        + [_q("history_user_id")]
    )
    source = ", ".join(_q(c) for c in copied)
    stamp = connection.ops.adapt_datetimefield_value(when)
    head = (
        f"INSERT INTO {_q(history._meta.db_table)} ({target}) "
        f"SELECT {source}, %s, %s, %s, %s FROM {_q(model._meta.db_table)} WHERE "
    )
    stamped = [stamp, reason, history_type, user_id]
    history_table, history_pk = _q(history._meta.db_table), _q(history._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({history_pk}) FROM {history_table}")
        before = cursor.fetchone()[0] or 0
        if id_range is not None:
            pk = _q(_pk_column(model))
            cursor.execute(f"{head}{pk} > %s AND {pk} <= %s ORDER BY {pk}", [*stamped, *id_range])
        else:
            assert keys is not None
            by_column = _q(_column(model, by))
            pk = _q(_pk_column(model))  # the history in the rows' order, as `id_range`'s
            for start in range(0, len(keys), _MAX_PARAMS):
                chunk = list(keys[start : start + _MAX_PARAMS])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{head}{by_column} IN ({marks}) ORDER BY {pk}", [*stamped, *chunk])
        # The rows just recorded are what changed (dangjian/lib/changes.py); on PostgreSQL
        # another session's may be among them, which only adds keys to look at again.
        if changes.wanted(model):
            cursor.execute(
                f"SELECT {_q(_pk_column(model))} FROM {history_table} WHERE {history_pk} > %s",
                [before],
            )
            changes.changed(model, [row[0] for row in cursor.fetchall()], reason)


def _select(
    model: type[models.Model],
    by: str,
    keys: Sequence[Any],
    names: Sequence[str],
    also: Sequence[tuple[str, Sequence[Any]]] = (),
) -> Iterator[tuple[Any, ...]]:
    """SELECT `names` (field names, "pk" for the primary key) of the rows whose `by` is in
    `keys` — and, for each (field, values) of `also`, whose field is in those values (no
    None among them) —, converted as the ORM converts them."""
    meta = model._meta
    narrowing = ""
    extra: list[Any] = []
    for name, values in also:
        narrow: Any = meta.get_field(name)
        narrowing += f" AND {_q(narrow.column)} IN ({', '.join(['%s'] * len(values))})"
        extra += [narrow.get_db_prep_value(v, connection) for v in values]
    fields = [meta.pk if name == "pk" else meta.get_field(name) for name in names]
    columns = ", ".join(_q(f.column) for f in fields)  # type: ignore[union-attr,arg-type]
    by_column = _q(_column(model, by))
    table = _q(meta.db_table)
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(meta.db_table)  # type: ignore[union-attr]
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)  # type: ignore[union-attr]
        if found:
            converters.append((position, found, column))
    with connection.cursor() as cursor:
        size = _MAX_PARAMS - len(extra)
        for start in range(0, len(keys), size):
            chunk = list(keys[start : start + size])
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {columns} FROM {table} WHERE {by_column} IN ({marks}){narrowing}"
            cursor.execute(sql, [*chunk, *extra])
            rows = cursor.fetchall()
            if not converters:
                yield from rows
                continue
            for row in rows:
                values = list(row)
                for position, functions, column in converters:
                    for function in functions:
                        values[position] = function(values[position], column, connection)
                yield tuple(values)


def fetch(
    model: type[models.Model], *, by: str, keys: Sequence[Any], fields: Sequence[str]
) -> dict[Any, tuple[Any, ...]]:
    """The current rows whose `by` is in `keys`: {key: (pk, *fields)}, Python-typed."""
    return {row[0]: row[1:] for row in _select(model, by, keys, [by, "pk", *fields])}


def fetch_many(
    model: type[models.Model],
    *,
    by: str,
    keys: Sequence[Any],
    fields: Sequence[str],
    also: Sequence[tuple[str, Sequence[Any]]] = (),
) -> list[tuple[Any, ...]]:
    """All rows whose `by` is in `keys` (and each field of `also` in its values), as
    (pk, *fields), Python-typed."""
    return list(_select(model, by, keys, ["pk", *fields], also))
