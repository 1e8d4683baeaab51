"""The pages of member development (发展党员, POLICY 四.3; docs/development.md "The pages"):
the pipeline per Party organization and area (counts at each stage on a date, median time at
each stage, a chart, the rows as xlsx, the new members of the year by position), an
applicant's page with the next step, and the forms of every step.

Writing: a new application is a one-row import of the `applicants` kind
(`imports/record_views.record_page`); every further step is a service of
`development/services.py` (`applicant_<action>`), one-row imports of the `applicants` and
`people` kinds — the same checks and Chinese messages as a file. An applicant outside the
user's jurisdiction is 404 (as one that does not exist); a user who may not write the kind
gets 403."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.development import selectors
from dangjian.development.models import Applicant
from dangjian.development.services import SERVICES, STEPS, available_steps, membership_of
from dangjian.imports.errors import CellError
from dangjian.imports.fields import id_code
from dangjian.imports.record_views import Target, record_page, refused
from dangjian.imports.records import stale, version_of
from dangjian.imports.writers import may_write
from dangjian.lib import crypto
from dangjian.web import lists, tables
from dangjian.web.dates import as_of_param
from dangjian.web.frame import crumbs

PER_PAGE = 50
TRAIL = ("发展党员", "web:development")
# The columns a new application does not show: it starts 培养中, with no later step.
LATER = ("talked_on", "activist_on", "candidate_on", "status", "status_changed_on")


def _trail() -> tuple[str, str]:
    return (TRAIL[0], reverse(TRAIL[1]))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    """The pipeline of the Party organizations the user sees, of an area (`?area=`) or one
    Party organization (`?party_org=`), on `?as_of=`; `?stage=` lists that stage's rows;
    `?format=xlsx` the rows shown as a workbook."""
    user: Any = request.user
    gate = Jurisdiction(user)
    today = timezone.localdate()
    as_of = as_of_param(request) or today  # a date it cannot use: said by base.html
    party_orgs = gate.party_orgs()
    area_code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(area_code) if area_code else None
    if area is not None:
        party_orgs = party_orgs.filter(township__path__startswith=area.path)
    code = request.GET.get("party_org", "").strip()[:32]
    party_org = gate.access_party_org(code) if code else None
    if party_org is not None:
        party_orgs = party_orgs.filter(pk=party_org.pk)
    stage = request.GET.get("stage", "")
    if stage not in ("applicant", "activist", "candidate"):
        stage = ""
    shown = selectors.rows(party_orgs, stage, as_of)
    if request.GET.get("format") == "xlsx":
        title = f"发展党员{as_of:%Y%m%d}"
        cells = (selectors.row_cells(a, as_of) for a in shown.iterator(chunk_size=2000))
        return tables.xlsx_response(f"{title}.xlsx", selectors.ROW_HEADER, cells, title="发展党员")
    counts = selectors.counts(party_orgs, as_of)
    medians = selectors.median_days(party_orgs, as_of)
    query = tables.query_without(request, "stage", "page", "format")
    stages = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "median": "—" if medians[key] is None else f"{medians[key]:g}",
            "url": (f"?{query}&stage={key}" if query else f"?stage={key}")
            if key != "probationary"
            else "",
            "active": key == stage,
        }
        for key, label in selectors.STAGES
    ]
    shares = selectors.new_members_by_position(party_orgs, as_of.year)
    chart = {
        "categories": [s["label"] for s in stages],
        "series": [{"name": "人数", "data": [s["count"] for s in stages]}],
        "labels": True,
        "links": [s["url"] for s in stages],
    }
    base = area or gate.area
    children = None
    if party_org is None and (base is not None or gate.everything):
        below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
        children = list(below.filter(level__in=("city", "district", "township")).order_by("code"))
    lines = selectors.breakdown(party_orgs, as_of, children)
    base_query = tables.query_without(request, "area", "party_org", "stage", "page", "format")

    def line_url(line: selectors.Line) -> str:
        key = f"area={line.area_code}" if line.area_code else f"party_org={line.party_org_code}"
        return f"?{base_query}&{key}" if base_query else f"?{key}"

    page = tables.page(request, shown, PER_PAGE)
    areas = gate.areas().filter(level__in=("district", "township")).order_by("code")
    context = {
        "title": "发展党员",
        "breadcrumbs": crumbs(("党的工作", None), (TRAIL[0], None)),
        "as_of": as_of,
        "area": area,
        "area_code": area_code,
        "areas": areas[:300],
        "party_org": party_org,
        "party_org_code": code,
        "stage": stage,
        "stage_label": dict(selectors.STAGES).get(stage, "全部"),
        "stages": stages,
        "chart": chart,
        "lines": [
            (line, line_url(line), [line.counts[k] for k, _ in selectors.STAGES]) for line in lines
        ],
        "by_area": bool(children),
        "shares": [(s.label, s.count, _percent(s.rate)) for s in shares],
        "shares_total": sum(s.count for s in shares),
        "rows": [(a, selectors.stage_of(a, as_of)) for a in page.object_list],
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
        "may_record": may_write(user, "applicants"),
        "today": today,
    }
    return render(request, "development/pipeline.html", context)


def _applicant(request: HttpRequest, pk: int) -> Applicant:
    """The applicant, found through the gate: outside the jurisdiction, 404."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    applicant = (
        Applicant.objects.filter(pk=pk, party_org__in=gate.party_orgs().values("pk"))
        .select_related("person", "party_org")
        .first()
    )
    if applicant is None:
        raise Http404("入党申请人不存在")
    return applicant


