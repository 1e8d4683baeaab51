"""The pages that write one record (`records.py`): the kind's columns as a form, what the
record holds now, the user's reason; saved as a one-row import. The apps route to them:
organizations (`orgs/new/`, `orgs/<uscc>/edit/`), Party organizations, people (the person's
own fields and membership, or one employment), committee offices of a Party organization,
instructors' assignments to an organization, and organization life (Party groups, pairings,
demonstration sites, activities, a 联组 and its members: `life/views.py`).

Who may write which kind is `writers.may_write`; the object a form edits is found through
the jurisdiction gate first (outside it: 404, as a record that does not exist); the rows a
writer may not write are refused by the import kinds themselves, with the same messages as
a file's."""

from __future__ import annotations

import datetime as dt
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
    BODY_RECORDS,
    FORM_KINDS,
    LIFE_RECORDS,
    key_values,
    record_save,
    record_values,
    stale,
    version_of,
)
from dangjian.imports.registry import KINDS
from dangjian.imports.writers import may_write
from dangjian.web.frame import crumbs

WIDE = {"covers", "name", "title", "content", "description"}
TEXTAREAS = {"covers": 3, "description": 6}  # column key -> rows
EMPLOYMENT = ("employer_uscc", "position", "employed_on", "left_on")
KIND_LABELS = {
    "orgs": "社会组织",
    "party-orgs": "党组织",
    "people": "人员",
    "committees": "班子成员",
    "instructors": "党建工作指导员派驻",
    "party-groups": "党小组",
    "pairings": "结对共建",
    "demonstration-sites": "党建示范点",
    "activities": "党建活动",
    "joint-groups": "联组",
    "instructor-visits": "指导员走访",
    "work-bodies": "社会组织党建工作机构",
    "work-body-staff": "工作机构工作人员",
    "township-cadres": "乡镇(街道)党建干部",
    "contact-points": "联系点",
    "applicants": "入党申请人",
    "inspections": "年检",
    "evaluations": "评估",
    "service-centres": "党群服务中心",
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
            elif column.key in TEXTAREAS:
                rows = TEXTAREAS[column.key]
                widget = forms.Textarea(attrs={"rows": rows, "class": "form-control"})
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
    the employment; the values a new record starts from; where the page sits and goes.

    `copy` writes an omitted column with another's value (a new 联组's first member is its
    lead, joining on the day it is founded); `key` names the columns of what a new record's
    page makes when not the kind's (`FORM_KINDS`; a new 联组: its name and lead), for the
    refusal of one already recorded; `template` and `context` show more below the form (a
    record's change history)."""

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
    copy: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    template: str = "imports/record_form.html"
    context: dict[str, Any] = field(default_factory=dict)
    # Columns the page fixes itself, written but never shown (an instructor's own number).
    fixed: dict[str, str] = field(default_factory=dict)


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
        for key, source in target.copy.items():
            values[key] = values[source]
        values.update(target.fixed)
        problem = ""
        if instance is not None:
            values.update(key_values(kind, instance, part))
            problem = stale(data.get("version", ""), instance, *_related(kind, instance, part))
        else:
            problem = _taken(kind, values, user, target.key)
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
                shown = target.copy.get(column_key, column_key)  # a copied column: its source
                name = shown if shown in form.fields else None
                for error in errors:
                    if error not in form.errors.get(name or "__all__", []):
                        form.add_error(name, error)
    context: dict[str, Any] = {
        "title": target.title,
        "breadcrumbs": crumbs(*target.trail, (target.title, None)),
        "form": form,
        "wide": WIDE,
        "today": timezone.localdate(),
        "cancel": target.cancel,
        **target.context,
    }
    return render(request, target.template, context, status=422 if form.errors else 200)


def _taken(kind: str, values: dict[str, str], user: Any, makes: tuple[str, ...] = ()) -> str:
    """Why a new record cannot be made of `values`: its key names a record the user sees
    (one outside the jurisdiction is refused by the import, as for a file). `makes`: the
    columns naming what the page makes, when not the kind's key (a new 联组)."""
    from dangjian.imports.errors import CellError
    from dangjian.imports.fields import id_code, uscc_code

    gate = Jurisdiction(user)
    if kind in LIFE_RECORDS:
        return _life_taken(kind, values, gate, makes)
    if kind in BODY_RECORDS:
        from dangjian.bodies.records import body_taken

        return body_taken(kind, values, gate)
    if kind == "instructor-visits":
        from dangjian.cadres.models import InstructorVisit
        from dangjian.lib import crypto

        try:
            number = id_code(values.get("id_number") or "")
            day = dt.date.fromisoformat((values.get("visited_on") or "").strip()[:10])
        except (CellError, ValueError):
            return ""  # the import names what is wrong with them
        if InstructorVisit.objects.filter(
            instructor__person__id_hash=crypto.lookup_hash(number),
            org__uscc=(values.get("uscc") or "").strip(),
            visited_on=day,
        ).exists():
            return f"{day}对该社会组织的走访已记录，不能重复新增"
        return ""
    key = (values.get(FORM_KINDS[kind][0]) or "").strip()
    try:
        key = (
            uscc_code(key)
            if kind == "orgs"
            else id_code(key)
            if kind in ("people", "applicants")
            else key
        )
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
    if kind == "applicants":  # a person's one application (docs/development.md)
        from dangjian.development.models import Applicant
        from dangjian.lib import crypto

        if Applicant.objects.filter(
            person__id_hash=crypto.lookup_hash(key),
            party_org__in=gate.party_orgs().values("pk"),
        ).exists():
            return "该人员的入党申请已登记，不能重复新增，请在其发展党员页面办理下一步"
    if kind == "people":
        from dangjian.lib import crypto

        if gate.people().filter(id_hash=crypto.lookup_hash(key)).exists():
            return "该公民身份号码的人员已登记，不能重复新增，请在其人员页面修改"
    return ""


def _life_taken(kind: str, values: dict[str, str], gate: Jurisdiction,
                makes: tuple[str, ...]) -> str:  # fmt: skip
    """`_taken` for the kinds of organization life: the record of that key, stored for a
    Party organization the user sees. A value the kind cannot read is the import's to name."""
    from dangjian.imports.errors import CellError
    from dangjian.life.models import (
        Activity,
        DemonstrationSite,
        JointGroup,
        JointGroupMember,
        Pairing,
    )

    columns = KINDS[kind]
    try:
        v = {
            key: columns.column(key).parse(values.get(key, "").strip())
            if values.get(key, "").strip()
            else None
            for key in makes or FORM_KINDS[kind]
        }
    except CellError:
        return ""
    seen = gate.party_orgs()
    first = v.get("lead" if kind == "joint-groups" else "party_org")
    party_org = seen.filter(code=first).values_list("pk", flat=True).first() if first else None
    if party_org is None:
        return ""
    again = "已登记，不能重复新增"
    if kind == "pairings":
        if v["started_on"] is None or not (v["partner"] or v["partner_name"]):
            return ""
        pairings = Pairing.objects.filter(party_org=party_org, started_on=v["started_on"])
        if v["partner"]:
            pairings = pairings.filter(partner__code=v["partner"], partner_name="")
        else:
            pairings = pairings.filter(partner__isnull=True, partner_name=v["partner_name"])
        if pairings.exists():
            partner = v["partner"] or v["partner_name"]
            return f"与「{partner}」自 {v['started_on']} 起的结对共建{again}，请修改该记录"
    elif kind == "demonstration-sites":
        if (
            v["level"]
            and v["year"] is not None
            and DemonstrationSite.objects.filter(
                party_org=party_org, level=v["level"], year=v["year"]
            ).exists()
        ):
            label = values["level"].strip()
            return f"该党组织{v['year']}年命名的{label}党建示范点{again}，请修改该记录"
    elif kind == "activities":
        if (
            v["kind"]
            and v["held_on"]
            and v["title"]
            and Activity.objects.filter(
                party_org=party_org, kind=v["kind"], held_on=v["held_on"], title=v["title"]
            ).exists()
        ):
            what = f"{values['kind'].strip()}「{v['title']}」"
            return f"该党组织 {v['held_on']} 的{what}{again}，请修改该记录"
    elif v["name"]:
        group = JointGroup.objects.filter(lead=party_org, name=v["name"]).first()
        if group is None:
            return ""
        if "member" not in v:  # the page makes a 联组
            return (
                f"联组「{group.name}」（牵头党组织 {first}）{again}，请在该联组页面添加成员或修改"
            )
        member, started = v["member"], v["started_on"]
        if (
            member
            and started
            and JointGroupMember.objects.filter(
                group=group, party_org__code=member, started_on=started
            ).exists()
        ):
            return f"{member} 自 {started} 加入联组「{group.name}」的记录{again}，请修改该成员记录"
    return ""


def _related(kind: str, instance: Model, part: Model | None) -> list[Model | None]:
    """The other records a form of `kind` writes with `instance` (their versions count): a
    person's membership and employment, a 联组 member's 联组."""
    if kind == "joint-groups":
        return [instance.group]  # type: ignore[attr-defined]
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
