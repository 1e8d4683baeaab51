"""Applying the registry's events (docs/feed.md): `events_apply`.

Each event names one organization by 统一社会信用代码 and gives the `orgs` columns it sets
(by their English keys or Chinese names, CONTRACT.md): a registration the whole row, a change
the columns that change, a deregistration 状态 (注销 or 撤销) and 状态变更日期. A change or a
deregistration is merged onto the organization's stored row (its export), so that every event
becomes one full row of the `orgs` kind and goes through exactly its checks and messages:
one import per wave of events (`skip_invalid`: the valid rows written, the refused ones with
their reasons, nothing of a refused event written), committed once — which re-evaluates the
organizations it touched at once (`compliance/live.py`: a deregistration's DYN-DISSOLVE).
Events of one organization later in a batch go in a later wave, onto what the earlier wave
wrote.

Idempotent: an event is kept by (registry, id) with a hash of its type and body; the same
event again changes nothing (`duplicate`, the first outcome repeated; a refused event is
tried again, its cause perhaps put right), the same id with another body is refused."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role, User
from dangjian.feed.models import EventType, Outcome, RegistryEvent
from dangjian.imports.export import headers, org_export_rows
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE
from dangjian.lib import sheets
from dangjian.orgs.models import SocialOrganization

COLUMNS = KINDS["orgs"].columns
KEYS = [c.key for c in COLUMNS]
BY_NAME = {**{c.key: c.key for c in COLUMNS}, **{c.label: c.key for c in COLUMNS}}
LABEL = {c.key: c.label for c in COLUMNS}
TYPES = {**{t.value: t.value for t in EventType}, **{str(t.label): t.value for t in EventType}}
DEREGISTERED = ("注销", "撤销")
MAX_EVENTS = 5000
DUPLICATE = "duplicate"


@dataclass
class EventResult:
    id: str
    outcome: str  # applied, unchanged, duplicate, refused
    uscc: str = ""
    changed: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "outcome": self.outcome, "uscc": self.uscc,
                "changed": self.changed, "errors": self.errors}  # fmt: skip


def _error(column: str, value: Any, message: str) -> dict[str, str]:
    key = BY_NAME.get(column, column)
    return {"field": key, "column": LABEL.get(key, column), "value": str(value or ""),
            "message": message}  # fmt: skip


def _digest(kind: str, body: dict[str, str]) -> str:
    text = json.dumps({"type": kind, "org": body}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Event:
    index: int
    id: str
    type: str
    body: dict[str, str]
    digest: str
    result: EventResult
    stored: RegistryEvent | None = None
    row: dict[str, str] | None = None


def _read(index: int, raw: Any) -> _Event:
    """The envelope of one event: its id, type and columns (names checked, values as text)."""
    problems: list[dict[str, str]] = []
    raw = raw if isinstance(raw, dict) else {}
    event_id = raw.get("id")
    event_id = str(event_id).strip() if isinstance(event_id, (str, int)) else ""
    if not event_id or len(event_id) > 64:
        problems.append(_error("id", event_id, "事件编号必填，不超过64个字符"))
    kind = TYPES.get(str(raw.get("type", "")).strip(), "")
    if not kind:
        problems.append(_error("type", raw.get("type", ""),
                               "事件类型应为 register（成立登记）、change（变更登记）"
                               "或 deregister（注销登记）"))  # fmt: skip
    org = raw.get("org")
    body: dict[str, str] = {}
    if not isinstance(org, dict):
        problems.append(_error("org", "", "缺少社会组织信息（org）"))
    else:
        for name, value in org.items():
            key = BY_NAME.get(str(name))
            if key is None:
                problems.append(_error(str(name), value, "未知的字段（应为社会组织导入的列）"))
            elif value is not None and not isinstance(value, (str, int, float)):
                problems.append(_error(key, value, "应为文字"))
            else:
                body[key] = "" if value is None else str(value).strip()
        if not body.get("uscc"):
            problems.append(_error("uscc", "", "必填"))
    result = EventResult(event_id, Outcome.REFUSED, body.get("uscc", ""), errors=problems)
    return _Event(index, event_id, kind, body, _digest(kind, body), result)


def may_push(user: Any) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and user.role == Role.REGISTRY and user.unit_id is not None
    )  # fmt: skip


def events_apply(*, user: User, events: list[Any]) -> list[EventResult]:
    """Apply a batch of the registry's events (the caller checked `may_push`)."""
    assert may_push(user)
    now = timezone.now()
    read = [_read(i, raw) for i, raw in enumerate(events[:MAX_EVENTS])]
    known = {
        e.event_id: e
        for e in RegistryEvent.objects.filter(
            registry_id=user.unit_id, event_id__in=[e.id for e in read if e.id]
        )
    }
    seen: dict[str, _Event] = {}
    todo: list[_Event] = []
    for event in read:
        if event.result.errors:
            continue
        earlier = seen.get(event.id)
        stored = known.get(event.id)
        first_digest = earlier.digest if earlier is not None else stored.body_hash if stored else ""
        if first_digest and first_digest != event.digest:
            event.result.errors.append(_error("id", event.id,
                                              "该事件编号已收到过，内容与本次不同：同一编号的事件"
                                              "不能更改，请使用新的事件编号"))  # fmt: skip
            continue
        if earlier is not None:  # the same event twice in one batch: once is enough
            event.result = earlier.result
            continue
        seen[event.id] = event
        if stored is not None and stored.outcome != Outcome.REFUSED:
            event.result.outcome = DUPLICATE
            event.result.changed = list(stored.changed)
            event.result.errors = []
            # Counted, not a change of the record (no history row): nothing else is written.
            RegistryEvent.objects.filter(pk=stored.pk).update(
                deliveries=F("deliveries") + 1, last_delivered_at=now
            )
            continue
        event.stored = stored
        todo.append(event)
    # Waves: one event of an organization per wave, in the order they came.
    waves: list[list[_Event]] = []
    depth: dict[str, int] = {}
    for event in todo:
        level = depth.get(event.body["uscc"], 0)
        depth[event.body["uscc"]] = level + 1
        if level == len(waves):
            waves.append([])
        waves[level].append(event)
    for wave in waves:
        _apply_wave(user, wave, now)
    # Refused before reaching a wave (a bad envelope): recorded too, for the events page —
    # but a conflicting replay, or an event without an id, is only answered.
    recorded = {e.id for e in todo}
    tried = {id(e) for e in todo}  # by identity: an _Event compares by value
    refused = []
    for event in read:
        if event.result.outcome != Outcome.REFUSED or not event.id or id(event) in tried:
            continue
        if event.id in known or event.id in recorded:
            continue
        recorded.add(event.id)
        refused.append(event)
    _record(user, refused, now, batch=None)
    return [e.result for e in read]


