"""The rules engine agrees with the slow reference (tests/rules_reference.py) on hundreds of
random datasets: organizations of every status over the sample townships, members with and
without confirmation and relation, employments starting and ending on the date of the check,
Party organizations of every form with coverage, dissolution, terms and committees,
instructors and supervisory units, Party groups and meetings (approved or not) on the days
periods begin and end — checked on random dates over random jurisdictions.

Every date is drawn from one small pool, and the day of the check is mostly one of the days
the dataset itself names: facts start and end *on* the checked day, and terms run out on
it, all the time. The thresholds are drawn too (policy settings), so that small datasets
reach them. Each example also asks `explain` about one subject and expects what `evaluate`
says of it.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.areas.models import Area, UnitKind
from dangjian.bodies.models import TopicStudy
from dangjian.cadres.models import PartyWorker, Training
from dangjian.compliance import policy as policy_module
from dangjian.compliance.engine import RULES, evaluate
from dangjian.compliance.explain import explain
from dangjian.compliance.policy import Policy, Setting
from dangjian.development.models import Applicant
from dangjian.dues.models import DuesPayment, DuesReturn
from dangjian.inspections.models import AnnualInspection
from dangjian.life.models import Meeting, PartyGroup
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person
from dangjian.rectifications.models import Rectification
from dangjian.venues.models import SIX_FIELDS, Venue
from tests import factories
from tests.rules_reference import demanded, months_later

pytestmark = pytest.mark.django_db

ANCHORS = [
    dt.date(2016, 2, 29),  # a term from here runs out on 2019-02-28 (no 29 February)
    dt.date(2017, 6, 30),  # 3 and 5 years on: 2020-06-30, 2022-06-30
    dt.date(2019, 2, 28),
    dt.date(2020, 6, 30),
    dt.date(2022, 6, 30),
]
POOL = sorted({a + dt.timedelta(days=k) for a in ANCHORS for k in (0, 1)})
TOWNSHIPS = ["wenyilu", "chaoyang", "pozi"]
JURISDICTIONS = [None, "city", "furong", "tianxin", "wenyilu", "chaoyang", "pozi", "community"]
FORMS = ["standalone", "joint", "functional", "industry", "township", "community"]
LEVELS = ["branch", "general_branch", "committee"]
COVERING_FORMS = ["standalone", "joint", "functional"]
STATUSES = ["active", "active", "active", "deregistered", "revoked", "inactive"]
MANAGEMENT = ["", "", "", "delegated_township", "township", "community"]
ROLES = ["secretary", "deputy", "member"]
MEETING_TYPES = ["assembly", "committee", "group", "lecture", "life", "appraisal", "theme_day"]
STATES = ["approved", "approved", "approved", "draft", "submitted", "returned"]  # of meetings

dates = st.sampled_from(POOL)
# Beginnings lean early and checks late, so that much has started by the checked day.
starts = st.sampled_from(POOL[: len(POOL) // 2]) | dates
checked_days = dates | st.sampled_from(POOL[len(POOL) // 2 :])


def on_or_after(start: dt.date | None) -> st.SearchStrategy[dt.date]:
    return st.sampled_from([d for d in POOL if start is None or d >= start])


def soon_after(start: dt.date) -> st.SearchStrategy[dt.date]:
    return st.sampled_from([d for d in POOL if d >= start][:4])


def maybe_end(start: dt.date | None) -> st.SearchStrategy[dt.date | None]:
    return st.none() | st.none() | on_or_after(start)


@st.composite
def spans(draw: st.DrawFn, index: int) -> tuple[int, dt.date, dt.date | None]:
    """(index into a list, start, end) of a dated fact."""
    start = draw(starts)
    return (draw(st.integers(0, index - 1) | st.just(0)), start, draw(maybe_end(start)))


@st.composite
def group_spans(draw: st.DrawFn) -> tuple[dt.date, dt.date | None]:
    """A Party group's founding and dissolution."""
    founded = draw(starts)
    return founded, draw(maybe_end(founded))


