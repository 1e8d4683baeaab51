"""The pages of policy versions (docs/policy-versions.md): the versions and the settings in
force; the what-if — a revision uploaded or edited, compared with the settings in force
(per rule and per area as charts, the moving findings as rows and xlsx) — and its adoption
by a city officer."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.compliance.output import SUBJECT_LABEL, area_names
from dangjian.compliance.policy import parsed
from dangjian.compliance.rules.base import RULES
from dangjian.policies import whatif
from dangjian.policies.models import PolicyVersion
from dangjian.policies.selectors import (
    draft_of,
    may_adopt,
    may_compare,
    text_in_force,
    version_in_force,
    versions,
)
from dangjian.policies.services import policy_draft_create, policy_version_adopt
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 100


@login_required
def version_list(request: HttpRequest) -> HttpResponse:
    """Every version and the settings in force today with their sources (`?format=xlsx`:
    the versions)."""
    today = timezone.localdate()
    rows = versions(today)
    header = ["版本号", "版本标识", "生效日期", "依据文件", "采用人", "调整理由", "现行"]

    def cells(r: Any) -> list[Any]:
        return [r.number, r.version, r.effective_from, r.document, r.adopted_by, r.reason,
                "是" if r.in_force else ""]  # fmt: skip

    if request.GET.get("format") == "xlsx":
        return tables.xlsx_response(
            "政策设置版本.xlsx", header, (cells(r) for r in rows), title="政策设置版本"
        )
    policy = version_in_force(today)
    context = {
        "title": "政策设置版本",
        "breadcrumbs": crumbs(("政策设置版本", None)),
        "rows": rows,
        "policy": policy,
        "settings": [(s.name, s.shown, s.source) for s in policy.settings.values()],
        "may_compare": may_compare(request.user),
        "today": today,
    }
    return render(request, "policies/versions.html", context)


@login_required
def version_text(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's settings file, as adopted."""
    version = PolicyVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404("版本不存在")
    response = HttpResponse(version.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="policy-{version.pk}.toml"'
    return response


class RevisionForm(forms.Form):
    text = forms.CharField(
        label="修订后的政策设置文件（TOML）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "font-monospace"}),
    )
    file = forms.FileField(label="或上传修订文件（.toml）", required=False)
    as_of = forms.DateField(label="比较日期", widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def whatif_new(request: HttpRequest) -> HttpResponse:
    """A revision to weigh: edited from the settings in force, or uploaded."""
    user: Any = request.user
    if not may_compare(user):
        raise PermissionDenied("只有市、区级管理员可以比较政策设置修订")
    today = timezone.localdate()
    form = RevisionForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": text_in_force(today), "as_of": today.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"] or ""
        upload = form.cleaned_data.get("file")
        if upload is not None:
            raw = upload.read(1_000_001)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "上传的文件不是 UTF-8 编码的文本")
        if not form.errors:
            done = policy_draft_create(user=user, text=text, as_of=form.cleaned_data["as_of"])
            if done.ok:
                return redirect("web:policy_draft", pk=done.record.pk)
            for key, errors in done.errors.items():
                for message in errors:
                    form.add_error("text" if key == "text" else None, message)
    context = {
        "title": "政策设置修订：比较影响",
        "breadcrumbs": crumbs(
            ("政策设置版本", reverse("web:policy_versions")), ("比较修订的影响", None)
        ),
        "form": form,
    }
    return render(request, "policies/whatif.html", context, status=422 if form.errors else 200)


class AdoptForm(forms.Form):
    effective_from = forms.DateField(
        label="生效日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="调整理由（依据的文件或决定）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _comparison(request: HttpRequest, pk: int) -> tuple[Any, whatif.Comparison]:
    draft = draft_of(request.user, pk)
    return draft, whatif.compare(parsed(draft.text), as_of=draft.as_of, user=request.user)  # type: ignore[arg-type]


@login_required
def draft_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The comparison of a draft with the settings in force on its date (`?format=xlsx`:
    the workbook of every moving finding; `?change=出现|消失`, `?rule=`: the rows)."""
    draft, result = _comparison(request, pk)
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        whatif.write_xlsx(result, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''policy-whatif-{draft.pk}.xlsx"
        )
        return response
    change = request.GET.get("change", "")
    rule = request.GET.get("rule", "")
    moving = [
        (c, f)
        for c, f in result.rows()
        if (not change or c == change) and (not rule or f.rule == rule)
    ]
    page = tables.page(request, moving, PER_PAGE)
    names = area_names({f.area for _, f in page.object_list})
    by_rule = result.by_rule
    context = {
        "title": "政策设置修订的影响",
        "breadcrumbs": crumbs(
            ("政策设置版本", reverse("web:policy_versions")),
            ("比较修订的影响", reverse("web:policy_whatif")),
            (f"草案 {draft.pk}", None),
        ),
        "draft": draft,
        "result": result,
        "settings_changed": result.settings_changed,
        "by_rule": [(r, RULES[r].title, a, d) for r, a, d in by_rule],
        "rule_chart": {
            "categories": [r for r, _a, _d in by_rule],
            "series": [
                {"name": "将出现", "data": [a for _r, a, _d in by_rule]},
                {"name": "将消失", "data": [d for _r, _a, d in by_rule]},
            ],
            "rotate": 30 if len(by_rule) > 6 else 0,
        },
        "area_chart": {
            "categories": [name for _c, name, _a, _d in result.areas],
            "series": [
                {"name": "将出现", "data": [a for *_x, a, _d in result.areas]},
                {"name": "将消失", "data": [d for *_x, d in result.areas]},
            ],
            "rotate": 30 if len(result.areas) > 8 else 0,
        },
        "rows": [
            (c, f, RULES[f.rule].title, SUBJECT_LABEL[f.subject.type], names.get(f.area, f.area))
            for c, f in page.object_list
        ],
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "change": change,
        "rule": rule,
        "may_adopt": may_adopt(request.user) and draft.adopted_id is None,
        "adopt_form": AdoptForm(initial={"effective_from": timezone.localdate().isoformat()}),
    }
    return render(request, "policies/draft.html", context)


@login_required
@require_POST
def draft_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    draft = draft_of(user, pk)
    if not may_adopt(user):
        raise PermissionDenied("只有市级管理员可以采用政策设置修订")
    form = AdoptForm(request.POST)
    effective: dt.date | None = None
    if form.is_valid():
        effective = form.cleaned_data["effective_from"]
        done = policy_version_adopt(
            user=user, text=draft.text, effective_from=effective,
            reason=form.cleaned_data["reason"], draft=draft,
        )  # fmt: skip
        if done.ok:
            messages.success(
                request,
                f"已采用政策设置版本 {done.record.version}，自 {effective} 起施行"
                + ("，已按新版本重新检查" if effective <= timezone.localdate() else ""),
            )
            return redirect("web:policy_versions")
        for key, errors in done.errors.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    for field_errors in form.errors.values():
        for text in field_errors:
            messages.error(request, str(text))
    return redirect("web:policy_draft", pk=draft.pk)
