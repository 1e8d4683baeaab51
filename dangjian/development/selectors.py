"""The development pipeline as the pages read it (docs/development.md, "The pages"): how many
stand at each stage on a date, how long the finished stages took (median days), the rows, and
the new members of a year by the position of their employment — over the Party organizations
the user sees, narrowed to an area or one Party organization."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.people.models import Employment, Membership, Position

STAGES = (
    ("applicant", "入党申请人"),
    ("activist", "入党积极分子"),
    ("candidate", "发展对象"),
    ("probationary", "预备党员"),
)
POSITION_GROUPS = (
    ("staff", "一线员工"),
    ("specialist", "专业骨干"),
    ("manager", "管理层"),
    ("other", "其他"),
)
ROW_HEADER = ("姓名", "公民身份号码", "培养党组织", "党组织编码", "入党申请日期", "谈话日期",
              "确定入党积极分子日期", "确定发展对象日期", "培养状态", "状态变更日期", "所处阶段")  # fmt: skip


def applicants_in(party_orgs: QuerySet[Any]) -> QuerySet[Applicant]:
    return Applicant.objects.filter(party_org__in=party_orgs.values("pk"))


def at_stage(party_orgs: QuerySet[Any], stage: str, on: dt.date) -> QuerySet[Any]:
    """Who stands at `stage` on `on`: the applicants 培养中 on that day by the last step
    taken on or before it; the probationary members whose relation the Party organizations
    hold (admitted on or before it, not confirmed on or before it)."""
    if stage == "probationary":
        return Membership.objects.filter(
            relation_party_org__in=party_orgs.values("pk"), joined_on__lte=on
        ).filter(Q(confirmed_on__isnull=True) | Q(confirmed_on__gt=on))
    qs = applicants_in(party_orgs).filter(Applicant.developing_on_q(on), applied_on__lte=on)
    activist = Q(activist_on__isnull=False, activist_on__lte=on)
    candidate = Q(candidate_on__isnull=False, candidate_on__lte=on)
    if stage == "applicant":
        return qs.exclude(activist).exclude(candidate)
    if stage == "activist":
        return qs.filter(activist).exclude(candidate)
    return qs.filter(candidate)


def counts(party_orgs: QuerySet[Any], on: dt.date) -> dict[str, int]:
    return {key: at_stage(party_orgs, key, on).count() for key, _ in STAGES}


def median_days(party_orgs: QuerySet[Any], on: dt.date) -> dict[str, float | None]:
    """The median days spent at each stage, of the stages finished on or before `on`:
    申请人 from 入党申请日期 to 确定入党积极分子日期, 积极分子 to 确定发展对象日期, 发展对象 to
    admission (状态变更日期 of 已接收为预备党员), 预备党员 from 入党日期 to 转正日期."""
    applicants = applicants_in(party_orgs)
    spans: dict[str, list[int]] = {key: [] for key, _ in STAGES}

    def span(start: dt.date | None, end: dt.date | None) -> int:
        assert start is not None and end is not None  # filtered on both
        return (end - start).days

    for applied, activist in applicants.filter(activist_on__lte=on).values_list(
        "applied_on", "activist_on"
    ):
        spans["applicant"].append(span(applied, activist))
    for activist, candidate in applicants.filter(candidate_on__lte=on).values_list(
        "activist_on", "candidate_on"
    ):
        spans["activist"].append(span(activist, candidate))
    for candidate, admitted in applicants.filter(
        status=ApplicantStatus.ADMITTED, status_changed_on__lte=on, candidate_on__isnull=False
    ).values_list("candidate_on", "status_changed_on"):
        spans["candidate"].append(span(candidate, admitted))
    for joined, confirmed in Membership.objects.filter(
        relation_party_org__in=party_orgs.values("pk"), confirmed_on__lte=on
    ).values_list("joined_on", "confirmed_on"):
        spans["probationary"].append(span(joined, confirmed))
    return {key: (statistics.median(days) if days else None) for key, days in spans.items()}


@dataclass
class Share:
    key: str
    label: str
    count: int
    rate: float | None


def new_members_by_position(party_orgs: QuerySet[Any], year: int) -> list[Share]:
    """The members admitted in `year` whose relation the Party organizations hold, by the
    position of their employment on the day of admission (一线员工, 专业骨干, 管理层; any
    other position, or none recorded: 其他). Of several employments that day, the one
    ranked highest (管理层, then 专业骨干, then 一线员工)."""
    joined = dict(
        Membership.objects.filter(
            relation_party_org__in=party_orgs.values("pk"), joined_on__year=year
        ).values_list("person_id", "joined_on")
    )
    rank = {Position.MANAGER: 0, Position.SPECIALIST: 1, Position.STAFF: 2}
    best: dict[int, str] = {}
    people = list(joined)
    for start in range(0, len(people), 900):
        for person, position, started, ended in Employment.objects.filter(
            person_id__in=people[start : start + 900]
        ).values_list("person_id", "position", "started_on", "ended_on"):
            day = joined[person]
            if (started and started > day) or (ended and ended < day):
                continue
            if position in rank and (
                person not in best or rank[Position(position)] < rank[Position(best[person])]
            ):
                best[person] = position
    tally = {key: 0 for key, _ in POSITION_GROUPS}
    for person in people:
        tally[best.get(person, "other")] += 1
    total = len(people)
    return [
        Share(key, label, tally[key], (tally[key] / total) if total else None)
        for key, label in POSITION_GROUPS
    ]


def stage_of(applicant: Applicant, on: dt.date) -> str:
    """The stage label of an applicant's row on `on` (or what became of them)."""
    if not applicant.developing_on(on):
        return applicant.get_status_display()
    if applicant.candidate_on and applicant.candidate_on <= on:
        return "发展对象"
    if applicant.activist_on and applicant.activist_on <= on:
        return "入党积极分子"
    return "入党申请人"