@st.composite
def people(draw: st.DrawFn, n_orgs: int, n_party_orgs: int) -> dict[str, Any]:
    """A person: a Party member or not, with a relation or not, employed or not."""
    joined = draw(starts)
    employed_on = draw(st.none() | starts)
    relations = st.none() | st.integers(0, n_party_orgs - 1) | st.just(0)
    return {
        "member": draw(st.sampled_from([True, True, True, True, False])),
        "joined_on": joined,
        "confirmed_on": draw(st.none() | soon_after(joined) | soon_after(joined)),
        # 预备期延长至 (DEV-PROBATION-OVERDUE): half a year on, or the day after the year
        "extended_to": draw(
            st.none()
            | st.none()
            | st.sampled_from(
                [months_later(joined, 18), months_later(joined, 12) + dt.timedelta(days=1)]
            )
        ),
        "relation": draw(relations) if n_party_orgs else None,
        "employed_on": employed_on,
        "left_on": draw(maybe_end(employed_on)),
        "employed_twice": draw(st.sampled_from([False] * 5 + [True])),  # counts once
        "elsewhere": draw(st.none() | st.none() | spans(n_orgs)),  # a second employer
    }


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    places = st.sampled_from(["furong", "tianxin", "city"])
    units = draw(st.lists(places, min_size=1, max_size=2) | st.just([]))
    n_orgs = draw(st.integers(1, 4))
    n_party_orgs = draw(st.integers(0, 4))
    orgs: list[dict[str, Any]] = []
    for _ in range(n_orgs):
        township = draw(st.sampled_from(TOWNSHIPS))
        registered = draw(starts)
        status = draw(st.sampled_from(STATUSES))
        supervised = bool(units) and draw(st.sampled_from([True, True, False]))
        orgs.append(
            {
                "township": township,
                "community": township == "wenyilu" and draw(st.booleans()),
                "kind": draw(st.sampled_from(["association", "service_agency", "foundation"])),
                "registered_on": registered,
                "status": status,
                "changed_on": None if status == "active" else draw(on_or_after(registered)),
                "supervisor": draw(st.integers(0, len(units) - 1)) if supervised else None,
                # Data the forms would refuse, written past them: a supervisory unit or a
                # registry of the wrong kind.
                "wrong_unit": draw(st.sampled_from([False] * 6 + [True])),
                "management": draw(st.sampled_from(MANAGEMENT)),
                "staff": draw(st.lists(people(n_orgs, n_party_orgs), max_size=5) | st.just([])),
            }
        )
    party_orgs = []
    for _ in range(n_party_orgs):
        founded = draw(starts)
        form = draw(st.sampled_from(FORMS) | st.sampled_from(FORMS[:4]))
        party_orgs.append(
            {
                "form": form,
                "level": draw(st.sampled_from(LEVELS) | st.just("branch")),
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "founded_on": founded,
                "term_started_on": draw(st.none() | on_or_after(founded)),
                "dissolved_on": draw(st.none() | st.none() | on_or_after(founded)),
                # An industry Party organization mostly belongs to a supervisory unit.
                "unit": draw(st.integers(0, len(units) - 1))
                if units and form == "industry" and draw(st.sampled_from([True, True, False]))
                else None,
                "covers": draw(st.lists(spans(n_orgs), min_size=1, max_size=3) | st.just([])),
                "groups": draw(st.lists(group_spans(), max_size=2)),
                # (type, day, which group, state): on the days periods begin and end.
                "meetings": draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(MEETING_TYPES),
                            dates,
                            st.integers(0, 1),
                            st.sampled_from(STATES),
                        ),
                        max_size=8,
                    )
                ),
            }
        )
    # Members nobody employs: their relation alone matters.
    loose = draw(st.lists(people(n_orgs, n_party_orgs), max_size=3))
    n_people = sum(len(o["staff"]) for o in orgs) + len(loose)
    # A person may hold two offices in one Party organization (书记 and 委员, or one office
    # recorded twice): a committee is counted by its people.
    offices = []
    if n_party_orgs and n_people:
        for _ in range(draw(st.integers(0, 8))):
            start = draw(starts)
            offices.append(
                {
                    "party_org": draw(st.integers(0, n_party_orgs - 1) | st.just(0)),
                    "person": draw(st.integers(0, n_people - 1) | st.just(0)),
                    "role": draw(st.sampled_from(ROLES)),
                    "started_on": start,
                    "ended_on": draw(maybe_end(start)),
                    "full_time": draw(st.booleans()),
                }
            )
    assignments = (
        draw(st.lists(st.tuples(st.integers(0, n_people - 1), spans(n_orgs)), max_size=3))
        if n_people
        else []
    )
    return {
        "units": units,
        "orgs": orgs,
        "party_orgs": party_orgs,
        "loose": loose,
        "offices": offices,
        "assignments": assignments,
        "trainings": draw(trainings_of(offices)),
        "applicants": draw(applicants_of(n_people, n_party_orgs)),
        **draw(dues_of(n_people, n_party_orgs)),
        **draw(dynamics_of(n_orgs, n_party_orgs)),
        "studies": draw(studies_of(units)),
        "workers": [
            {
                "party_org": draw(st.integers(0, n_party_orgs - 1)),
                "person": draw(st.integers(0, n_people - 1)),
                "full_time": draw(st.booleans()),
                "started_on": (start := draw(starts)),
                "ended_on": draw(maybe_end(start)),
            }
            for _ in range(draw(st.integers(0, 2)) if n_party_orgs and n_people else 0)
        ],
    }


