"""The pages of Party organizations (党组织): the list (`web.lists`, read through
`partyorgs.selectors.party_org_list`) and one page per Party organization, fetched with
`access_party_org` (a 404 outside the jurisdiction). A related object outside the user's
jurisdiction shows its code and name only, never a link (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import (
    Count,
    QuerySet,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance import policy as policy_module
from dangjian.compliance.rules.backbone import current_term
from dangjian.imports.record_views import Target, as_detail, list_page, record_page, to
from dangjian.imports.writers import may_write
from dangjian.orgs.models import (
    OrgKind,
    SocialOrganization,
)
from dangjian.partyorgs import selectors
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    PartyOrganization,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.models import Employment, Membership
from dangjian.venues.views import party_org_panel as venue_panel
from dangjian.web import details, figures, lists, tables


def party_org_filters(request: HttpRequest, gate: Jurisdiction) -> dict[str, Any]:
    return {
        "as_of": figures.as_of_given(request),
        # Those covering an active organization on the date (of `org_kind`): the rows
        # behind the count of joint Party organizations of the org-building table.
        "covers": request.GET.get("covers", "") == "active",
        "org_kind": lists.choice(request, "org_kind", OrgKind.choices),
        "area": figures.area(request, gate),
        "level": lists.choice(request, "level", PartyOrgLevel.choices),
        "form": lists.choice(request, "form", selectors.FORMS),
        "status": lists.choice(request, "status", PartyOrgStatus.choices),
        "q": lists.text(request),
    }


def _filtered(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[PartyOrganization], dict[str, Any], str]:
    f = party_org_filters(request, gate)
    sort_key = request.GET.get("sort", "").lstrip("-")
    qs = selectors.party_org_list(gate=gate, filters=f, today=today, sort_key=sort_key)
    ordered, wanted = tables.sort(request, qs, selectors.SORT, "code")
    return ordered, f, wanted


def _party_org_rows(party_orgs: list[PartyOrganization], today: dt.date) -> list[dict[str, Any]]:
    """One page of Party organizations with what they cover and their members today, and
    when their term runs out: two queries for the page."""
    pks = [p.pk for p in party_orgs]
    covers = dict(
        Coverage.objects.current_on(today)
        .filter(party_org_id__in=pks)
        .order_by()
        .values("party_org_id")
        .annotate(n=Count("org_id", distinct=True))
        .values_list("party_org_id", "n")
    )
    members = {
        pk: (formal, total)
        for pk, formal, total in Membership.objects.member_on(today)
        .filter(relation_party_org_id__in=pks)
        .order_by()
        .values("relation_party_org_id")
        .annotate(
            formal=Count("pk", filter=Membership.formal_on_q(today)),
            total=Count("pk"),
        )
        .values_list("relation_party_org_id", "formal", "total")
    }
    policy = policy_module.in_force(today)
    rows = []
    for p in party_orgs:
        formal, total = members.get(p.pk, (0, 0))
        term = _term(p, policy, today)
        rows.append(
            {
                "party_org": p,
                "covers": covers.get(p.pk, 0),
                "formal": formal,
                "probationary": total - formal,
                "members": total,
                "term": term,
            }
        )
    return rows


def _hide_outside(gate: Jurisdiction, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark the rows of Party organizations outside the user's jurisdiction (`hidden`: only
    their code is shown)."""
    visible = details.visible(gate, PartyOrganization, [r["party_org"].pk for r in rows])
    for r in rows:
        r["hidden"] = r["party_org"].pk not in visible
    return rows


def _term(party_org: PartyOrganization, policy: Any, today: dt.date) -> dict[str, Any]:
    """The current term as ORG-TERM reads it (`current_term`): overdue only where the rule
    would find it — an active Party organization of social organizations whose term has run
    out (a term ending today has run out); territorial ones are not checked (POLICY.md)."""
    term = current_term(party_org, policy)
    return {
        "started": term.started,
        "from_founding": party_org.term_started_on is None,
        "years": term.years,
        "ends": term.ends,
        "checked": term.checked,
        "overdue": term.run_out(today) and party_org.is_active(today),
    }


PARTY_ORG_COLUMNS = [
    ("code", "党组织编码", lists.WIDE_ONLY),
    ("name", "党组织名称", ""),
    ("level", "类别", lists.WIDE_ONLY),
    ("form", "组建方式", ""),
    ("township", "所在乡镇(街道)", ""),
    ("founded_on", "成立日期", "d-none d-xxl-table-cell"),
    ("status", "状态", lists.WIDE_ONLY),
    ("", "覆盖组织", "num"),
    ("members", "党员 正式/预备", "num"),
    ("", "任期届满", ""),
    ("", "操作", lists.WIDE_ONLY),
]


