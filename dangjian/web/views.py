"""The pages: thin views over the selectors (jurisdiction gate), services and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import AREA_ROLES, Jurisdiction, NotFound
from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area
from dangjian.compliance.rules.base import RULES, SEVERITY_LABEL
from dangjian.tasks.supervision import overdue_by_area
from dangjian.web import figures, stats
from dangjian.web.dates import as_of_param
from dangjian.web.frame import crumbs


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


def as_of_from(request: HttpRequest) -> dt.date:
    """`?as_of=`, or today (a date that cannot be used is said so on the page: `dates`)."""
    return as_of_param(request) or timezone.localdate()


def area_from(request: HttpRequest, gate: Jurisdiction) -> Any:
    code = request.GET.get("area", "").strip()
    return gate.access_area(code) if code else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The frame of the page per request; its body (figures, charts, tables: the same for
    every user of the jurisdiction) rendered once per data version (`stats.dashboard_body`)."""
    user: Any = request.user
    gate = Jurisdiction(user)
    area = area_from(request, gate)
    as_of = as_of_from(request)
    body = stats.dashboard_body(
        user,
        area,
        as_of,
        lambda: render_to_string(
            "web/dashboard.html#body", _dashboard_context(request, area, as_of), request
        ),
    )
    context = {
        "title": "首页",
        "body": body,
        "breadcrumbs": crumbs(*([(area.name, None)] if area else [])) if area else None,
    }
    return render(request, "web/dashboard.html", context)


