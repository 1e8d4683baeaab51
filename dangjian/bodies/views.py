"""The pages of the management system (POLICY 二.1, 2.3; docs/bodies.md): the work bodies
per area with their current staff (专职, 兼职), a body's page with its staff, the township
cadres in charge and the contact points (联系点) per area — each with its xlsx and the
links to the one-row forms (`imports/record_views.py`) for those who may write them.

They are the area officers' records: any other role gets 404, and a record outside the
user's area answers 404 exactly as one that does not exist (`selectors.access`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.bodies import selectors
from dangjian.bodies.models import ContactPoint, TownshipCadre, WorkBody, WorkBodyStaff
from dangjian.imports.writers import may_write
from dangjian.web import tables
from dangjian.web.frame import crumbs

BODIES_HEADER = ("机构名称", "机构类别", "所在区县(市)", "成立日期", "专职人员", "兼职人员")
STAFF_HEADER = ("姓名", "职务", "专兼职", "开始日期", "结束日期", "状态")
CADRES_HEADER = ("区县(市)", "乡镇(街道)", "姓名", "职务", "专兼职", "开始日期", "结束日期")
POINTS_HEADER = ("领导姓名", "领导职务", "成员单位", "联系的社会组织", "统一社会信用代码",
                 "所在乡镇(街道)", "联系起始日期", "结束日期")  # fmt: skip


def _gate(request: HttpRequest) -> Jurisdiction:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    if not selectors.may_read(gate):
        raise Http404("页面不存在")
    return gate


def _area(request: HttpRequest, gate: Jurisdiction) -> tuple[Area | None, str]:
    """`?area=<code>`: an area of the jurisdiction (outside: 404 as a missing one)."""
    code = request.GET.get("area", "").strip()[:12]
    return (gate.access_area(code) if code else None), code


def _choices(gate: Jurisdiction, area: Area | None) -> list[Area]:
    """The areas the selector offers: those directly under the user's area."""
    top = gate.area
    if top is None:
        return list(Area.objects.filter(level="district").order_by("code")[:300])
    return list(Area.objects.filter(parent=top).exclude(level="community").order_by("code"))


def _context(request: HttpRequest, gate: Jurisdiction, title: str, **more: Any) -> dict[str, Any]:
    area, code = _area(request, gate)
    return {
        "title": title,
        "breadcrumbs": crumbs((title, None)),
        "area": area or gate.area,
        "area_code": code,
        "areas": _choices(gate, area),
        "today": timezone.localdate(),
        **more,
    }


def _with_area(request: HttpRequest) -> str:
    code = request.GET.get("area", "").strip()[:12]
    return f"area={code}&" if code else ""


@login_required
def work_bodies(request: HttpRequest) -> HttpResponse:
    gate = _gate(request)
    today = timezone.localdate()
    area, _code = _area(request, gate)
    rows = selectors.bodies(gate, area, today)
    if request.GET.get("format") == "xlsx":
        data = (
            (r.body.unit.name, r.body.get_kind_display(), r.body.unit.area.name,
             r.body.established_on.isoformat() if r.body.established_on else "",
             r.full_time, r.part_time)
            for r in rows
        )  # fmt: skip
        return tables.xlsx_response("社会组织党建工作机构.xlsx", BODIES_HEADER, data,
                                    title="工作机构")  # fmt: skip
    context = _context(
        request, gate, "社会组织党建工作机构", rows=rows,
        may_add=may_write(request.user, "work-bodies"), query=_with_area(request),
    )  # fmt: skip
    return render(request, "bodies/work_bodies.html", context)


@login_required
def work_body(request: HttpRequest, pk: int) -> HttpResponse:
    gate = _gate(request)
    body: WorkBody = selectors.access(WorkBody, gate, pk)
    today = timezone.localdate()
    staff = list(body.staff.order_by("-started_on", "name"))
    if request.GET.get("format") == "xlsx":
        data = (
            (s.name, s.post, "专职" if s.full_time else "兼职", s.started_on.isoformat(),
             s.ended_on.isoformat() if s.ended_on else "",
             "在职" if s.is_current(today) else "已离任")
            for s in staff
        )  # fmt: skip
        return tables.xlsx_response(f"{body.unit.name}工作人员.xlsx", STAFF_HEADER, data,
                                    title="工作人员")  # fmt: skip
    current = [s for s in staff if s.is_current(today)]
    context = {
        "title": body.unit.name,
        "breadcrumbs": crumbs(
            ("社会组织党建工作机构", reverse("web:work_bodies")), (body.unit.name, None)
        ),
        "body": body,
        "staff": [(s, s.is_current(today)) for s in staff],
        "full_time": sum(1 for s in current if s.full_time),
        "part_time": sum(1 for s in current if not s.full_time),
        "may_write": may_write(request.user, "work-body-staff"),
        "may_edit": may_write(request.user, "work-bodies"),
    }
    return render(request, "bodies/work_body.html", context)