PARTY_ORGS = lists.ListPage(
    title="党组织",
    url="web:party_orgs",
    export_url="web:party_orgs_export",
    form_id="party-org-filters",
    template="partyorgs/party_org_list.html",
    columns=PARTY_ORG_COLUMNS,
    filtered=_filtered,
    results=lists.Results(
        noun="个党组织",
        measure="个",
        thing="党组织",
        rows_template="partyorgs/_rows.html",
        pager_label="党组织分页",
        register="党组织名录",
    ),
    exists=lambda gate: gate.party_orgs().exists(),
)


@login_required
def party_org_list(request: HttpRequest) -> HttpResponse:
    shown = PARTY_ORGS.open(request)
    gate, f, day = shown.gate, shown.f, shown.day
    page = tables.page(request, shown.qs)
    words = []
    if f["status"]:
        words.append(
            f"{day}正常"
            if f["figure"] and f["status"] == PartyOrgStatus.ACTIVE
            else dict(PartyOrgStatus.choices)[f["status"]]
        )
    if f["form"]:
        words.append(dict(selectors.FORMS)[f["form"]])
    if f["level"]:
        words.append(dict(PartyOrgLevel.choices)[f["level"]])
    if f["covers"]:
        kind = dict(OrgKind.choices).get(f["org_kind"], "")
        words.append(f"覆盖正常登记的{kind or '社会组织'}")
    return shown.render(
        page,
        words,
        filtered=any(f.values()),
        rows=_hide_outside(gate, _party_org_rows(list(page.object_list), day)),
        may_write=may_write(request.user, "party-orgs"),
        levels=PartyOrgLevel.choices,
        forms=selectors.FORMS,
        statuses=PartyOrgStatus.choices,
    )


PARTY_ORG_EXPORT_HEADER = [
    "党组织编码",
    "党组织名称",
    "党组织类别",
    "组建方式",
    "上级党组织编码",
    "所在区县",
    "所在乡镇(街道)",
    "成立日期",
    "本届任期开始日期",
    "本届任期届满日期",
    "状态",
    "撤销日期",
    "覆盖社会组织数",
    "正式党员数",
    "预备党员数",
]


def _party_org_export_rows(
    gate: Jurisdiction, qs: QuerySet[PartyOrganization], today: dt.date
) -> Iterator[list[Any]]:
    for chunk in itertools.batched(
        qs.iterator(chunk_size=tables.EXPORT_CHUNK), tables.EXPORT_CHUNK
    ):
        for row in _hide_outside(gate, _party_org_rows(list(chunk), today)):
            p = row["party_org"]
            if row["hidden"]:
                yield [p.code, "（管辖范围以外的党组织）"]
                continue
            yield [
                p.code,
                p.name,
                p.get_level_display(),
                p.get_form_display(),
                p.parent.code if p.parent else "",
                p.township.parent.name if p.township.parent else "",
                p.township.name,
                p.founded_on,
                p.term_started_on,
                row["term"]["ends"],
                p.get_status_display(),
                p.dissolved_on,
                row["covers"],
                row["formal"],
                row["probationary"],
            ]


@login_required
def party_org_export(request: HttpRequest) -> HttpResponse:
    return PARTY_ORGS.export(request, PARTY_ORG_EXPORT_HEADER, _party_org_export_rows)


