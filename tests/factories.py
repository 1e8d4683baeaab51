"""Small builders for test data: real models, real validation, no mocks.

Codes are generated valid (python-stdnum computes the check characters), so a test that
wants an invalid one changes a character on purpose.
"""

from __future__ import annotations

import datetime as dt
import itertools

from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.lib.codes import make_id_number, make_uscc
from dangjian.orgs.models import OrgKind, RegistrationMode, SocialOrganization
from dangjian.partyorgs.models import (
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
)
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus

_serial = itertools.count(1)
KIND_CHARACTER = {"association": "1", "service_agency": "2", "foundation": "3"}


def uscc_for(
    kind: str = OrgKind.ASSOCIATION, division: str = "430102", n: int | None = None
) -> str:
    n = next(_serial) if n is None else n
    return make_uscc(f"5{KIND_CHARACTER[kind]}{division}{n:09d}")


def id_number_for(n: int | None = None, birth: str | None = None, region: str = "430102") -> str:
    """A valid 身份证号. Numbers drawn from the serial are born on 1985-03-12 and a number a
    test names (n) on 1985-03-11 (unless `birth` says otherwise), so that the two never
    meet however many numbers the tests before drew."""
    if n is None:
        n = next(_serial)
        birth = birth or "19850312"
    else:
        birth = birth or "19850311"
    return make_id_number(f"{region}{birth}{n % 1000:03d}")


def area(code: str, name: str, level: str, parent: Area | None = None) -> Area:
    obj, _ = Area.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return obj


def changsha_sample() -> dict[str, Area]:
    """A slice of real Changsha divisions: two districts, three townships, one community."""
    province = area("430000", "湖南省", AreaLevel.PROVINCE)
    city = area("430100", "长沙市", AreaLevel.CITY, province)
    furong = area("430102", "芙蓉区", AreaLevel.DISTRICT, city)
    tianxin = area("430103", "天心区", AreaLevel.DISTRICT, city)
    wenyilu = area("430102001", "文艺路街道", AreaLevel.TOWNSHIP, furong)
    chaoyang = area("430102002", "朝阳街街道", AreaLevel.TOWNSHIP, furong)
    pozi = area("430103001", "坡子街街道", AreaLevel.TOWNSHIP, tianxin)
    community = area("430102001001", "识字里社区", AreaLevel.COMMUNITY, wenyilu)
    return {
        "province": province,
        "city": city,
        "furong": furong,
        "tianxin": tianxin,
        "wenyilu": wenyilu,
        "chaoyang": chaoyang,
        "pozi": pozi,
        "community": community,
    }


def unit(name: str, kind: str, at: Area) -> Unit:
    obj, _ = Unit.objects.get_or_create(name=name, defaults={"kind": kind, "area": at})
    return obj


def org(
    township: Area,
    *,
    kind: str = OrgKind.ASSOCIATION,
    registry: Unit | None = None,
    registered_on: dt.date = dt.date(2015, 1, 1),
    **fields: object,
) -> SocialOrganization:
    district = township.parent
    assert district is not None
    registry = registry or unit(f"{district.name}民政局", UnitKind.CIVIL_AFFAIRS, district)
    obj = SocialOrganization(
        uscc=uscc_for(kind, district.code),
        name=fields.pop("name", f"测试社会组织{next(_serial)}"),
        kind=kind,
        registry=registry,
        registration_mode=fields.pop("registration_mode", RegistrationMode.DIRECT),
        industry=fields.pop("industry", "other"),
        district=district,
        township=township,
        registered_on=registered_on,
        **fields,
    )
    obj.full_clean()
    obj.save()
    return obj


def person(name: str = "张三", **fields: object) -> Person:
    obj = Person.build(name=name, id_number=str(fields.pop("id_number", id_number_for())), **fields)
    obj.full_clean()
    obj.save()
    return obj


