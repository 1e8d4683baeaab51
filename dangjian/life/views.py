"""The pages of organization life (组织生活): a branch's year grid, its meetings and the
form that records one, the review of meetings (报送 / 审核 / 退回), the overview of an area
(the share of branches meeting each requirement per quarter, drill-down to those missing
it), and the documents (minutes .docx, statistics .xlsx).

Every page finds its Party organization or meeting through the gate first (outside it:
404). A meeting is written as a one-row import of the `meetings` kind (records.py), so its
form and a file share the checks and messages; the review steps are `life.services`. So
are Party groups, pairings, demonstration sites, activities and 联组 (their forms, a
联组's page), at the end.

One module over 500 lines: the pages of one app, each thin (a selector, a form of
`imports/record_views.py` or a document), sharing the branch's trail and the gate."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role
from dangjian.compliance import policy as policy_module
from dangjian.imports.kinds.life import DUTY_BY_LABEL
from dangjian.imports.records import record_save, stale, version_of
from dangjian.imports.writers import may_write
from dangjian.life import services
from dangjian.life.models import (
    Attendance,
    AttendanceStatus,
    Duty,
    Meeting,
    MeetingType,
    ReviewState,
    duties_text,
)
from dangjian.life.selectors import (
    attachment_get,
    may_review,
    may_submit,
    meeting_get,
    meetings_for,
    party_groups_of,
    review_queue,
)
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    SOCIAL_ORG_FORMS,
    PartyOrganization,
    PartyOrgLevel,
)
from dangjian.people.models import Membership
from dangjian.web import details
from dangjian.web.frame import crumbs

REASON_CUTS = re.compile(r"[;；、,，\r\n]")
STATE_CLASS = {
    ReviewState.DRAFT: "text-bg-secondary",
    ReviewState.SUBMITTED: "text-bg-primary",
    ReviewState.RETURNED: "text-bg-warning",
    ReviewState.APPROVED: "text-bg-success",
}


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


def checked_branches(party_orgs: Any) -> Any:
    """The branches rules LIFE-MEETINGS and LIFE-REVIEW check, of a queryset."""
    return party_orgs.filter(level=PartyOrgLevel.BRANCH, form__in=COVERING_FORMS)


# --- a branch ---------------------------------------------------------------------------------


@login_required
def party_org_life(request: HttpRequest, code: str) -> HttpResponse:
    """A Party organization's 组织生活: the year's grid by meeting type, what is still to hold
    this period, its meetings with their review state, its Party groups."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    party_org = gate.access_party_org(code[:40])
    year = _year(request, today)
    policy = policy_module.in_force(today)
    from dangjian.life.grid import life_grid

    rows = life_grid(PartyOrganization.objects.filter(pk=party_org.pk), year, today, policy)
    row = rows[0] if rows else None
    meetings = meetings_for(request.user, party_org).order_by("-held_on", "type")
    here = reverse("web:party_org", kwargs={"code": party_org.code})
    context = {
        "title": f"{party_org.name} · 组织生活",
        "breadcrumbs": crumbs(
            ("党组织", reverse("web:party_orgs")), (party_org.name, here), ("组织生活", None)
        ),
        "today": today,
        "p": party_org,
        "year": year,
        "years": list(range(today.year, max(today.year - 5, 2000) - 1, -1)),
        "row": row,
        "months": list(range(1, 13)),
        "due": row.still_to_hold(today) if row is not None and year == today.year else [],
        "meetings": meetings[:200],
        "meeting_count": meetings.count(),
        "groups": party_groups_of(party_org),
        "may_write": may_write(request.user, "meetings"),
        "may_write_groups": may_write(request.user, "party-groups")
        and party_org.level == PartyOrgLevel.BRANCH,
        "state_class": STATE_CLASS,
        **_activities_of(request.user, party_org, year),
    }
    return render(request, "life/party_org_life.html", context)


