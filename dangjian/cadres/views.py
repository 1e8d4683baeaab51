"""The pages of the cadres' training (POLICY 五.3): the training needs list (培训需求名单)
and its xlsx roster, and the form that records one class with its roster (记录一期培训).

A class is written as an N-row import of the `trainings` kind (`import_file`): one row per
trainee, one batch, all-or-nothing, undoable, re-evaluated at once — the same checks and
messages as a file ("one validation path"). The roster is carried in the form as people's
primary keys; the identity numbers are looked up server-side through the gate and never
reach the page in full."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.cadres import selectors
from dangjian.cadres.forms import TrainingClassForm
from dangjian.imports.export import headers
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.imports.writers import may_write
from dangjian.lib import sheets
from dangjian.web import lists, tables
from dangjian.web.dates import as_of_param
from dangjian.web.frame import crumbs

KIND = "trainings"
PER_PAGE = 100
NEEDS_HEADER = ("姓名", "公民身份号码", "党组织", "党组织编码", "职务", "需求", "期限")


@login_required
def training_needs(request: HttpRequest) -> HttpResponse:
    """Who must still be trained on a date (the findings of the three training rules), by
    need, with counts; `?format=xlsx` the same roster as a workbook."""
    user: Any = request.user
    gate = Jurisdiction(user)
    today = timezone.localdate()
    as_of = as_of_param(request) or today  # a date it cannot use: said by base.html
    area_code = request.GET.get("area", "").strip()[:12]
    area = gate.access_area(area_code) if area_code else None
    needs = selectors.training_needs(user, as_of, area)
    totals = selectors.counts(needs)
    need = request.GET.get("need", "")
    if need not in selectors.NEED_LABEL:
        need = ""
    shown = [n for n in needs if n.need == need] if need else needs
    if request.GET.get("format") == "xlsx":
        title = f"培训需求名单{as_of:%Y%m%d}"
        rows = (
            (n.name, n.masked, n.party_org_name, n.party_org_code, n.role, n.text,
             n.due.isoformat() if n.due else "")
            for n in shown
        )  # fmt: skip
        return tables.xlsx_response(f"{title}.xlsx", NEEDS_HEADER, rows, title="培训需求名单")
    query = tables.query_without(request, "need", "page", "format")
    page = tables.page(request, shown, PER_PAGE)
    context = {
        "title": "培训需求名单",
        "breadcrumbs": crumbs(("培训需求名单", None)),
        "as_of": as_of,
        "today": today,
        "area": area or gate.area,
        "area_code": area_code,
        "needs": [
            {"key": key, "label": label, "count": totals[key], "active": key == need}
            for key, _rule, label in selectors.NEEDS
        ],
        "total": len(needs),
        "need": need,
        "count": len(shown),
        "pager": lists.page_links(request, request.path, page),
        "query": query,
        "export_query": tables.query_without(request, "page", "format"),
        "may_record": may_write(user, KIND),
    }
    return render(request, "cadres/training_needs.html", context)


# --- 记录一期培训 --------------------------------------------------------------------------------


def _picked(request: HttpRequest) -> list[str]:
    return request.POST.getlist("trainee")


@login_required
def training_class_new(request: HttpRequest) -> HttpResponse:
    """Record one class and its roster. Every button posts the whole form back: the picker's
    buttons change the roster (by Party organization, by role, from the needs list, by
    search, remove one), 保存 writes the class."""
    user: Any = request.user
    if not may_write(user, KIND):
        raise PermissionDenied("您无权记录培训")
    today = timezone.localdate()
    form = TrainingClassForm(request.POST if request.method == "POST" else None)
    pks: list[Any] = _picked(request) if request.method == "POST" else []
    found: list[Any] = []
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    info = ""
    searched = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        added: list[int] = []
        if request.POST.get("add"):
            added = [int(p.pk) for p in selectors.trainees(user, [request.POST["add"]])]
        elif request.POST.get("remove"):
            gone = request.POST["remove"]
            pks = [pk for pk in pks if pk != gone]
        elif action == "party_org" and request.POST.get("party_org"):
            added = selectors.holders_of_party_org(user, request.POST["party_org"], today)
            info = f"按党组织加入{len(added)}人"
        elif action == "role" and request.POST.get("role") in selectors.ROLE_GROUPS:
            role = request.POST["role"]
            added = selectors.holders_of_role(user, role, today)
            info = f"按职务（{selectors.ROLE_GROUPS[role][0]}）加入{len(added)}人"
        elif action == "needs":
            need = request.POST.get("need", "")
            listed = selectors.training_needs(user, today)
            added = [n.person for n in listed if not need or n.need == need]
            info = f"从培训需求名单加入{len(dict.fromkeys(added))}人"
        elif action == "search":
            searched = request.POST.get("q", "").strip()[:64]
            found = selectors.search(user, searched)
        roster = selectors.trainees(user, [*pks, *added])  # refuses a pk outside the gate
        if action == "save":
            if not roster:
                errors = ["请先加入学员，再保存"]
            else:
                batch, errors, field_errors = _save(user, form.values(), roster)
                if batch is not None:
                    name = form.values()["name"]
                    messages.success(
                        request,
                        f"已记录培训「{name}」，共{len(roster)}名学员（导入批次 {batch}，"
                        "可在数据导入中撤销）；相关待办已按规则重新检查",
                    )
                    return redirect(reverse("web:training_needs"))
    else:
        roster = []
    in_roster = {p.pk for p in roster}
    fields = []
    for name in TrainingClassForm.COLUMNS:
        widget = form.fields[name].widget
        widget.attrs["class"] = (
            "form-control is-invalid" if name in field_errors else "form-control"
        )
        if name in field_errors:
            widget.attrs["aria-describedby"] = f"id_{name}-errors"
        fields.append((form[name], field_errors.get(name, [])))
    context = {
        "title": "记录一期培训",
        "breadcrumbs": crumbs(
            ("培训需求名单", reverse("web:training_needs")), ("记录一期培训", None)
        ),
        "form": form,
        "fields": fields,
        "roster": roster,
        "found": [p for p in found if p.pk not in in_roster],
        "searched": searched,
        "info": info,
        "errors": errors,
        "field_errors": field_errors,
        "party_orgs": tables.options(
            [("", "请选择党组织"), *selectors.party_org_choices(user, today)],
            request.POST.get("party_org", ""),
        ),
        "roles": tables.options(
            [(key, label) for key, (label, _roles) in selectors.ROLE_GROUPS.items()],
            request.POST.get("role", ""),
        ),
        "needs": tables.options(
            [("", "全部需求"), *((key, label) for key, _rule, label in selectors.NEEDS)],
            request.POST.get("need", ""),
        ),
    }
    return render(request, "cadres/training_class_form.html", context)


def _save(
    user: Any, values: dict[str, str], roster: list[Any]
) -> tuple[int | None, list[str], dict[str, list[str]]]:
    """Write the class: one `trainings` row per trainee, one import (all-or-nothing). The
    batch when it is written; else the errors naming the trainees, and those of the class's
    fields (by key)."""
    columns = KINDS[KIND].columns
    rows = []
    for person in roster:
        row = {**values, "id_number": person.id_number}  # in full, server-side only
        rows.append([row.get(column.key, "") for column in columns])
    name = values.get("name", "")[:40] or "培训"
    with tempfile.TemporaryDirectory(prefix="dangjian-class-") as folder:
        path = Path(folder) / "class.csv"
        sheets.write_csv(path, headers(KIND), rows)
        result = import_file(
            KIND, path, user=user, file_name=f"页面表单：记录培训「{name}」{len(roster)}人"
        )
    if result.ok and result.written:
        return result.batch_id, [], {}
    by_label = {column.label: column.key for column in columns}
    # One message per (column, value, reason), naming the trainees it is about.
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for error in result.errors:
        index = error.row - 2  # the header is row 1
        who = (
            f"{roster[index].name}（{roster[index].id_masked}）" if 0 <= index < len(roster) else ""
        )
        value = "" if by_label.get(error.column) == "id_number" else error.value
        grouped[(error.column, value, error.message)].append(who)
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    for (column, value, message), whom in grouped.items():
        named = [w for w in whom if w]
        where = f"{column}「{value}」" if column and value else column
        text = f"{where}：{message}" if where else message
        if named and len(named) == len(roster) > 1:
            errors.append(f"全部{len(named)}名学员：{text}")
        elif named:
            shown = "、".join(named[:10]) + (f"等{len(named)}名学员" if len(named) > 10 else "")
            errors.append(f"{shown}：{text}")
        else:
            errors.append(text)
        key = by_label.get(column, "")
        if key and key != "id_number" and message not in field_errors.get(key, []):
            field_errors.setdefault(key, []).append(message)
    if not errors:
        errors = ["保存失败，未写入任何数据"]
    return None, errors, field_errors