def member(
    employer: SocialOrganization | None,
    *,
    joined_on: dt.date = dt.date(2010, 7, 1),
    confirmed_on: dt.date | None = dt.date(2011, 7, 1),
    employed_on: dt.date | None = dt.date(2012, 1, 1),
    left_on: dt.date | None = None,
    relation: PartyOrganization | None = None,
) -> Person:
    status = PoliticalStatus.MEMBER if confirmed_on else PoliticalStatus.PROBATIONARY
    p = person(f"党员{next(_serial)}", political_status=status)
    Membership.objects.create(
        person=p, joined_on=joined_on, confirmed_on=confirmed_on, relation_party_org=relation
    )
    if employer is not None:
        Employment.objects.create(person=p, org=employer, started_on=employed_on, ended_on=left_on)
    return p


def party_org(
    township: Area,
    *,
    form: str = PartyOrgForm.STANDALONE,
    level: str = PartyOrgLevel.BRANCH,
    covers: list[SocialOrganization] = (),  # type: ignore[assignment]
    founded_on: dt.date = dt.date(2016, 1, 1),
    **fields: object,
) -> PartyOrganization:
    n = next(_serial)
    obj = PartyOrganization(
        code=str(fields.pop("code", f"P{n:08d}")),
        name=str(fields.pop("name", f"测试党支部{n}")),
        level=level,
        form=form,
        township=township,
        founded_on=founded_on,
        **fields,
    )
    obj.full_clean()
    obj.save()
    for covered in covers:
        Coverage.objects.create(party_org=obj, org=covered, started_on=founded_on)
    return obj


def user(username: str, **fields: object):
    from dangjian.accounts.models import User

    obj = User(username=username, **fields)
    obj.set_password("Test-password-123")
    obj.full_clean()
    obj.save()
    return obj


# Builders for the rules-engine tests (tests/test_rules*.py, tests/test_check_command.py).


def supervisory_unit(name: str, at: Area) -> Unit:
    return unit(name, UnitKind.SUPERVISORY, at)


def employ(
    employee: Person,
    employer: SocialOrganization,
    *,
    started_on: dt.date | None = dt.date(2012, 1, 1),
    ended_on: dt.date | None = None,
) -> Employment:
    obj = Employment(person=employee, org=employer, started_on=started_on, ended_on=ended_on)
    obj.full_clean()
    obj.save()
    return obj


def cover(
    covering: PartyOrganization,
    covered: SocialOrganization,
    *,
    started_on: dt.date = dt.date(2016, 1, 1),
    ended_on: dt.date | None = None,
) -> Coverage:
    obj = Coverage(party_org=covering, org=covered, started_on=started_on, ended_on=ended_on)
    obj.full_clean()
    obj.save()
    return obj


def office(
    of: PartyOrganization,
    holder: Person | None = None,
    *,
    role: str = "secretary",
    started_on: dt.date = dt.date(2016, 1, 1),
    ended_on: dt.date | None = None,
    full_time: bool = False,
):
    """An office (书记 / 副书记 / 委员) in a Party organization's committee."""
    from dangjian.partyorgs.models import CommitteeMembership

    obj = CommitteeMembership(
        party_org=of,
        person=holder or person(f"班子成员{next(_serial)}"),
        role=role,
        started_on=started_on,
        ended_on=ended_on,
        full_time=full_time,
    )
    obj.full_clean()
    obj.save()
    return obj


def instructor_assignment(
    to: SocialOrganization,
    *,
    started_on: dt.date = dt.date(2016, 1, 1),
    ended_on: dt.date | None = None,
    holder: Person | None = None,
    source: str = "retired_cadre",
):
    """A Party-building instructor (党建工作指导员) assigned to an organization."""
    from dangjian.partyorgs.models import Instructor, InstructorAssignment

    instructor, _ = Instructor.objects.get_or_create(
        person=holder or person(f"指导员{next(_serial)}"), defaults={"source": source}
    )
    obj = InstructorAssignment(
        instructor=instructor, org=to, started_on=started_on, ended_on=ended_on
    )
    obj.full_clean()
    obj.save()
    return obj


# Builders for the report and planner tests (tests/test_reports.py, tests/test_planner.py).


def org_with_members(
    township: Area,
    formal: int = 0,
    probationary: int = 0,
    *,
    relation: PartyOrganization | None = None,
    **fields: object,
) -> SocialOrganization:
    """An organization employing `formal` formal and `probationary` probationary members
    (their organizational relation in `relation`, or nowhere)."""
    obj = org(township, **fields)  # type: ignore[arg-type]
    for _ in range(formal):
        member(obj, relation=relation)
    for _ in range(probationary):
        member(obj, confirmed_on=None, relation=relation)
    return obj