@st.composite
def applicants_of(draw: st.DrawFn, n_people: int, n_party_orgs: int) -> list[dict[str, Any]]:
    """Applicants (one per person), each step near the days the development rules turn on:
    the application + 1 month, the activist + 12 months, and the day after."""
    out: dict[int, dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 3)) if n_people and n_party_orgs else 0):
        applied = draw(starts)
        month = months_later(applied, 1)
        talked = draw(st.none() | st.sampled_from([month, month + dt.timedelta(days=1)])
                      | on_or_after(applied))  # fmt: skip
        activist = draw(st.none() | st.just(applied) | on_or_after(applied))
        candidate = None
        if activist is not None:
            year = months_later(activist, 12)
            near = [d for d in (year - dt.timedelta(days=1), year) if d >= activist]
            candidate = draw(st.none() | st.sampled_from(near) | on_or_after(activist))
        status = draw(st.sampled_from(["developing", "developing", "admitted", "stopped"]))
        person = draw(st.integers(0, n_people - 1))
        out[person] = {
            "person": person,
            "party_org": draw(st.integers(0, n_party_orgs - 1)),
            "applied_on": applied,
            "talked_on": talked,
            "activist_on": activist,
            "candidate_on": candidate,
            "status": status,
            "status_changed_on": None if status == "developing" else draw(on_or_after(applied)),
        }
    return list(out.values())


# The months around the anchors, where the checked days fall: dues paid (or not) at the
# edges of the window of MEM-DUES-LAPSE (the `dues_lapse_months` months before D's month).
DUES_MONTHS = sorted({months_later(a.replace(day=1), k) for a in ANCHORS for k in range(-8, 2)})


@st.composite
def dues_of(draw: st.DrawFn, n_people: int, n_party_orgs: int) -> dict[str, Any]:
    """Dues (a person's month: nothing, one fen or more) and returns of dues (in full, one
    fen short, nothing returned) of a year near the anchors."""
    dues: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 6)) if n_people else 0):
        person, month = draw(st.integers(0, n_people - 1)), draw(st.sampled_from(DUES_MONTHS))
        dues[(person, month)] = {
            "person": person, "month": month,
            "paid": draw(st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("12.50")])),
        }  # fmt: skip
    returns: dict[tuple[int, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 3)) if n_party_orgs else 0):
        party_org, year = draw(st.integers(0, n_party_orgs - 1)), draw(st.integers(2015, 2022))
        paid_up = draw(st.sampled_from([Decimal("0"), Decimal("1200.00")]))
        returns[(party_org, year)] = {
            "party_org": party_org, "year": year, "paid_up": paid_up,
            "returned": draw(st.sampled_from([paid_up, max(paid_up - Decimal("0.01"), Decimal(0)),
                                              Decimal("0")])),
        }  # fmt: skip
    return {"dues": list(dues.values()), "dues_returns": list(returns.values())}


@st.composite
def dynamics_of(draw: st.DrawFn, n_orgs: int, n_party_orgs: int) -> dict[str, Any]:
    """Inspections (with the Party section or not, inspected on a pool day of a later
    year), rectifications (resolved or not, deadlines on pool days) and venue checks (all six,
    or one missing) near the anchors."""
    inspections: dict[tuple[int, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 3))):
        day = draw(dates)
        org, year = draw(st.integers(0, n_orgs - 1)), day.year - draw(st.integers(1, 2))
        inspections[(org, year)] = {"org": org, "year": year, "inspected_on": day,
                                    "party_section": draw(st.booleans())}  # fmt: skip
    rectifications: dict[tuple[int, dt.date], dict[str, Any]] = {}
    venues: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 2)) if n_party_orgs else 0):
        day = draw(starts)
        party_org = draw(st.integers(0, n_party_orgs - 1))
        rectifications[(party_org, day)] = {
            "party_org": party_org, "identified_on": day, "deadline": draw(on_or_after(day)),
            "resolved_on": draw(st.none() | on_or_after(day)),
        }  # fmt: skip
    for _ in range(draw(st.integers(0, 3)) if n_party_orgs else 0):
        day = draw(dates)
        party_org = draw(st.integers(0, n_party_orgs - 1))
        venues[(party_org, day)] = {"party_org": party_org, "checked_on": day,
                                    "lacks": draw(st.none() | st.integers(0, 5))}  # fmt: skip
    return {
        "inspections": list(inspections.values()),
        "rectifications": list(rectifications.values()),
        "venues": list(venues.values()),
    }


