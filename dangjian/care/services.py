"""Writing 双培 and 关怀帮扶 records (docs/care.md). The one path for both (the forms call it;
there is no import kind of them): the person and the Party organization read through the
writer's jurisdiction (one outside it is said not to exist), every check with its Chinese
message naming the value, the model's own validation, and the change history."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.care.models import CareKind, CareRecord, Cultivation, Direction
from dangjian.imports.fields import CellError, id_code
from dangjian.imports.writers import may_write
from dangjian.lib import crypto
from dangjian.lib.codes import mask_id_number
from dangjian.lib.outcome import Outcome
from dangjian.people.models import Membership, Person

# Who writes them: those who write the development of members (`applicants`).
KIND = "applicants"


def _day(text: str, key: str, out: Outcome, *, required: bool = True) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        if required:
            out.add(key, "必填")
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        out.add(key, f"「{text}」不是日期：请按 YYYY-MM-DD 填写")
        return None
    if day > timezone.localdate():
        out.add(key, f"「{text}」晚于今天")
    return day


def _person(gate: Jurisdiction, text: str, out: Outcome) -> Person | None:
    try:
        number = id_code((text or "").strip())
    except CellError as exc:
        out.add("id_number", f"「{mask_id_number(text.strip())}」: {exc}")
        return None
    found = gate.people().filter(id_hash=crypto.lookup_hash(number)).first()
    if found is None:
        out.add(
            "id_number", f"「{mask_id_number(number)}」: 不是已登记的人员（或不在您的管辖范围内）"
        )
    return found


def _party_org(gate: Jurisdiction, code: str, out: Outcome) -> Any:
    code = (code or "").strip()
    found = gate.party_orgs().filter(code=code).first() if code else None
    if found is None:
        out.add("party_org", f"「{code}」: 党组织编码不存在" if code else "必填")
    return found


def _joined(person: Person) -> dt.date | None:
    return Membership.objects.filter(person=person).values_list("joined_on", flat=True).first()


def _save(record: Any, reason: str, out: Outcome) -> Outcome:
    try:
        record.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                out.add(key if key != "__all__" else "", message)
        return out
    try:
        with transaction.atomic():
            record._change_reason = reason
            record.save()
    except IntegrityError:
        out.add("", "已有相同的记录")
        return out
    out.record = record
    return out


def cultivation_record(*, user: Any, id_number: str, party_org: str, direction: str,
                       started_on: str, note: str = "") -> Outcome:  # fmt: skip
    """双培: a person cultivated by a Party organization, from `started_on`: a member into a
    backbone (a member then), or a backbone into a member (not yet a member then)."""
    out = Outcome()
    if not may_write(user, KIND):
        out.add("", "您无权记录双培")
        return out
    gate = Jurisdiction(user)
    person = _person(gate, id_number, out)
    po = _party_org(gate, party_org, out)
    if direction not in Direction.values:
        out.add("direction", f"「{direction}」不是可选值，应为：{'、'.join(Direction.labels)}")
    day = _day(started_on, "started_on", out)
    if person is not None and day is not None and direction in Direction.values:
        joined = _joined(person)
        member = joined is not None and joined <= day
        if direction == Direction.TO_BACKBONE and not member:
            out.add("direction", f"{person.name}在 {day} 还不是党员：应为「把业务骨干培养成党员」")
        if direction == Direction.TO_MEMBER and member:
            out.add("direction", f"{person.name}在 {day} 已是党员：应为「把党员培养成业务骨干」")
    if out.errors:
        return out
    assert day is not None
    record = Cultivation(person=person, party_org=po, direction=direction, started_on=day,
                         note=(note or "").strip()[:300])  # fmt: skip
    return _save(record, "记录双培", out)


_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")


def care_record(*, user: Any, id_number: str, party_org: str, given_on: str, kind: str,
                help: str, amount: str = "", from_fund: bool = False) -> Outcome:  # fmt: skip
    """关怀帮扶: care given to a member (a member on that day) by a Party organization."""
    out = Outcome()
    if not may_write(user, KIND):
        out.add("", "您无权记录关怀帮扶")
        return out
    gate = Jurisdiction(user)
    person = _person(gate, id_number, out)
    po = _party_org(gate, party_org, out)
    day = _day(given_on, "given_on", out)
    if kind not in CareKind.values:
        out.add("kind", f"「{kind}」不是可选值，应为：{'、'.join(CareKind.labels)}")
    if not (help or "").strip():
        out.add("help", "必填：请写明帮扶内容")
    value: Decimal | None = None
    text = (amount or "").strip().replace(",", "")
    if text:
        if not _AMOUNT.fullmatch(text):
            out.add("amount", f"「{text}」不是金额：应为不小于0的元，最多两位小数")
        else:
            try:
                value = Decimal(text)
            except InvalidOperation:
                out.add("amount", f"「{text}」不是金额")
    if person is not None and day is not None:
        joined = _joined(person)
        if joined is None or joined > day:
            out.add("id_number", f"{person.name}在 {day} 不是党员：关怀帮扶记录党员")
    if out.errors:
        return out
    assert day is not None
    record = CareRecord(person=person, party_org=po, given_on=day, kind=kind,
                        help=help.strip()[:300], amount=value, from_fund=bool(from_fund))  # fmt: skip
    return _save(record, "记录关怀帮扶", out)