@login_required
def township_cadres(request: HttpRequest) -> HttpResponse:
    gate = _gate(request)
    today = timezone.localdate()
    area, _code = _area(request, gate)
    everyone = request.GET.get("all") == "1"
    cadres = list(selectors.cadres(gate, area, today, current=not everyone))
    if request.GET.get("format") == "xlsx":
        data = (
            (c.township.parent.name if c.township.parent else "", c.township.name, c.name,
             c.post, "专职" if c.full_time else "兼职", c.started_on.isoformat(),
             c.ended_on.isoformat() if c.ended_on else "")
            for c in cadres
        )  # fmt: skip
        return tables.xlsx_response("乡镇(街道)党建干部.xlsx", CADRES_HEADER, data,
                                    title="乡镇(街道)党建干部")  # fmt: skip
    context = _context(
        request, gate, "乡镇(街道)党建干部", cadres=cadres, everyone=everyone,
        full_time=sum(1 for c in cadres if c.full_time),
        may_add=may_write(request.user, "township-cadres"), query=_with_area(request),
    )  # fmt: skip
    return render(request, "bodies/township_cadres.html", context)


@login_required
def contact_points(request: HttpRequest) -> HttpResponse:
    gate = _gate(request)
    today = timezone.localdate()
    area, _code = _area(request, gate)
    everyone = request.GET.get("all") == "1"
    points = list(selectors.contact_points(gate, area, today, current=not everyone))
    if request.GET.get("format") == "xlsx":
        data = (
            (p.leader_name, p.leader_post, p.unit.name, p.org.name, p.org.uscc,
             p.org.township.name if p.org.township else "", p.started_on.isoformat(),
             p.ended_on.isoformat() if p.ended_on else "")
            for p in points
        )  # fmt: skip
        return tables.xlsx_response("联系点.xlsx", POINTS_HEADER, data, title="联系点")
    context = _context(
        request, gate, "联系点", points=points, everyone=everyone,
        may_add=may_write(request.user, "contact-points"), query=_with_area(request),
    )  # fmt: skip
    return render(request, "bodies/contact_points.html", context)


# --- the one-row forms ----------------------------------------------------------------------


def _form(request: HttpRequest, kind: str, instance: Any, trail: Sequence[tuple[str, str | None]],
          back: str, title: str, preset: dict[str, str] | None = None) -> HttpResponse:  # fmt: skip
    from dangjian.imports.record_views import Target, record_page, to

    target = Target(kind, instance, trail, back, to(back), title, preset=preset or {})
    return record_page(request, target)


@login_required
def work_body_new(request: HttpRequest) -> HttpResponse:
    # No object to find: who may not write the kind gets 403 from the form itself.
    back = reverse("web:work_bodies")
    return _form(request, "work-bodies", None, [("社会组织党建工作机构", back)], back,
                 "新增工作机构")  # fmt: skip


@login_required
def work_body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.access(WorkBody, _gate(request), pk)
    here = reverse("web:work_body", kwargs={"pk": body.pk})
    trail = [("社会组织党建工作机构", reverse("web:work_bodies")), (body.unit.name, here)]
    return _form(request, "work-bodies", body, trail, here, "修改工作机构")


@login_required
def work_body_staff_new(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.access(WorkBody, _gate(request), pk)
    here = reverse("web:work_body", kwargs={"pk": body.pk})
    trail = [("社会组织党建工作机构", reverse("web:work_bodies")), (body.unit.name, here)]
    preset = {"body": body.unit.name, "started_on": timezone.localdate().isoformat()}
    return _form(request, "work-body-staff", None, trail, here, "新增工作人员", preset)


@login_required
def work_body_staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.access(WorkBodyStaff, _gate(request), pk)
    here = reverse("web:work_body", kwargs={"pk": staff.body_id})
    trail = [("社会组织党建工作机构", reverse("web:work_bodies")), (staff.body.unit.name, here)]
    return _form(request, "work-body-staff", staff, trail, here, "修改工作人员")


@login_required
def township_cadre_new(request: HttpRequest) -> HttpResponse:
    # No object to find: who may not write the kind gets 403 from the form itself.
    back = reverse("web:township_cadres")
    return _form(request, "township-cadres", None, [("乡镇(街道)党建干部", back)], back,
                 "新增乡镇(街道)党建干部")  # fmt: skip


@login_required
def township_cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = selectors.access(TownshipCadre, _gate(request), pk)
    back = reverse("web:township_cadres")
    return _form(request, "township-cadres", cadre, [("乡镇(街道)党建干部", back)], back,
                 "修改乡镇(街道)党建干部")  # fmt: skip


@login_required
def contact_point_new(request: HttpRequest) -> HttpResponse:
    # No object to find: who may not write the kind gets 403 from the form itself.
    back = reverse("web:contact_points")
    return _form(request, "contact-points", None, [("联系点", back)], back, "新增联系点")


@login_required
def contact_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.access(ContactPoint, _gate(request), pk)
    back = reverse("web:contact_points")
    return _form(request, "contact-points", point, [("联系点", back)], back, "修改联系点")