def _activities_of(user: Any, party_org: PartyOrganization, year: int) -> dict[str, Any]:
    """A Party organization's activities of the year and its pairings (the page's panel),
    and whether the user records them."""
    from dangjian.life.models import Activity, Pairing

    activities = Activity.objects.filter(party_org=party_org, held_on__year=year).select_related(
        "partner", "joint_group"
    )
    return {
        "activities": activities.order_by("-held_on", "kind", "title")[:100],
        "activity_count": activities.count(),
        "pairings": Pairing.objects.filter(party_org=party_org)
        .select_related("partner")
        .order_by("-started_on"),
        "may_write_activities": may_write(user, "activities"),
        "may_write_pairings": may_write(user, "pairings"),
    }


# --- a meeting --------------------------------------------------------------------------------


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get(request.user, pk)
    party_org = meeting.party_org
    attendance = list(
        Attendance.objects.filter(meeting=meeting).select_related("person").order_by("status", "pk")
    )
    life = reverse("web:party_org_life", kwargs={"code": party_org.code})
    context = {
        "title": f"{meeting.held_on:%Y-%m-%d} {meeting.get_type_display()}",
        "breadcrumbs": crumbs(
            ("党组织", reverse("web:party_orgs")),
            (party_org.name, reverse("web:party_org", kwargs={"code": party_org.code})),
            ("组织生活", life),
            (f"{meeting.held_on:%Y-%m-%d} {meeting.get_type_display()}", None),
        ),
        "m": meeting,
        "duties": duties_text(meeting.duties),
        "attendance": {
            status.label: [a for a in attendance if a.status == status]
            for status in AttendanceStatus
        },
        "attachments": meeting.attachments.select_related("uploaded_by"),
        "may_edit": may_write(request.user, "meetings")
        and not (request.user.role == Role.ORG and meeting.state == ReviewState.SUBMITTED),  # type: ignore[union-attr]
        "may_submit": may_submit(request.user, meeting)
        and meeting.state in (ReviewState.DRAFT, ReviewState.RETURNED),
        "may_review": meeting.state == ReviewState.SUBMITTED and may_review(request.user, meeting),
        "may_attach": may_write(request.user, "meetings"),
        "state_class": STATE_CLASS,
        "history": details.histories([("", meeting)], request.user),
    }
    return render(request, "life/meeting_detail.html", context)


def _step(request: HttpRequest, pk: int, step: Any, done: str, **kwargs: Any) -> HttpResponse:
    try:
        step(user=request.user, meeting=pk, **kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("web:meeting", pk=pk)


@login_required
@require_POST
def meeting_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.meeting_submit, "已报送，等待上级审核")


@login_required
@require_POST
def meeting_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.meeting_approve, "已审核通过",
                 opinion=request.POST.get("opinion", ""))  # fmt: skip


@login_required
@require_POST
def meeting_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.meeting_return, "已退回，等待修改后重新报送",
                 opinion=request.POST.get("opinion", ""))  # fmt: skip