@st.composite
def trainings_of(draw: st.DrawFn, offices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trainings of the office holders, ending near the days the training rules turn on:
    the appointment, six months later and the day after, a year's 06-30, 12-31 and 01-01."""
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 6)) if offices else 0):
        office = draw(st.sampled_from(offices))
        s = office["started_on"]
        t = months_later(s, 6)
        near = [
            s - dt.timedelta(days=1), s, t, t + dt.timedelta(days=1),
            dt.date(s.year, 6, 30), dt.date(s.year, 12, 31), dt.date(s.year + 1, 1, 1),
            dt.date(s.year + 1, 12, 31),
        ]  # fmt: skip
        out.append(
            {
                "person": office["person"],
                "kind": draw(st.sampled_from(["induction", "induction", "centralized", "other"])),
                "ended_on": draw(st.sampled_from(near) | st.sampled_from(near) | dates),
                "days": draw(st.sampled_from(["0.5", "1", "3", "4.5", "5", "7"])),
            }
        )
    return out


@st.composite
def studies_of(draw: st.DrawFn, units: list[str]) -> list[dict[str, Any]]:
    """Topic studies (MGT-STUDY) of the districts and the units, on the first and last days
    of the years the checked days look back on (the last closed year), or midyear."""
    bodies: list[str | int] = ["furong", "tianxin", *range(len(units))]
    years = sorted({d.year + k for d in POOL for k in (-1, 0)})
    return [
        {
            "body": draw(st.sampled_from(bodies)),
            "held_on": dt.date(
                draw(st.sampled_from(years)),
                *draw(st.sampled_from([(1, 1), (6, 30), (12, 31)])),
            ),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]


@st.composite
def supervision(draw: st.DrawFn) -> dict[str, Any]:
    """Datasets around supervisory units (MGT-INDUSTRY, MGT-ASSIGNED): the organizations
    they supervise, Party organizations covering them, and industry Party committees with
    their (full-time or not) workers — too rare a mix in `datasets`."""
    units = draw(st.lists(st.sampled_from(["furong", "tianxin", "city"]), min_size=1, max_size=2))
    # Most things began early and go on: the thresholds are reached on most days.
    early = st.sampled_from(POOL[:3]) | starts
    n_orgs = draw(st.integers(1, 5))
    orgs = []
    for _ in range(n_orgs):
        registered = draw(early)
        status = draw(st.sampled_from(STATUSES[:1] * 3 + STATUSES))
        orgs.append(
            {
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "community": False,
                "kind": "association",
                "registered_on": registered,
                "status": status,
                "changed_on": None if status == "active" else draw(on_or_after(registered)),
                "supervisor": draw(st.integers(0, len(units) - 1)),
                "wrong_unit": draw(st.sampled_from([False] * 9 + [True])),
                "management": draw(st.sampled_from(["", "", "", "delegated_township", "township"])),
                "staff": [],
            }
        )
    party_orgs = []
    for form in draw(st.lists(st.sampled_from(COVERING_FORMS), min_size=1, max_size=5)):
        founded = draw(early)
        party_orgs.append(
            {
                "form": form,
                "level": "branch",
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "founded_on": founded,
                "term_started_on": None,
                "dissolved_on": draw(st.none() | st.none() | on_or_after(founded)),
                "unit": None,
                "covers": [
                    (i, founded, draw(st.none() | maybe_end(founded)))
                    for i in draw(st.lists(st.integers(0, n_orgs - 1), min_size=1, max_size=2))
                ],
            }
        )
    committees = []
    for _ in range(draw(st.integers(1, 2) | st.just(0))):
        founded = draw(early)
        committees.append(len(party_orgs))
        party_orgs.append(
            {
                "form": "industry",
                "level": draw(st.sampled_from(LEVELS)),
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "founded_on": founded,
                "term_started_on": None,
                "dissolved_on": draw(st.none() | st.none() | st.none() | on_or_after(founded)),
                "unit": draw(st.integers(0, len(units) - 1)),
                "covers": [],
            }
        )
    loose = draw(st.lists(people(n_orgs, 0), min_size=1, max_size=3))
    offices = []
    if committees:
        for person in range(len(loose)):
            start = draw(early)
            offices.append(
                {
                    "party_org": draw(st.sampled_from(committees)),
                    "person": person,
                    "role": draw(st.sampled_from(ROLES)),
                    "started_on": start,
                    "ended_on": draw(maybe_end(start)),
                    "full_time": draw(st.booleans()),
                }
            )
    return {
        "units": units,
        "orgs": orgs,
        "party_orgs": party_orgs,
        "loose": loose,
        "offices": offices,
        "assignments": [],
        "studies": draw(studies_of(units)),
    }


# Days around the ends of months, quarters and years (a leap February among them): what
# organization life turns on.
LIFE_DAYS = sorted(
    {
        a + dt.timedelta(days=k)
        for a in (
            dt.date(2019, 12, 31), dt.date(2020, 2, 29), dt.date(2020, 6, 30),
            dt.date(2020, 9, 30), dt.date(2021, 2, 28), dt.date(2021, 3, 31),
        )
        for k in (0, 1)
    }
)  # fmt: skip


@st.composite
def organization_life(draw: st.DrawFn) -> dict[str, Any]:
    """Datasets around organization life (LIFE-MEETINGS, LIFE-REVIEW): branches with
    committees of two to four people coming and going, Party groups and meetings of every
    type and state on the days periods begin and end — too rare a mix in `datasets`."""
    days = st.sampled_from(LIFE_DAYS)
    early = st.sampled_from([dt.date(2016, 1, 1)] * len(LIFE_DAYS) + LIFE_DAYS)  # half early
    party_orgs, offices = [], []
    n_people = draw(st.integers(3, 5))
    for _ in range(draw(st.integers(1, 3))):
        founded = draw(early)
        party_orgs.append(
            {
                "form": draw(st.sampled_from(COVERING_FORMS) | st.sampled_from(FORMS)),
                "level": draw(st.just("branch") | st.sampled_from(LEVELS)),
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "founded_on": founded,
                "term_started_on": None,
                "dissolved_on": draw(st.none() | st.none() | on_or_after_life(founded)),
                "unit": None,
                "covers": [],
                "groups": [
                    (f, draw(st.none() | on_or_after_life(f)))
                    for f in draw(st.lists(early, max_size=2))
                ],
                "meetings": draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(MEETING_TYPES), days, st.integers(0, 1),
                            st.sampled_from(STATES),
                        ),
                        max_size=16,
                    )
                ),
            }
        )  # fmt: skip
        for person in draw(st.lists(st.integers(0, n_people - 1), min_size=3, max_size=6)):
            start = draw(early)
            offices.append(
                {
                    "party_org": len(party_orgs) - 1,
                    "person": person,
                    "role": draw(st.sampled_from(ROLES)),
                    "started_on": start,
                    "ended_on": draw(st.none() | on_or_after_life(start)),
                    "full_time": False,
                }
            )
    return {
        "units": [],
        "orgs": [],
        "party_orgs": party_orgs,
        "loose": [{"member": False, "left_on": None, "elsewhere": None}] * n_people,
        "offices": offices,
        "assignments": [],
    }