def _to_applicant(values: dict[str, str]) -> str:
    try:
        number = id_code(values.get("id_number", ""))
    except CellError:  # saved, so readable; the list otherwise
        return reverse("web:development")
    pk = (
        Applicant.objects.filter(person__id_hash=crypto.lookup_hash(number))
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("web:applicant", kwargs={"pk": pk}) if pk else reverse("web:development")


@login_required
def applicant_new(request: HttpRequest) -> HttpResponse:
    """Record an application (登记入党申请): a new applicant, 培养中."""
    user: Any = request.user
    preset = {"status": "培养中"}
    if user.role == "org" and user.party_org_id is not None:
        preset["party_org"] = user.party_org.code
    code = request.GET.get("party_org", "").strip()[:32]
    if code:
        preset["party_org"] = code
    target = Target(
        "applicants", None, [_trail()], reverse("web:development"), _to_applicant,
        "登记入党申请", preset=preset, omit=LATER, fixed={"status": "培养中"},
    )  # fmt: skip
    return record_page(request, target)


@login_required
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _applicant(request, pk)
    user: Any = request.user
    membership = membership_of(applicant)
    steps = [
        s
        for s in available_steps(applicant)
        if may_write(user, s.kind) and (s.action != "admit" or may_write(user, "people"))
    ]
    today = timezone.localdate()
    context = {
        "title": f"{applicant.person.name} · 发展党员",
        "breadcrumbs": crumbs(_trail(), (applicant.person.name, None)),
        "applicant": applicant,
        "stage": selectors.stage_of(applicant, today),
        "membership": membership,
        "steps": steps,
        "history": applicant.history.select_related("history_user").order_by("-history_id")[:20],
    }
    return render(request, "development/applicant.html", context)


class StepForm(forms.Form):
    day = forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="说明（可选，记入变更记录）",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, label: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].label = f"{label}（必填）"


@login_required
def applicant_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the applicant's development (`services.SERVICES[action]`)."""
    step = STEPS.get(action)
    if step is None:
        raise Http404("没有这一步骤")
    applicant = _applicant(request, pk)
    user: Any = request.user
    here = reverse("web:applicant", kwargs={"pk": applicant.pk})
    trail = [_trail(), (applicant.person.name, here)]
    kinds = ("people", "applicants") if action == "admit" else (step.kind,)
    if not all(may_write(user, kind) for kind in kinds):
        return refused(request, Target(step.kind, applicant, trail, here, lambda v: here, ""))
    membership = membership_of(applicant)
    version = version_of(applicant, membership)
    form = StepForm(step.day_label, request.POST or None, initial={"version": version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problem = stale(data.get("version", ""), applicant, membership)
        if problem:
            form.add_error(None, problem)
        else:
            result = SERVICES[action](user, applicant, data.get("day", ""), data.get("reason", ""))
            if result.ok:
                messages.success(request, f"已{step.label}（本次修改可在变更记录中撤销）")
                return redirect(here)
            for name, errors in result.errors.items():
                for error in errors:
                    form.add_error("day" if name == "day" else None, error)
    context = {
        "title": step.label,
        "breadcrumbs": crumbs(*trail, (step.label, None)),
        "form": form,
        "applicant": applicant,
        "membership": membership,
        "step": step,
        "cancel": here,
    }
    return render(
        request, "development/step_form.html", context, status=422 if form.errors else 200
    )
