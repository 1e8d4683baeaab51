"""The pages of annual inspections and evaluations (docs/dynamics.md "页面"): the list of the
inspections of the organizations a user sees, per area (how many, how many without the
Party-building section; xlsx), and the forms that record an inspection or an evaluation of
one organization — a one-row import of the `inspections` / `evaluations` kind (every check
and message of a file), beside the organization's Party-building state on the inspection's
date, so that the inspector sees what to ask."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.imports.record_views import Target, record_page
from dangjian.imports.writers import may_write
from dangjian.inspections import selectors
from dangjian.inspections.models import InspectionResult
from dangjian.orgs.models import SocialOrganization
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
HEADER = ["统一社会信用代码", "社会组织", "所在乡镇(街道)", "年检年度", "年检结论", "党建情况已填报",
          "年检日期"]  # fmt: skip


def _cells(i: Any) -> list[Any]:
    return [i.org.uscc, i.org.name, i.org.township.name, i.year,
            InspectionResult(i.result).label, "是" if i.party_section else "否",
            i.inspected_on]  # fmt: skip


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    """`?year=`, `?area=`, `?party=no` (without the Party-building section), `?format=xlsx`."""
    user: Any = request.user
    gate = Jurisdiction(user)
    code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(code) if code else None
    base = area or gate.area
    qs = selectors.inspections_seen(gate)
    years = sorted(set(qs.order_by().values_list("year", flat=True).distinct()), reverse=True)
    try:
        year = int(request.GET.get("year", "") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    qs = qs.filter(year=year)
    if area is not None:
        qs = qs.filter(org__township__path__startswith=area.path)
    without = request.GET.get("party") == "no"
    listed = qs.filter(party_section=False) if without else qs
    listed = listed.order_by("org__township__code", "org__uscc")
    if request.GET.get("format") == "xlsx":
        rows = (_cells(i) for i in listed.iterator(chunk_size=2000))
        return tables.xlsx_response(f"年检{year}.xlsx", HEADER, rows, title=f"{year}年度年检")
    below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
    children = list(
        below.filter(level__in=("province", "city", "district", "township")).order_by("code")
    )
    counts = list(
        qs.order_by().values("org__township__path")
        .annotate(n=Count("pk"), lacking=Count("pk", filter=Q(party_section=False)))
        .values_list("org__township__path", "n", "lacking")
    )  # fmt: skip
    by_area = []
    for child in children:
        n = sum(c[1] for c in counts if (c[0] or "").startswith(child.path))
        lacking = sum(c[2] for c in counts if (c[0] or "").startswith(child.path))
        by_area.append((child, n, lacking, f"{(n - lacking) / n:.0%}" if n else "—"))
    total = sum(c[1] for c in counts)
    lacking_total = sum(c[2] for c in counts)
    page = tables.page(request, listed, PER_PAGE)
    context = {
        "title": "年检与党建情况",
        "breadcrumbs": crumbs(("社会组织", reverse("web:orgs")), ("年检与党建情况", None)),
        "year": year,
        "years": years,
        "area": area,
        "area_code": code,
        "areas": gate.areas().filter(level__in=("district", "township")).order_by("code")[:300],
        "without": without,
        "by_area": by_area,
        "total": total,
        "lacking": lacking_total,
        "share": f"{(total - lacking_total) / total:.0%}" if total else "—",
        "header": HEADER,
        "rows": [(i.org.uscc, _cells(i)) for i in page.object_list],
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
    }
    return render(request, "inspections/list.html", context)


def _day(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return default


@login_required
def inspection_new(request: HttpRequest, uscc: str) -> HttpResponse:
    """The form of one organization's inspection; the Party-building state beside it is of
    the date entered (`?on=`, or the form's 年检日期 once sent), today's by default."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    found = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.select_related("township").get(pk=found.pk)
    today = timezone.localdate()
    day = _day(request.POST.get("inspected_on", "") or request.GET.get("on", ""), today)
    detail = reverse("web:org", kwargs={"uscc": org.uscc})
    target = Target(
        "inspections", None,
        [("社会组织", reverse("web:orgs")), (org.name, detail)],
        detail, lambda values: detail + "#inspections", "录入年检",
        preset={"uscc": org.uscc, "year": str(today.year - 1)}, locked=("uscc",),
        template="inspections/inspection_form.html",
        context={"org": org, "state": selectors.party_state(request.user, org, day),
                 "inspections": selectors.org_inspections(org)},
    )  # fmt: skip
    return record_page(request, target)


@login_required
def evaluation_new(request: HttpRequest, uscc: str) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    found = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.get(pk=found.pk)
    detail = reverse("web:org", kwargs={"uscc": org.uscc})
    target = Target(
        "evaluations", None,
        [("社会组织", reverse("web:orgs")), (org.name, detail)],
        detail, lambda values: detail + "#inspections", "录入评估",
        preset={"uscc": org.uscc}, locked=("uscc",),
    )  # fmt: skip
    return record_page(request, target)


def org_panel(user: Any, org: SocialOrganization) -> dict[str, Any]:
    """The 年检与评估 panel of an organization's page."""
    return {
        "inspections": selectors.org_inspections(org),
        "evaluations": selectors.org_evaluations(org),
        "may_inspect": may_write(user, "inspections"),
        "may_evaluate": may_write(user, "evaluations"),
    }