@login_required
@require_POST
def meeting_attach(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
        return redirect("web:meeting", pk=pk)
    return _step(request, pk, services.meeting_attach, f"已上传附件「{upload.name}」", file=upload)


@login_required
def meeting_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = attachment_get(request.user, pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.original_name)  # fmt: skip


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    from dangjian.life.documents import minutes_docx

    meeting = meeting_get(request.user, pk)
    body = minutes_docx(meeting)
    name = (
        f"{meeting.party_org.name}{meeting.get_type_display()}会议记录{meeting.held_on:%Y%m%d}.docx"
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- the meeting form -----------------------------------------------------------------------


def _members(party_org: PartyOrganization) -> list[Membership]:
    """Who may attend: the members whose relation the Party organization holds."""
    return list(
        Membership.objects.filter(relation_party_org=party_org)
        .select_related("person")
        .order_by("person__name", "pk")
    )


def _form_values(request: HttpRequest, party_org: PartyOrganization,
                 members: list[Membership]) -> tuple[dict[str, str], dict[int, tuple[str, str]]]:  # fmt: skip
    """The `meetings` row the form posted ({column key: text}), and the attendance as posted."""
    post = request.POST
    values = {key: post.get(key, "").strip() for key in (
        "type", "party_group", "held_on", "topic", "place", "host", "recorder",
    )}  # fmt: skip
    values["minutes"] = post.get("minutes", "").strip()
    values["party_org"] = party_org.code
    values["duties"] = "、".join(
        label for label in DUTY_BY_LABEL if post.get(f"duty_{DUTY_BY_LABEL[label]}")
    )
    chosen: dict[int, tuple[str, str]] = {}
    lists: dict[str, list[str]] = {"attended": [], "on_leave": [], "absent": []}
    column = {"present": "attended", "leave": "on_leave", "absent": "absent"}
    for membership in members:
        status = post.get(f"att_{membership.person_id}", "")
        if status not in column:
            continue
        # The cell's own separators (「;」「、」「,」 and line breaks) would cut the list: a
        # reason typed with them keeps its words, separated by spaces.
        typed = post.get(f"reason_{membership.person_id}", "")
        reason = " ".join(REASON_CUTS.sub(" ", typed).split()).replace("（", "(").replace("）", ")")
        chosen[membership.person_id] = (status, reason)
        number = membership.person.id_number
        lists[column[status]].append(
            f"{number}（{reason}）" if status == "leave" and reason else number
        )
    for key, items in lists.items():
        values[key] = ";".join(items)
    if not chosen:  # no list: the counts typed
        values["expected"] = post.get("expected", "").strip()
        values["present"] = post.get("present", "").strip()
    return values, chosen


@login_required
def meeting_new(request: HttpRequest, code: str) -> HttpResponse:
    party_org = Jurisdiction(request.user).access_party_org(code[:40])  # type: ignore[arg-type]
    return _meeting_form(request, party_org, None)


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get(request.user, pk)
    return _meeting_form(request, meeting.party_org, meeting)


def _meeting_form(request: HttpRequest, party_org: PartyOrganization,
                  meeting: Meeting | None) -> HttpResponse:  # fmt: skip
    user: Any = request.user
    life = reverse("web:party_org_life", kwargs={"code": party_org.code})
    trail = crumbs(
        ("党组织", reverse("web:party_orgs")),
        (party_org.name, reverse("web:party_org", kwargs={"code": party_org.code})),
        ("组织生活", life),
        ("修改会议记录" if meeting else "记一次会议", None),
    )
    if not may_write(user, "meetings"):
        return render(request, "imports/forbidden.html",
                      {"title": "无权修改数据", "breadcrumbs": trail}, status=403)  # fmt: skip
    members = _members(party_org)
    groups = list(party_groups_of(party_org))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values, chosen = _form_values(request, party_org, members)
        if meeting is not None:  # the columns naming the record are its own
            values.update(type=MeetingType(meeting.type).label, held_on=meeting.held_on.isoformat(),
                          party_group=meeting.party_group.name if meeting.party_group else "")  # fmt: skip
        why = stale(request.POST.get("version", ""), meeting) if meeting is not None else ""
        if why:
            errors[""] = [why]
        else:
            saved = record_save(kind="meetings", values=values, user=user,
                                reason=request.POST.get("reason", ""), new=meeting is None)  # fmt: skip
            if saved.ok:
                found = _find(party_org, values, groups)
                messages.success(request, "会议记录已保存" + (
                    "（待报送：请在会议页面报送上级审核）" if found and found.state == ReviewState.DRAFT else ""
                ))  # fmt: skip
                return redirect("web:meeting", pk=found.pk) if found else redirect(life)
            errors = saved.errors
        shown = {
            **values,
            "duty_codes": [DUTY_BY_LABEL[d] for d in values["duties"].split("、") if d],
        }
    else:
        chosen = {}
        if meeting is not None:
            shown = {
                "type": MeetingType(meeting.type).label, "held_on": meeting.held_on.isoformat(),
                "party_group": meeting.party_group.name if meeting.party_group else "",
                "topic": meeting.topic, "place": meeting.place, "host": meeting.host,
                "recorder": meeting.recorder, "minutes": meeting.minutes,
                "expected": "" if meeting.expected is None else str(meeting.expected),
                "present": "" if meeting.present is None else str(meeting.present),
                "duty_codes": [c for c in meeting.duties.split(",") if c],
            }  # fmt: skip
            status = {"present": "present", "leave": "leave", "absent": "absent"}
            for a in Attendance.objects.filter(meeting=meeting):
                chosen[a.person_id] = (status[a.status], a.reason)
        else:
            shown = {"held_on": timezone.localdate().isoformat(), "duty_codes": [],
                     "type": request.GET.get("type", "")}  # fmt: skip
            day = timezone.localdate()
            for membership in members:  # prefilled: every member on the day, present
                if membership.joined_on <= day:
                    chosen[membership.person_id] = ("present", "")
    context = {
        "title": "修改会议记录" if meeting else "记一次会议",
        "breadcrumbs": trail,
        "p": party_org,
        "m": meeting,
        "v": shown,
        "errors": errors,
        "attendance_errors": [
            e for key in ("attended", "on_leave", "absent") for e in errors.get(key, [])
        ],
        "types": [t.label for t in MeetingType],
        "groups": groups,
        "duties": [(d.value, d.label) for d in Duty],
        "members": [
            {
                "m": ms,
                "status": chosen.get(ms.person_id, ("", ""))[0],
                "reason": chosen.get(ms.person_id, ("", ""))[1],
            }
            for ms in members
        ],
        "version": version_of(meeting) if meeting is not None else "",
        "cancel": reverse("web:meeting", kwargs={"pk": meeting.pk}) if meeting else life,
    }
    return render(request, "life/meeting_form.html", context)


def _find(
    party_org: PartyOrganization, values: dict[str, str], groups: list[Any]
) -> Meeting | None:
    labels = {t.label: t.value for t in MeetingType}
    group = next((g for g in groups if g.name == values.get("party_group")), None)
    try:
        held = dt.date.fromisoformat(values["held_on"])
    except ValueError:
        return None
    return Meeting.objects.filter(
        party_org=party_org, type=labels.get(values["type"], ""), held_on=held,
        party_group=group if labels.get(values["type"]) == MeetingType.GROUP else None,
    ).first()  # fmt: skip


# --- review and overview ----------------------------------------------------------------------


@login_required
def life_review(request: HttpRequest) -> HttpResponse:
    queue = review_queue(request.user)
    returned = (
        meetings_for(request.user).filter(state=ReviewState.RETURNED).order_by("-reviewed_at")
    )
    context = {
        "title": "会议记录审核",
        "breadcrumbs": crumbs(("组织生活", reverse("web:life")), ("会议记录审核", None)),
        "queue": queue[:200],
        "count": queue.count(),
        "returned": returned[:50],
        "state_class": STATE_CLASS,
    }
    return render(request, "life/review.html", context)


@login_required
def life_overview(request: HttpRequest) -> HttpResponse:
    """An officer's 组织生活: how many branches meet each requirement per quarter by area
    (chart, drill-down), the review queue, the statistics; a secretary goes to their own."""
    user: Any = request.user
    gate = Jurisdiction(user)
    today = timezone.localdate()
    if user.role == Role.ORG and user.party_org_id is not None:
        return redirect("web:party_org_life", code=user.party_org.code)
    year = _year(request, today)
    from dangjian.life.overview import overview
    from dangjian.web.stats import per_version

    area_code = request.GET.get("area", "")[:12]
    queue_count = review_queue(user).count()

    def body() -> str:
        data = overview(gate, year, today, area_code=area_code)
        return render_to_string(
            "life/_overview_body.html",
            {"o": data, "year": year, "today": today, "queue_count": queue_count},
            request=request,
        )

    # Rendered once per change of the data (an approval, an import) and jurisdiction: the
    # grid of every branch of a district is not computed per request (bench/web.py).
    html = per_version(f"life-overview:{year}:{today}:{area_code}:{queue_count}", user, body)
    context = {
        "title": "组织生活",
        "breadcrumbs": crumbs(("组织生活", None)),
        "today": today,
        "year": year,
        "years": list(range(today.year, max(today.year - 5, 2000) - 1, -1)),
        "area": (gate.areas().filter(code=area_code).first() if area_code else None) or gate.area,
        "area_code": area_code,
        "queue_count": queue_count,
        "body": mark_safe(html),
    }
    return render(request, "life/overview.html", context)


@login_required
def life_branches(request: HttpRequest) -> HttpResponse:
    """The branches missing a requirement in a period (the chart's drill-down), or all the
    branches with their year's gaps."""
    from dangjian.life.overview import missing_branches

    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    year = _year(request, today)
    rows = missing_branches(gate, year, today, area_code=request.GET.get("area", ""),
                            type_label=request.GET.get("type", ""), period=request.GET.get("period", ""))  # fmt: skip
    context = {
        "title": "未按要求开展组织生活的党支部",
        "breadcrumbs": crumbs(("组织生活", reverse("web:life")), ("党支部名单", None)),
        "year": year,
        "rows": rows[:500],
        "count": len(rows),
        "type": request.GET.get("type", ""),
        "period": request.GET.get("period", ""),
    }
    return render(request, "life/branches.html", context)


@login_required
def life_statistics(request: HttpRequest) -> HttpResponse:
    from dangjian.life.documents import life_statistics_xlsx

    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    year = _year(request, today)
    party_orgs = checked_branches(gate.party_orgs())
    code = request.GET.get("party_org", "")
    if code:
        party_orgs = party_orgs.filter(pk=gate.access_party_org(code[:40]).pk)
    from dangjian.life.grid import life_grid

    rows = life_grid(party_orgs, year, today)
    body = life_statistics_xlsx(rows, year, gate.scope(), as_of=today)
    return _xlsx(body, f"组织生活开展情况统计{year}.xlsx")


@login_required
def life_duties(request: HttpRequest) -> HttpResponse:
    from dangjian.life.documents import duties_xlsx

    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    year = _year(request, today)
    body = duties_xlsx(
        gate.party_orgs().filter(form__in=SOCIAL_ORG_FORMS),
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        gate.scope(),
    )
    return _xlsx(body, f"党组织职责履行分布{year}.xlsx")


def _xlsx(body: bytes, name: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def life_lists(request: HttpRequest) -> HttpResponse:
    """Activities by way and area, pairings, demonstration sites and 联组 (POLICY 3.1, 4.2):
    the reportable lists, each exportable (`?export=<key>`)."""
    from dangjian.life import lists

    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    year = _year(request, today)
    wanted = request.GET.get("export", "")
    found = lists.tables(gate, year, today, whole=wanted)
    for table in found:
        if table.key == wanted:
            return _xlsx(lists.xlsx(table, gate.label()), f"{table.title}.xlsx")
    for table in found:  # the forms of its kind, for those who may write it
        kind, new, edit = LIST_FORMS[table.key]
        if may_write(request.user, kind):
            table.new, table.edit = reverse(new) if new else "", edit
            table.new_label = LIFE_FORMS[kind][1]
    context = {
        "title": "党建活动与共建",
        "breadcrumbs": crumbs(("组织生活", reverse("web:life")), ("党建活动与共建", None)),
        "year": year,
        "years": list(range(today.year, max(today.year - 5, 2000) - 1, -1)),
        "tables": found,
        "cap": lists.CAP,
    }
    return render(request, "life/lists.html", context)


@login_required
def group_new(request: HttpRequest, code: str) -> HttpResponse:
    """Set up a Party group of this branch (a `party-groups` row)."""
    from dangjian.imports.record_views import Target, record_page, to

    party_org = Jurisdiction(request.user).access_party_org(code[:40])  # type: ignore[arg-type]
    here = reverse("web:party_org_life", kwargs={"code": party_org.code})
    trail = [("党组织", reverse("web:party_orgs")), (party_org.name, here)]
    target = Target(
        "party-groups", None, trail, here, to(here + "#groups"), "新增党小组",
        preset={"party_org": party_org.code}, locked=("party_org",),
    )  # fmt: skip
    return record_page(request, target)


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or dissolve a Party group (found through its Party organization)."""
    from django.http import Http404

    from dangjian.imports.record_views import Target, record_page, to
    from dangjian.life.models import PartyGroup

    group = (
        PartyGroup.objects.select_related("party_org")
        .filter(pk=pk, party_org__in=Jurisdiction(request.user).party_orgs().values("pk"))  # type: ignore[arg-type]
        .first()
    )
    if group is None:
        raise Http404("党小组不存在")
    here = reverse("web:party_org_life", kwargs={"code": group.party_org.code})
    trail = [("党组织", reverse("web:party_orgs")), (group.party_org.name, here)]
    return record_page(
        request, Target("party-groups", group, trail, here, to(here + "#groups"), "修改党小组")
    )


# --- pairings, demonstration sites, activities and 联组 in pages -----------------------------
#
# Each page is a one-row import of its kind (imports/record_views.py, as Party groups): a new
# record opened from a Party organization's 组织生活 page has that Party organization
# locked; opened from 党建活动与共建 it is typed (a secretary's own prefilled). A record is
# found through the gate (outside it: 404, as a missing one); the kind refuses a Party
# organization its writer may not write, as for a file. A 联组 is one row per member: its
# page lists the members; a new 联组 is its lead's row (joining on the founding day).

LIFE_FORMS = {  # kind -> (the list's anchor, the new record's title, its edit's)
    "pairings": ("pairings", "新增结对共建", "修改结对共建"),
    "demonstration-sites": ("sites", "新增党建示范点", "修改党建示范点"),
    "activities": ("activity-list", "记录党建活动", "修改党建活动"),
    "joint-groups": ("joint-groups", "新建联组", "修改联组成员"),
}
# The lists of 党建活动与共建 (lists.py): table -> (its kind, its new record's form, the
# URL name of a row's: a 联组's own dates; its members on its page, linked for all).
LIST_FORMS = {
    "activities": ("activities", "", ""),  # counts: new ones from the list below
    "activity-list": ("activities", "web:activity_new", "web:activity_edit"),
    "pairings": ("pairings", "web:pairing_new", "web:pairing_edit"),
    "sites": ("demonstration-sites", "web:site_new", "web:site_edit"),
    "joint-groups": ("joint-groups", "web:joint_group_new", "web:joint_group_edit"),
}
JOINT_GROUP_COLUMNS = ("township", "founded_on", "dissolved_on")  # the 联组's own
MEMBER_COLUMNS = ("member", "started_on", "ended_on")  # one member's period


def _from_life(request: HttpRequest) -> bool:
    """Whether the page was opened from a Party organization's 组织生活 page (goes back there)."""
    return request.GET.get("from", "") == "life"


def _lists_trail(kind: str) -> tuple[list[tuple[str, str | None]], str]:
    lists = reverse("web:life_lists")
    trail: list[tuple[str, str | None]] = [
        ("组织生活", reverse("web:life")),
        ("党建活动与共建", lists),
    ]
    return trail, f"{lists}#{LIFE_FORMS[kind][0]}"


def _org_trail(party_org: PartyOrganization) -> tuple[list[tuple[str, str | None]], str]:
    life = reverse("web:party_org_life", kwargs={"code": party_org.code})
    trail: list[tuple[str, str | None]] = [
        ("党组织", reverse("web:party_orgs")),
        (party_org.name, reverse("web:party_org", kwargs={"code": party_org.code})),
        ("组织生活", life),
    ]
    return trail, f"{life}#activities"


def _life_new(request: HttpRequest, kind: str, code: str | None) -> HttpResponse:
    """A new record of `kind`: of the Party organization `code` (locked), or typed."""
    from dangjian.imports.record_views import Target, record_page, to

    user: Any = request.user
    column = "lead" if kind == "joint-groups" else "party_org"
    preset: dict[str, str] = {}
    locked: tuple[str, ...] = ()
    if code is not None:
        party_org = Jurisdiction(user).access_party_org(code[:40])
        trail, back = _org_trail(party_org)
        preset, locked = {column: party_org.code}, (column,)
    else:
        trail, back = _lists_trail(kind)
        if user.role == Role.ORG and user.party_org_id is not None:
            preset = {column: user.party_org.code}
    target = Target(kind, None, trail, back, to(back), LIFE_FORMS[kind][1], preset=preset,
                    locked=locked)  # fmt: skip
    if kind == "joint-groups":
        # A new 联组 is its lead's row: the lead joins on the day the 联组 is founded.
        target.omit = MEMBER_COLUMNS
        target.copy = {"member": "lead", "started_on": "founded_on"}
        target.key = ("name", "lead")
        target.done = _joint_group_done
    return record_page(request, target)


def _joint_group_done(values: dict[str, str]) -> str:
    """After a 联组's row is saved: its page."""
    from dangjian.life.models import JointGroup

    group = JointGroup.objects.filter(
        lead__code=values["lead"].strip(), name=values["name"].strip()
    ).first()
    if group is None:
        return reverse("web:life_lists") + "#joint-groups"
    return reverse("web:joint_group", kwargs={"pk": group.pk})


def _seen(request: HttpRequest, records: Any, pk: int, *fields: str) -> Any:
    """The record `pk` (of a model or queryset) whose Party organizations (`fields`) the
    user sees, or 404 — as one that does not exist."""
    from django.http import Http404

    party_orgs = Jurisdiction(request.user).party_orgs().values("pk")  # type: ignore[arg-type]
    found = records.objects.all() if isinstance(records, type) else records  # type: ignore[attr-defined]
    for name in fields:
        found = found.filter(**{f"{name}__in": party_orgs})
    record = found.filter(pk=pk).first()
    if record is None:
        raise Http404(f"{found.model._meta.verbose_name}不存在")
    return record


def _life_edit(request: HttpRequest, kind: str, record: Any) -> HttpResponse:
    """Correct a record of `kind` (its key columns locked), its change history below."""
    from dangjian.imports.record_views import Target, record_page, to

    if _from_life(request):
        trail, back = _org_trail(record.party_org)
    else:
        trail, back = _lists_trail(kind)
    history = details.histories([("", record)], request.user)
    target = Target(kind, record, trail, back, to(back), LIFE_FORMS[kind][2],
                    template="life/record_form.html", context={"history": history})  # fmt: skip
    return record_page(request, target)


@login_required
def pairing_new(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _life_new(request, "pairings", code)


@login_required
def pairing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from dangjian.life.models import Pairing

    return _life_edit(request, "pairings", _seen(request, Pairing, pk, "party_org"))


@login_required
def site_new(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _life_new(request, "demonstration-sites", code)


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from dangjian.life.models import DemonstrationSite

    site = _seen(request, DemonstrationSite, pk, "party_org")
    return _life_edit(request, "demonstration-sites", site)


@login_required
def activity_new(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _life_new(request, "activities", code)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from dangjian.life.models import Activity

    return _life_edit(request, "activities", _seen(request, Activity, pk, "party_org"))


@login_required
def joint_group_new(request: HttpRequest, code: str | None = None) -> HttpResponse:
    return _life_new(request, "joint-groups", code)


def _joint_group(request: HttpRequest, pk: int) -> Any:
    """The 联组 whose lead the user sees (404 otherwise)."""
    from dangjian.life.models import JointGroup

    return _seen(request, JointGroup.objects.select_related("lead", "township"), pk, "lead")


@login_required
def joint_group(request: HttpRequest, pk: int) -> HttpResponse:
    """A 联组: its own dates, its members (those the user sees, as the export has them) and
    their changes; adding a member and correcting a row for those who may write 联组."""
    from dangjian.life.models import JointGroupMember

    group = _joint_group(request, pk)
    seen = Jurisdiction(request.user).party_orgs().values("pk")  # type: ignore[arg-type]
    members = list(
        JointGroupMember.objects.filter(group=group, party_org__in=seen)
        .select_related("party_org")
        .order_by("started_on", "party_org__code", "pk")
    )
    today = timezone.localdate()
    parts: list[tuple[str, Any]] = [("联组", group)]
    parts += [(f"成员：{m.party_org.code}", m) for m in members]
    trail, _back = _lists_trail("joint-groups")
    context = {
        "title": f"联组：{group.name}",
        "breadcrumbs": crumbs(*trail, (group.name, None)),
        "g": group,
        "members": [(m, m.is_current(today)) for m in members],
        "today": today,
        "may_write": may_write(request.user, "joint-groups"),
        "history": details.histories(parts, request.user),
    }
    return render(request, "life/joint_group.html", context)


@login_required
def joint_group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The 联组's own columns (所在乡镇(街道), 成立日期, 撤销日期), written as its lead's row
    (the last period of the lead, its member columns as they are)."""
    from dangjian.imports.record_views import Target, record_page, to
    from dangjian.life.models import JointGroupMember

    group = _joint_group(request, pk)
    rows = JointGroupMember.objects.filter(group=group).select_related("group__lead", "party_org")
    row = rows.filter(party_org=group.lead).order_by("-started_on").first()
    here = reverse("web:joint_group", kwargs={"pk": group.pk})
    if row is None:  # a 联组 without its lead's row: the lead is added as a member first
        return redirect(reverse("web:joint_group_member_new", kwargs={"pk": group.pk}))
    trail, _back = _lists_trail("joint-groups")
    trail.append((group.name, here))
    history = details.histories([("", group)], request.user)
    target = Target("joint-groups", row, trail, here, to(here), "修改联组", locked=MEMBER_COLUMNS,
                    template="life/record_form.html", context={"history": history})  # fmt: skip
    return record_page(request, target)


@login_required
def joint_group_member_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A member joins the 联组 (or the same member again, after a period that ended): the
    联组's columns as they are, the member's typed."""
    from dangjian.imports.record_views import Target, record_page, to

    group = _joint_group(request, pk)
    here = reverse("web:joint_group", kwargs={"pk": group.pk})
    trail, _back = _lists_trail("joint-groups")
    trail.append((group.name, here))
    preset = {
        "name": group.name,
        "lead": group.lead.code,
        "township": group.township.code,
        "founded_on": group.founded_on.isoformat(),
        "dissolved_on": group.dissolved_on.isoformat() if group.dissolved_on else "",
    }
    target = Target("joint-groups", None, trail, here, to(here), "添加联组成员", preset=preset,
                    locked=("name", "lead", *JOINT_GROUP_COLUMNS))  # fmt: skip
    return record_page(request, target)


@login_required
def joint_group_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's row: its 退出日期 (the 联组's own columns on the 联组's page)."""
    from dangjian.imports.record_views import Target, record_page, to
    from dangjian.life.models import JointGroupMember

    member = _seen(
        request,
        JointGroupMember.objects.select_related("group__lead", "party_org"),
        pk,
        "group__lead",
        "party_org",
    )
    here = reverse("web:joint_group", kwargs={"pk": member.group_id})
    trail, _back = _lists_trail("joint-groups")
    trail.append((member.group.name, here))
    history = details.histories([("", member)], request.user)
    target = Target("joint-groups", member, trail, here, to(here), "修改联组成员",
                    locked=JOINT_GROUP_COLUMNS, template="life/record_form.html",
                    context={"history": history})  # fmt: skip
    return record_page(request, target)
