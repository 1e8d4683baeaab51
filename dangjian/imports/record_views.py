"""The page that writes one organization or Party organization (`records.py`): the kind's
columns as a form, what the record holds now, the user's reason; saved as a one-row import.
The organization and Party-organization apps route to it (their `…/new/` and
`…/<key>/edit/`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
from dangjian.imports.records import FORM_KINDS, record_save, record_values, stale, version_of
from dangjian.imports.registry import KINDS
from dangjian.imports.selectors import may_import
from dangjian.web.frame import crumbs

# Per kind: the list's label and URL name, the detail page's URL name and its argument.
PAGES = {
    "orgs": ("社会组织", "web:orgs", "web:org", "uscc"),
    "party-orgs": ("党组织", "web:party_orgs", "web:party_org", "code"),
}
WIDE = {"covers", "name"}


class RecordForm(forms.Form):
    """The kind's columns as text fields (the import checks them all, with its messages),
    with the choices and dates of its columns as the widgets' help."""

    def __init__(self, kind: str, *args: Any, locked: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in KINDS[kind].columns:
            label = column.label + ("（必填）" if column.required else "")
            widget: forms.Widget
            if column.options:
                widget = forms.Select(choices=[("", "请选择"), *((o, o) for o in column.options)])
            elif column.is_date:
                widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})
            elif column.key == "covers":
                widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
            else:
                widget = forms.TextInput(attrs={"class": "form-control"})
                widget.attrs["class"] = "form-control"
            if column.key == locked:
                widget.attrs["readonly"] = True
            self.fields[column.key] = forms.CharField(
                label=label, required=False, widget=widget, help_text=column.hint
            )
        self.fields["reason"] = forms.CharField(
            label="修改原因（可选，记入变更记录）",
            required=False,
            max_length=80,
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)


def record_page(request: HttpRequest, kind: str, key: str | None = None) -> HttpResponse:
    """GET: the form (empty, or the record's values); POST: save it, or show why not."""
    label, list_url, detail_url, arg = PAGES[kind]
    model_label, natural = FORM_KINDS[kind]
    model = apps.get_model(model_label)
    user = request.user
    gate = Jurisdiction(user)  # type: ignore[arg-type]
    instance = None
    if key is not None:
        try:
            instance = (
                gate.access_org(key[:40]) if kind == "orgs" else gate.access_party_org(key[:40])
            )
        except NotFound:
            raise Http404 from None
    if not may_import(user):
        refused = {"title": "无权修改数据", "breadcrumbs": crumbs((label, reverse(list_url)))}
        return render(request, "imports/forbidden.html", refused, status=403)
    initial: dict[str, Any] = {}
    if instance is not None:
        initial = record_values(kind, key or "", user) or {}  # type: ignore[arg-type]
        initial["version"] = version_of(instance)
    form = RecordForm(
        kind, request.POST or None, initial=initial, locked=natural if instance else ""
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {c.key: data.get(c.key, "") for c in KINDS[kind].columns}
        problem = ""
        if instance is not None:
            values[natural] = getattr(instance, natural)
            problem = stale(instance, data.get("version", ""))
        elif model.objects.filter(**{natural: values[natural].strip()}).exists():
            problem = (
                f"{KINDS[kind].column(natural).label}「{values[natural]}」已存在，不能重复新增"
            )
        if problem:
            form.add_error(None, problem)
        else:
            saved = record_save(
                kind=kind, values=values, user=user, reason=data.get("reason", ""),  # type: ignore[arg-type]
                new=instance is None,
            )  # fmt: skip
            if saved.ok:
                key_value = values[natural].strip()
                messages.success(request, f"已保存（本次修改可在导入记录中撤销）：{key_value}")
                return redirect(detail_url, **{arg: key_value})
            for column_key, errors in saved.errors.items():
                for error in errors:
                    form.add_error(column_key or None, error)
    title = f"修改{label}" if instance is not None else f"新增{label}"
    trail = [(label, reverse(list_url))]
    if instance is not None:
        trail.append((str(instance), reverse(detail_url, kwargs={arg: key})))
    context: dict[str, Any] = {
        "title": title,
        "breadcrumbs": crumbs(*trail, (title, None)),
        "form": form,
        "wide": WIDE,
        "today": timezone.localdate(),
        "cancel": reverse(detail_url, kwargs={arg: key}) if instance else reverse(list_url),
    }
    return render(request, "imports/record_form.html", context, status=422 if form.errors else 200)
