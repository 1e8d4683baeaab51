"""The pages of transfers (组织关系转接, POLICY 三.3; docs/transfers.md "Pages"): the list
(outgoing and incoming, by state, as xlsx), a transfer's page with its state, history and
actions, the issue form (开出, from the member's page), accept (接收) and return (退回, with
a reason) for the receiving side, re-issue after a return, and the letter (组织关系介绍信)
as .docx.

Every write is a service of `transfers/services.py` (a one-row import of the `transfers`
kind): the same checks and Chinese messages as a file. A transfer neither issued by nor
sent to a Party organization of the user's jurisdiction is 404, as one that does not
exist; a user who may not write the kind gets 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.core.models import AuditAction, AuditEvent
from dangjian.imports.export import may_unmask
from dangjian.imports.writers import may_write
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Membership
from dangjian.transfers import selectors
from dangjian.transfers.documents import letter_docx
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.transfers.services import transfer_accept, transfer_issue, transfer_return
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TRAIL = ("组织关系转接", "web:transfers")


def _trail() -> tuple[str, str]:
    return (TRAIL[0], reverse(TRAIL[1]))


def _transfer(request: HttpRequest, pk: int) -> Transfer:
    found = selectors.find(Jurisdiction(request.user), pk)  # type: ignore[arg-type]
    if found is None:
        raise Http404("组织关系转接不存在")
    return found


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """`?direction=out|in`, `?status=open|received|returned`, `?format=xlsx`."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    direction = request.GET.get("direction", "")
    direction = direction if direction in selectors.DIRECTIONS else ""
    status = request.GET.get("status", "")
    status = status if status in TransferStatus.values else ""
    qs = selectors.visible(gate, direction)
    if status:
        qs = qs.filter(status=status)
    qs = qs.order_by("-issued_on", "-pk")
    if request.GET.get("format") == "xlsx":
        rows = (selectors.cells(t) for t in qs.iterator(chunk_size=2000))
        return tables.xlsx_response(
            "组织关系转接.xlsx", selectors.HEADER, rows, title="组织关系转接"
        )
    page = tables.page(request, qs, PER_PAGE)
    context = {
        "title": "组织关系转接",
        "breadcrumbs": crumbs(("党的工作", None), (TRAIL[0], None)),
        "direction": direction,
        "status": status,
        "directions": selectors.DIRECTIONS,
        "statuses": TransferStatus.choices,
        "rows": page.object_list,
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
    }
    return render(request, "transfers/list.html", context)


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk)
    user: Any = request.user
    gate = Jurisdiction(user)
    writer = may_write(user, "transfers")
    is_open = transfer.status == TransferStatus.OPEN
    context = {
        "title": f"{transfer.person.name} · 组织关系转接",
        "breadcrumbs": crumbs(_trail(), (transfer.person.name, None)),
        "transfer": transfer,
        "may_receive": writer and is_open and selectors.receiving(gate, transfer),
        "may_reissue": writer
        and transfer.status == TransferStatus.RETURNED
        and selectors.issuing(gate, transfer)
        and not Transfer.objects.filter(
            person=transfer.person, status=TransferStatus.OPEN
        ).exists(),
        "may_unmask": may_unmask(user),
        "history": transfer.history.select_related("history_user").order_by("-history_id")[:20],
    }
    return render(request, "transfers/detail.html", context)


class IssueForm(forms.Form):
    to_party_org = forms.CharField(
        label="转入党组织（系统内：输入编码或名称搜索）", required=False, max_length=200
    )
    to_name = forms.CharField(label="或 转入党组织名称（系统外）", required=False, max_length=200)
    letter_no = forms.CharField(label="介绍信编号（可选）", required=False, max_length=64)
    issued_on = forms.CharField(
        label="开出日期（必填）", widget=forms.DateInput(attrs={"type": "date"})
    )


def _destination(text: str) -> PartyOrganization | None:
    """A known Party organization by its code, or by its full name when only one has it."""
    found = PartyOrganization.objects.filter(code=text).first()
    if found is None:
        named = list(PartyOrganization.objects.filter(name=text)[:2])
        found = named[0] if len(named) == 1 else None
    return found


SEARCH_LIMIT = 20


