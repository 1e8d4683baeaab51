"""What the page of one object (an organization, a Party organization) shares: which
related objects the user may open (the others are a plain label: docs/security.md), its own
lists paged beyond LIST_CAP rows, the rules that apply to it, and its change history."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    ForeignKey,
    Model,
)
from django.http import HttpRequest
from django.urls import reverse

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.areas.models import Area, Unit
from dangjian.compliance.explain import explain
from dangjian.compliance.rules.base import SEVERITY_LABEL
from dangjian.orgs.models import (
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    PartyOrganization,
)
from dangjian.people.models import Membership
from dangjian.web import lists
from dangjian.web.frame import crumbs

LIST_CAP = 100  # rows of a detail page's own lists beyond which they are paged


HISTORY_SHOWN = 20


def frame(title: str, list_label: str, list_url: str, today: dt.date) -> dict[str, Any]:
    """The page's title, its breadcrumbs (首页 / the list it belongs to / the object) and the
    day its figures and rules are of."""
    return {
        "title": title,
        "breadcrumbs": crumbs((list_label, reverse(list_url)), (title, None)),
        "today": today,
    }


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def member_state(membership: Membership | None, today: dt.date) -> str:
    if membership is None or not membership.is_member(today):
        return ""
    return "正式党员" if membership.is_formal(today) else "预备党员"


def visible(gate: Jurisdiction, model: type[Model], pks: Iterable[int]) -> set[int]:
    """Which of `pks` the user may open (one query): the others are shown unlinked."""
    wanted = sorted(set(pks))
    if not wanted:
        return set()
    qs = gate.orgs() if model is SocialOrganization else gate.party_orgs()
    return set(qs.filter(pk__in=wanted).values_list("pk", flat=True))


def paged(request: HttpRequest, items: list[Any], param: str, anchor: str) -> dict[str, Any]:
    """A detail page's own list, paged by `?param=` beyond LIST_CAP rows."""
    page = Paginator(items, LIST_CAP).get_page(request.GET.get(param))
    links = lists.page_links(request, request.path, page, param)
    for key in ("first", "previous", "next", "last"):
        if links[key]:
            links[key] += f"#{anchor}"
    for number in links["numbers"]:
        number["url"] += f"#{anchor}"
    return {"items": list(page.object_list), "pager": links if page.has_other_pages() else None}


