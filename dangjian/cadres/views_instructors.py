"""Instructors' work (POLICY 三.2) in the pages: an instructor's own page (their assigned
organizations and visits, 「记录走访」 — a one-row import of the `instructor-visits` kind, the
instructor and organization fixed by the page, never typed nor shown in full), and the
officers' quarter progress per instructor and township, with the instructors who made no
visit (`?idle=1`) and an xlsx."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role
from dangjian.cadres.instructors import progress, quarter_days, quarter_of
from dangjian.cadres.models import InstructorVisit
from dangjian.partyorgs.models import InstructorAssignment
from dangjian.web import tables
from dangjian.web.frame import crumbs

HEADER = ("派驻社会组织数", "走访社会组织数", "走访次数", "帮助建立工会", "帮助建立共青团",
          "发现入党积极分子", "发现党员")  # fmt: skip


def _instructor(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.INSTRUCTOR or user.instructor is None:
        raise Http404("页面不存在")
    return user.instructor


@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    """An instructor's own page: the organizations assigned to them now, their visits."""
    instructor = _instructor(request)
    today = timezone.localdate()
    assignments = (
        InstructorAssignment.objects.current_on(today)
        .filter(instructor=instructor)
        .select_related("org__township")
        .order_by("org__name")
    )
    visits = (
        InstructorVisit.objects.filter(instructor=instructor)
        .select_related("org")
        .order_by("-visited_on", "org__name")[:200]
    )
    context = {
        "title": "我的走访",
        "breadcrumbs": crumbs(("我的走访", None)),
        "assignments": assignments,
        "visits": visits,
        "quarter": quarter_of(today),
    }
    return render(request, "cadres/my_visits.html", context)


@login_required
def visit_new(request: HttpRequest, uscc: str) -> HttpResponse:
    """记录走访 of one of the instructor's organizations (assigned now)."""
    from dangjian.imports.record_views import Target, record_page, to

    instructor = _instructor(request)
    assignment = (
        InstructorAssignment.objects.filter(instructor=instructor, org__uscc=uscc[:18])
        .select_related("org", "instructor__person")
        .order_by("-started_on")
        .first()
    )
    if assignment is None:
        raise Http404("社会组织不存在")
    here = reverse("web:my_visits")
    target = Target(
        "instructor-visits", None, [("我的走访", here)], here, to(here),
        f"记录走访：{assignment.org.name}",
        preset={"visited_on": timezone.localdate().isoformat()},
        omit=("id_number", "uscc"),
        fixed={"id_number": assignment.instructor.person.id_number, "uscc": assignment.org.uscc},
    )  # fmt: skip
    return record_page(request, target)


@login_required
def instructor_progress(request: HttpRequest) -> HttpResponse:
    """The quarter's progress per instructor and township (`?quarter=2026-Q3`, default the
    current one), the idle instructors (`?idle=1`), `?format=xlsx`."""
    user: Any = request.user
    gate = Jurisdiction(user)
    if gate.area is None and not gate.everything:
        raise Http404("页面不存在")
    today = timezone.localdate()
    quarter = (request.GET.get("quarter") or "").strip()[:7] or quarter_of(today)
    try:
        first, last = quarter_days(quarter)
    except ValueError:
        quarter = quarter_of(today)
        first, last = quarter_days(quarter)
    people, towns = progress(user, quarter)
    idle = request.GET.get("idle") == "1"
    shown = [p for p in people if p.idle] if idle else people
    if request.GET.get("format") == "xlsx":
        rows = [[p.name, p.masked, *p.row()] for p in shown]
        return tables.xlsx_response(
            f"指导员走访进度{quarter}.xlsx", ("指导员", "公民身份号码", *HEADER), rows,
            title="指导员走访进度",
        )  # fmt: skip
    context = {
        "title": "指导员走访进度",
        "breadcrumbs": crumbs(("指导员走访进度", None)),
        "quarter": quarter,
        "first": first,
        "last": last,
        "people": shown,
        "idle": idle,
        "idle_count": sum(1 for p in people if p.idle),
        "towns": towns,
        "header": HEADER,
    }
    return render(request, "cadres/instructor_progress.html", context)
