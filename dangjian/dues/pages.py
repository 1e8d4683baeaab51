"""The pages of dues (党费, POLICY 六.1; docs/dues.md, "## 页面"): per area, the dues
collected, paid up and returned (the 拨返 rate) and the funds by source, with a chart and
xlsx; a branch's month of dues as one form; a Party organization's yearly ledger as xlsx.
A member's own history is on their page (`people/views.py`). Reads go through the
jurisdiction gate (a Party organization outside it is 404); the month form is for those who
may write the `dues` kind (403 otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.compliance.policy import in_force
from dangjian.dues import figures
from dangjian.dues.models import DuesCategory
from dangjian.dues.recording import MonthRow, dues_record_month
from dangjian.imports.kinds.dues import month_text
from dangjian.imports.writers import may_write
from dangjian.partyorgs.models import PartyOrganization
from dangjian.web import tables
from dangjian.web.frame import crumbs

TRAIL = ("党费与经费", "web:dues_overview")


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    today = timezone.localdate()
    return int(text) if text.isdigit() and 2000 <= int(text) <= today.year + 1 else today.year


def _party_org(request: HttpRequest, code: str) -> PartyOrganization:
    found = Jurisdiction(request.user).party_orgs().filter(code=code).first()  # type: ignore[arg-type]
    if found is None:
        raise Http404("党组织不存在")
    return found


def _money(value: Any) -> str:
    return f"{value:,.2f}"


@login_required
def dues_overview(request: HttpRequest) -> HttpResponse:
    """`?area=`, `?year=`, `?format=xlsx`: one line per child area."""
    user: Any = request.user
    gate = Jurisdiction(user)
    year = _year(request)
    code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(code) if code else None
    base = area or gate.area
    party_orgs = gate.party_orgs()
    if base is not None:
        party_orgs = party_orgs.filter(township__path__startswith=base.path)
    below = Area.objects.filter(parent=base) if base else Area.objects.filter(parent=None)
    children = list(
        below.filter(level__in=("province", "city", "district", "township")).order_by("code")
    )
    lines = figures.by_area(party_orgs, year, children) if children else []
    header = ["区划", "党组织数", "收缴党费(元)", "上缴党费(元)", "返还(拨返)(元)", "拨返率",
              *[f"经费：{label}(元)" for _, label in figures.SOURCES], "经费合计(元)"]  # fmt: skip

    def cells(line: figures.AreaLine) -> list[Any]:
        rate = f"{line.rate:.1%}" if line.rate is not None else "—"
        return [line.name, line.party_orgs, line.collected, line.paid_up, line.returned, rate,
                *[line.funds[k] for k, _ in figures.SOURCES], line.funds_total]  # fmt: skip

    if request.GET.get("format") == "xlsx":
        return tables.xlsx_response(
            f"党费与经费{year}.xlsx", header, (cells(line) for line in lines), title="党费与经费"
        )
    chart = {
        "categories": [line.name for line in lines],
        "series": [
            {"name": "上缴党费", "data": [float(line.paid_up) for line in lines]},
            {"name": "返还(拨返)", "data": [float(line.returned) for line in lines]},
        ],
        "rotate": 30 if len(lines) > 8 else 0,
    }
    query = f"year={year}"
    context = {
        "title": "党费与经费",
        "breadcrumbs": crumbs(("党的工作", None), (TRAIL[0], None)),
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "area": area,
        "area_code": code,
        "areas": gate.areas().filter(level__in=("district", "township")).order_by("code")[:300],
        "header": header,
        "rows": [
            (
                line,
                [_money(c) if not isinstance(c, (str, int)) else c for c in cells(line)],
                f"?{query}&area={line.code}",
            )
            for line in lines
        ],
        "chart": chart,
        "export_query": tables.query_without(request, "page", "format"),
        "party_orgs": party_orgs.order_by("code")[:50]
        if base is not None and base.level == "township"
        else [],
        "month": month_text(timezone.localdate().replace(day=1)),
    }
    return render(request, "dues/overview.html", context)


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def _month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise Http404("月份不正确") from None


@login_required
def dues_month(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """A branch's month: one row per member whose relation it holds; saved as one import."""
    user: Any = request.user
    party_org = _party_org(request, code)
    if not may_write(user, "dues"):
        raise PermissionDenied("您无权记录党费")
    first = _month(month)
    if first > timezone.localdate():
        raise Http404("月份晚于本月")
    people = figures.members_held(party_org)
    stored = figures.month_rows(people, first)
    earlier = figures.last_rows(people, first)
    policy = in_force()
    errors: dict[int, list[str]] = {}
    post = request.POST
    if request.method == "POST":
        rows = [
            MonthRow(p, post.get(f"category-{p.pk}", ""), post.get(f"base-{p.pk}", "")[:32],
                     post.get(f"paid-{p.pk}", "")[:32], post.get(f"paid_on-{p.pk}", "")[:32])
            for p in people
        ]  # fmt: skip
        saved = dues_record_month(user=user, month=first, rows=rows)
        if saved.ok:
            messages.success(
                request,
                f"已保存 {saved.written} 名党员的{month_text(first)}党费（可在导入记录中撤销）",
            )
            return redirect("web:dues_month", code=party_org.code, month=month_text(first))
        errors = saved.errors
    lines = []
    for p in people:
        row = stored.get(p.pk)
        before = earlier.get(p.pk)
        source = row or before
        category = post.get(f"category-{p.pk}") or (
            source.category if source else DuesCategory.EMPLOYED
        )
        lines.append({
            "person": p,
            "category": category,
            "base": post.get(f"base-{p.pk}", "" if source is None or source.base is None else f"{source.base}"),
            "paid": post.get(f"paid-{p.pk}", "" if row is None else f"{row.paid}"),
            "paid_on": post.get(f"paid_on-{p.pk}", _day(row.paid_on if row is not None else None)),
            "due": figures.due(policy, row) if row is not None else None,
            "stored": row is not None,
            "errors": errors.get(p.pk, []),
        })  # fmt: skip
    context = {
        "title": f"{party_org.name} · {month_text(first)}党费",
        "breadcrumbs": crumbs((TRAIL[0], reverse(TRAIL[1])), (party_org.name, None), (month_text(first), None)),
        "party_org": party_org,
        "month": month_text(first),
        "previous": month_text((first - dt.timedelta(days=1)).replace(day=1)),
        "following": month_text((first + dt.timedelta(days=31)).replace(day=1))
        if (first + dt.timedelta(days=31)).replace(day=1) <= timezone.localdate() else "",
        "lines": lines,
        "categories": DuesCategory.choices,
        "general": errors.get(0, []),
        "failed": bool(errors),
        "year": first.year,
    }  # fmt: skip
    return render(request, "dues/month.html", context, status=422 if errors else 200)


@login_required
def dues_ledger(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A Party organization's yearly ledger: per member and month, base, due and paid."""
    party_org = _party_org(request, code)
    rows = figures.ledger_rows(party_org, year, in_force())
    return tables.xlsx_response(
        f"党费台账-{party_org.name}-{year}.xlsx", figures.ledger_header(year), rows,
        title=f"{year}年党费台账",
    )  # fmt: skip
