"""Undoing an import batch as a whole (撤销导入).

Every record an import writes carries the batch in its history (`history_change_reason` =
`ImportBatch.history_reason`). The undo reads, for every model with a history, the rows of
the batch, and for each object it touched brings it back to what it was just before:

- created by the batch ('+' first) → deleted;
- changed by it ('~' first) → every field restored from the history row just before;
- deleted by it ('-' first) → created again as the '-' row holds it.

It is refused (`BatchUndoRefused`, in Chinese, naming up to `MAX_NAMED` causes) when anything
written later depends on the batch: an object it touched was written again afterwards (by a
page, the admin or another import — unless that write was itself undone), or a row it
created is now referenced by a row it did not write. The writes are set-based
(`lib.bulk`), each followed by its history rows with the reason 「撤销导入#N」 and the acting
user, so the undo is one entry of the change history and the live re-evaluation follows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound, scoped
from dangjian.accounts.models import User
from dangjian.core.version import bump
from dangjian.imports.models import ImportBatch
from dangjian.imports.service import IMPORT_LOCK_KEY
from dangjian.imports.writers import AREA_WRITERS, may_write
from dangjian.lib import bulk

MAX_NAMED = 10
UNDO_PREFIX = "撤销导入#"
# Stores derived from the data (findings, tasks): a reference from them never holds an undo
# back; the live re-evaluation brings them in line once it has committed.
DERIVED_APPS = ("compliance", "tasks")


class BatchUndoRefused(Exception):
    """The batch cannot be undone: `message` says why, in Chinese."""

    def __init__(self, message: str, reasons: Sequence[str] = (), count: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = list(reasons)  # the causes named (at most MAX_NAMED of some kinds)
        self.count = max(count, len(self.reasons))  # all the causes


@dataclass
class UndoResult:
    batch: ImportBatch
    deleted: int = 0
    restored: int = 0
    recreated: int = 0


def undo_reason(batch: ImportBatch) -> str:
    return f"{UNDO_PREFIX}{batch.pk}"


def history_models() -> list[type[models.Model]]:
    """Every model with a change history (django-simple-history's)."""
    return [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    ]


def _history(model: type[models.Model]) -> Any:
    return getattr(model, model._meta.simple_history_manager_attribute).model  # type: ignore[attr-defined]


# --- who may ---------------------------------------------------------------------------------


def access_batch(*, user: User, pk: int) -> ImportBatch:
    """Batch `pk` for a user who may import and may see it: its importer, the operator, or
    an officer whose jurisdiction holds every record it touched. Otherwise NotFound (404)."""
    batch = ImportBatch.objects.select_related("user").filter(pk=pk).first()
    if batch is None or not may_see_batch(user, batch):
        raise NotFound
    return batch


def may_see_batch(user: User, batch: ImportBatch) -> bool:
    """A writer of the batch's kind (writers.py) who made it or sees everything, or an area
    officer whose jurisdiction holds every record it touched."""
    return may_see_batches(user, [batch])[batch.pk]


def may_see_batches(user: User, batches: Sequence[ImportBatch]) -> dict[int, bool]:
    """`may_see_batch` for several batches (a record's history names a few): what they
    touched read in one query per history table for all of them."""
    out: dict[int, bool] = {}
    doubtful = []
    everything = Jurisdiction(user).everything
    for batch in batches:
        if not may_write(user, batch.kind):
            out[batch.pk] = False
        elif everything or (batch.user_id is not None and batch.user_id == user.pk):
            out[batch.pk] = True
        elif user.role not in AREA_WRITERS:
            out[batch.pk] = False  # the registry and secretaries undo their own saves only
        else:
            doubtful.append(batch)
    wrote = touched_by(doubtful)
    # Per model, over all the batches at once: which of the rows they wrote still exist,
    # and which of those the user sees.
    named: dict[type[models.Model], set[int]] = {}
    for objects in wrote.values():
        for model, pks in objects.items():
            named.setdefault(model, set()).update(pks)
    hidden: dict[type[models.Model], set[int]] = {}
    for model, pks in named.items():
        existing = _existing(model, pks)
        seen: set[int] = set()
        for chunk in bulk.key_batches(sorted(existing)):
            rows = scoped(model._default_manager.filter(pk__in=chunk), user)
            seen.update(rows.values_list("pk", flat=True))
        hidden[model] = existing - seen
    for batch in doubtful:
        out[batch.pk] = not any(pks & hidden[model] for model, pks in wrote[batch.pk].items())
    return out


def touched(batch: ImportBatch) -> dict[type[models.Model], set[int]]:
    """The objects the batch wrote, by model (from the history tables)."""
    return touched_by([batch])[batch.pk]


def touched_by(batches: Sequence[ImportBatch]) -> dict[int, dict[type[models.Model], set[int]]]:
    """`touched` of each batch, one query per history table for all of them."""
    out: dict[int, dict[type[models.Model], set[int]]] = {b.pk: {} for b in batches}
    if not batches:
        return out
    by_reason = {b.history_reason: b.pk for b in batches}
    for model in history_models():
        pk_name = _pk_attname(model)
        rows = (
            _history(model)
            .objects.filter(history_change_reason__in=list(by_reason))
            .values_list("history_change_reason", pk_name)
        )
        for reason, pk in rows:
            out[by_reason[reason]].setdefault(model, set()).add(pk)
    return out


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    model: type[models.Model]
    fields: list[models.Field[Any, Any]]
    delete: list[int] = field(default_factory=list)
    restore: dict[int, dict[str, Any]] = field(default_factory=dict)  # pk -> attname -> value
    recreate: dict[int, dict[str, Any]] = field(default_factory=dict)


def _pk_attname(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.attname)


def _existing(model: type[models.Model], pks: Iterable[int]) -> set[int]:
    keys = sorted(pks)
    found: set[int] = set()
    for chunk in bulk.key_batches(keys):
        found.update(model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    history = _history(model)
    kept = {f.attname for f in history._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname in kept]


def _label(model: type[models.Model], obj: Any) -> str:
    name = str(model._meta.verbose_name)
    uscc = getattr(obj, "uscc", None)
    if uscc:
        return f"{name} {obj.name}（统一社会信用代码{uscc}）"
    code = getattr(obj, "code", None)
    if code and hasattr(obj, "name"):
        return f"{name} {obj.name}（{code}）"
    try:
        return f"{name} {obj}"
    except Exception:  # a related row the history names no longer exists
        return f"{name}#{obj.pk}"


def _who(user_id: int | None) -> str:
    if user_id is None:
        return "系统"
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"用户#{user_id}"
    return user.get_full_name().strip() or user.username


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _later_change(model: type[models.Model], row: Any) -> str:
    obj = row.instance
    what = "删除" if row.history_type == "-" else "修改"
    reason = row.history_change_reason or ""
    by = _who(row.history_user_id)
    source = f"{reason.split(' ', 1)[0]}（{by}）" if reason.startswith("导入#") else by
    return f"{_label(model, obj)}在导入之后于{_when(row.history_date)}由{source}{what}"


def _ignored_reasons() -> set[str]:
    """Writes that no longer count: those of undone batches, and the undos themselves."""
    return {b.history_reason for b in ImportBatch.objects.filter(undone_at__isnull=False)}


def _plan(batch: ImportBatch) -> tuple[dict[type[models.Model], _Plan], list[str]]:
    reason = batch.history_reason
    ignored = _ignored_reasons()
    plans: dict[type[models.Model], _Plan] = {}
    conflicts: list[str] = []
    for model, pks in touched(batch).items():
        history = _history(model)
        pk_name = _pk_attname(model)
        plan = _Plan(model, _fields(model))
        rows: dict[int, list[tuple[int, str, str]]] = {}
        for chunk in bulk.key_batches(sorted(pks)):
            for pk, hid, kind, why in (
                history.objects.filter(**{f"{pk_name}__in": chunk})
                .order_by("history_id")
                .values_list(pk_name, "history_id", "history_type", "history_change_reason")
            ):
                rows.setdefault(pk, []).append((hid, kind, why or ""))
        wanted: dict[int, int] = {}  # history row holding the state to go back to -> pk
        gone: set[int] = set()  # pks whose state before was "absent"
        for pk, found in rows.items():
            mine = [i for i, (_h, _k, why) in enumerate(found) if why == reason]
            first, last = mine[0], mine[-1]
            later = [
                hid
                for hid, _k, why in found[last + 1 :]
                if why not in ignored and not why.startswith(UNDO_PREFIX)
            ]
            if later:
                # Named up to MAX_NAMED (a query each); the others only counted.
                named = len(conflicts) < MAX_NAMED
                row = history.objects.get(history_id=later[0]) if named else None
                conflicts.append(_later_change(model, row) if named else "")
                continue
            kind = found[first][1]
            if kind == "+":
                gone.add(pk)
            elif kind == "-":
                wanted[found[first][0]] = pk
            elif first > 0 and found[first - 1][1] != "-":
                wanted[found[first - 1][0]] = pk
            else:
                conflicts.append(f"{model._meta.verbose_name}#{pk}没有导入之前的历史记录，无法恢复")
        existing = _existing(model, rows)
        plan.delete = sorted(gone & existing)
        if wanted:
            names = [f.attname for f in plan.fields]
            for chunk in bulk.key_batches(sorted(wanted)):
                for values in history.objects.filter(history_id__in=chunk).values(
                    "history_id", *names
                ):
                    pk = wanted[values.pop("history_id")]
                    (plan.restore if pk in existing else plan.recreate)[pk] = values
        if plan.recreate and len(plan.fields) < len(model._meta.concrete_fields) - 1:
            conflicts.append(f"{model._meta.verbose_name}的历史记录不完整，无法恢复被删除的记录")
        plans[model] = plan
    return plans, conflicts


def _references(plans: dict[type[models.Model], _Plan]) -> tuple[list[str], list[Any]]:
    """Rows the batch did not write that refer to a row the undo deletes (the causes), and
    the SET NULL updates of the derived stores."""
    causes: list[str] = []
    nulls: list[Any] = []
    written = {model: {*p.delete, *p.restore, *p.recreate} for model, p in plans.items()}
    for model, plan in plans.items():
        if not plan.delete:
            continue
        for rel in model._meta.related_objects:
            fk = rel.field
            if rel.many_to_many or not fk.concrete:
                continue
            other: Any = rel.related_model
            mine = written.get(other, set())
            for chunk in bulk.key_batches(plan.delete):
                qs = other._base_manager.filter(**{f"{fk.attname}__in": chunk})
                if other._meta.app_label in DERIVED_APPS:
                    if rel.on_delete is models.SET_NULL:
                        nulls.append((qs, fk.name))
                    continue
                for row in qs.exclude(pk__in=list(mine))[: MAX_NAMED + 1]:
                    target = model._base_manager.get(pk=getattr(row, fk.attname))
                    causes.append(
                        f"{_label(model, target)}由本次导入新增，之后被{_label(other, row)}引用"
                    )
    return causes, nulls


def _targets_missing(plans: dict[type[models.Model], _Plan]) -> list[str]:
    """Rows to restore or recreate whose related rows would not exist after the undo."""
    causes: list[str] = []
    for model, plan in plans.items():
        rows = {**plan.restore, **plan.recreate}
        for f in plan.fields:
            if not f.is_relation or not f.many_to_one:
                continue
            target: Any = f.related_model
            wanted = {v[f.attname] for v in rows.values() if v[f.attname] is not None}
            if not wanted:
                continue
            after = _existing(target, wanted) - set(plans[target].delete if target in plans else ())
            after |= set(plans[target].recreate) if target in plans else set()
            for pk, values in rows.items():
                if values[f.attname] is not None and values[f.attname] not in after:
                    causes.append(
                        f"{model._meta.verbose_name}#{pk}导入之前引用的{target._meta.verbose_name}"
                        f"#{values[f.attname]}已不存在"
                    )
    return causes


def _order(models_: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced models before the models that refer to them."""
    pending = list(models_)
    done: list[type[models.Model]] = []
    while pending:
        for model in pending:
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model
            }
            if not targets & (set(pending) - {model}):
                break
        else:
            model = pending[0]  # a cycle (none today): deferred constraints allow any order
        pending.remove(model)
        done.append(model)
    return done


def _refuse(causes: list[str]) -> None:
    named = [cause for cause in causes if cause]
    shown = "；".join(named[:MAX_NAMED])
    if len(causes) > MAX_NAMED:
        shown += f"；等{len(causes)}项"
    raise BatchUndoRefused(f"{shown}，不能撤销", named, count=len(causes))


# --- the service ------------------------------------------------------------------------------


@transaction.atomic
def batch_undo(*, user: User, batch: ImportBatch) -> UndoResult:
    """Undo `batch` as a whole — every record it created deleted, every record it changed or
    deleted as it was just before — or nothing (BatchUndoRefused). NotFound for a user who
    may not see the batch (`access_batch`)."""
    if connection.vendor == "postgresql":  # imports and undos take turns
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if locked is None or not may_see_batch(user, locked):
        raise NotFound
    if locked.finished_at is None:
        raise BatchUndoRefused(f"导入#{locked.pk}尚未完成，不能撤销")
    if locked.undone_at is not None:
        raise BatchUndoRefused(f"导入#{locked.pk}已于{_when(locked.undone_at)}撤销，不能再次撤销")
    plans, causes = _plan(locked)
    if not causes:
        references, nulls = _references(plans)
        causes = references + _targets_missing(plans)
    if causes:
        _refuse(causes)
    now = timezone.now()
    reason = undo_reason(locked)
    result = UndoResult(locked)

    def history(model: type[models.Model], pks: Sequence[int], kind: str) -> None:
        bulk.record_history(
            model, by="id", keys=pks, history_type=kind, reason=reason, user_id=user.pk, when=now
        )

    order = _order(plans)
    try:
        with transaction.atomic():
            for qs, name in nulls:
                qs.update(**{name: None})
            for model in reversed(order):
                plan = plans[model]
                if plan.delete:
                    history(model, plan.delete, "-")
                    bulk.delete(model, plan.delete)
                    result.deleted += len(plan.delete)
            for model in order:
                plan = plans[model]
                if plan.restore:
                    names = [f.name for f in plan.fields]
                    attnames = [f.attname for f in plan.fields]
                    bulk.update(
                        model,
                        names,
                        [(pk, [v[a] for a in attnames]) for pk, v in plan.restore.items()],
                    )
                    history(model, sorted(plan.restore), "~")
                    result.restored += len(plan.restore)
                if plan.recreate:
                    model._base_manager.bulk_create(
                        [model(pk=pk, **values) for pk, values in plan.recreate.items()]
                    )
                    history(model, sorted(plan.recreate), "+")
                    result.recreated += len(plan.recreate)
    except IntegrityError as exc:
        raise BatchUndoRefused(
            f"撤销导入#{locked.pk}时与现有数据冲突（{exc}），没有撤销任何数据"
        ) from exc
    locked.undone_at = now
    locked.save(update_fields=["undone_at"])
    bump()
    batch.undone_at = now
    return result
