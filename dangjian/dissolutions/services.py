"""Writing dissolution cases (docs/dissolutions.md): propose, approve, refuse.

The Party organization and the transfers are written only through their import kinds (the
`party-orgs` row of the Party organization, now 已撤销, and one `transfers` row per member),
so the same checks and Chinese messages hold as for a file; the members' destinations are
checked by the `transfers` kind already when the case is proposed (a dry run), and again when
it is approved, in one transaction with the Party organization's dissolution: if one transfer
cannot be opened, nothing is written. The live re-evaluation follows the committed write:
DYN-DISSOLVE's task closes itself, each member's DYN-TRANSFER task opens and then closes
when their transfer is received."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.dissolutions.models import Destination, Dissolution, DissolutionState
from dangjian.dissolutions.selectors import held_members, may_decide, may_propose
from dangjian.imports.export import headers
from dangjian.imports.records import record_values, rows_save
from dangjian.imports.registry import KINDS
from dangjian.imports.service import ImportResult, import_file
from dangjian.imports.writers import writable_kinds
from dangjian.lib import sheets
from dangjian.lib.outcome import Outcome
from dangjian.partyorgs.models import PartyOrganization, PartyOrgStatus
from dangjian.people.models import Person
from dangjian.tasks.models import Task
from dangjian.transfers.models import Transfer, TransferStatus


@dataclass(frozen=True)
class Wanted:
    """A member's destination as the form has it: a known Party organization's code, or the
    name of one outside the system."""

    person: Person
    code: str = ""
    name: str = ""


class _Abort(Exception):
    pass


def _transfer_rows(
    party_org: PartyOrganization, issued_on: dt.date, wanted: list[Wanted]
) -> list[dict[str, str]]:
    return [
        {
            "id_number": w.person.id_number,
            "from_party_org": party_org.code,
            "to_party_org": w.code.strip(),
            "to_name": w.name.strip(),
            "letter_no": "",
            "issued_on": issued_on.isoformat(),
            "status": TransferStatus.OPEN.label,
            "received_on": "",
        }
        for w in wanted
    ]


def _dry_run(user: User, kind: str, rows: list[dict[str, str]]) -> ImportResult:
    columns = KINDS[kind].columns
    table = [[values.get(c.key, "") or "" for c in columns] for values in rows]
    with tempfile.TemporaryDirectory(prefix="dangjian-form-") as folder:
        path = Path(folder) / "check.csv"
        sheets.write_csv(path, headers(kind), table)
        # As the proposer, who may write transfers (`selectors.may_propose`).
        return import_file(kind, path, user=user, dry_run=True, file_name="撤销党组织：检查")


def _writer(user: User) -> User | None:
    """Who the kinds write as: the user, or — for a parent Party organization's secretary,
    whose role writes no `party-orgs` rows — the system, the case naming the approver."""
    return user if "party-orgs" in writable_kinds(user) else None


def _by_member(result: ImportResult, wanted: list[Wanted], out: Outcome) -> None:
    """The `transfers` kind's errors, beside the member's destination (row 2 is the first)."""
    for error in result.errors:
        index = error.row - 2
        key = f"dest-{wanted[index].person.pk}" if 0 <= index < len(wanted) else ""
        out.add(key, str(error.message if key else error))


def _open_transfers(party_org: PartyOrganization) -> dict[int, int]:
    """{person pk: transfer pk} of the open transfers from the Party organization."""
    return dict(
        Transfer.objects.filter(from_party_org=party_org, status=TransferStatus.OPEN)
        .values_list("person_id", "pk")
    )  # fmt: skip


def dissolution_propose(
    *,
    user: User,
    party_org: PartyOrganization,
    dissolved_on: dt.date | None,
    reason: str,
    wanted: list[Wanted],
    task: Task | None = None,
) -> Outcome:
    """提请撤销: the day, the reason and every member's destination (all required). The
    errors come by field: `dissolved_on`, `reason`, `dest-<person pk>` (a member's
    destination), "" (the case)."""
    out = Outcome()
    today = timezone.localdate()
    if not may_propose(user, party_org):
        out.add("", "您无权提请撤销该党组织")
        return out
    if party_org.status != PartyOrgStatus.ACTIVE:
        out.add("", f"该党组织已于 {party_org.dissolved_on} 撤销")
    if Dissolution.objects.filter(party_org=party_org, state=DissolutionState.PROPOSED).exists():
        out.add("", "该党组织已有一件待审批的撤销申请")
    if dissolved_on is None:
        out.add("dissolved_on", "必填：请按 YYYY-MM-DD 填写撤销日期")
    elif dissolved_on > today:
        out.add("dissolved_on", f"「{dissolved_on}」晚于今天")
    elif party_org.founded_on and dissolved_on < party_org.founded_on:
        out.add("dissolved_on", f"「{dissolved_on}」早于成立日期 {party_org.founded_on}")
    reason = (reason or "").strip()
    if not reason:
        out.add("reason", "必填：请写明撤销原因（如所在社会组织已注销）")
    # A member whose transfer from here is already open needs no destination of the case.
    held = {p.pk: p for p in held_members(party_org) if p.pk not in _open_transfers(party_org)}
    given = {w.person.pk: w for w in wanted}
    for pk, person in held.items():
        w = given.get(pk)
        if w is None or not (w.code.strip() or w.name.strip()):
            out.add(f"dest-{pk}", f"请填写党员{person.name}的转入党组织（系统内编码或系统外名称）")
    for pk in given.keys() - held.keys():
        out.add("", f"{given[pk].person.name}的组织关系不在该党组织")
    complete = [given[pk] for pk in held if pk in given and not out.errors.get(f"dest-{pk}")]
    if complete and not out.errors.get(""):
        # The transfers these destinations will open, checked now by their own kind.
        _by_member(_dry_run(user, "transfers", _transfer_rows(party_org, today, complete)),
                   complete, out)  # fmt: skip
    if out.errors:
        return out
    assert dissolved_on is not None
    with transaction.atomic():
        case = Dissolution(
            party_org=party_org, dissolved_on=dissolved_on, reason=reason[:1000], task=task,
            proposed_by=user,
        )  # fmt: skip
        case.full_clean()
        case._change_reason = "提请撤销党组织"  # type: ignore[attr-defined]
        case.save()
        for w in (given[pk] for pk in held):
            code = w.code.strip()
            target = PartyOrganization.objects.get(code=code) if code else None
            Destination.objects.create(
                dissolution=case, person=w.person, to_party_org=target,
                to_name="" if code else w.name.strip()[:200],
            )  # fmt: skip
    out.record = case
    return out


def _decidable(user: User, case: Dissolution) -> Outcome:
    """The case, or why `user` may not decide it now."""
    out = Outcome(case)
    if not may_decide(user, case):
        out.add("", "您无权审批该撤销申请（由上级党组织或乡镇(街道)审批，提请人不能自己审批）")
    elif case.state != DissolutionState.PROPOSED:
        out.add("", f"该撤销申请已是「{case.get_state_display()}」")
    return out


def dissolution_approve(
    *, user: User, case: Dissolution, opinion: str = "", decided_on: dt.date | None = None
) -> Outcome:
    """批准: the Party organization dissolved on the case's day and one transfer opened on
    `decided_on` (today) for each member whose relation it holds, all or nothing."""
    out = _decidable(user, case)
    if not out.ok:
        return out
    day = decided_on or timezone.localdate()
    party_org = case.party_org
    destinations = {
        d.person_id: d for d in case.destinations.select_related("person", "to_party_org")
    }
    held = held_members(party_org)
    already = _open_transfers(party_org)
    late = [p.name for p in held if p.pk not in destinations and p.pk not in already]
    if late:
        out.add("", f"党员{'、'.join(late)}的组织关系在提请后转入该党组织，申请中没有其去向："
                    "请不予批准，由提请人重新提请")  # fmt: skip
        return out
    values = record_values("party-orgs", party_org, user)
    if values is None:
        out.add("", "您无权审批该撤销申请")
        return out
    values.update(status=PartyOrgStatus.DISSOLVED.label, dissolved_on=case.dissolved_on.isoformat())
    moving = [destinations[p.pk] for p in held if p.pk not in already]
    wanted = [
        Wanted(d.person, d.to_party_org.code if d.to_party_org else "", d.to_name) for d in moving
    ]
    writer = _writer(user)
    try:
        with transaction.atomic():
            dissolved = rows_save(kind="party-orgs", rows=[values], user=writer,
                                  reason=f"批准撤销党组织（{user.username}）")  # fmt: skip
            for error in dissolved.errors:
                out.add("", str(error))
            if out.errors:
                raise _Abort
            if wanted:
                opened = rows_save(kind="transfers", rows=_transfer_rows(party_org, day, wanted),
                                   user=writer, reason="撤销党组织：开出组织关系转接")  # fmt: skip
                _by_member(opened, wanted, out)
                if out.errors:
                    raise _Abort
            made = dict(
                Transfer.objects.filter(person__in=held, issued_on=day, from_party_org=party_org)
                .values_list("person_id", "pk")
            )  # fmt: skip
            for d in destinations.values():
                pk = made.get(d.person_id) or already.get(d.person_id)
                if pk is not None and d.transfer_id != pk:
                    d.transfer_id = pk
                    d.save(update_fields=["transfer"])
            stored = Dissolution.objects.select_for_update().get(pk=case.pk)
            stored.state = DissolutionState.APPROVED
            stored.decided_by, stored.decided_at = user, timezone.now()
            stored.opinion = (opinion or "").strip()[:1000]
            stored._change_reason = "批准撤销党组织，开出组织关系转接"  # type: ignore[attr-defined]
            stored.save()
    except _Abort:
        return out
    out.record = stored
    return out


def dissolution_refuse(*, user: User, case: Dissolution, opinion: str) -> Outcome:
    """不予批准, with the reason (required): nothing else changes; a new case may follow."""
    out = _decidable(user, case)
    if not out.ok:
        return out
    opinion = (opinion or "").strip()
    if not opinion:
        out.add("opinion", "不予批准时须填写审批意见")
        return out
    with transaction.atomic():
        stored = Dissolution.objects.select_for_update().get(pk=case.pk)
        stored.state = DissolutionState.REFUSED
        stored.decided_by, stored.decided_at = user, timezone.now()
        stored.opinion = opinion[:1000]
        stored._change_reason = "不予批准撤销党组织"  # type: ignore[attr-defined]
        stored.save()
    out.record = stored
    return out
