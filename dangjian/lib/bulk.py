"""Set-based writes for large imports and generated data: one statement per batch, with the
change history written by the database from the rows it just stored.

The ORM's `bulk_create` builds a model instance per row; at tens of thousands of rows per
second that is most of the cost. These helpers take plain tuples in the model's own field
order and write them with `executemany`; the history rows are copied by an
`INSERT … SELECT` from the main table, so the history is exactly what was stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]
_MAX_PARAMS = 900  # well under SQLite's limit on bound parameters


def _identity(value: Any) -> Any:
    return value


def adapters(model: type[models.Model], fields: Sequence[str]) -> list[Adapter]:
    """Per-field converters from Python values to what the database driver takes.

    Only dates need one (SQLite stores them as ISO text; psycopg takes `date` as it is)."""
    ops = connection.ops
    out: list[Adapter] = []
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            out.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            out.append(ops.adapt_datefield_value)
        else:
            out.append(_identity)
    return out


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


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT the rows (tuples in `fields` order, Python values)."""
    convert = adapters(model, fields)
    columns = ", ".join(_q(c) for c in _columns(model, fields))
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {_q(model._meta.db_table)} ({columns}) VALUES ({marks})"
    params = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


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
    keys: Sequence[Any],
    history_type: str,
    reason: str,
    user_id: int | None,
    when: dt.datetime,
) -> None:
    """Copy the current rows whose field `by` is in `keys` into the model's history table
    (django-simple-history's), as one change of `history_type` ('+' created, '~' changed,
    '-' deleted: call that one *before* deleting)."""
    if not keys:
        return
    history = model.history.model  # type: ignore[attr-defined]
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    by_column = _column(model, by)
    target = ", ".join(
        [_q(c) for c in copied]
        + [_q(c) for c in ("history_date", "history_change_reason", "history_type")]
        + [_q("history_user_id")]
    )
    source = ", ".join(_q(c) for c in copied)
    stamp = connection.ops.adapt_datetimefield_value(when)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _MAX_PARAMS):
            chunk = list(keys[start : start + _MAX_PARAMS])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {_q(history._meta.db_table)} ({target}) "
                f"SELECT {source}, %s, %s, %s, %s FROM {_q(model._meta.db_table)} "
                f"WHERE {_q(by_column)} IN ({marks})",
                [stamp, reason, history_type, user_id, *chunk],
            )


def fetch(
    model: type[models.Model], *, by: str, keys: Sequence[Any], fields: Sequence[str]
) -> dict[Any, tuple[Any, ...]]:
    """The current rows whose `by` is in `keys`: {key: (pk, *fields)}, Python-typed."""
    out: dict[Any, tuple[Any, ...]] = {}
    manager = model._default_manager
    for start in range(0, len(keys), _MAX_PARAMS):
        chunk = keys[start : start + _MAX_PARAMS]
        for row in manager.filter(**{f"{by}__in": chunk}).values_list(by, "pk", *fields):
            out[row[0]] = row[1:]
    return out


def fetch_many(
    model: type[models.Model], *, by: str, keys: Sequence[Any], fields: Sequence[str]
) -> list[tuple[Any, ...]]:
    """All rows whose `by` is in `keys`, as (pk, *fields), Python-typed."""
    out: list[tuple[Any, ...]] = []
    manager = model._default_manager
    for start in range(0, len(keys), _MAX_PARAMS):
        chunk = keys[start : start + _MAX_PARAMS]
        out.extend(manager.filter(**{f"{by}__in": chunk}).values_list("pk", *fields))
    return out
