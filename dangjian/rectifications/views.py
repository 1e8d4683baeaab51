"""The pages of weak and lax Party organizations (docs/dynamics.md "软弱涣散党组织整顿"): the
rectifications of the Party organizations a user sees by state and area (xlsx), the system's
suggestions (shown as suggestions, never as decisions), identifying one, and a case's page —
its plan, deadline, progress notes, the report of completion and the review by the level
above, with its history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.imports.writers import may_write
from dangjian.rectifications import selectors, services
from dangjian.rectifications.models import Rectification
from dangjian.web import details, lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
HEADER = ["党组织编码", "党组织", "所在乡镇(街道)", "认定日期", "主要问题", "整顿期限", "状态",
          "整顿完成日期", "认定方式"]  # fmt: skip


def _cells(r: Rectification, today: Any) -> list[Any]:
    return [r.party_org.code, r.party_org.name, r.party_org.township.name, r.identified_on,
            r.problem, r.deadline, selectors.STATES[selectors.state_of(r, today)],
            r.resolved_on, r.get_origin_display()]  # fmt: skip


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    """`?state=open|overdue|submitted|resolved`, `?area=`, `?format=xlsx`."""
    user: Any = request.user
    gate = Jurisdiction(user)
    today = timezone.localdate()
    code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(code) if code else None
    base = area or gate.area
    qs = selectors.rectifications_seen(gate)
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    counts = {s: qs.filter(selectors.state_q(s, today)).count() for s in selectors.STATES}
    state = request.GET.get("state", "")
    listed = qs.filter(selectors.state_q(state, today)) if state in selectors.STATES else qs
    listed = listed.order_by("-identified_on", "pk")
    if request.GET.get("format") == "xlsx":
        rows = (_cells(r, today) for r in listed.iterator(chunk_size=2000))
        return tables.xlsx_response(
            "软弱涣散党组织整顿.xlsx", HEADER, rows, title="软弱涣散党组织整顿"
        )
    below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
    children = list(
        below.filter(level__in=("province", "city", "district", "township")).order_by("code")
    )
    per_path = list(
        qs.filter(resolved_on__isnull=True).order_by().values("party_org__township__path")
        .annotate(n=Count("pk")).values_list("party_org__township__path", "n")
    )  # fmt: skip
    by_area = [
        (child, sum(n for path, n in per_path if (path or "").startswith(child.path)))
        for child in children
    ]
    page = tables.page(request, listed, PER_PAGE)
    context = {
        "title": "软弱涣散党组织整顿",
        "breadcrumbs": crumbs(("党组织", reverse("web:party_orgs")), ("软弱涣散党组织整顿", None)),
        "states": selectors.STATES,
        "state": state,
        "counts": counts,
        "area": area,
        "area_code": code,
        "areas": gate.areas().filter(level__in=("district", "township")).order_by("code")[:300],
        "by_area": by_area,
        "rows": [(r.pk, _cells(r, today)) for r in page.object_list],
        "header": HEADER,
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
        "may_identify": may_write(user, services.KIND),
        "suggestions": selectors.suggestions(gate, today) if may_write(user, services.KIND) else [],
    }
    return render(request, "rectifications/list.html", context)


DATE = forms.DateInput(attrs={"type": "date"})


class IdentifyForm(forms.Form):
    party_org = forms.CharField(label="党组织编码（必填）", max_length=32)
    identified_on = forms.CharField(label="认定日期（必填）", widget=DATE)
    problem = forms.CharField(label="主要问题（必填）", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    deadline = forms.CharField(label="整顿期限（必填）", widget=DATE)
    plan = forms.CharField(label="整顿措施", max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    suggested = forms.BooleanField(label="根据系统提示认定", required=False)


@login_required
def rectification_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may_write(user, services.KIND):
        raise PermissionDenied("只有上级党组织（市、区县、乡镇(街道)）可以认定软弱涣散党组织")
    today = timezone.localdate()
    initial = {"party_org": request.GET.get("party_org", "")[:32],
               "identified_on": today.isoformat(),
               "suggested": request.GET.get("suggested") == "1"}  # fmt: skip
    form = IdentifyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = services.rectification_identify(user=user, **form.cleaned_data)
        if done.ok:
            messages.success(request, "已认定为软弱涣散党组织，请跟进整顿")
            return redirect("web:rectification", pk=done.record.pk)
        for key, errors in done.errors.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    context = {
        "title": "认定软弱涣散党组织",
        "breadcrumbs": crumbs(
            ("软弱涣散党组织整顿", reverse("web:rectifications")), ("认定", None)
        ),
        "form": form,
        "cancel": reverse("web:rectifications"),
    }
    return render(request, "rectifications/form.html", context, status=422 if form.errors else 200)


def _case(request: HttpRequest, pk: int) -> Rectification:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    found = selectors.rectifications_seen(gate).filter(pk=pk).first()
    if found is None:
        raise Http404("整顿记录不存在")
    return found


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the case; POST `action=note|submit|approve|return` (403 for who may not)."""
    user: Any = request.user
    record = _case(request, pk)
    today = timezone.localdate()
    may_report = selectors.may_report(user, record)
    may_review = selectors.may_review(user, record)
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("note", "submit") and not may_report:
            raise PermissionDenied("您无权填写该党组织的整顿进展")
        if action in ("approve", "return") and not may_review:
            raise PermissionDenied("整顿完成情况由上级党组织验收")
        if action == "note":
            done = services.rectification_note(user=user, record=record,
                                               text=request.POST.get("text", ""))  # fmt: skip
        elif action == "submit":
            done = services.rectification_submit(user=user, record=record,
                                                 summary=request.POST.get("summary", ""))  # fmt: skip
        elif action in ("approve", "return"):
            done = services.rectification_review(
                user=user, record=record, approve=action == "approve",
                opinion=request.POST.get("opinion", ""),
            )  # fmt: skip
        else:
            raise Http404("没有这个操作")
        if done.ok:
            messages.success(request, "已保存")
            return redirect("web:rectification", pk=record.pk)
        problems = done.errors
    state = selectors.state_of(record, today)
    context = {
        "title": f"{record.party_org.name} · 软弱涣散党组织整顿",
        "breadcrumbs": crumbs(
            ("软弱涣散党组织整顿", reverse("web:rectifications")), (record.party_org.name, None)
        ),
        "r": record,
        "state": state,
        "state_label": selectors.STATES[state],
        "notes": list(record.notes.select_related("author").order_by("written_on", "pk")),
        "may_report": may_report and state in ("open", "overdue"),
        "may_review": may_review and state == "submitted",
        "problems": problems,
        "history": details.histories([("", record)], user),
    }
    return render(request, "rectifications/detail.html", context,
                  status=422 if problems else 200)  # fmt: skip