@login_required
def transfer_destinations(request: HttpRequest) -> HttpResponse:
    """The issue form's search (HTMX): up to 20 active Party organizations whose code starts
    with, or whose name contains, `?to_party_org=` — any known one, since a member may move
    to another area (docs/transfers.md); for those who may write transfers only."""
    if not may_write(request.user, "transfers"):
        raise PermissionDenied("您无权开出组织关系转接")
    text = request.GET.get("to_party_org", "").strip()[:100]
    found: list[PartyOrganization] = []
    if text:
        found = list(
            PartyOrganization.objects.active_on(timezone.localdate())
            .filter(Q(code__startswith=text) | Q(name__contains=text))
            .order_by("code")[:SEARCH_LIMIT]
        )
    return render(request, "transfers/_destinations.html", {"found": found})


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@login_required
def transfer_new(request: HttpRequest, person: int) -> HttpResponse:
    """开出: a transfer of the member's relation from the Party organization holding it;
    `?again=<pk>` fills the form from a returned transfer (re-issue)."""
    user: Any = request.user
    gate = Jurisdiction(user)
    member = gate.access_person(person)  # outside the jurisdiction: 404 (NotFound)
    if not may_write(user, "transfers"):
        raise PermissionDenied("您无权开出组织关系转接")
    membership = (
        Membership.objects.filter(person=member).select_related("relation_party_org").first()
    )
    if membership is None:
        raise Http404("不是党员")
    initial: dict[str, Any] = {"issued_on": timezone.localdate().isoformat()}
    again = request.GET.get("again", "")
    before = selectors.find(gate, int(again)) if again.isdigit() else None
    if before is not None and before.person_id == member.pk:
        initial.update(
            to_party_org=before.to_party_org.code if before.to_party_org else "",
            to_name=before.to_name,
        )
    form = IssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["to_party_org"].strip()
        target = _destination(code) if code else None
        day = _day(data["issued_on"])
        if code and target is None:
            form.add_error("to_party_org", f"「{code}」: 党组织编码或名称不存在（请先导入党组织）")
        elif day is None:
            form.add_error("issued_on", "不是日期：请按 YYYY-MM-DD 填写")
        elif (same := Transfer.objects.filter(person=member, issued_on=day).first()) is not None:
            # The key is the member + 开出日期 (CONTRACT.md): one transfer a day per member.
            form.add_error(
                "issued_on",
                f"该党员在 {day} 已开出一条组织关系转接（{same.get_status_display()}），"
                "同一开出日期只能有一条：重新开出请选择另一开出日期",
            )
        else:
            saved = transfer_issue(
                user=user, person=member, issued_on=day, to_party_org=target,
                to_name=data["to_name"].strip(), letter_no=data["letter_no"].strip(),
            )  # fmt: skip
            if saved.ok:
                made = Transfer.objects.get(person=member, issued_on=day)
                messages.success(request, "已开出组织关系转接（本次修改可在变更记录中撤销）")
                return redirect("web:transfer", pk=made.pk)
            _errors(form, saved.errors)
    context = {
        "title": "开出组织关系转接",
        "breadcrumbs": crumbs(_trail(), ("开出", None)),
        "form": form,
        "member": member,
        "membership": membership,
        "cancel": reverse("web:person", kwargs={"pk": member.pk}),
    }
    return render(request, "transfers/issue.html", context, status=422 if form.errors else 200)


def _errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for key, messages_ in errors.items():
        for message in messages_:
            field = key if key in form.fields else None
            form.add_error(field, message)


class AcceptForm(forms.Form):
    received_on = forms.CharField(
        label="接收日期（必填）", widget=forms.DateInput(attrs={"type": "date"})
    )


class ReturnForm(forms.Form):
    return_reason = forms.CharField(
        label="退回原因（必填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _receiving_side(request: HttpRequest, transfer: Transfer) -> None:
    user: Any = request.user
    if not may_write(user, "transfers") or not selectors.receiving(Jurisdiction(user), transfer):
        raise PermissionDenied("只有接收党组织可以接收或退回")
    if transfer.status != TransferStatus.OPEN:
        raise PermissionDenied(f"该转接已是「{transfer.get_status_display()}」")


@login_required
def transfer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk)
    _receiving_side(request, transfer)
    form = AcceptForm(
        request.POST or None, initial={"received_on": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        day = _day(form.cleaned_data["received_on"])
        if day is None:
            form.add_error("received_on", "不是日期：请按 YYYY-MM-DD 填写")
        else:
            saved = transfer_accept(user=request.user, transfer=transfer, received_on=day)  # type: ignore[arg-type]
            if saved.ok:
                messages.success(request, "已接收组织关系，党员的组织关系已转入")
                return redirect("web:transfer", pk=transfer.pk)
            _errors(form, saved.errors)
    return _step(request, transfer, form, "接收组织关系")


@login_required
def transfer_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer(request, pk)
    _receiving_side(request, transfer)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = transfer_return(
            user=request.user,  # type: ignore[arg-type]
            transfer=transfer,
            reason=form.cleaned_data["return_reason"],
            returned_on=timezone.localdate(),
        )
        if saved.ok:
            messages.success(request, "已退回，转出党组织可重新开出")
            return redirect("web:transfer", pk=transfer.pk)
        _errors(form, saved.errors)
    return _step(request, transfer, form, "退回组织关系")


def _step(request: HttpRequest, transfer: Transfer, form: forms.Form, label: str) -> HttpResponse:
    here = reverse("web:transfer", kwargs={"pk": transfer.pk})
    context = {
        "title": label,
        "breadcrumbs": crumbs(_trail(), (transfer.person.name, here), (label, None)),
        "form": form,
        "transfer": transfer,
        "cancel": here,
    }
    return render(request, "transfers/step.html", context, status=422 if form.errors else 200)


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter with its stub; `?unmask=1` prints the whole identity number, for a user
    with that right only (recorded in the audit log)."""
    transfer = _transfer(request, pk)
    user: Any = request.user
    unmask = request.GET.get("unmask") == "1"
    if unmask and not may_unmask(user):
        raise PermissionDenied("没有查看完整公民身份号码的权限")
    body = letter_docx(transfer, unmask=unmask)
    if unmask:
        AuditEvent.objects.create(
            user=user,
            action=AuditAction.UNMASK_EXPORT,
            detail=f"下载组织关系介绍信（{transfer.person.name}，{transfer.issued_on}），含完整公民身份号码",
        )
    response = HttpResponse(body, content_type=DOCX)
    name = f"组织关系介绍信-{transfer.person.name}-{transfer.issued_on:%Y%m%d}.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
