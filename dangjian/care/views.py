"""The pages of 双培 and 关怀帮扶 (docs/care.md): the records of the Party organizations a user
sees, per area (counts by child area; the list filtered by area; xlsx), and a form for each
(the services of `care/services.py`; 403 for those who may not write them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.care.models import CareKind, CareRecord, Cultivation, Direction
from dangjian.care.services import KIND, care_record, cultivation_record
from dangjian.imports.writers import may_write
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
WHAT = {"cultivations": "双培", "care": "关怀帮扶"}
HEADERS = {
    "cultivations": ["姓名", "公民身份号码", "党组织", "所在区划", "培养方向", "开始培养日期",
                     "培养状态", "实现或停止日期", "培养措施"],
    "care": ["姓名", "公民身份号码", "党组织", "所在区划", "帮扶日期", "困难类型", "帮扶内容",
             "帮扶金额(元)", "纳入党员关怀帮扶基金"],
}  # fmt: skip


def _records(gate: Jurisdiction, what: str) -> QuerySet[Any]:
    model = Cultivation if what == "cultivations" else CareRecord
    return model.objects.filter(party_org__in=gate.party_orgs().values("pk")).select_related(
        "person", "party_org", "party_org__township"
    )


def _cells(what: str, r: Any) -> list[Any]:
    head = [r.person.name, r.person.id_masked, r.party_org.name, r.party_org.township.name]
    if what == "cultivations":
        return [*head, r.get_direction_display(), r.started_on, r.get_status_display(),
                r.ended_on, r.note]  # fmt: skip
    return [*head, r.given_on, r.get_kind_display(), r.help, r.amount,
            "是" if r.from_fund else "否"]  # fmt: skip


@login_required
def care_list(request: HttpRequest) -> HttpResponse:
    """`?what=cultivations|care`, `?area=`, `?format=xlsx`."""
    user: Any = request.user
    gate = Jurisdiction(user)
    what = request.GET.get("what", "cultivations")
    what = what if what in WHAT else "cultivations"
    code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(code) if code else None
    base = area or gate.area
    qs = _records(gate, what)
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    order = ("-started_on", "-pk") if what == "cultivations" else ("-given_on", "-pk")
    qs = qs.order_by(*order)
    if request.GET.get("format") == "xlsx":
        rows = (_cells(what, r) for r in qs.iterator(chunk_size=2000))
        return tables.xlsx_response(f"{WHAT[what]}.xlsx", HEADERS[what], rows, title=WHAT[what])
    below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
    children = list(
        below.filter(level__in=("province", "city", "district", "township")).order_by("code")
    )
    counts = dict(
        qs.order_by().values_list("party_org__township__path").annotate(n=Count("pk"))
        .values_list("party_org__township__path", "n")
    )  # fmt: skip
    by_area = [
        (child, sum(n for path, n in counts.items() if (path or "").startswith(child.path)))
        for child in children
    ]
    page = tables.page(request, qs, PER_PAGE)
    context = {
        "title": "双培与关怀帮扶",
        "breadcrumbs": crumbs(("党的工作", None), ("双培与关怀帮扶", None)),
        "what": what,
        "whats": WHAT,
        "area": area,
        "area_code": code,
        "areas": gate.areas().filter(level__in=("district", "township")).order_by("code")[:300],
        "by_area": by_area,
        "header": HEADERS[what],
        "rows": [_cells(what, r) for r in page.object_list],
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
        "may_write": may_write(user, KIND),
    }
    return render(request, "care/list.html", context)


DATE = forms.DateInput(attrs={"type": "date"})


class CultivationForm(forms.Form):
    id_number = forms.CharField(label="公民身份号码（必填）", max_length=32)
    party_org = forms.CharField(label="党组织编码（必填）", max_length=32)
    direction = forms.ChoiceField(label="培养方向", choices=Direction.choices)
    started_on = forms.CharField(label="开始培养日期（必填）", widget=DATE)
    note = forms.CharField(label="培养措施（可选）", required=False, max_length=300)


class CareForm(forms.Form):
    id_number = forms.CharField(label="公民身份号码（必填）", max_length=32)
    party_org = forms.CharField(label="党组织编码（必填）", max_length=32)
    given_on = forms.CharField(label="帮扶日期（必填）", widget=DATE)
    kind = forms.ChoiceField(label="困难类型", choices=CareKind.choices)
    help = forms.CharField(label="帮扶内容（必填）", max_length=300, required=False)
    amount = forms.CharField(label="帮扶金额（元，可选）", required=False, max_length=20)
    from_fund = forms.BooleanField(label="纳入党员关怀帮扶基金", required=False)


def _new(request: HttpRequest, what: str) -> HttpResponse:
    user: Any = request.user
    if not may_write(user, KIND):
        raise PermissionDenied("您无权记录")
    form_class = CultivationForm if what == "cultivations" else CareForm
    initial = {"party_org": getattr(getattr(user, "party_org", None), "code", "")}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = (cultivation_record(user=user, **data) if what == "cultivations"
                else care_record(user=user, **data))  # fmt: skip
        if done.ok:
            messages.success(request, f"已记录{WHAT[what]}")
            return redirect(f"{reverse('web:care')}?what={what}")
        for key, errors in done.errors.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    context = {
        "title": f"记录{WHAT[what]}",
        "breadcrumbs": crumbs(("双培与关怀帮扶", reverse("web:care")), (f"记录{WHAT[what]}", None)),
        "form": form,
        "heading": f"记录{WHAT[what]}",
        "today": timezone.localdate(),
        "cancel": f"{reverse('web:care')}?what={what}",
    }
    return render(request, "care/form.html", context, status=422 if form.errors else 200)


@login_required
def cultivation_new(request: HttpRequest) -> HttpResponse:
    return _new(request, "cultivations")


@login_required
def care_new(request: HttpRequest) -> HttpResponse:
    return _new(request, "care")
