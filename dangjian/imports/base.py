"""What every import kind shares: the context of one import, the row, and the kind's
interface (check a row, write a batch, finish)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dangjian.areas.models import Area
from dangjian.imports.errors import RowError
from dangjian.imports.fields import Column, as_text
from dangjian.lib.codes import mask_id_number


@dataclass
class Context:
    today: dt.date
    now: dt.datetime
    user_id: int | None
    reason: str  # the history entry of every record this import writes
    area: Area | None  # the importer's area, None for all
    # The importer's jurisdiction (accounts.jurisdiction.Jurisdiction), None for all: a row
    # about a stored record it cannot see is refused (imports/writers.py).
    gate: Any = None
    # The policy settings in force on `today` (compliance.policy.in_force), read once.
    policy: Any = None

    @property
    def role(self) -> str:
        user = getattr(self.gate, "user", None)
        return user.role if user is not None and not self.gate.everything else ""


@dataclass
class Row:
    number: int
    cells: list[Any]  # as read, in the file's column order
    # key -> the cell as text, for messages; None: worked out from `positions` when asked
    # (most rows are never named in a message).
    raw: dict[str, str] | None
    values: dict[str, Any]  # key -> parsed value (None when blank)
    positions: Mapping[str, int] | None = None  # key -> the position of its cell
    prepared: Any = None  # what the kind's `prepare` made of the values (None: not run)

    def text(self, key: str) -> str:
        """The cell of column `key` as text ("" when blank or not in the file)."""
        if self.raw is not None:
            return self.raw.get(key, "")
        position = self.positions.get(key) if self.positions is not None else None
        if position is None or position >= len(self.cells):
            return ""
        return as_text(self.cells[position])

    def error(self, column: Column | None, message: str) -> RowError:
        if column is None:
            return RowError(self.number, "", "", message)
        value = self.text(column.key)
        if column.personal and len(value) >= 15 and value[:6].isdigit():
            value = mask_id_number(value)  # identity numbers are named masked, always
        return RowError(self.number, column.label, value, message)


@dataclass
class Change:
    row: int
    key: str
    fields: list[str]  # Chinese column names whose value changes


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes.extend(other.changes)


class Kind:
    """One kind of import file. Subclasses declare `columns` and implement check/write."""

    name: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[Sequence[Column]]

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @classmethod
    def column(cls, key: str) -> Column:
        for column in cls.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def prepare(self, values: dict[str, Any]) -> Any:
        """What `check` will need that follows from the row's parsed values alone, worked out
        when the row is parsed (for a large file in the worker process that reads it, while
        this one checks and writes): `check` finds it in `row.prepared`. It must depend on
        the values and `self.ctx` only — no database, no state kept across rows — and not
        be None. The default prepares nothing."""
        return None

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        """Cross-field rules and references: a record to write, or the row's errors."""
        raise NotImplementedError

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        """`check` for a batch of rows, in file order; kinds that look things up in the
        database override it to fetch what the whole batch names in one query."""
        return [self.check(row) for row in rows]

    def write(self, records: list[Any]) -> Outcome:
        raise NotImplementedError

    def finish(self) -> tuple[Outcome, list[tuple[Row, list[RowError]]]]:
        """After the last row: rows held back (forward references) written or refused."""
        return Outcome(), []

    def warnings(self) -> Iterator[RowError]:
        return iter(())

    def notes(self) -> list[str]:
        """Lines for the summary (e.g. units created on first sight)."""
        return []


@dataclass
class Keyed:
    """A record for `upsert`: the row it came from, its natural key, its values."""

    row: int
    key: Any  # one value, or a tuple for a composite key
    values: tuple[Any, ...]


def _history(
    ctx: Context,
    model: type[Any],
    by: str,
    keys: Sequence[Any],
    kind: str,
    id_range: tuple[int, int] | None = None,
) -> None:
    from dangjian.lib import bulk

    bulk.record_history(
        model,
        by=by,
        keys=keys,
        history_type=kind,
        reason=ctx.reason,
        user_id=ctx.user_id,
        when=ctx.now,
        id_range=id_range,
    )