def on_or_after_life(start: dt.date) -> st.SearchStrategy[dt.date]:
    return st.sampled_from([d for d in LIFE_DAYS if d >= start])


policies = st.fixed_dictionaries(
    {
        "standalone_min_formal_members": st.sampled_from([2, 3, 3]),
        "branch_committee_min_formal_members": st.sampled_from([2, 3]),
        "fulltime_worker_min_members": st.sampled_from([1, 2, 3]),
        "industry_committee_min_party_orgs": st.sampled_from([1, 2]),
        "branch_term_years": st.sampled_from([2, 3]),
        "general_branch_term_years": st.sampled_from([3]),
        "committee_term_years": st.sampled_from([3, 5]),
        "life_lookback_months": st.sampled_from([12, 12, 4]),
    }
)


def policy_with(values: dict[str, int]) -> Policy:
    base = policy_module.load()
    changed = {name: Setting(name, value, "测试") for name, value in values.items()}
    return replace(base, settings={**base.settings, **changed})


def build(data: dict[str, Any], areas: dict[str, Area]) -> None:
    units = [
        factories.supervisory_unit(f"测试业务主管单位{i}", areas[at])
        for i, at in enumerate(data["units"])
    ]
    other = factories.unit("测试其他单位", UnitKind.OTHER, areas["city"])
    orgs = []
    for spec in data["orgs"]:
        township = areas[spec["township"]]
        supervisor = None if spec["supervisor"] is None else units[spec["supervisor"]]
        org = factories.org(
            township,
            kind=spec["kind"],
            registered_on=spec["registered_on"],
            status=spec["status"],
            status_changed_on=spec["changed_on"],
            registration_mode="supervised" if supervisor else "direct",
            supervisor=supervisor,
            party_management=spec["management"],
            community=areas["community"] if spec["community"] else None,
        )
        if spec["wrong_unit"]:
            field = "supervisor" if supervisor else "registry"
            SocialOrganization.objects.filter(pk=org.pk).update(**{field: other})
        orgs.append(org)
    party_orgs = []
    for spec in data["party_orgs"]:
        party_org = factories.party_org(
            areas[spec["township"]],
            form=spec["form"],
            level=spec["level"],
            founded_on=spec["founded_on"],
            term_started_on=spec["term_started_on"],
            status="dissolved" if spec["dissolved_on"] else "active",
            dissolved_on=spec["dissolved_on"],
            unit=None if spec["unit"] is None else units[spec["unit"]],
        )
        # One coverage per Party organization, organization and start (a constraint).
        covers = {(i, start): end for i, start, end in spec["covers"]}
        Coverage.objects.bulk_create(
            Coverage(party_org=party_org, org=orgs[i], started_on=start, ended_on=end)
            for (i, start), end in covers.items()
        )
        groups = PartyGroup.objects.bulk_create(
            PartyGroup(party_org=party_org, name=f"第{n + 1}党小组", founded_on=f, dissolved_on=d)
            for n, (f, d) in enumerate(spec.get("groups", []))
        )
        meetings: dict[tuple[str, dt.date, int | None], str] = {}  # one per key (constraints)
        for type_, held_on, which, state in spec.get("meetings", []):
            group = groups[which % len(groups)].pk if type_ == "group" and groups else None
            meetings[(type_, held_on, group)] = state
        Meeting.objects.bulk_create(
            Meeting(
                party_org=party_org, type=type_, held_on=held_on, party_group_id=group,
                topic="测试", state=state,
            )
            for (type_, held_on, group), state in meetings.items()
        )  # fmt: skip
        party_orgs.append(party_org)
    # The rest in bulk, past validation: the strategies only make valid rows.
    staff = [(i, spec) for i, org in enumerate(data["orgs"]) for spec in org["staff"]]
    everyone = [*staff, *((None, spec) for spec in data["loose"])]
    people = Person.objects.bulk_create(
        Person.build(name=f"人员{n}", id_number=factories.id_number_for(n))
        for n in range(1, len(everyone) + 1)
    )
    memberships, employments = [], []
    for person, (employer, spec) in zip(people, everyone, strict=True):
        if spec["member"]:
            relation = spec["relation"]
            memberships.append(
                Membership(
                    person=person,
                    joined_on=spec["joined_on"],
                    confirmed_on=spec["confirmed_on"],
                    relation_party_org=None if relation is None else party_orgs[relation],
                    probation_extended_to=spec.get("extended_to"),
                )
            )
        if employer is not None:
            employments += [
                Employment(
                    person=person,
                    org=orgs[employer],
                    started_on=spec["employed_on"],
                    ended_on=spec["left_on"],
                )
            ] * (2 if spec["employed_twice"] else 1)
        if spec["elsewhere"] is not None:
            i, start, end = spec["elsewhere"]
            employments.append(
                Employment(person=person, org=orgs[i], started_on=start, ended_on=end)
            )
    Membership.objects.bulk_create(memberships)
    Employment.objects.bulk_create(copy.copy(e) for e in employments)
    CommitteeMembership.objects.bulk_create(
        CommitteeMembership(
            party_org=party_orgs[spec["party_org"]],
            person=people[spec["person"]],
            role=spec["role"],
            started_on=spec["started_on"],
            ended_on=spec["ended_on"],
            full_time=spec["full_time"],
        )
        for spec in data["offices"]
    )
    PartyWorker.objects.bulk_create(
        PartyWorker(
            party_org=party_orgs[spec["party_org"]],
            person=people[spec["person"]],
            full_time=spec["full_time"],
            started_on=spec["started_on"],
            ended_on=spec["ended_on"],
        )
        for spec in {  # one per Party organization, person and start (the kind's key)
            (w["party_org"], w["person"], w["started_on"]): w for w in data.get("workers", [])
        }.values()
    )
    Training.objects.bulk_create(
        Training(
            person=people[spec["person"]],
            name=f"培训{i}",
            kind=spec["kind"],
            organizer="长沙市委党校",
            started_on=spec["ended_on"] - dt.timedelta(days=int(Decimal(spec["days"]) + 1) - 1),
            ended_on=spec["ended_on"],
            days=Decimal(spec["days"]),
        )
        for i, spec in enumerate(data.get("trainings", []))
    )
    Applicant.objects.bulk_create(
        Applicant(
            person=people[spec["person"]],
            party_org=party_orgs[spec["party_org"]],
            **{k: v for k, v in spec.items() if k not in ("person", "party_org")},
        )
        for spec in data.get("applicants", [])
    )
    DuesPayment.objects.bulk_create(
        DuesPayment(
            person=people[spec["person"]],
            month=spec["month"],
            category="student",
            paid=spec["paid"],
            paid_on=spec["month"] if spec["paid"] > 0 else None,
        )
        for spec in data.get("dues", [])
    )
    DuesReturn.objects.bulk_create(
        DuesReturn(
            party_org=party_orgs[spec["party_org"]],
            year=spec["year"],
            paid_up=spec["paid_up"],
            returned=spec["returned"],
            returned_on=dt.date(spec["year"] + 1, 1, 15) if spec["returned"] > 0 else None,
        )
        for spec in data.get("dues_returns", [])
    )
    AnnualInspection.objects.bulk_create(
        AnnualInspection(org=orgs[spec["org"]], year=spec["year"], result="qualified",
                         party_section=spec["party_section"], inspected_on=spec["inspected_on"])
        for spec in data.get("inspections", [])
    )  # fmt: skip
    Rectification.objects.bulk_create(
        Rectification(party_org=party_orgs[spec["party_org"]], problem="组织生活不正常",
                      **{k: v for k, v in spec.items() if k != "party_org"})
        for spec in data.get("rectifications", [])
    )  # fmt: skip
    Venue.objects.bulk_create(
        Venue(party_org=party_orgs[spec["party_org"]], checked_on=spec["checked_on"],
              name="党员活动室", **{f: i != spec["lacks"] for i, f in enumerate(SIX_FIELDS)})
        for spec in data.get("venues", [])
    )  # fmt: skip
    TopicStudy.objects.bulk_create(
        TopicStudy(
            area=areas[body] if isinstance(body, str) else None,
            unit=None if isinstance(body, str) else units[body],
            held_on=held_on,
            topic="专题研究社会组织党建工作",
        )
        for body, held_on in {(t["body"], t["held_on"]) for t in data.get("studies", [])}
    )
    instructors: dict[int, Instructor] = {}
    for person, _ in data["assignments"]:
        if person not in instructors:
            instructors[person] = Instructor.objects.create(
                person=people[person], source="retired_cadre"
            )
    InstructorAssignment.objects.bulk_create(
        InstructorAssignment(
            instructor=instructors[person], org=orgs[i], started_on=start, ended_on=end
        )
        for person, (i, start, end) in data["assignments"]
    )