def rows(party_orgs: QuerySet[Any], stage: str, on: dt.date) -> QuerySet[Applicant]:
    """The applicants' rows (of one stage on `on`, or all), by 入党申请日期."""
    qs = (
        at_stage(party_orgs, stage, on)
        if stage in ("applicant", "activist", "candidate")
        else applicants_in(party_orgs)
    )
    return qs.select_related("person", "party_org").order_by("-applied_on", "pk")


def row_cells(applicant: Applicant, on: dt.date) -> tuple[str, ...]:
    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    return (
        applicant.person.name,
        applicant.person.id_masked,
        applicant.party_org.name,
        applicant.party_org.code,
        day(applicant.applied_on),
        day(applicant.talked_on),
        day(applicant.activist_on),
        day(applicant.candidate_on),
        applicant.get_status_display(),
        day(applicant.status_changed_on),
        stage_of(applicant, on),
    )


@dataclass
class Line:
    """One line of the breakdown: a child area or a Party organization, its counts."""

    label: str
    area_code: str  # a child area's code ("" for a Party organization)
    party_org_code: str  # a Party organization's code ("" for an area)
    counts: dict[str, int]


def _grouped(party_orgs: QuerySet[Any], on: dt.date) -> dict[int, dict[str, int]]:
    """Each Party organization's counts at the four stages on `on` (one grouped query per
    stage; Party organizations with none are left out)."""
    from django.db.models import Count

    by: dict[int, dict[str, int]] = {}
    for key, _ in STAGES:
        field_name = "relation_party_org" if key == "probationary" else "party_org"
        for pk, n in (
            at_stage(party_orgs, key, on)
            .order_by()
            .values_list(field_name)
            .annotate(n=Count("pk"))
            .values_list(field_name, "n")
        ):
            by.setdefault(pk, {k: 0 for k, _ in STAGES})[key] = n
    return by


def breakdown(party_orgs: QuerySet[Any], on: dt.date, children: list[Any] | None,
              limit: int = 200) -> list[Line]:  # fmt: skip
    """The pipeline by child area (`children`: the areas one level below the one shown), or,
    when there are none, by Party organization (the `limit` with most people)."""
    from dangjian.partyorgs.models import PartyOrganization

    by = _grouped(party_orgs, on)
    info = {
        pk: (code, name, path)
        for pk, code, name, path in PartyOrganization.objects.filter(pk__in=list(by)).values_list(
            "pk", "code", "name", "township__path"
        )
    }
    if children:
        lines = []
        for child in children:
            total = {k: 0 for k, _ in STAGES}
            for pk, counted in by.items():
                if pk in info and (info[pk][2] or "").startswith(child.path):
                    for k in total:
                        total[k] += counted[k]
            lines.append(Line(child.name, child.code, "", total))
        return lines
    ranked = sorted(by.items(), key=lambda item: (-sum(item[1].values()), info[item[0]][0]))
    return [Line(info[pk][1], "", info[pk][0], counted) for pk, counted in ranked[:limit]]