def _development(user: Any, area: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """入党申请人、积极分子、发展对象 on `as_of` (docs/development.md), each linking to its
    list on the development page (same area, same date)."""
    from dangjian.development import selectors as development

    party_orgs = Jurisdiction(user).party_orgs()
    if area is not None:
        party_orgs = party_orgs.filter(township__path__startswith=area.path)
    query = {"as_of": as_of.isoformat(), **({"area": area.code} if area is not None else {})}
    out = []
    for stage, label in development.STAGES:
        if stage == "probationary":
            continue  # counted above, by relation
        n = development.at_stage(party_orgs, stage, as_of).count()
        url = f"{reverse('web:development')}?{urlencode({**query, 'stage': stage})}"
        out.append({"label": label, "n": n, "url": url})
    return out


def _dashboard_context(request: HttpRequest, area: Any, as_of: dt.date) -> dict[str, Any]:
    """What the body of the dashboard shows."""
    data = stats.dashboard(request.user, area, as_of)  # type: ignore[arg-type]
    top = data["top"]
    children = data["children"]
    orgs_url = reverse("web:orgs")
    coverage_chart = {
        "categories": [
            r["name"] for r in sorted(children, key=lambda r: -(r["org_coverage_rate"] or 0))
        ],
        "series": [
            {
                "name": "组织覆盖率",
                "data": [
                    round((r["org_coverage_rate"] or 0) * 100, 1)
                    for r in sorted(children, key=lambda r: -(r["org_coverage_rate"] or 0))
                ],
            }
        ],
        "percent": True,
        "labels": True,
        "rotate": 30 if len(children) > 8 else 0,
        "links": [
            f"{reverse('web:dashboard')}?area={r['area']}"
            for r in sorted(children, key=lambda r: -(r["org_coverage_rate"] or 0))
        ],
    }
    kind_labels = {
        "association": "社会团体",
        "service_agency": "社会服务机构",
        "foundation": "基金会",
    }
    states = [
        ("standalone", "单独组建覆盖"),
        ("joint", "联合组建覆盖"),
        ("other", "功能型覆盖"),
        ("none", "未覆盖"),
    ]
    kinds_chart = {
        "categories": [kind_labels[k] for k in data["kinds"]],
        "series": [
            {"name": label, "data": [data["kinds"][k][s] for k in data["kinds"]]}
            for s, label in states
        ],
        "stacked": True,
    }
    # Every figure links to the list of exactly what it counts (`figures`): same date, same
    # area (none: the user's whole jurisdiction), same definitions.
    code = area.code if area is not None else ""

    def orgs(area_code: str = code, **params: str) -> str:
        return figures.link("web:orgs", as_of, area_code, **params)

    def findings(day: dt.date | str = as_of, **params: str) -> str:
        return figures.link("web:findings", day, code, **params)

    # The chart's states, as the organization list names them.
    state_filter = {
        "standalone": "standalone",
        "joint": "joint",
        "other": "functional",
        "none": "uncovered",
    }
    kind_rows = [
        {
            "label": kind_labels[k],
            "cells": [
                {"n": data["kinds"][k][s], "url": orgs(kind=k, coverage=state_filter[s])}
                for s, _label in states
            ],
        }
        for k in data["kinds"]
    ]
    links = {
        "orgs_active": orgs(status="active"),
        "party_orgs": figures.link("web:party_orgs", as_of, code, form="social", status="active"),
        "members_formal": figures.link("web:people", as_of, code, member="formal"),
        "members_probationary": figures.link("web:people", as_of, code, member="probationary"),
        "uncovered_formal": orgs(coverage="uncovered_formal"),
        "none": orgs(coverage="none"),
        "severity": {s: findings(severity=s) for s in ("high", "medium", "low")},
        "findings": findings(),
    }
    rules_chart = {
        # The rules by their Chinese titles (the id in the tooltip: `codes`), cut short on
        # the axis where they are long (`label_width`, px); the table view gives them whole.
        "categories": [RULES[r].title if r in RULES else r for r in data["findings_by_rule"]],
        "codes": list(data["findings_by_rule"]),
        "label_width": 104,
        "series": [{"name": "未解决问题", "data": list(data["findings_by_rule"].values())}],
        "labels": True,
        "rotate": 40,
    }
    trend_chart = {
        "type": "line",
        "rotate": 30,
        "categories": [day[:7] for day, _n in data["trend"]],
        "series": [{"name": "未解决问题", "data": [n for _day, n in data["trend"]]}],
    }
    members_chart = {
        "categories": ["正式党员", "预备党员"],
        "series": [
            {"name": "党员", "data": [data["members_formal"], data["members_probationary"]]}
        ],
        "labels": True,
    }
    secretary = request.user.role == Role.ORG  # type: ignore[union-attr]
    context = {
        "title": "首页",
        # Whose figures these are: 长沙市…, 长沙市教育局主管的社会组织… (issue 12.14).
        "scope_title": Jurisdiction(request.user).scope(area).title("社会组织党建概况"),  # type: ignore[arg-type]
        "data": data,
        "top": top,
        "area": area,
        "as_of": as_of,
        "children": [{**r, "orgs_url": orgs(r["area"], status="active")} for r in children],
        "orgs_url": orgs_url,
        "links": links,
        "kind_rows": kind_rows,
        "trend_rows": [(day, n, findings(day)) for day, n in data["trend"]],
        "coverage_chart": coverage_chart,
        "kinds_chart": kinds_chart,
        "rules_chart": rules_chart,
        "trend_chart": trend_chart,
        "members_chart": members_chart,
        "rule_titles": {r: RULES[r].title for r in RULES},
        "rule_rows": [
            {
                "rule": rule,
                "title": RULES[rule].title if rule in RULES else "",
                "n": n,
                "url": findings(rule=rule),
                "n_url": findings(rule=rule),
            }
            for rule, n in data["findings_by_rule"].items()
        ],
        "severity_labels": SEVERITY_LABEL,
        "secretary": secretary,
    }
    context["development"] = _development(request.user, area, as_of)
    context["overdue"] = _overdue_panel(request.user, area, top, as_of, code)  # type: ignore[arg-type]
    if secretary:
        from dangjian.accounts.jurisdiction import findings_for

        user: Any = request.user
        todo = findings_for(user).filter(resolved_on__isnull=True).order_by("due", "rule")
        context["todo"] = list(todo[:50])
    return context


# Whose overdue tasks each level's dashboard breaks down: the areas one level below.
CHILD_LEVELS = {"province": "市州", "city": "区县（市）", "district": "乡镇（街道）"}


def _overdue_panel(
    user: User, area: Any, top: dict[str, Any] | None, as_of: dt.date, code: str
) -> dict[str, Any] | None:
    """督办: the overdue tasks of the dashboard's area, per area one level below, each a
    link to exactly its rows (`tasks.supervision`). For officers and the operator; cached
    with the dashboard's figures (per data version and date: overdue depends on both)."""
    if not (user.role in AREA_ROLES or user.is_superuser) or top is None:
        return None

    def compute() -> dict[str, Any]:
        base = area if area is not None else Area.objects.filter(code=top["area"]).first()
        level = base.level if base is not None else ""
        found = overdue_by_area(user, base if level in CHILD_LEVELS else None, area, as_of)
        return {
            "total": found["total"],
            "url": figures.link("web:findings", as_of, code, overdue="1"),
            "level": CHILD_LEVELS.get(level, ""),
            "rows": [
                {
                    "name": child.name,
                    "n": n,
                    "url": figures.link("web:findings", as_of, child.code, overdue="1"),
                    "dashboard": f"{reverse('web:dashboard')}?area={child.code}",
                }
                for child, n in found["children"]
            ],
        }

    return stats.per_version(f"overdue:{code}:{as_of.isoformat()}", user, compute)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer or a process monitor: the server answers. No log-in, no
    database, no session — also the trivial view that bench/web.py measures pages against."""
    response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", {"title": "页面不存在"}, status=404)


__all__ = ["LoginView", "LogoutView", "NotFound", "dashboard", "healthz", "not_found"]