def dates_in(spec: Any) -> set[dt.date]:
    if isinstance(spec, dt.date):
        return {spec}
    if isinstance(spec, dict):
        spec = list(spec.values())
    if isinstance(spec, list | tuple):
        return set().union(*(dates_in(item) for item in spec))
    return set()


def ends_in(data: dict[str, Any]) -> set[dt.date]:
    """The days on which something of the dataset ends."""
    ends = {o["changed_on"] for o in data["orgs"]}
    ends |= {p["dissolved_on"] for p in data["party_orgs"]}
    ends |= {end for p in data["party_orgs"] for _, _, end in p["covers"]}
    people = [*(s for o in data["orgs"] for s in o["staff"]), *data["loose"]]
    ends |= {p["left_on"] for p in people}
    ends |= {p["elsewhere"][2] for p in people if p["elsewhere"]}
    ends |= {o["ended_on"] for o in data["offices"]}
    ends |= {end for _, (_, _, end) in data["assignments"]}
    # a new secretary's six months run out (CAD-NEW-SECRETARY: the deadline before the day)
    for office in data["offices"]:
        t = months_later(office["started_on"], 6)
        ends |= {t, t + dt.timedelta(days=1)}
    ends |= {t["ended_on"] for t in data.get("trainings", [])}
    ends |= {w["ended_on"] for w in data.get("workers", [])}
    # the development rules' days: a talk's month, the status changed, a probation's
    # end + 3 months (and the day after each)
    for a in data.get("applicants", []):
        t = months_later(a["applied_on"], 1)
        ends |= {t, t + dt.timedelta(days=1), a["status_changed_on"]}
    for p in people:
        if p["member"]:
            end = p.get("extended_to") or months_later(p["joined_on"], 12)
            t = months_later(end, 3)
            ends |= {t, t + dt.timedelta(days=1)}
    # a month of dues enters the window (D in the next month) and leaves it (D's month 7
    # months on); a member joins just before or on the window's first day (MEM-DUES-LAPSE)
    for d in data.get("dues", []):
        for k in (1, 6, 7):
            first = months_later(d["month"], k)
            ends |= {first, first - dt.timedelta(days=1)}
    for p in people:
        if p["member"]:
            for k in (6, 7):
                first = months_later(p["joined_on"].replace(day=1), k)
                ends |= {first, first - dt.timedelta(days=1)}
    # a year of returns closes (FUN-DUES-RETURN)
    ends |= {dt.date(r["year"] + 1, 1, 1) for r in data.get("dues_returns", [])}
    ends |= {dt.date(r["year"], 12, 31) for r in data.get("dues_returns", [])}
    # an inspection, a rectification's deadline passes and it is resolved, a venue check
    # (DYN-INSPECTION, DYN-WEAK-OVERDUE, VEN-SIX)
    ends |= {i["inspected_on"] - dt.timedelta(days=1) for i in data.get("inspections", [])}
    for r in data.get("rectifications", []):
        ends |= {r["deadline"], r["deadline"] + dt.timedelta(days=1), r["resolved_on"]}
    ends |= {v["checked_on"] - dt.timedelta(days=1) for v in data.get("venues", [])}
    # a year studied ends; the check on the next 01-01 first reads it (MGT-STUDY)
    ends |= {dt.date(t["held_on"].year + 1, 1, 1) for t in data.get("studies", [])}
    return ends - {None}


