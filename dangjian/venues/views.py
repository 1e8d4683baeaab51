"""The pages of venues (docs/dynamics.md "活动场所"): per area, the share of the Party
organizations the rules check whose latest venue check meets all six of 六有 (a chart and a
table), their latest checks with what they lack (xlsx); recording a check with its photos
(the services of `venues/services.py`); a photo, behind the gate; the 党群服务中心 of the
area and the Party organizations that use them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.compliance.facts import Facts
from dangjian.imports.record_views import RecordForm, Target, record_page, to
from dangjian.imports.writers import may_write
from dangjian.partyorgs.models import PartyOrganization
from dangjian.venues.models import SIX, SIX_LABELS, ServiceCentre, Venue, VenuePhoto
from dangjian.venues.services import KIND, venue_record
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
HEADER = ["党组织编码", "党组织", "所在乡镇(街道)", "最近核查日期", "场所名称", "达到六有", "缺少"]


def _checks(user: Any) -> list[Any]:
    """The latest check of every Party organization the rules check, in the user's
    jurisdiction (the facts of VEN-SIX: one reading with the rule)."""
    gate = Jurisdiction(user)
    facts = Facts(timezone.localdate(), gate.area)
    if not gate.everything and gate.area is None:
        facts.restrict(gate.orgs().values("pk"), gate.party_orgs().values("pk"))
    return facts.venue_checks


@login_required
def venue_overview(request: HttpRequest) -> HttpResponse:
    """`?area=`, `?lacking=1`, `?format=xlsx`."""
    user: Any = request.user
    gate = Jurisdiction(user)
    code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(code) if code else None
    base = area or gate.area
    checks = _checks(user)
    if area is not None:
        checks = [c for c in checks if c.township_path.startswith(area.path)]

    def row(c: Any) -> list[Any]:
        missing = [label for label, has in zip(SIX_LABELS, c.flags, strict=True) if not has]
        return [c.code, c.name, c.township_name, c.checked_on or "未核查", c.venue or "—",
                "是" if not missing else "否", "、".join(missing)]  # fmt: skip

    lacking = request.GET.get("lacking") == "1"
    listed = [c for c in checks if not all(c.flags)] if lacking else checks
    if request.GET.get("format") == "xlsx":
        return tables.xlsx_response("活动场所.xlsx", HEADER, (row(c) for c in listed),
                                    title="活动场所")  # fmt: skip
    below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
    children = list(
        below.filter(level__in=("province", "city", "district", "township")).order_by("code")
    )
    by_area = []
    for child in children:
        mine = [c for c in checks if c.township_path.startswith(child.path)]
        full = sum(1 for c in mine if all(c.flags))
        by_area.append((child, len(mine), full, f"{full / len(mine):.0%}" if mine else "—"))
    full_total = sum(1 for c in checks if all(c.flags))
    page = tables.page(request, listed, PER_PAGE)
    item_gaps = [(label, sum(1 for c in checks if c.checked_on and not c.flags[i]))
                 for i, label in enumerate(SIX_LABELS)]  # fmt: skip
    context = {
        "title": "党组织活动场所",
        "breadcrumbs": crumbs(("党组织", reverse("web:party_orgs")), ("活动场所", None)),
        "area": area,
        "area_code": code,
        "areas": gate.areas().filter(level__in=("district", "township")).order_by("code")[:300],
        "lacking": lacking,
        "total": len(checks),
        "full": full_total,
        "unchecked": sum(1 for c in checks if c.checked_on is None),
        "share": f"{full_total / len(checks):.0%}" if checks else "—",
        "by_area": by_area,
        "chart": {
            "categories": [c.name for c, *_ in by_area],
            "series": [
                {
                    "name": "达到六有标准的比例（%）",
                    "data": [round(f / n * 100, 1) if n else 0 for _, n, f, _s in by_area],
                }
            ],
            "rotate": 30 if len(by_area) > 8 else 0,
            "links": [f"?area={c.code}" for c, *_ in by_area],
        },
        "item_gaps": item_gaps,
        "header": HEADER,
        "rows": [row(c) for c in page.object_list],
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
        "centres": ServiceCentre.objects.filter(
            township__path__startswith=(base.path if base else "")
        ).count(),
    }
    return render(request, "venues/overview.html", context)


class PhotoForm(forms.Form):
    pass


@login_required
def venue_new(request: HttpRequest, code: str) -> HttpResponse:
    """A venue check of one Party organization, with a photo per item (optional)."""
    user: Any = request.user
    gate = Jurisdiction(user)
    found = gate.access_party_org(code[:40])
    po = PartyOrganization.objects.get(pk=found.pk)
    if not may_write(user, KIND):
        raise PermissionDenied("您无权录入活动场所核查")
    today = timezone.localdate()
    initial = {"party_org": po.code, "checked_on": today.isoformat()}
    last = Venue.objects.filter(party_org=po).order_by("-checked_on").first()
    if last is not None:
        initial["name"] = last.name
    form = RecordForm(KIND, request.POST or None, initial=initial, locked=("party_org",))
    if request.method == "POST" and form.is_valid():
        values = {c: form.cleaned_data.get(c, "") or "" for c in form.fields}
        values["party_org"] = po.code
        photos = {item: request.FILES[f"photo_{item}"] for item, _ in SIX
                  if f"photo_{item}" in request.FILES}  # fmt: skip
        done = venue_record(user=user, values=values, photos=photos,
                            reason=form.cleaned_data.get("reason", ""))  # fmt: skip
        if done.ok:
            messages.success(request, "已保存场所核查")
            return redirect(reverse("web:party_org", kwargs={"code": po.code}) + "#venue")
        for key, errors in done.errors.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    context = {
        "title": "录入活动场所核查",
        "breadcrumbs": crumbs(
            ("党组织", reverse("web:party_orgs")),
            (po.name, reverse("web:party_org", kwargs={"code": po.code})),
            ("录入活动场所核查", None),
        ),
        "form": form,
        "po": po,
        "six": SIX,
        "photo_errors": {k.removeprefix("photo_"): v for k, v in form.errors.items()},
        "cancel": reverse("web:party_org", kwargs={"code": po.code}),
        "centres": ServiceCentre.objects.filter(township__parent_id=po.township.parent_id).order_by(
            "name"
        )[:50],
    }
    return render(request, "venues/form.html", context, status=422 if form.errors else 200)


@login_required
def venue_photo(request: HttpRequest, pk: int) -> FileResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    photo = VenuePhoto.objects.filter(pk=pk).select_related("venue").first()
    if photo is None or not gate.party_orgs().filter(pk=photo.venue.party_org_id).exists():
        raise Http404("照片不存在")
    response = FileResponse(photo.image.open("rb"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    """The 党群服务中心 of the user's area, with the Party organizations whose latest check
    names them (`?format=xlsx`)."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    qs = ServiceCentre.objects.select_related("township").order_by("township__code", "name")
    if gate.area is not None:
        qs = qs.filter(township__path__startswith=gate.area.path)
    elif not gate.everything:
        qs = qs.filter(venues__party_org__in=gate.party_orgs().values("pk")).distinct()
    users: dict[int, set[str]] = {}
    for centre, name in Venue.objects.filter(centre__in=qs).values_list(
        "centre_id", "party_org__name"
    ):
        users.setdefault(centre, set()).add(name)
    rows = [
        [c.name, c.township.name, c.address, c.floor_area, c.capacity, c.opening_hours,
         c.managing_unit, "、".join(sorted(users.get(c.pk, ())))]
        for c in qs
    ]  # fmt: skip
    header = ["中心名称", "所在乡镇(街道)", "地址", "面积（平方米）", "容纳人数", "开放时间",
              "管理单位", "使用的党组织"]  # fmt: skip
    if request.GET.get("format") == "xlsx":
        return tables.xlsx_response("党群服务中心.xlsx", header, rows, title="党群服务中心")
    context = {
        "title": "党群服务中心",
        "breadcrumbs": crumbs(("活动场所", reverse("web:venues")), ("党群服务中心", None)),
        "header": header,
        "rows": rows,
        "may_write": may_write(request.user, "service-centres"),
    }
    return render(request, "venues/centres.html", context)


def party_org_panel(user: Any, po: PartyOrganization) -> dict[str, Any]:
    """The 活动场所 panel of a Party organization's page: its checks (latest first) with
    what each lacks and its photos, and the button to record one for who may."""
    checks = list(Venue.objects.filter(party_org=po).order_by("-checked_on")[:5])
    photos: dict[int, list[VenuePhoto]] = {}
    for photo in VenuePhoto.objects.filter(venue__in=checks).order_by("item", "pk"):
        photos.setdefault(photo.venue_id, []).append(photo)
    return {
        "checks": [{"v": v, "missing": v.missing, "photos": photos.get(v.pk, [])} for v in checks],
        "may_record": may_write(user, KIND),
    }


@login_required
def centre_new(request: HttpRequest) -> HttpResponse:
    """A 党群服务中心, as a row of the `service-centres` kind (the area officers, for a
    township of their area; a centre of that name is updated)."""
    back = reverse("web:service_centres")
    target = Target("service-centres", None, [("党群服务中心", back)], back, to(back),
                    "登记党群服务中心")  # fmt: skip
    return record_page(request, target)