def _apply_wave(user: User, wave: list[_Event], now: Any) -> None:
    gate = Jurisdiction(user)
    usccs = [e.body["uscc"] for e in wave]
    stored_rows = {
        row[0]: dict(zip(KEYS, row, strict=True))
        for row in org_export_rows(gate.orgs().filter(uscc__in=usccs).order_by("uscc"))
    }
    existing = set(SocialOrganization.objects.filter(uscc__in=usccs).values_list("uscc", flat=True))
    unit_name = user.unit.name if user.unit is not None else ""
    rows: list[_Event] = []
    for event in wave:
        uscc = event.body["uscc"]
        if event.type == EventType.REGISTER:
            if uscc in existing:
                event.result.errors.append(_error("uscc", uscc, OUTSIDE if uscc not in stored_rows
                                                  else "该社会组织已登记：修改请发送变更登记事件"))  # fmt: skip
                continue
            row = {key: "" for key in KEYS}
            row.update({"registry": unit_name, "registration_mode": "直接登记", "status": "正常"})
            row.update(event.body)
        else:
            if uscc not in stored_rows:
                message = (
                    OUTSIDE
                    if uscc in existing
                    else (
                        "该社会组织未登记：变更、注销事件须针对已登记的社会组织（请先发送成立登记事件）"
                    )
                )
                event.result.errors.append(_error("uscc", uscc, message))
                continue
            row = dict(stored_rows[uscc])
            if event.type == EventType.DEREGISTER:
                body = dict(event.body)
                body.setdefault("status", "注销")
                if body["status"] not in DEREGISTERED:
                    event.result.errors.append(_error("status", body["status"],
                                                      "注销登记事件的状态应为「注销」或「撤销」"))  # fmt: skip
                    continue
                if not body.get("status_changed_on"):
                    event.result.errors.append(_error("status_changed_on", "",
                                                      "注销登记事件须填写状态变更日期"))  # fmt: skip
                    continue
                row.update(body)
            else:
                row.update(event.body)
        event.row = row
        rows.append(event)
    result = None
    if rows:
        with tempfile.TemporaryDirectory(prefix="dangjian-feed-") as folder:
            path = Path(folder) / "events.csv"
            sheets.write_csv(path, headers("orgs"), [[e.row[k] for k in KEYS] for e in rows])  # type: ignore[index]
            result = import_file("orgs", path, user=user, skip_invalid=True,
                                 file_name=f"登记管理机关推送：{len(rows)}个事件")  # fmt: skip
        errors: dict[int, list[dict[str, str]]] = {}
        for error in result.errors:
            errors.setdefault(error.row, []).append(
                _error(error.column, error.value, error.message)
            )
        if result.errors and all(e.row == 0 for e in result.errors):  # the file as a whole
            for event in rows:
                event.result.errors = [_error("", "", e.message) for e in result.errors]
        changes = {c.row: c.fields for c in result.changes}
        for number, event in enumerate(rows, start=2):
            if number in errors:
                event.result.errors = errors[number]
            elif not event.result.errors:
                if event.type == EventType.REGISTER:
                    event.result.outcome = Outcome.APPLIED
                    event.result.changed = ["新增"]
                elif number in changes:
                    event.result.outcome = Outcome.APPLIED
                    event.result.changed = changes[number]
                else:
                    event.result.outcome = Outcome.UNCHANGED
    _record(user, wave, now, batch=result.batch_id if result is not None else None)