def demand(f: Any) -> tuple[str, ...]:
    """A finding as the reference demands it: a rule finding a subject once per period
    tells its findings apart by their facts."""
    key = (f.rule, f.subject.type, f.subject.key)
    if f.rule in ("CAD-SECRETARY-TRAINING", "CAD-WORKER-TRAINING"):
        return (*key, f.facts["party_org"], str(f.facts["year"]))
    if f.rule == "MEM-DUES-LAPSE":
        return (*key, f.facts["last_paid"] or "")
    if f.rule in ("FUN-DUES-RETURN", "DYN-INSPECTION"):
        return (*key, str(f.facts["year"]))
    if f.rule == "DYN-WEAK-OVERDUE":
        return (*key, f.facts["identified_on"])
    if f.rule == "CAD-NEW-SECRETARY":
        return (*key, f.facts["party_org"], f.facts["appointed_on"])
    if "period" in f.facts:
        return (*key, f.facts["period"], f.facts["type"], f.facts.get("party_group", ""))
    return key


def engine_demands(as_of: dt.date, area: Area | None, policy: Policy) -> set[tuple[str, ...]]:
    result = evaluate(as_of=as_of, area=area, policy=policy)
    found = Counter(demand(f) for f in result.findings)
    assert max(found.values(), default=1) == 1, f"the same finding twice: {found}"
    assert result.findings == sorted(result.findings, key=lambda f: (f.rule, f.subject.key))
    if area is not None:
        # A finding's area is a township (a unit's: where the unit is); in a community, the
        # community's township.
        within = area.parent if area.level == "community" else area
        paths = dict(Area.objects.values_list("code", "path"))
        outside = [f for f in result.findings if not paths[f.area].startswith(within.path)]
        assert not outside, f"findings outside {area}: {outside}"
    return set(found)


