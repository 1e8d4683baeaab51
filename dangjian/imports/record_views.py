"""The pages that write one record (`records.py`): the kind's columns as a form, what the
record holds now, the user's reason; saved as a one-row import. The apps route to them:
organizations (`orgs/new/`, `orgs/<uscc>/edit/`), Party organizations, people (the person's
own fields and membership, or one employment), committee offices of a Party organization and
instructors' assignments to an organization.

Who may write which kind is `writers.may_write`; the object a form edits is found through
the jurisdiction gate first (outside it: 404, as a record that does not exist); the rows a
writer may not write are refused by the import kinds themselves, with the same messages as
a file's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role
from dangjian.imports.records import (
    FORM_KINDS,
    key_values,
    record_save,
    record_values,
    stale,
    version_of,
)
from dangjian.imports.registry import KINDS
from dangjian.imports.writers import may_write
from dangjian.web.frame import crumbs

WIDE = {"covers", "name"}
EMPLOYMENT = ("employer_uscc", "position", "employed_on", "left_on")
KIND_LABELS = {
    "orgs": "社会组织",
    "party-orgs": "党组织",
    "people": "人员",
    "committees": "班子成员",
    "instructors": "党建工作指导员派驻",
    "party-groups": "党小组",
}


class RecordForm(forms.Form):
    """The kind's columns as text fields (the import checks them all, with its messages),
    with the choices and dates of its columns as the widgets' help. `locked` columns are
    shown, not sent (the record's own values are written); `omit` columns are not shown."""

    def __init__(self, kind: str, *args: Any, locked: tuple[str, ...] = (),
                 omit: tuple[str, ...] = (), **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        for column in KINDS[kind].columns:
            if column.key in omit:
                continue
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
            self.fields[column.key] = forms.CharField(
                label=label,
                required=False,
                widget=widget,
                help_text=column.hint,
                disabled=column.key in locked,
            )
        self.fields["reason"] = forms.CharField(
            label="修改原因（可选，记入变更记录）",
            required=False,
            max_length=80,
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)


@dataclass
class Target:
    """What one form page writes: the kind, the record (None: a new one) and, for a person,
    the employment; the values a new record starts from; where the page sits and goes."""

    kind: str
    instance: Model | None
    trail: Sequence[tuple[str, str | None]]
    cancel: str
    done: Callable[[dict[str, str]], str]  # the saved values -> the page to go to
    title: str
    part: Model | None = None
    preset: dict[str, str] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    omit: tuple[str, ...] = ()


def refused(request: HttpRequest, target: Target) -> HttpResponse:
    context = {"title": "无权修改数据", "breadcrumbs": crumbs(*target.trail)}
    return render(request, "imports/forbidden.html", context, status=403)


def record_page(request: HttpRequest, target: Target) -> HttpResponse:
    """GET: the form (the preset values, or the record's); POST: save it, or show why not.
    The caller has found `target.instance` through the gate (404 outside it)."""
    user: Any = request.user
    kind, instance, part = target.kind, target.instance, target.part
    if not may_write(user, kind):
        return refused(request, target)
    locked = tuple(target.locked)
    if instance is not None:
        locked += FORM_KINDS[kind]
    if kind == "orgs" and user.role == Role.REGISTRY:
        locked += ("party_management",)  # a Party-building decision, not a registration fact
    initial: dict[str, Any] = dict(target.preset)
    if instance is not None:
        initial.update(record_values(kind, instance, user, part=part) or {})
        initial["version"] = version_of(instance, *_related(kind, instance, part))
    form = RecordForm(kind, request.POST or None, initial=initial, locked=locked, omit=target.omit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {c.key: data.get(c.key, "") or "" for c in KINDS[kind].columns}
        for key in target.omit:
            values[key] = ""
        problem = ""
        if instance is not None:
            values.update(key_values(kind, instance, part))
            problem = stale(data.get("version", ""), instance, *_related(kind, instance, part))
        else:
            problem = _taken(kind, values, user)
        if problem:
            form.add_error(None, problem)
        else:
            saved = record_save(
                kind=kind, values=values, user=user, reason=data.get("reason", ""),
                new=instance is None,
            )  # fmt: skip
            if saved.ok:
                messages.success(request, "已保存（本次修改可在变更记录中撤销）")
                return redirect(target.done(values))
            for column_key, errors in saved.errors.items():
                for error in errors:
                    form.add_error(column_key if column_key in form.fields else None, error)
    context: dict[str, Any] = {
        "title": target.title,
        "breadcrumbs": crumbs(*target.trail, (target.title, None)),
        "form": form,
        "wide": WIDE,
        "today": timezone.localdate(),
        "cancel": target.cancel,
    }
    return render(request, "imports/record_form.html", context, status=422 if form.errors else 200)


def _taken(kind: str, values: dict[str, str], user: Any) -> str:
    """Why a new record cannot be made of `values`: its key names a record the user sees
    (one outside the jurisdiction is refused by the import, as for a file)."""
    from dangjian.imports.errors import CellError
    from dangjian.imports.fields import id_code, uscc_code

    gate = Jurisdiction(user)
    key = (values.get(FORM_KINDS[kind][0]) or "").strip()
    try:
        key = uscc_code(key) if kind == "orgs" else id_code(key) if kind == "people" else key
    except CellError:
        return ""  # the import names what is wrong with it
    if not key:
        return ""
    label = KINDS[kind].column(FORM_KINDS[kind][0]).label
    if kind == "orgs" and gate.orgs().filter(uscc=key).exists():
        return f"{label}「{key}」已存在，不能重复新增，请在该社会组织页面修改"
    if kind == "party-orgs" and gate.party_orgs().filter(code=key).exists():
        return f"{label}「{key}」已存在，不能重复新增，请在该党组织页面修改"
    if kind == "party-groups":
        from dangjian.life.models import PartyGroup

        name = (values.get("name") or "").strip()
        if (
            name
            and PartyGroup.objects.filter(
                party_org__in=gate.party_orgs().filter(code=key).values("pk"), name=name
            ).exists()
        ):
            return f"党小组「{name}」已存在，不能重复新增，请在组织生活页面修改"
    if kind == "people":
        from dangjian.lib import crypto

        if gate.people().filter(id_hash=crypto.lookup_hash(key)).exists():
            return "该公民身份号码的人员已登记，不能重复新增，请在其人员页面修改"
    return ""


def _related(kind: str, instance: Model, part: Model | None) -> list[Model | None]:
    """The other records a form of `kind` writes with `instance` (their versions count)."""
    if kind != "people":
        return []
    from dangjian.people.models import Membership

    return [Membership.objects.filter(person_id=instance.pk).first(), part]


def list_page(label: str, url: str) -> tuple[str, str | None]:
    return (label, reverse(url))


def as_detail(url_name: str, arg: str, key: str) -> Callable[[dict[str, str]], str]:
    """After a save: the detail page of the record whose key the form's column `key` holds."""
    return lambda values: reverse(url_name, kwargs={arg: values[key].strip()})


def to(url: str) -> Callable[[dict[str, str]], str]:
    return lambda values: url