def _record(user: User, events: list[_Event], now: Any, *, batch: int | None) -> None:
    """Keep the events and their outcomes — the new ones in one insert with their history
    rows, a refused one tried again updated — `batch` for those it wrote."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    assert user.unit_id is not None
    new: list[RegistryEvent] = []
    again: list[RegistryEvent] = []
    for event in events:
        record = event.stored or RegistryEvent(
            registry_id=user.unit_id, event_id=event.id, received_at=now, deliveries=0
        )
        record.type = event.type or EventType.CHANGE
        record.uscc = event.body.get("uscc", "")[:40]
        record.body, record.body_hash = event.body, event.digest
        record.outcome, record.changed = event.result.outcome, event.result.changed
        record.errors = event.result.errors
        record.batch_id = batch if event.result.outcome == Outcome.APPLIED else None
        record.last_delivered_at, record.user = now, user
        record.deliveries += 1
        (again if event.stored is not None else new).append(record)
    fields = ["type", "uscc", "body", "body_hash", "outcome", "changed", "errors", "batch",
              "last_delivered_at", "user", "deliveries"]  # fmt: skip
    with transaction.atomic():
        if new:
            try:
                with transaction.atomic():
                    bulk_create_with_history(new, RegistryEvent, batch_size=500,
                                             default_user=user, default_date=now)  # fmt: skip
            except IntegrityError:
                # A delivery of the same events at the same moment recorded them first (its
                # import changed what this one's found unchanged): keep what is not there.
                taken = set(
                    RegistryEvent.objects.filter(
                        registry_id=user.unit_id, event_id__in=[r.event_id for r in new]
                    ).values_list("event_id", flat=True)
                )
                rest = [r for r in new if r.event_id not in taken]
                if rest:
                    bulk_create_with_history(rest, RegistryEvent, batch_size=500,
                                             default_user=user, default_date=now)  # fmt: skip
        if again:
            bulk_update_with_history(again, RegistryEvent, fields, batch_size=500,
                                     default_user=user, default_date=now)  # fmt: skip
