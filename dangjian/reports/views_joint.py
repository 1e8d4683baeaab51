"""联合党组织方案: the joint planner per township over the user's own jurisdiction (an area
or township outside it answers 404), with its Excel download and the saving of a plan as a
proposal to found groups from later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.reports import selectors
from dangjian.reports.output import industry_label, plan_xlsx
from dangjian.reports.planner import Group, JointPlan, same_industry
from dangjian.reports.services import proposal_save
from dangjian.reports.views import (
    area_label,
    pct,
    query,
    report_area,
    trail,
    user_of,
    xlsx_download,
)
from dangjian.web.frame import crumbs
from dangjian.web.views import as_of_from


def _plan(request: HttpRequest) -> tuple[Area | None, dt.date, JointPlan]:
    area = report_area(request)
    as_of = as_of_from(request)
    return area, as_of, selectors.joint_plan(user=user_of(request), area=area, as_of=as_of)


class _PlanView:
    """The plan as the page shows it: groups numbered as saved proposals number them."""

    def __init__(self, plan: JointPlan) -> None:
        self.plan = plan
        self.number = {id(g): i for i, g in enumerate(plan.groups, start=1)}
        self.township_name = {t.code: t.name for t in plan.townships}
        self.group_of = {c.uscc: g for g in plan.groups for c in g.orgs}
        self.candidates = {c.uscc: c for g in plan.groups for c in g.orgs}
        self.candidates.update({c.uscc: c for c, _why in plan.unplaced})

    def group(self, g: Group) -> dict[str, Any]:
        townships = sorted({c.township for c in g.orgs})
        return {
            "number": self.number.get(id(g)),
            "industry": industry_label(g.industry),
            "same": g.industry is not None,
            "formal": g.formal_members,
            "cross": g.cross_township,
            "townships": [self.township_name.get(t, t) for t in townships],
            "orgs": [
                {
                    "uscc": c.uscc,
                    "name": c.name,
                    "formal": c.formal,
                    "industry": industry_label(c.industry),
                    "township": self.township_name.get(c.township, c.township),
                    "url": reverse("web:org", kwargs={"uscc": c.uscc}),
                }
                for c in g.orgs
            ],
        }

    def placed_in(self, uscc: str) -> int | None:
        g = self.group_of.get(uscc)
        return self.number.get(id(g)) if g is not None else None


@login_required
def joint(request: HttpRequest) -> HttpResponse:
    area, as_of, plan = _plan(request)
    view = _PlanView(plan)
    base = reverse("web:report_joint")
    code = area.code if area else ""
    district_names = selectors.area_names({t.district for t in plan.townships})
    selected_code = request.GET.get("township", "").strip()
    if selected_code:
        Jurisdiction(user_of(request)).access_area(selected_code)  # 404 outside it
    elif len(plan.townships) == 1:
        selected_code = plan.townships[0].code
    townships = []
    selected: dict[str, Any] | None = None
    for t in plan.townships:
        same = same_industry(t.groups)
        row = {
            "code": t.code,
            "name": t.name,
            "district": district_names.get(t.district, t.district),
            "ones": t.ones,
            "twos": t.twos,
            "eligible": t.ones + t.twos,
            "bound": t.bound,
            "groups": len(t.groups),
            "same": same,
            "share": pct(same / len(t.groups)) if t.groups else "—",
            "leftovers": len(t.leftovers),
            "url": f"{base}?{query(area=code, as_of=as_of, township=t.code)}#township",
            "selected": t.code == selected_code,
        }
        townships.append(row)
        if t.code == selected_code:
            selected = {
                **row,
                "group_views": [
                    view.group(g) for g in sorted(t.groups, key=lambda g: view.number[id(g)])
                ],
                "leftover_views": [
                    {
                        "uscc": uscc,
                        "name": view.candidates[uscc].name if uscc in view.candidates else uscc,
                        "formal": view.candidates[uscc].formal if uscc in view.candidates else None,
                        "why": why,
                        "placed_in": view.placed_in(uscc),
                        "url": reverse("web:org", kwargs={"uscc": uscc}),
                    }
                    for uscc, why in t.leftovers
                ],
                # Groups of other townships (or of the district) this township's
                # organizations joined.
                "cross_views": [
                    view.group(g)
                    for g in plan.groups
                    if id(g) not in {id(own) for own in t.groups}
                    and any(c.township == t.code for c in g.orgs)
                ],
            }
    selected_missing = bool(selected_code) and selected is None
    all_same = same_industry(plan.groups)
    summary = {
        "eligible": sum(t.ones + t.twos for t in plan.townships),
        "bound": sum(t.bound for t in plan.townships),
        "groups": len(plan.groups),
        "same": all_same,
        "share": pct(all_same / len(plan.groups)) if plan.groups else "—",
        "cross": sum(1 for g in plan.groups if g.cross_township),
        "unplaced": len(plan.unplaced),
    }
    params = query(area=code, as_of=as_of)
    context = {
        "title": "联合党组织方案",
        "breadcrumbs": crumbs(("统计分析", None), *trail(request, area, "web:report_joint", as_of)),
        "area": area,
        "area_label": area_label(request, area),
        "as_of": as_of,
        "plan": plan,
        "summary": summary,
        "townships": townships,
        "selected": selected,
        "selected_code": selected_code,
        "selected_missing": selected_missing,
        "cross_views": [view.group(g) for g in plan.groups if g.cross_township],
        "unplaced": [
            {
                "uscc": c.uscc,
                "name": c.name,
                "formal": c.formal,
                "township": view.township_name.get(c.township, c.township),
                "why": why,
                "url": reverse("web:org", kwargs={"uscc": c.uscc}),
            }
            for c, why in plan.unplaced
        ],
        "export_url": f"{reverse('web:report_joint_xlsx')}?{params}",
        "save_url": f"{reverse('web:report_joint_save')}?"
        + query(area=code, as_of=as_of, township=selected_code),
        "proposals": list(selectors.proposal_list(user=user_of(request))),
        "area_options": selectors.area_picker(user=user_of(request), area=area),
    }
    return render(request, "reports/joint.html", context)


@login_required
def joint_export(request: HttpRequest) -> HttpResponse:
    area, as_of, plan = _plan(request)
    return xlsx_download(
        lambda path: plan_xlsx(plan, path, scope=Jurisdiction(user_of(request)).scope(area)),
        f"联合党组织组建方案_{area_label(request, area)}_{as_of.isoformat()}.xlsx",
    )


@login_required
@require_POST
def joint_save(request: HttpRequest) -> HttpResponse:
    """Save the plan shown (same area and date) as a proposal to found groups from later."""
    area, as_of, plan = _plan(request)
    proposal = proposal_save(plan=plan, area=area, user=user_of(request))
    messages.success(
        request,
        f"方案已保存：方案#{proposal.pk}（{area_label(request, area)}，数据截至 {as_of.isoformat()}，"
        f"{len(plan.groups)} 个联合党组织）。按方案第N组组建时引用方案编号 {proposal.pk}。",
    )
    township = request.GET.get("township", "").strip()
    params = query(
        area=area.code if area else "", as_of=as_of, township=township, saved=proposal.pk
    )
    return redirect(f"{reverse('web:report_joint')}?{params}")
