"""What a transaction changed, told to whoever listens once it has committed.

Every write of a record leaves a row in its history table (django-simple-history): a
`save()` or `delete()` through its signal, a bulk write of an import through
`dangjian.lib.bulk.record_history`. Both report here the model and the primary keys they
wrote (`changed`); when the transaction commits, each listener (`listen`) receives them
at once, per model — the compliance app re-evaluates the rules for what they touch
(`dangjian/compliance/live.py`). So a form, the API, an import, an undo and the admin are
followed alike, and no write path can forget it.

A rolled-back transaction's changes stay pending and reach the listeners with the next
commit of the thread: a listener must treat keys that no longer exist as nothing to do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction

Listener = Callable[[dict[type[models.Model], set[int]], list[str]], None]
_listeners: list[tuple[frozenset[type[models.Model]], Listener]] = []
_state = threading.local()


def listen(models_: Iterable[type[models.Model]], listener: Listener) -> None:
    """Call `listener(changes, reasons)` after each commit that changed one of `models_`
    (`changes`: {model: primary keys}, only of those models; `reasons`: the change reasons
    given, in order)."""
    _listeners.append((frozenset(models_), listener))


def wanted(model: type[models.Model]) -> bool:
    """Whether a listener follows `model` (the writer may skip looking up what changed)."""
    return any(model in models_ for models_, _listener in _listeners)


def _pending() -> dict[type[models.Model], set[int]]:
    if not hasattr(_state, "changes"):
        _state.changes, _state.reasons, _state.suspended = {}, [], 0
    changes: dict[type[models.Model], set[int]] = _state.changes
    return changes


def changed(model: type[models.Model], pks: Iterable[Any], reason: str = "") -> None:
    """`model`'s rows `pks` were written (created, changed or deleted) in this transaction."""
    if not wanted(model):
        return
    pending = _pending()
    keys = {int(pk) for pk in pks if pk is not None}
    if not keys:
        return
    pending.setdefault(model, set()).update(keys)
    if reason and reason not in _state.reasons:
        _state.reasons.append(reason)
    if _state.suspended:
        return
    # One callback per transaction (as `core.version.bump`): Django drops it with a
    # rolled-back savepoint, and a later change then queues it again. Outside a transaction
    # it runs at once. `robust`: the write has committed whatever the listeners do; an
    # error of theirs is logged (the daily check catches up), not the writer's failure.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _flush for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_flush, robust=True)


def flush() -> None:
    """Tell the listeners now what is pending — what the commit would — for a measurement
    that rolls its writes back (bench/live.py)."""
    _flush()


def _flush() -> None:
    pending = _pending()
    if not pending or _state.suspended:
        return
    reasons = list(_state.reasons)
    _state.changes, _state.reasons = {}, []
    for wanted, listener in _listeners:
        mine = {model: keys for model, keys in pending.items() if model in wanted}
        if mine:
            listener(mine, reasons)


class suspended:
    """Writes inside are not told to the listeners (and what was pending is forgotten):
    for a bulk load that evaluates everything itself afterwards (`dangjian demo`)."""

    def __enter__(self) -> None:
        _pending()
        _state.suspended += 1

    def __exit__(self, *exc: object) -> None:
        _state.suspended -= 1
        if not _state.suspended:
            _state.changes, _state.reasons = {}, []


def _on_history(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    reason = getattr(history_instance, "history_change_reason", "") or ""
    model = type(instance)._meta.concrete_model or type(instance)
    changed(model, [instance.pk], reason)


def connect() -> None:
    """Follow every `save()` and `delete()` of a model with a history (AppConfig.ready)."""
    from simple_history.signals import post_create_historical_record

    post_create_historical_record.connect(_on_history, dispatch_uid="dangjian.lib.changes")