# Organization life kept: for the tests of other rules (LIFE-MEETINGS, LIFE-REVIEW find nothing).


def life_kept(of: PartyOrganization, until: dt.date, months: int = 24) -> None:
    """Approved meetings of every type (党小组会 for each of its Party groups) in each of
    the `months` months before `until`'s: a branch the rules of organization life find
    nothing about on `until`, whatever the meeting frequencies (for tests of other rules)."""
    from dangjian.life.models import Meeting, MeetingType, PartyGroup

    groups = list(PartyGroup.objects.filter(party_org=of))
    rows = []
    month = dt.date(until.year, until.month, 1)
    for _ in range(months):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        for i, kind in enumerate(MeetingType):
            held_on = month + dt.timedelta(days=i)
            owners: list[PartyGroup | None] = [*groups] if kind == MeetingType.GROUP else [None]
            rows += [
                Meeting(party_org=of, type=kind, held_on=held_on, party_group=g, topic="按期召开")
                for g in owners
            ]
    Meeting.objects.bulk_create(rows)


def cadre_kept(holder: Person, appointed_on: dt.date, until: dt.date) -> None:
    """A 任职培训 the day of the appointment and a week's 集中培训 each year since: a person
    the training rules (CAD-*) find nothing about on `until` (for tests of other rules)."""
    from decimal import Decimal

    from dangjian.cadres.models import Training, TrainingKind

    rows = [
        Training(
            person=holder, name="新任书记任职培训班", kind=TrainingKind.INDUCTION,
            organizer="长沙市委党校", started_on=appointed_on, ended_on=appointed_on,
            days=Decimal(1),
        )
    ]  # fmt: skip
    for year in range(appointed_on.year, until.year + 1):
        started = dt.date(year, 3, 1)
        rows.append(
            Training(
                person=holder, name=f"{year}年度书记集中培训班", kind=TrainingKind.CENTRALIZED,
                organizer="长沙市委党校", started_on=started,
                ended_on=started + dt.timedelta(days=6), days=Decimal(7),
            )
        )  # fmt: skip
    Training.objects.bulk_create(rows)


def dues_kept(of: PartyOrganization, until: dt.date, months: int = 12) -> None:
    """Dues paid in each of the `months` months before `until`'s by every member whose
    relation `of` holds: members rule MEM-DUES-LAPSE finds nothing about on `until` (for
    tests of other rules)."""
    from decimal import Decimal

    from dangjian.compliance.facts.life import add_months
    from dangjian.dues.models import DuesPayment

    first = until.replace(day=1)
    DuesPayment.objects.bulk_create(
        DuesPayment(
            person_id=person,
            month=add_months(first, -k),
            category="student",
            paid=Decimal("0.20"),
            paid_on=add_months(first, -k),
        )
        for person in Membership.objects.filter(relation_party_org=of).values_list(
            "person_id", flat=True
        )
        for k in range(1, months + 1)
    )


def studies_kept(*bodies: Area | Unit, until: dt.date, years: int = 12) -> None:
    """A 专题研究 in each of the `years` years before `until`'s, by each district or unit:
    bodies rule MGT-STUDY finds nothing about on `until` (for tests of other rules)."""
    from dangjian.bodies.models import TopicStudy

    TopicStudy.objects.bulk_create(
        TopicStudy(
            area=body if isinstance(body, Area) else None,
            unit=body if isinstance(body, Unit) else None,
            held_on=dt.date(until.year - k, 6, 1),
            topic="专题研究社会组织党建工作",
        )
        for body in bodies
        for k in range(1, years + 1)
    )


def venue_kept(*of: PartyOrganization) -> None:
    """A venue check with all six of 六有 on each one's founding day: Party organizations
    rule VEN-SIX finds nothing about from then on (for tests of other rules)."""
    from dangjian.venues.models import SIX_FIELDS, Venue

    Venue.objects.bulk_create(
        Venue(party_org=po, checked_on=po.founded_on, name="党员活动室",
              **dict.fromkeys(SIX_FIELDS, True))
        for po in of
    )  # fmt: skip