def compare(areas, data: dict[str, Any], policy: Policy, draw: st.DataObject) -> None:
    """Build the dataset, then check on a few days over a few jurisdictions: the engine must
    find what the reference finds; and `explain` must say of one subject what `check` says."""
    # Mostly a day on which something of the dataset starts or ends.
    ends = st.sampled_from(sorted(ends_in(data) or dates_in(data)))
    days = ends | ends | st.sampled_from(sorted(dates_in(data))) | checked_days
    places = st.sampled_from(JURISDICTIONS) | st.none()
    checks = draw.draw(st.lists(st.tuples(days, places), min_size=2, max_size=4), label="checks")
    with transaction.atomic():
        with override_settings(SIMPLE_HISTORY_ENABLED=False):  # no history: quicker
            build(data, areas)
        for as_of, where in checks:
            area = None if where is None else areas[where]
            expected = demanded(as_of=as_of, policy=policy, area=area)
            got = engine_demands(as_of, area, policy)
            assert got == expected, (
                f"on {as_of} in {where}: only the engine {sorted(got - expected)}, "
                f"only the reference {sorted(expected - got)}"
            )
        as_of = checks[0][0]
        found = {(f.rule, f.subject.key) for f in evaluate(as_of=as_of).findings}
        subjects = [*SocialOrganization.objects.values_list("uscc", flat=True)]
        subjects += PartyOrganization.objects.values_list("code", flat=True)
        key = draw.draw(st.sampled_from(subjects), label="explained")
        explanation = explain(key, as_of=as_of)
        applicable = [r for r in RULES.values() if r.subject == explanation.subject_type]
        assert {v.rule.id: v.holds for v in explanation.verdicts} == {
            r.id: (r.id, key) not in found for r in applicable
        }
        transaction.set_rollback(True)


SLOW_EXAMPLES = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.slow
@settings(SLOW_EXAMPLES, max_examples=200)
@given(data=datasets(), values=policies, draw=st.data())
def test_it_finds_what_the_reference_finds(areas, data, values, draw):
    compare(areas, data, policy_with(values), draw)


@pytest.mark.slow
@settings(SLOW_EXAMPLES, max_examples=100)
@given(data=supervision(), threshold=st.integers(1, 3), draw=st.data())
def test_it_finds_what_the_reference_finds_around_supervisory_units(areas, data, threshold, draw):
    policy = policy_with({"industry_committee_min_party_orgs": threshold})
    compare(areas, data, policy, draw)


@pytest.mark.slow
@settings(SLOW_EXAMPLES, max_examples=150)
@given(data=organization_life(), lookback=st.sampled_from([12, 12, 4, 1]), draw=st.data())
def test_it_finds_what_the_reference_finds_in_organization_life(areas, data, lookback, draw):
    policy = policy_with({"life_lookback_months": lookback})
    if draw.draw(st.booleans(), label="effective later"):
        policy = replace(policy, effective_on=dt.date(2020, 3, 1))
    compare(areas, data, policy, draw)
