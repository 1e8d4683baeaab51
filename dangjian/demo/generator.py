"""`generate`: the demo dataset, one city (地级市) at a time, each app's records in turn.

The order of the calls in `city` is the order of the draws from the city's random sequence:
the same seed gives the same data only as long as it stays so (`tests/test_demo_fingerprint.py`).
Rows go in with `bulk_create_with_history` (one history row each, reason `CHANGE_REASON`),
organization life's (the most numerous) with `insert_with_history`, which writes the same
rows faster; the national scale never holds more than one city's rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from simple_history.utils import bulk_create_with_history

from dangjian.accounts import demo as accounts
from dangjian.areas import demo as areas
from dangjian.areas import divisions
from dangjian.areas.models import Unit
from dangjian.bodies import demo as bodies
from dangjian.bodies.models import (
    ContactPoint,
    TopicStudy,
    TownshipCadre,
    WorkBody,
    WorkBodyStaff,
)
from dangjian.cadres import demo as cadres
from dangjian.cadres.models import (
    InstructorVisit,
    PartyWorker,
    Recommendation,
    Training,
    WorkerAllowance,
)
from dangjian.core.version import bump
from dangjian.demo.base import BATCH_SIZE, CHANGE_REASON, CHANGSHA, DEMO_TODAY, HUNAN
from dangjian.demo.context import City, CityContext, DemoContext, Progress, Rows
from dangjian.demo.output import DemoUser
from dangjian.demo.regions import Regions
from dangjian.demo.scales import Scale, parse_scale
from dangjian.development import demo as development
from dangjian.development.models import Applicant
from dangjian.dissolutions import demo as dissolutions
from dangjian.dissolutions.models import Destination, Dissolution
from dangjian.dues import demo as dues
from dangjian.dues.models import DuesPayment, DuesReturn, Fund
from dangjian.inspections import demo as inspections
from dangjian.inspections.models import AnnualInspection, Evaluation
from dangjian.lib import bulk, changes
from dangjian.life import demo as life
from dangjian.life.models import (
    Activity,
    Attendance,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Meeting,
    Pairing,
    PartyGroup,
)
from dangjian.orgs import demo as orgs
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs import demo as partyorgs
from dangjian.partyorgs import demo_members as members
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people import demo as people
from dangjian.people.models import Employment, Membership, Person
from dangjian.rectifications import demo as rectifications
from dangjian.rectifications.models import Rectification, RectificationNote
from dangjian.transfers import demo as transfers
from dangjian.transfers.models import Transfer
from dangjian.venues import demo as venues
from dangjian.venues.models import ServiceCentre, Venue


class DatabaseNotEmpty(Exception):
    """The database already holds organizations, Party organizations or people."""


@dataclass
class DemoSummary:
    scale: Scale
    seed: int
    counts: dict[str, int]
    users: list[DemoUser]
    seconds: float

    def line(self) -> str:
        c = self.counts
        return (
            f"演示数据已生成（规模 {self.scale.name}，种子 {self.seed}，截至 {DEMO_TODAY}）："
            f"社会组织 {c['orgs']} 个，党组织 {c['party_orgs']} 个，人员 {c['people']} 人"
            f"（正式党员 {c['members_formal']} 人、预备党员 {c['members_probationary']} 人），"
            f"党建工作指导员 {c['instructors']} 人，"
            f"组织生活会议 {c['meetings']} 次、党建活动 {c['activities']} 项，"
            f"培训记录 {c['trainings']} 条、指导员走访 {c['instructor_visits']} 次，"
            f"入党申请人 {c['applicants']} 人、组织关系转接 {c['transfers']} 条、"
            f"党费缴纳 {c['dues']} 条，用户 {c['users']} 个，"
            f"用时 {self.seconds:.1f} 秒"
        )


def database_is_empty() -> bool:
    return not (
        SocialOrganization.objects.exists()
        or PartyOrganization.objects.exists()
        or Person.objects.exists()
    )


def load_divisions(scale: Scale) -> int:
    if scale.root == CHANGSHA:
        return divisions.load_changsha()
    if scale.root == HUNAN:
        return divisions.load_from_package(["43"], with_communities=True)
    return divisions.load_from_package(None, with_communities=False)


def generate(
    scale: Scale | str = "city", seed: int = 1, *, progress: Progress | None = None
) -> DemoSummary:
    """Generate the demo dataset of `scale` with `seed` into an empty database.

    Raises DatabaseNotEmpty (and writes nothing) when organizations, Party organizations or
    people exist already.
    """
    started = time.monotonic()
    scale = parse_scale(scale)
    if not database_is_empty():
        raise DatabaseNotEmpty(
            "数据库中已有社会组织、党组织或人员数据，未生成演示数据（演示数据只能生成到空数据库中）。"
            "如需重新生成，请先删除数据库文件（默认 var/dangjian.sqlite3）后运行 dangjian init。"
        )
    ctx = DemoContext(scale, seed, progress)
    # All in one transaction, except at the national scale: one per city there.
    # The demo records its own checks afterwards (`dangjian demo`): its writes are not
    # followed one by one (dangjian/lib/changes.py).
    with changes.suspended(), contextlib.nullcontext() if scale.chunked else transaction.atomic():
        ctx.report("载入行政区划")
        load_divisions(scale)
        users = _generate(ctx)
    bump()
    return DemoSummary(
        scale=scale,
        seed=seed,
        counts=ctx.counts,
        users=users,
        seconds=time.monotonic() - started,
    )


def _generate(ctx: DemoContext) -> list[DemoUser]:
    cities = areas.load_geography(ctx.scale)
    areas.spread_orgs(ctx.scale, cities, random.Random(f"{ctx.seed}:spread"))
    # identity-number regions are a city's own: forget them after the last city using them
    last_use: dict[str, int] = {}
    for i, city in enumerate(cities):
        for prefix in city.region_prefixes:
            last_use[prefix] = i
    for i, city in enumerate(cities):
        with transaction.atomic(), collection_paused():
            ctx.report(f"{city.name}：社会组织")
            rows = generate_city(ctx, city)
            save(ctx, rows, city.name)
        del rows  # the national scale holds one city at a time
        ctx.forget_ids({p for p, last in last_use.items() if last == i})
    with transaction.atomic():
        ctx.report("创建演示用户")
        users = accounts.users(ctx)
        life.credit_reviews()
        return users


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a city is built and saved: its rows are hundreds of
    thousands of objects that all live until it is saved, which every full collection would
    walk again (a third of the city's time); what they leave is collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate_city(demo: DemoContext, city: City) -> Rows:
    """Every row of one city, built in memory (not yet saved), each app's in turn."""
    ctx = CityContext(
        demo=demo,
        city=city,
        rng=random.Random(f"{demo.seed}:{city.code}"),
        regions=Regions(city.region_prefixes),
    )
    registries = areas.registries(ctx)
    supervisors = areas.supervisors(ctx)
    township_pos = partyorgs.township_party_orgs(ctx)
    found = orgs.organizations(ctx, registries, supervisors)
    start = demo.done
    for i, org in enumerate(found):
        if i % 500 == 0:  # building is about half the work, inserting the other half
            demo.report(f"{city.name}：人员与党员", start + i // 2)
        people.staff(ctx, org)
    demo.report(f"{city.name}：党组织", start + len(found) // 2)
    industry_pos = partyorgs.industry_party_orgs(ctx, found)
    partyorgs.standalone(ctx, found, township_pos, industry_pos)
    partyorgs.joint(ctx, found, township_pos)
    partyorgs.functional(ctx, found, township_pos)
    partyorgs.more_industry_committees(ctx, found, industry_pos)
    community_pos: dict[int, PartyOrganization] = {}
    members.relations(ctx, found, township_pos, community_pos)
    members.committees(ctx, found)
    members.instructors(ctx, found, township_pos)
    demo.report(f"{city.name}：组织生活")
    life.organization_life(ctx, found, township_pos, community_pos)
    demo.report(f"{city.name}：党务工作者与培训")
    cadres.cadres_work(ctx, found, township_pos, supervisors)
    demo.report(f"{city.name}：党建工作机构与联系点")
    work_bodies(ctx)
    demo.report(f"{city.name}：发展党员与组织关系转接")
    development.applicants(ctx, found)
    transfers.transfers(ctx, found, township_pos)
    demo.report(f"{city.name}：党费与经费")
    dues.dues(ctx, found)
    dissolutions.dissolutions(ctx, found, township_pos)
    demo.report(f"{city.name}：年检、整顿与活动场所")
    inspections.inspections(ctx, found)
    rectifications.rectifications(ctx)
    venues.venues(ctx)
    return ctx.rows


def work_bodies(ctx: CityContext) -> None:
    """The city's work bodies (their units among the city's, before everything else is
    saved), staff, township cadres and contact points: last, after every earlier draw."""
    made = bodies.work_bodies(ctx)
    for unit in made.units:
        ctx.demo.units[unit.name] = unit  # a unit's name is unique nationally
    ctx.rows.units += made.units
    ctx.rows.work_bodies += made.work_bodies
    ctx.rows.work_body_staff += made.staff
    ctx.rows.township_cadres += made.cadres
    ctx.rows.contact_points += made.contact_points


def save(ctx: DemoContext, rows: Rows, city_name: str) -> None:
    """Insert one city's rows, parents first, each with its history row."""
    steps: list[tuple[str, Sequence[models.Model], type[models.Model], str]] = [
        ("单位", rows.units, Unit, "units"),
        ("党组织", rows.territorial, PartyOrganization, "party_orgs"),
        ("党组织", rows.community_party_orgs, PartyOrganization, "party_orgs"),
        ("社会组织", rows.orgs, SocialOrganization, "orgs"),
        ("党组织", rows.party_orgs, PartyOrganization, "party_orgs"),
        ("人员", rows.people, Person, "people"),
        ("从业情况", rows.employments, Employment, "employments"),
        ("党员信息", rows.memberships, Membership, ""),
        ("党组织覆盖", rows.coverages, Coverage, "coverages"),
        ("班子成员", rows.committee, CommitteeMembership, "committee"),
        ("指导员", rows.instructors, Instructor, "instructors"),
        ("指导员派驻", rows.assignments, InstructorAssignment, "assignments"),
        ("党小组", rows.party_groups, PartyGroup, "party_groups"),
        ("联组", rows.joint_groups, JointGroup, "joint_groups"),
        ("联组成员", rows.joint_group_members, JointGroupMember, "joint_group_members"),
        ("组织生活会议", rows.meetings, Meeting, "meetings"),
        ("参会情况", rows.attendance, Attendance, "attendance"),
        ("党建活动", rows.activities, Activity, "activities"),
        ("结对共建", rows.pairings, Pairing, "pairings"),
        ("党建示范点", rows.demonstration_sites, DemonstrationSite, "demonstration_sites"),
        ("专题研究", rows.topic_studies, TopicStudy, "topic_studies"),
        ("培训记录", rows.trainings, Training, "trainings"),
        ("党务工作者", rows.party_workers, PartyWorker, "party_workers"),
        ("党务工作者津贴", rows.worker_allowances, WorkerAllowance, "worker_allowances"),
        ("推荐人选", rows.recommendations, Recommendation, "recommendations"),
        ("指导员走访", rows.instructor_visits, InstructorVisit, "instructor_visits"),
        ("党建工作机构", rows.work_bodies, WorkBody, "work_bodies"),
        ("工作机构人员", rows.work_body_staff, WorkBodyStaff, "work_body_staff"),
        ("乡镇(街道)党建干部", rows.township_cadres, TownshipCadre, "township_cadres"),
        ("联系点", rows.contact_points, ContactPoint, "contact_points"),
        ("入党申请人", rows.applicants, Applicant, "applicants"),
        ("组织关系转接", rows.transfers, Transfer, "transfers"),
        ("党费上缴与拨返", rows.dues_returns, DuesReturn, "dues_returns"),
        ("党建工作经费", rows.funds, Fund, "funds"),
        ("撤销党组织申请", rows.dissolutions, Dissolution, "dissolutions"),
        ("撤销党组织的党员去向", rows.destinations, Destination, ""),
        ("年检", rows.inspections, AnnualInspection, "inspections"),
        ("评估", rows.evaluations, Evaluation, "evaluations"),
        ("软弱涣散党组织整顿", rows.rectifications, Rectification, "rectifications"),
        ("整顿进展", rows.rectification_notes, RectificationNote, ""),
        ("党群服务中心", rows.service_centres, ServiceCentre, "service_centres"),
        ("活动场所核查", rows.venues, Venue, "venues"),
    ]
    start, half = ctx.done, len(rows.orgs) - len(rows.orgs) // 2
    for i, (label, objs, model, key) in enumerate(steps):
        ctx.report(f"{city_name}：写入{label}", start + half * i // len(steps))
        if objs and (
            model._meta.app_label == "life"
            or model in (Training, InstructorVisit, AnnualInspection)
        ):
            insert_with_history(objs, model, ctx.history_date)
        elif objs:
            bulk_create_with_history(
                objs,
                model,
                batch_size=BATCH_SIZE,
                default_change_reason=CHANGE_REASON,
                default_date=ctx.history_date,
            )
        if key:
            ctx.counts[key] += len(objs)
    ctx.report(f"{city_name}：写入党费缴纳", start + half * (len(steps) - 1) // len(steps))
    insert_dues(rows.dues, ctx.history_date)
    ctx.counts["dues"] += len(rows.dues)
    formal = sum(1 for m in rows.memberships if m.confirmed_on is not None)
    ctx.counts["members_formal"] += formal
    ctx.counts["members_probationary"] += len(rows.memberships) - formal
    ctx.report(f"{city_name}：完成", start + half)


def insert_dues(rows: Sequence[tuple[Any, ...]], when: dt.datetime) -> None:
    """Insert the dues rows (tuples: person, month, category, base, paid, paid_on; the
    people saved before) with one history row each, as `insert_with_history` does, without
    building a model object per row (a city has hundreds of thousands)."""
    if not rows:
        return
    fields = ["person", "month", "category", "base", "paid", "paid_on"]
    got = bulk.insert(DuesPayment, fields, [(r[0].pk, *r[1:]) for r in rows])
    if got is not None:  # SQLite: the range of keys just inserted
        bulk.record_history(DuesPayment, by="id", id_range=got, history_type="+",
                            reason=CHANGE_REASON, user_id=None, when=when)  # fmt: skip
        return
    people = sorted({r[0].pk for r in rows})  # the demo writes into an empty table
    bulk.record_history(DuesPayment, by="person", keys=people, history_type="+",
                        reason=CHANGE_REASON, user_id=None, when=when)  # fmt: skip


def insert_with_history(
    objs: Sequence[models.Model], model: type[models.Model], when: dt.datetime
) -> None:
    """Insert `objs` (their keys set on them) with one history row each, as
    `bulk_create_with_history` does, but with `dangjian.lib.bulk`: one prepared statement on
    SQLite (COPY on PostgreSQL, the keys drawn from the table's sequence first) and the
    history copied by the database from the rows stored. Organization life's tables are the
    largest a city writes (meetings, attendance); this is several times faster."""
    relations = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for obj in objs:  # the keys of the parents saved before
        for field in relations:
            parent = field.get_cached_value(obj, default=None)
            if parent is not None:
                assert parent.pk is not None, f"{model.__name__}.{field.name} is not saved"
                setattr(obj, field.attname, parent.pk)
    id_range = None
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objs)],
            )
            for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = key
        fields = model._meta.concrete_fields
        bulk.insert(
            model,
            [f.name for f in fields],
            [tuple(f.pre_save(obj, True) for f in fields) for obj in objs],
        )
    else:
        bulk.insert_objects(model, list(objs))
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            id_range = (objs[0].pk - 1, objs[-1].pk)  # consecutive keys (`insert_objects`)
    bulk.record_history(
        model,
        by="id",
        keys=[obj.pk for obj in objs],
        id_range=id_range,
        history_type="+",
        reason=CHANGE_REASON,
        user_id=None,
        when=when,
    )
