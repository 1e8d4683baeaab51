"""The pages of dissolution cases (撤销党组织, POLICY 三.3; docs/dissolutions.md): the list
(by state, as xlsx), the proposal form (from a DYN-DISSOLVE task or the Party organization's
page: the day, the reason and each member's destination), the case's page with its state,
members, the transfers it opened and its history, and the decision (批准 / 不予批准) of the
level above. Every write is a service of `dissolutions/services.py`; a case outside the
user's jurisdiction is 404, a step the user may not take is 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.dissolutions import selectors
from dangjian.dissolutions.models import Dissolution, DissolutionState
from dangjian.dissolutions.services import (
    Wanted,
    dissolution_approve,
    dissolution_propose,
    dissolution_refuse,
)
from dangjian.partyorgs.models import PartyOrganization, PartyOrgStatus
from dangjian.tasks.models import Task
from dangjian.tasks.selectors import task_get
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
TRAIL = ("撤销党组织", "web:dissolutions")


def _trail() -> tuple[str, str]:
    return (TRAIL[0], reverse(TRAIL[1]))


def _case(request: HttpRequest, pk: int) -> Dissolution:
    found = selectors.find(Jurisdiction(request.user), pk)  # type: ignore[arg-type]
    if found is None:
        raise Http404("撤销申请不存在")
    return found


@login_required
def dissolution_list(request: HttpRequest) -> HttpResponse:
    """`?state=proposed|approved|refused`, `?format=xlsx`."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    state = request.GET.get("state", "")
    state = state if state in DissolutionState.values else ""
    qs = selectors.visible(gate)
    if state:
        qs = qs.filter(state=state)
    qs = qs.order_by("-proposed_at", "-pk")
    if request.GET.get("format") == "xlsx":
        rows = (selectors.cells(c) for c in qs.iterator(chunk_size=2000))
        return tables.xlsx_response("撤销党组织.xlsx", selectors.HEADER, rows, title="撤销党组织")
    page = tables.page(request, qs, PER_PAGE)
    context = {
        "title": "撤销党组织",
        "breadcrumbs": crumbs(("党的工作", None), (TRAIL[0], None)),
        "state": state,
        "states": DissolutionState.choices,
        "rows": page.object_list,
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
    }
    return render(request, "dissolutions/list.html", context)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _task(request: HttpRequest, party_org: PartyOrganization) -> Task | None:
    """The DYN-DISSOLVE task the proposal comes from (`?task=`), when the user sees it."""
    text = request.GET.get("task", "") or request.POST.get("task", "")
    if not text.isdigit():
        return None
    try:
        task = task_get(request.user, int(text))
    except Http404:
        return None
    if task.rule != "DYN-DISSOLVE" or task.subject_pk != party_org.pk:
        return None
    return task


@login_required
def dissolution_new(request: HttpRequest, code: str) -> HttpResponse:
    """提请撤销 a Party organization the user sees (404 otherwise)."""
    user: Any = request.user
    gate = Jurisdiction(user)
    party_org = gate.party_orgs().filter(code=code).select_related("township").first()
    if party_org is None:
        raise Http404("党组织不存在")
    if not selectors.may_propose(user, party_org):
        raise PermissionDenied("只有该党组织书记或所在地区的管理员可以提请撤销")
    if party_org.status != PartyOrgStatus.ACTIVE:
        raise PermissionDenied(f"该党组织已于 {party_org.dissolved_on} 撤销")
    pending = party_org.dissolutions.filter(state=DissolutionState.PROPOSED).first()
    if pending is not None:
        return redirect("web:dissolution", pk=pending.pk)
    task = _task(request, party_org)
    open_from_here = set(
        Transfer.objects.filter(from_party_org=party_org, status=TransferStatus.OPEN)
        .values_list("person_id", flat=True)
    )  # fmt: skip
    members = [p for p in selectors.held_members(party_org) if p.pk not in open_from_here]
    post = request.POST
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        wanted = [
            Wanted(p, post.get(f"code-{p.pk}", "")[:64], post.get(f"name-{p.pk}", "")[:200])
            for p in members
        ]
        done = dissolution_propose(
            user=user, party_org=party_org, dissolved_on=_day(post.get("dissolved_on", "")),
            reason=post.get("reason", ""), wanted=wanted, task=task,
        )  # fmt: skip
        if done.ok:
            assert done.record is not None
            messages.success(request, "已提请撤销，等待上级党组织或乡镇(街道)审批")
            return redirect("web:dissolution", pk=done.record.pk)
        errors = done.errors
    rows = [
        {
            "person": p,
            "code": post.get(f"code-{p.pk}", ""),
            "name": post.get(f"name-{p.pk}", ""),
            "errors": errors.get(f"dest-{p.pk}", []),
        }
        for p in members
    ]
    context = {
        "title": f"提请撤销党组织 · {party_org.name}",
        "breadcrumbs": crumbs(_trail(), ("提请撤销", None)),
        "party_org": party_org,
        "task": task,
        "rows": rows,
        "in_transfer": len(open_from_here),
        "values": {
            "dissolved_on": post.get("dissolved_on", timezone.localdate().isoformat()),
            "reason": post.get("reason", ""),
        },
        "errors": errors,
        "general": errors.get("", []),
        "cancel": reverse("web:task", kwargs={"pk": task.pk}) if task else
        reverse("web:party_org", kwargs={"code": party_org.code}),
    }  # fmt: skip
    return render(request, "dissolutions/propose.html", context, status=422 if errors else 200)


@login_required
def dissolution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user: Any = request.user
    destinations = list(
        case.destinations.select_related("person", "to_party_org", "transfer").order_by("pk")
    )
    context = {
        "title": f"撤销党组织 · {case.party_org.name}",
        "breadcrumbs": crumbs(_trail(), (case.party_org.name, None)),
        "case": case,
        "destinations": destinations,
        "may_decide": case.state == DissolutionState.PROPOSED and selectors.may_decide(user, case),
        "history": case.history.select_related("history_user").order_by("-history_id")[:20],
    }
    return render(request, "dissolutions/detail.html", context)


@login_required
def dissolution_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """批准 (`decision=approve`) or 不予批准 (`decision=refuse`, with an opinion)."""
    case = _case(request, pk)
    user: Any = request.user
    if not selectors.may_decide(user, case):
        raise PermissionDenied("由上级党组织或乡镇(街道)审批，提请人不能自己审批")
    if case.state != DissolutionState.PROPOSED:
        raise PermissionDenied(f"该撤销申请已是「{case.get_state_display()}」")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        opinion = request.POST.get("opinion", "")
        if decision == "approve":
            done = dissolution_approve(user=user, case=case, opinion=opinion)
            note = "已批准：党组织已撤销，已为每名党员开出组织关系转接"
        elif decision == "refuse":
            done = dissolution_refuse(user=user, case=case, opinion=opinion)
            note = "已不予批准"
        else:
            raise PermissionDenied("请选择批准或不予批准")
        if done.ok:
            messages.success(request, note)
            return redirect("web:dissolution", pk=case.pk)
        errors = done.errors
    context = {
        "title": f"审批撤销申请 · {case.party_org.name}",
        "breadcrumbs": crumbs(
            _trail(),
            (case.party_org.name, reverse("web:dissolution", kwargs={"pk": case.pk})),
            ("审批", None),
        ),
        "case": case,
        "destinations": case.destinations.select_related("person", "to_party_org"),
        "errors": errors,
        "opinion": request.POST.get("opinion", ""),
        "cancel": reverse("web:dissolution", kwargs={"pk": case.pk}),
    }
    return render(request, "dissolutions/decide.html", context, status=422 if errors else 200)