def _committee(party_org: PartyOrganization, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    offices = (
        CommitteeMembership.objects.filter(party_org=party_org)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    rank = {role: i for i, role in enumerate(CommitteeRole.values)}
    current: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for o in offices:
        row = {
            "role": o.get_role_display(),
            "name": o.person.name,
            "id_masked": o.person.id_masked,
            "started_on": o.started_on,
            "ended_on": o.ended_on,
            "full_time": o.full_time,
            "rank": rank.get(o.role, 9),
            "pk": o.pk,
        }
        (current if o.is_current(today) else past).append(row)
    current.sort(key=lambda r: (r["rank"], r["started_on"]))
    past.sort(key=lambda r: r["ended_on"] or r["started_on"], reverse=True)
    return {"current": current, "past": past}


def _covered(
    gate: Jurisdiction, party_org: PartyOrganization, today: dt.date
) -> list[dict[str, Any]]:
    coverages = list(
        Coverage.objects.filter(party_org=party_org)
        .select_related("org__township")
        .order_by("org__name", "-started_on")
    )
    visible = details.visible(gate, SocialOrganization, [c.org_id for c in coverages])
    rows = [
        {
            "org": c.org,
            "linked": c.org_id in visible,
            "started_on": c.started_on,
            "ended_on": c.ended_on,
            "current": c.is_current(today),
            "org_active": c.org.is_active(today),
        }
        for c in coverages
    ]
    rows.sort(key=lambda r: not r["current"])
    return rows


def _members(request: HttpRequest, party_org: PartyOrganization, today: dt.date) -> dict[str, Any]:
    """Members whose organizational relation this Party organization holds, with where they
    work today (two queries: the members, their current employments)."""
    memberships = list(
        Membership.objects.filter(relation_party_org=party_org)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    employers: dict[int, list[str]] = defaultdict(list)
    person_pks = [m.person_id for m in memberships]
    for start in range(0, len(person_pks), 900):
        for person, name in (
            Employment.objects.current_on(today)
            .filter(person_id__in=person_pks[start : start + 900])
            .order_by("org__name")
            .values_list("person_id", "org__name")
        ):
            employers[person].append(name)
    rows = [
        {
            "name": m.person.name,
            "person_pk": m.person_id,
            "id_masked": m.person.id_masked,
            "state": details.member_state(m, today) or "尚未入党",
            "joined_on": m.joined_on,
            "confirmed_on": m.confirmed_on,
            "mobile": m.is_mobile,
            "employers": "、".join(employers.get(m.person_id, [])),
        }
        for m in memberships
    ]
    return {
        **details.paged(request, rows, "members_page", "members"),
        "formal": sum(1 for r in rows if r["state"] == "正式党员"),
        "probationary": sum(1 for r in rows if r["state"] == "预备党员"),
        "total": len(rows),
    }


@login_required
def party_org_detail(request: HttpRequest, code: str) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    found = gate.access_party_org(code[:40])
    party_org = PartyOrganization.objects.select_related("township__parent", "parent", "unit").get(
        pk=found.pk
    )
    parent_visible = bool(
        party_org.parent_id and details.visible(gate, PartyOrganization, [party_org.parent_id])
    )
    children = list(party_org.children.order_by("code"))
    visible_children = details.visible(gate, PartyOrganization, [c.pk for c in children])
    covered = _covered(gate, party_org, today)
    context = {
        **details.frame(party_org.name, "党组织", "web:party_orgs", today),
        "may_write": may_write(request.user, "party-orgs"),
        "may_write_offices": may_write(request.user, "committees"),
        "may_transfer": may_write(request.user, "transfers"),
        "p": party_org,
        "active": party_org.is_active(today),
        "parent_visible": parent_visible,
        "children": [{"p": c, "linked": c.pk in visible_children} for c in children],
        "term": _term(party_org, policy_module.in_force(today), today),
        "committee": _committee(party_org, today),
        "covered": covered,
        "covered_now": sum(1 for c in covered if c["current"]),
        "members": _members(request, party_org, today),
        "venue": venue_panel(request.user, party_org),
        "findings": details.subject_findings(
            request, party_org.code, "party_org", party_org.pk, today
        ),
        "history": details.histories(
            [
                ("", party_org),
                *(
                    (f"班子成员：{office.person.name}", office)
                    for office in CommitteeMembership.objects.filter(party_org=party_org)
                    .select_related("person")
                    .order_by("pk")
                ),
            ],
            request.user,
        ),
    }
    return render(request, "partyorgs/party_org_detail.html", context)


@login_required
def party_org_new(request: HttpRequest) -> HttpResponse:
    trail = [list_page("党组织", "web:party_orgs")]
    done = as_detail("web:party_org", "code", "code")
    return record_page(
        request, Target("party-orgs", None, trail, reverse("web:party_orgs"), done, "新增党组织")
    )


@login_required
def party_org_edit(request: HttpRequest, code: str) -> HttpResponse:
    party_org = Jurisdiction(request.user).access_party_org(code[:40])  # type: ignore[arg-type]
    here = reverse("web:party_org", kwargs={"code": party_org.code})
    trail = [list_page("党组织", "web:party_orgs"), (party_org.name, here)]
    return record_page(
        request, Target("party-orgs", party_org, trail, here, to(here), "修改党组织")
    )


@login_required
def office_new(request: HttpRequest, code: str) -> HttpResponse:
    """Appoint someone to an office of this Party organization (a `committees` row)."""
    party_org = Jurisdiction(request.user).access_party_org(code[:40])  # type: ignore[arg-type]
    here = reverse("web:party_org", kwargs={"code": party_org.code})
    trail = [list_page("党组织", "web:party_orgs"), (party_org.name, here)]
    target = Target(
        "committees", None, trail, here, to(here), "新增班子成员",
        preset={"party_org": party_org.code}, locked=("party_org",),
    )  # fmt: skip
    return record_page(request, target)


@login_required
def office_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or end one office (found through its Party organization)."""
    office = (
        CommitteeMembership.objects.select_related("party_org", "person")
        .filter(pk=pk, party_org__in=Jurisdiction(request.user).party_orgs().values("pk"))  # type: ignore[arg-type]
        .first()
    )
    if office is None:
        raise Http404("任职记录不存在")
    party_org = office.party_org
    here = reverse("web:party_org", kwargs={"code": party_org.code})
    trail = [list_page("党组织", "web:party_orgs"), (party_org.name, here)]
    return record_page(
        request, Target("committees", office, trail, here, to(here), "修改班子成员任职")
    )