NARROW_VALUES = 24


def _existing(
    model: type[Any],
    key: Sequence[str],
    fetch_by: str,
    records: Sequence[Keyed],
    fields: Sequence[str],
) -> dict[Any, tuple[Any, ...]]:
    """{natural key: (pk, *fields)} of the stored rows the records name."""
    from dangjian.lib import bulk

    if len(key) == 1:
        return bulk.fetch(model, by=key[0], keys=[r.key for r in records], fields=fields)
    position = list(key).index(fetch_by)
    probe = sorted({r.key[position] for r in records}, key=repr)
    # The other parts of the key, where the batch holds few values of one (a dues file's
    # months): only the stored rows of those values, not every row of the people named.
    also = []
    for i, name in enumerate(key):
        values = {r.key[i] for r in records}
        if name != fetch_by and len(values) <= NARROW_VALUES and None not in values:
            also.append((name, sorted(values, key=repr)))
    rows = bulk.fetch_many(model, by=fetch_by, keys=probe, fields=[*key, *fields], also=also)
    return {tuple(row[1 : 1 + len(key)]): (row[0], *row[1 + len(key) :]) for row in rows}


def upsert(
    ctx: Context,
    model: type[Any],
    *,
    key: str | Sequence[str],
    fields: Sequence[str],
    labels: Sequence[str],
    records: Sequence[Keyed],
    key_label: Any = str,
    fetch_by: str | None = None,
    insert_in_key_order: bool = False,
) -> tuple[Outcome, dict[Any, str]]:
    """Insert new records, update changed ones, leave equal ones alone — one statement each
    per batch — and write the history of what changed, attributed to the import.
    `insert_in_key_order`: insert the new rows sorted by their key (every part of which is
    never None), so that the key's index is written in order rather than all over — for a
    large table whose files are not in key order (dues: a month of every member).

    Returns the counts and, per natural key, "+" (created), "~" (updated) or "=".
    """
    from dangjian.lib import bulk

    key_fields = [key] if isinstance(key, str) else list(key)
    fetch_by = fetch_by or key_fields[0]
    outcome = Outcome()
    status: dict[Any, str] = {}
    existing = _existing(model, key_fields, fetch_by, records, fields)
    new: list[tuple[Any, ...]] = []
    new_keys: list[Any] = []
    changed: list[tuple[int, tuple[Any, ...]]] = []
    for record in records:
        current = existing.get(record.key)
        if current is None:
            parts = (record.key,) if len(key_fields) == 1 else tuple(record.key)
            new.append((*parts, *record.values))
            new_keys.append(record.key)
            status[record.key] = "+"
            continue
        pk, old = current[0], current[1:]
        if old == record.values:
            outcome.unchanged += 1
            status[record.key] = "="
            continue
        diff = [label for label, a, b in zip(labels, old, record.values, strict=True) if a != b]
        outcome.changes.append(Change(record.row, key_label(record.key), diff))
        changed.append((pk, record.values))
        status[record.key] = "~"
    if new:
        if insert_in_key_order:
            width = len(key_fields)
            new.sort(key=lambda row: row[:width])
        inserted = bulk.insert(model, [*key_fields, *fields], new)
        if inserted is not None:  # the new rows' keys (SQLite): no lookup by natural key
            _history(ctx, model, "id", [], "+", id_range=inserted)
        elif len(key_fields) == 1:
            _history(ctx, model, key_fields[0], new_keys, "+")
        else:
            stored = _existing(model, key_fields, fetch_by, [Keyed(0, k, ()) for k in new_keys], [])
            _history(ctx, model, "id", [stored[k][0] for k in new_keys], "+")
    if changed:
        bulk.update(model, fields, changed)
        _history(ctx, model, "id", [pk for pk, _ in changed], "~")
    outcome.created += len(new)
    outcome.updated += len(changed)
    return outcome, status
