"""Reads of the cadres' pages, through the jurisdiction gate: the training needs list
(培训需求名单: the findings of the three training rules of 五.3 on a date, one evaluation)
and the people a class's roster picker adds (office holders of a Party organization or of a
role, a search, the people of the needs list) — each one query, never one per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.engine import evaluate
from dangjian.lib.codes import normalize_id_number
from dangjian.lib.dated import holds_on_q
from dangjian.partyorgs.models import CommitteeMembership, CommitteeRole, PartyOrganization
from dangjian.people.models import Person

SECRETARY, NEW, WORKER = "CAD-SECRETARY-TRAINING", "CAD-NEW-SECRETARY", "CAD-WORKER-TRAINING"
TRAINING_RULES = (SECRETARY, NEW, WORKER)

# The needs, in the order the page lists them: (key of ?need=, rule, label).
NEEDS = (
    ("secretary", SECRETARY, "书记年度培训"),
    ("new", NEW, "新任书记任职培训"),
    ("worker", WORKER, "党务工作者年度培训"),
)
NEED_OF_RULE = {rule: key for key, rule, _label in NEEDS}
NEED_LABEL = {key: label for key, _rule, label in NEEDS}

# The roles the roster picker adds by (?role=): 书记, or 副书记 and 委员 together.
ROLE_GROUPS = {
    "secretary": ("书记", (CommitteeRole.SECRETARY,)),
    "committee": ("副书记、委员", (CommitteeRole.DEPUTY, CommitteeRole.MEMBER)),
}
SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Need:
    """One person who must still be trained, for one Party organization (one finding)."""

    person: int
    name: str
    masked: str
    party_org_code: str
    party_org_name: str
    role: str
    need: str  # NEEDS key
    text: str  # 需求, e.g. 书记年度培训不足（已训2.5天/应训5天）
    due: dt.date | None


def _days(value: Any) -> str:
    number = Decimal(str(value))
    return str(int(number)) if number == number.to_integral_value() else str(number)


def training_needs(user: User, as_of: dt.date, area: Area | None = None) -> list[Need]:
    """The people of the user's jurisdiction (of `area`) the training rules find on `as_of`:
    one evaluation of the three rules, then one query for the Party organizations' names
    and one for the offices' roles."""
    policy = policy_module.in_force(as_of)
    least = Decimal(policy["secretary_training_min_days"])
    findings = evaluate(as_of=as_of, area=area, rules=list(TRAINING_RULES), user=user).findings
    codes = {str(f.facts.get("party_org", "")) for f in findings}
    people = {f.subject.pk for f in findings if f.subject.pk is not None}
    names = dict(
        PartyOrganization.objects.filter(code__in=sorted(codes)).values_list("code", "name")
    )
    roles = _roles(people, codes, as_of)
    out = []
    for f in findings:
        code = str(f.facts.get("party_org", ""))
        need = NEED_OF_RULE[f.rule]
        if need == "secretary":
            role = "书记"
            text = f"书记年度培训不足（已训{_days(f.facts.get('days', 0))}天/应训{_days(least)}天）"
        elif need == "new":
            role = "书记"
            text = f"新任书记任职培训（期限 {f.due}）"
        else:
            role = roles.get((f.subject.pk or 0, code), "专职党务工作者")
            text = "党务工作者年度培训"
        pk = f.subject.pk or 0
        out.append(
            Need(
                pk,
                f.subject.name,
                f.subject.key,
                code,
                names.get(code, code),
                role,
                need,
                text,
                f.due,
            )
        )
    order = {key: i for i, (key, _rule, _label) in enumerate(NEEDS)}
    out.sort(key=lambda n: (order[n.need], n.due or as_of, n.party_org_code, n.name, n.masked))
    return out


def _roles(people: set[int], codes: set[str], as_of: dt.date) -> dict[tuple[int, str], str]:
    """The role label (副书记 / 委员, 专职 marked) of each person's office in each Party
    organization, the latest started on or before `as_of`: one query."""
    if not people:
        return {}
    label = dict(CommitteeRole.choices)
    found: dict[tuple[int, str], str] = {}
    rows = (
        CommitteeMembership.objects.filter(
            person_id__in=sorted(people), party_org__code__in=sorted(codes), started_on__lte=as_of
        )
        .exclude(role=CommitteeRole.SECRETARY)
        .order_by("started_on")
        .values_list("person_id", "party_org__code", "role", "full_time")
    )
    for person, code, role, full_time in rows:
        found[(person, code)] = "专职党务工作者" if full_time else str(label.get(role, role))
    return found


def counts(needs: Iterable[Need]) -> dict[str, int]:
    out = {key: 0 for key, _rule, _label in NEEDS}
    for n in needs:
        out[n.need] += 1
    return out


# --- the roster picker ------------------------------------------------------------------------


def trainees(user: User, pks: Iterable[Any]) -> list[Person]:
    """The people of these primary keys, in the user's jurisdiction, in the order given
    (repeats dropped). A key that is not a person the user sees is refused as nonexistent."""
    wanted: list[int] = []
    for pk in pks:
        try:
            number = int(pk)
        except (TypeError, ValueError):
            raise NotFound("人员不存在") from None
        if number not in wanted:
            wanted.append(number)
    if not wanted:
        return []
    found = {p.pk: p for p in Jurisdiction(user).people().filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise NotFound("人员不存在")
    return [found[pk] for pk in wanted]


def _office_holders(user: User, on: dt.date) -> QuerySet[CommitteeMembership]:
    return CommitteeMembership.objects.filter(
        holds_on_q(on, start_required=True),
        party_org__in=Jurisdiction(user).party_orgs().values("pk"),
    )


def holders_of_party_org(user: User, code: str, on: dt.date) -> list[int]:
    """The people holding an office of this Party organization on `on` (書记 first)."""
    party_org = Jurisdiction(user).access_party_org(code[:40])
    rows = _office_holders(user, on).filter(party_org=party_org).order_by("role", "person__name")
    return list(dict.fromkeys(rows.values_list("person_id", flat=True)))


def holders_of_role(user: User, role: str, on: dt.date) -> list[int]:
    """The people holding an office of this role group in the user's jurisdiction on `on`."""
    roles = ROLE_GROUPS[role][1]
    rows = (
        _office_holders(user, on).filter(role__in=roles).order_by("party_org__code", "person__name")
    )
    return list(dict.fromkeys(rows.values_list("person_id", flat=True)))


def party_org_choices(user: User, on: dt.date) -> list[tuple[str, str]]:
    """The Party organizations of the jurisdiction with an office held on `on`."""
    rows = (
        PartyOrganization.objects.filter(pk__in=_office_holders(user, on).values("party_org_id"))
        .order_by("code")
        .values_list("code", "name")
    )
    return [(code, f"{name}（{code}）") for code, name in rows]


def search(user: User, q: str) -> list[Person]:
    """People of the jurisdiction by name (contains) or by full identity number."""
    q = q.strip()[:64]
    if not q:
        return []
    people = Jurisdiction(user).people()
    number = normalize_id_number(q)
    if len(number) == 18 and number[:17].isdigit():
        return list(people.by_id_number(number)[:1])  # type: ignore[attr-defined]
    return list(people.filter(Q(name__contains=q)).order_by("name", "pk")[:SEARCH_LIMIT])