def subject_findings(
    request: HttpRequest,
    key: str,
    subject_type: str,
    pk: int,
    today: dt.date,
    facts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every rule that applies to the subject today: 符合 / 不符合, the message, what to do,
    by when, and the clause quoted (`explain`). `facts` replaces facts whose wording in
    `explain` is meant for the command line (Party organizations by internal number)."""
    explanation = explain(key, as_of=today, user=request.user)  # type: ignore[arg-type]
    recorded = {
        r.rule: r
        for r in findings_for(request.user).filter(  # type: ignore[arg-type]
            subject_type=subject_type, subject_pk=pk, resolved_on__isnull=True
        )
    }
    verdicts: list[dict[str, Any]] = []
    for v in explanation.verdicts:
        record = recorded.get(v.rule.id)
        messages: list[dict[str, Any]] = [
            {
                "message": f.message,
                "due": f.due or (record.due if record else None),
            }
            for f in v.findings
        ]
        for m in messages:
            m["overdue"] = m["due"] is not None and m["due"] < today
        verdicts.append(
            {
                "rule": v.rule,
                "holds": v.holds,
                "severity": SEVERITY_LABEL[v.rule.severity],
                "findings": messages,
            }
        )
    verdicts.sort(key=lambda v: (v["holds"], v["rule"].id))
    shown = [
        (name, (facts or {}).get(name) or _fact_text(value))
        for name, value in explanation.facts.items()
    ]
    return {
        "verdicts": verdicts,
        "failing": sum(1 for v in verdicts if not v["holds"]),
        "passing": sum(1 for v in verdicts if v["holds"]),
        "facts": shown,
        "policy_version": explanation.policy_version,
    }


def _fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "无"
    return str(value)


def history(instance: Model, viewer: Any = None) -> list[dict[str, Any]]:
    """The last changes of `instance`: when, who, why, and which fields changed — and, for
    `viewer`, the page that undoes a change (`undo`): a change written by an import or a form
    (each save of a form is a one-row import) is undone as its batch, by those who may
    (imports/undo.py: the writers of its kind whose jurisdiction holds what it wrote)."""
    return histories([("", instance)], viewer)


def histories(parts: list[tuple[str, Model]], viewer: Any = None) -> list[dict[str, Any]]:
    """The last changes of a record and the records that belong to it (a person's membership
    and employments, a Party organization's offices, an organization's instructors), newest
    first, each change's type naming the part it changed ("修改（从业情况：…）") — as for
    `history`.

    One read of the history table per model (not per record), and each history row is
    compared with the one before it of the same record *in the same read*, instead of
    `prev_record`, which would query once per row."""
    by_model: dict[type[Model], dict[Any, str]] = defaultdict(dict)
    for label, part in parts:
        by_model[type(part)][part.pk] = label
    changes: list[tuple[Any, str, list[Any], type[Model]]] = []
    fk_values: dict[type[Model], set[Any]] = defaultdict(set)
    for model, labels in by_model.items():
        rows = model.history.filter(id__in=list(labels)).select_related("history_user")  # type: ignore[attr-defined]
        per: dict[Any, list[Any]] = defaultdict(list)
        for row in rows.order_by("-history_date", "-history_id"):
            per[row.id].append(row)
        for pk, records in per.items():
            records = records[: HISTORY_SHOWN + 1]
            for i, record in enumerate(records[:HISTORY_SHOWN]):
                older = records[i + 1] if i + 1 < len(records) else None
                delta = list(record.diff_against(older).changes) if older is not None else []
                changes.append((record, labels[pk], delta, model))
                for change in delta:
                    field = model._meta.get_field(change.field)
                    if isinstance(field, ForeignKey):
                        fk_values[field.related_model].update(
                            v for v in (change.old, change.new) if v is not None
                        )
    changes.sort(key=lambda c: (c[0].history_date, c[0].history_id), reverse=True)
    changes = changes[:HISTORY_SHOWN]
    names = {
        related: dict(related._default_manager.filter(pk__in=pks).values_list("pk", "name"))
        for related, pks in fk_values.items()
        if related in (Area, Unit, PartyOrganization)
    }
    out = []
    for record, label, delta, model in changes:
        fields = []
        for change in delta:
            field = model._meta.get_field(change.field)
            fields.append(
                {
                    "label": str(field.verbose_name),  # type: ignore[union-attr]
                    "old": _history_value(field, change.old, names),
                    "new": _history_value(field, change.new, names),
                }
            )
        user = record.history_user
        kind = {"+": "新建", "~": "修改", "-": "删除"}.get(record.history_type, "")
        out.append(
            {
                "date": record.history_date,
                "type": f"{kind}（{label}）" if label else kind,
                "user": (user.get_full_name() or user.username) if user else "",
                "reason": record.history_change_reason or "",
                "fields": fields,
                "undo": "",
            }
        )
    if viewer is not None:
        _undo_links(out, [record for record, *_ in changes], viewer)
    return out


BATCH_REASON = re.compile(r"^导入#(\d+) ")


def _undo_links(out: list[dict[str, Any]], records: list[Any], user: Any) -> None:
    """Each change written by an import batch the user may undo gets the batch's page (its
    undo asks for a confirmation there, and is refused when later writes depend on it)."""
    from dangjian.imports.models import ImportBatch
    from dangjian.imports.undo import may_see_batches

    numbers = {
        i: int(m.group(1))
        for i, record in enumerate(records)
        if (m := BATCH_REASON.match(record.history_change_reason or ""))
    }
    if not numbers:
        return
    batches = ImportBatch.objects.in_bulk(set(numbers.values()))
    undoable = [b for b in batches.values() if b.undone_at is None and b.finished_at is not None]
    allowed = may_see_batches(user, undoable)
    for i, pk in numbers.items():
        if allowed.get(pk):
            out[i]["undo"] = reverse("web:import_batch", kwargs={"pk": pk}) + "?undo=1"


def _history_value(field: Any, value: Any, names: dict[Any, dict[Any, str]]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(field, ForeignKey):
        return names.get(field.related_model, {}).get(value, f"#{value}")
    choices = dict(field.flatchoices) if field.choices else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)
