"""The demo's cadres work (POLICY 二.3, 三.2, 五): the trainings of secretaries, committee
members and Party workers (集中培训 and 任职培训, in classes), the Party workers and their
allowances, the districts' and supervisory units' 专题研究, the recommendations of leaders
with the Party organization's opinion and the instructors' visits — what rules
CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY, CAD-WORKER-TRAINING, CAD-RECOMMENDATION and
MGT-STUDY read (docs/demo-data.md gives the shares).

`dangjian.demo` calls `cadres_work` last for each city, after organization life, so that
the earlier tables' draws stay the same (`tests/test_demo_fingerprint.py`). Every draw
comes from the city's `ctx.rng`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.areas.models import Unit
from dangjian.bodies.models import TopicStudy
from dangjian.cadres.models import (
    InstructorVisit,
    Opinion,
    PartyWorker,
    Recommendation,
    RecommendationKind,
    Training,
    TrainingKind,
    WorkerAllowance,
)
from dangjian.compliance.facts.life import add_months
from dangjian.demo.base import (
    DEMO_TODAY,
    POLICY_DATE,
    SYSTEM_SINCE,
    date_between,
    pick,
    share,
)
from dangjian.demo.context import CityContext, District, Member, Org
from dangjian.lib.dated import holds_on
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    CommitteeMembership,
    CommitteeRole,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
)
from dangjian.people.models import Person, PoliticalStatus, Position

YEAR = DEMO_TODAY.year
# The years the recorded checks look at (`dangjian demo` records one at the end of each of
# the last 12 months: their last closed years are 2024 and 2025) and this year so far; the
# national scale records no checks: the last closed year of the as-of date only.
YEARS = (YEAR - 2, YEAR - 1, YEAR)
NATIONAL_YEARS = (YEAR - 1,)
# Instructors' visits from the first quarter the recorded checks look at (as organization
# life: dangjian/life/demo.py SINCE), at the national scale the last two quarters.
VISITS_SINCE = dt.date(YEAR - 2, 10, 1)
NATIONAL_VISITS_SINCE = dt.date(YEAR, 7, 1)

# How a secretary's year goes: no counted training, too few days, enough (the rest). The
# first year of the system worse, then better. About half the secretaries the rule checks
# took their three days of 任职培训 in the year (appointed or re-elected since the middle
# of the year before), which count too: with those, "none" is three days (too few) and
# "too few" no more class; so about 3–4% none and 10–12% too few in all (docs/demo-data.md).
SECRETARY_NONE = {YEAR - 2: 0.08, YEAR - 1: 0.07, YEAR: 0.07}
SECRETARY_SHORT = {YEAR - 2: 0.06, YEAR - 1: 0.05, YEAR: 0.05}
WORKER_NONE = {YEAR - 2: 0.08, YEAR - 1: 0.06, YEAR: 0.06}
# An appointment's 任职培训: none, late (after the six months), else on time.
NEW_RECENT = (0.03, 0.05)  # appointed since six months before the system came into use
NEW_OLDER = (0.002, 0.002)
NEW_NOT_DUE_TRAINED = 0.6  # of those whose six months still run, trained already
STUDY_MISSING = 0.1  # of the districts and units, missing a year's 专题研究

STUDY_TOPICS = [
    "专题研究{year}年社会组织党建工作要点",
    "听取社会组织党建工作情况汇报，研究部署下一步工作",
    "专题研究社会组织党的组织覆盖和工作覆盖工作",
    "专题研究社会组织党组织书记队伍建设",
    "专题研究党建工作指导员选派管理工作",
    "专题研究社会组织“两个覆盖”攻坚行动",
    "专题研究行业党委建设和社会组织党建经费保障",
    "专题研究软弱涣散社会组织党组织整顿工作",
]
UNIT_STUDY_TOPICS = [
    "专题研究主管社会组织党建工作",
    "听取行业党委工作汇报，研究所属社会组织党建工作",
    "专题研究{year}年主管社会组织党建工作计划",
    "专题研究推进所属社会组织党组织应建尽建",
]
VISIT_CONTENT = [
    "走访了解社会组织基本情况和从业人员思想状况，宣传党的路线方针政策",
    "与社会组织负责人座谈，介绍党建工作有关政策，了解从业人员中党员情况",
    "指导社会组织完善内部治理，宣传党建工作与业务工作融合的经验",
    "了解社会组织发展中的困难和诉求，协调相关部门解决",
    "组织从业人员学习党的创新理论，宣讲有关政策法规",
    "摸排从业人员中的党员和入党积极分子，建立台账",
]
UNION_CONTENT = "帮助社会组织建立工会组织，指导召开会员大会"
LEAGUE_CONTENT = "帮助社会组织建立共青团组织"
ACTIVIST_CONTENT = "发现并推荐入党积极分子{n}名，建议所在乡镇(街道)党组织培养联系"
MEMBER_CONTENT = "发现组织关系不在本单位的党员{n}名，已报告所在乡镇(街道)党组织"
# When recommendations are made (the 换届 of 2021 and 2026, 劳模 every five years), the
# earlier and the later window of each kind.
RECOMMENDATION_WINDOWS: dict[str, tuple[tuple[dt.date, dt.date], ...]] = {
    RecommendationKind.PEOPLES_CONGRESS: (
        (dt.date(2021, 8, 1), dt.date(2021, 10, 31)),
        (dt.date(2026, 8, 1), dt.date(2026, 11, 20)),
    ),
    RecommendationKind.CPPCC: (
        (dt.date(2021, 11, 1), dt.date(2021, 12, 31)),
        (dt.date(2026, 9, 1), dt.date(2026, 11, 20)),
    ),
    RecommendationKind.PARTY_CONGRESS: (
        (dt.date(2021, 5, 1), dt.date(2021, 7, 31)),
        (dt.date(2026, 5, 1), dt.date(2026, 7, 31)),
    ),
    RecommendationKind.MODEL_WORKER: (
        (dt.date(2020, 2, 1), dt.date(2020, 4, 15)),
        (dt.date(2025, 2, 1), dt.date(2025, 4, 15)),
    ),
}
RECOMMENDATION_WEIGHTS = {
    RecommendationKind.PEOPLES_CONGRESS: 30,
    RecommendationKind.CPPCC: 35,
    RecommendationKind.MODEL_WORKER: 20,
    RecommendationKind.PARTY_CONGRESS: 15,
}


@dataclass(frozen=True)
class Session:
    """One class (期): every trainee's row has its name, kind, organizer, dates and days."""

    name: str
    kind: str
    organizer: str
    started_on: dt.date
    ended_on: dt.date
    days: Decimal

    def fits(self, lo: dt.date, hi: dt.date) -> bool:
        return lo <= self.started_on and self.ended_on <= hi


@dataclass
class Classes:
    """A district's classes of a year (and the city's, shared by its districts)."""

    secretaries: list[Session] = field(default_factory=list)  # 5 days, 集中培训
    rotation: list[Session] = field(default_factory=list)  # 2.5–3 days, 集中培训
    workers: list[Session] = field(default_factory=list)  # 1.5–2 days, 集中培训
    model: list[Session] = field(default_factory=list)  # the city's 示范培训班, 5 days
    other: list[Session] = field(default_factory=list)  # a lecture, 其他 (not counted)


@dataclass(eq=False)
class Trainee:
    person: Person
    district: District
    # (start, end) of the offices the person held in a Party organization these rules
    # check, by role kind: secretary, other office or full-time worker, part-time worker
    secretary: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    worker: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    part_time: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    taken: set[tuple[str, dt.date]] = field(default_factory=set)
    days: dict[int, Decimal] = field(default_factory=dict)  # year → counted days ended in it


def _weekday_between(rng: random.Random, start: dt.date, end: dt.date, weekday: int) -> dt.date:
    day = date_between(rng, start, end)
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _session(name: str, kind: str, organizer: str, start: dt.date, days: Decimal) -> Session:
    span = int(days + Decimal("0.5"))  # 2.5 days: three calendar days
    return Session(name, kind, organizer, start, start + dt.timedelta(days=max(span, 1) - 1), days)


def _classes(ctx: CityContext, years: Sequence[int]) -> dict[tuple[str, int], Classes]:
    """Every district's classes of each year, and the city's (key: district code, year)."""
    rng, city = ctx.rng, ctx.city
    out: dict[tuple[str, int], Classes] = {}
    last = DEMO_TODAY - dt.timedelta(days=14)
    for year in years:
        start = _weekday_between(rng, dt.date(year, 6, 1), dt.date(year, 7, 10), 0)
        model = _session(
            f"{year}年度{city.name}社会组织党组织书记示范培训班",
            TrainingKind.CENTRALIZED,
            f"{city.name}委党校",
            start,
            Decimal(5),
        )
        lecture = _session(
            f"{year}年度社会组织党建工作专题讲座（线上）",
            TrainingKind.OTHER,
            f"{city.name}社会组织党工委",
            date_between(rng, dt.date(year, 7, 1), dt.date(year, 8, 31)),
            Decimal("0.5"),
        )
        for district in city.districts:
            c = Classes(model=[model], other=[lecture])
            board, department = f"{district.name}社会组织党工委", f"中共{district.name}委组织部"
            rotation_days = rng.choice((Decimal("2.5"), Decimal(3)))
            worker_days = rng.choice((Decimal("1.5"), Decimal(2)))
            for n, (first, until) in enumerate(
                ((dt.date(year, 3, 10), dt.date(year, 5, 20)), (dt.date(year, 9, 1), last)), 1
            ):
                until = min(until, dt.date(year, 11, 10))
                c.secretaries.append(
                    _session(
                        f"{year}年度{district.name}社会组织党组织书记培训班（第{'一二'[n - 1]}期）",
                        TrainingKind.CENTRALIZED,
                        board,
                        _weekday_between(rng, first, until, 0),
                        Decimal(5),
                    )
                )
                c.rotation.append(
                    _session(
                        f"{year}年度{district.name}社会组织党务干部轮训班（第{'一二'[n - 1]}期）",
                        TrainingKind.CENTRALIZED,
                        department,
                        _weekday_between(rng, first, until, 2),
                        rotation_days,
                    )
                )
                c.workers.append(
                    _session(
                        f"{year}年度{district.name}社会组织党务工作者培训班（第{'一二'[n - 1]}期）",
                        TrainingKind.CENTRALIZED,
                        board,
                        _weekday_between(rng, first, until, 3),
                        worker_days,
                    )
                )
            out[(district.code, year)] = c
    return out


def _inductions(district: District) -> list[Session]:
    """A district's 任职培训 classes for new secretaries: one each quarter since the policy
    (the second Tuesday of the quarter's middle month), three days — no draw."""
    out = []
    for year in range(POLICY_DATE.year, YEAR + 1):
        for n, month in enumerate((2, 5, 8, 11), 1):
            first = dt.date(year, month, 1)
            start = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
            if start + dt.timedelta(days=2) >= DEMO_TODAY:
                continue
            out.append(
                _session(
                    f"{district.name}新任社会组织党组织书记任职培训班（{year}年第{n}期）",
                    TrainingKind.INDUCTION,
                    f"中共{district.name}委组织部",
                    start,
                    Decimal(3),
                )
            )
    return out


@dataclass(eq=False)
class Work:
    """One city's cadres work as it is drawn."""

    ctx: CityContext
    orgs: list[Org]
    township_pos: dict[int, PartyOrganization]
    years: Sequence[int]
    districts: dict[int, District] = field(default_factory=dict)  # township pk → district
    trainees: dict[int, Trainee] = field(default_factory=dict)

    @property
    def rng(self) -> random.Random:
        return self.ctx.rng

    def district_of(self, po: PartyOrganization) -> District:
        return self.districts[po.township_id]

    def trainee(self, person: Person, po: PartyOrganization) -> Trainee:
        found = self.trainees.get(id(person))
        if found is None:
            found = self.trainees[id(person)] = Trainee(person, self.district_of(po))
        return found

    def attend(self, t: Trainee, s: Session) -> None:
        if (s.name, s.started_on) in t.taken:
            return
        t.taken.add((s.name, s.started_on))
        if s.kind != TrainingKind.OTHER:
            year = s.ended_on.year
            t.days[year] = t.days.get(year, Decimal(0)) + s.days
        self.ctx.rows.trainings.append(
            Training(
                person=t.person,
                name=s.name,
                kind=s.kind,
                organizer=s.organizer,
                started_on=s.started_on,
                ended_on=s.ended_on,
                days=s.days,
            )
        )


def cadres_work(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
    supervisors: dict[str, list[Unit]],
) -> None:
    """Party workers and allowances, trainings, topic studies, recommendations and the
    instructors' visits of one city, in that order."""
    national = ctx.demo.scale.name == "national"
    work = Work(ctx, orgs, township_pos, NATIONAL_YEARS if national else YEARS)
    work.districts = {t.pk: d for d in ctx.city.districts for t in d.townships}
    party_workers(work)
    trainings(work)
    topic_studies(work, supervisors)
    recommendations(work)
    instructor_visits(work, NATIONAL_VISITS_SINCE if national else VISITS_SINCE)


# --- Party workers --------------------------------------------------------------------------


def _end(po: PartyOrganization, ended: dt.date | None) -> dt.date | None:
    if po.dissolved_on is not None and (ended is None or ended > po.dissolved_on):
        return po.dissolved_on
    return ended


def party_workers(work: Work) -> None:
    """专职: the full-time committee offices (of the large Party organizations and the
    industry committees) as `party-workers` records, and in 40% of the general branches and
    committees a full-time worker outside the committee; 兼职: in 60% of the other Party
    organizations with a secretary, a member (or the secretary); 8% of them ended. Then
    each worker's allowance per year."""
    rng, rows = work.rng, work.ctx.rows
    offices: dict[int, list[CommitteeMembership]] = {}
    for office in rows.committee:
        offices.setdefault(id(office.party_org), []).append(office)
    members: dict[int, list[Member]] = {}
    for org in work.orgs:
        if org.party_org is not None:
            members.setdefault(id(org.party_org), []).extend(org.formal)
    made: list[PartyWorker] = []
    for po in [*rows.territorial, *rows.party_orgs]:
        if po.form not in (*COVERING_FORMS, PartyOrgForm.INDUSTRY):
            continue
        held = offices.get(id(po), [])
        full = [o for o in held if o.full_time]
        for o in full:
            start = max(o.started_on or po.founded_on, po.founded_on)
            end = _end(po, o.ended_on)
            made.append(
                PartyWorker(
                    party_org=po,
                    person=o.person,
                    full_time=True,
                    started_on=start,
                    ended_on=max(end, start) if end else None,
                )
            )
        if po.form == PartyOrgForm.INDUSTRY:
            continue
        in_office = {id(o.person) for o in held}
        free = [
            m
            for m in members.get(id(po), [])
            if id(m.person) not in in_office and m.employment.ended_on is None
        ]
        big = po.level in (PartyOrgLevel.GENERAL_BRANCH, PartyOrgLevel.COMMITTEE)
        if big and free and share(rng, 0.4):
            m = rng.choice(free)
            free.remove(m)
            start = max(po.founded_on, m.since, SYSTEM_SINCE - dt.timedelta(days=730))
            start = date_between(rng, start, max(start, DEMO_TODAY - dt.timedelta(days=90)))
            end = _end(po, None)
            if end is None or end > start:
                made.append(
                    PartyWorker(
                        party_org=po, person=m.person, full_time=True, started_on=start,
                        ended_on=end,
                    )
                )  # fmt: skip
        secretaries = [o for o in held if o.role == CommitteeRole.SECRETARY and o.ended_on is None]
        if full or not secretaries or not share(rng, 0.6):
            continue
        if free and share(rng, 0.6):
            m = rng.choice(free)
            person, since = m.person, max(po.founded_on, m.since)
        else:
            person, since = secretaries[0].person, secretaries[0].started_on or po.founded_on
        since = max(since, po.founded_on)
        start = date_between(rng, since, max(since, DEMO_TODAY - dt.timedelta(days=30)))
        end = _end(po, None)
        if end is None and start + dt.timedelta(days=400) < DEMO_TODAY and share(rng, 0.08):
            end = date_between(rng, start + dt.timedelta(days=365), DEMO_TODAY)
        if end is not None and end <= start:
            continue
        made.append(
            PartyWorker(
                party_org=po, person=person, full_time=False, started_on=start, ended_on=end
            )
        )
    rows.party_workers.extend(made)
    allowances(work, made)


def allowances(work: Work, workers: list[PartyWorker]) -> None:
    """A yearly allowance for each year of the window a worker served: 专职 800–2,000 yuan a
    month, 兼职 100–300 (a fifth of them unpaid), raised now and then, for the months
    served; the same person in the same Party organization once a year."""
    rng, rows = work.rng, work.ctx.rows
    seen: set[tuple[int, int, int]] = set()
    for w in workers:
        if w.full_time:
            monthly = rng.randrange(800, 2001, 100)
        elif share(rng, 0.2):
            continue
        else:
            monthly = rng.randrange(100, 301, 50)
        for year in sorted({*work.years, YEAR}):
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if w.started_on > last or (w.ended_on is not None and w.ended_on <= first):
                continue
            key = (id(w.party_org), id(w.person), year)
            if key in seen:
                continue
            seen.add(key)
            start = max(w.started_on, first)
            end = min(w.ended_on or last, last)
            months = min(12, max(1, round((end - start).days / 30.4)))
            rows.worker_allowances.append(
                WorkerAllowance(
                    party_org=w.party_org,
                    person=w.person,
                    year=year,
                    amount=Decimal(monthly * months),
                )
            )
            if share(rng, 0.4):
                monthly += 100 if w.full_time else 50


# --- trainings ------------------------------------------------------------------------------


def trainings(work: Work) -> None:
    """Who holds office in a Party organization the rules check, and when; then each
    appointment's 任职培训 and each year's classes."""
    rows = work.ctx.rows
    for office in rows.committee:
        po = office.party_org
        if po.form not in COVERING_FORMS or office.started_on is None:
            continue
        t = work.trainee(office.person, po)
        span = (office.started_on, _end(po, office.ended_on))
        if office.role == CommitteeRole.SECRETARY:
            t.secretary.append(span)
        else:
            t.worker.append(span)
    for w in rows.party_workers:
        po = w.party_org
        if po.form not in COVERING_FORMS:
            continue
        t = work.trainee(w.person, po)
        (t.worker if w.full_time else t.part_time).append((w.started_on, w.ended_on))
    inductions = {d.code: _inductions(d) for d in work.ctx.city.districts}
    new_secretaries(work, inductions)
    classes = _classes(work.ctx, work.years)
    for t in work.trainees.values():
        for year in work.years:
            yearly(work, t, year, classes[(t.district.code, year)])


def new_secretaries(work: Work, inductions: dict[str, list[Session]]) -> None:
    """Each 书记 office started since the policy: the district's 任职培训 within six months
    (one of the next two classes), a few late or never (more of them since the system came
    into use, when the rule looks at them); of those whose six months still run, most
    trained already."""
    rng = work.rng
    months = work.ctx.demo.new_secretary_months
    recent = add_months(SYSTEM_SINCE, -months)
    for t in work.trainees.values():
        for start, end in sorted(t.secretary):
            if start < POLICY_DATE:
                continue
            deadline = add_months(start, months)
            hi = min(end - dt.timedelta(days=1) if end else DEMO_TODAY, DEMO_TODAY)
            sessions = [s for s in inductions[t.district.code] if s.fits(start, hi)]
            on_time = [s for s in sessions if s.ended_on <= deadline]
            late = [s for s in sessions if s.ended_on > deadline]
            if deadline >= DEMO_TODAY:
                if on_time and share(rng, NEW_NOT_DUE_TRAINED):
                    work.attend(t, on_time[0])
                continue
            never, after = NEW_RECENT if start >= recent else NEW_OLDER
            r = rng.random()
            if r < never:
                continue
            if r < never + after:
                if late:
                    work.attend(t, late[0])
                continue
            if on_time:
                work.attend(t, rng.choice(on_time[:2]))


def _window(spans: list[tuple[dt.date, dt.date | None]], year: int) -> tuple[dt.date, dt.date]:
    """The days of `year` (up to the as-of date) from the earliest start to the latest end
    of `spans`; empty (lo > hi) when none holds in the year."""
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), DEMO_TODAY)
    held = [
        (max(s, first), min(e - dt.timedelta(days=1) if e else last, last))
        for s, e in spans
        if s <= last and (e is None or e > first)
    ]
    if not held:
        return last, first
    return min(lo for lo, _ in held), max(hi for _, hi in held)


def yearly(work: Work, t: Trainee, year: int, c: Classes) -> None:
    """A year's classes: a secretary most often one of five days (the district's, or the
    city's 示范培训班) or two rotations; some one rotation only, or only their 任职培训 (too
    few days), a few none (a lecture at most). A committee member or full-time worker one class, a few none; a
    part-time worker most years one."""
    rng = work.rng
    lo, hi = _window(t.secretary, year)
    if lo <= hi:
        fit = [s for s in c.secretaries if s.fits(lo, hi)]
        model = [s for s in c.model if s.fits(lo, hi)]
        rotation = [s for s in c.rotation if s.fits(lo, hi)]
        r = rng.random()
        if r < SECRETARY_NONE[year]:
            lectures = [s for s in c.other if s.fits(lo, hi)]
            if lectures and share(rng, 0.4):
                work.attend(t, lectures[0])
            return
        if r < SECRETARY_NONE[year] + SECRETARY_SHORT[year]:
            if rotation and not t.days.get(year):
                work.attend(t, rng.choice(rotation))
            return
        way = pick(rng, {"district": 55, "model": 20, "rotations": 25})
        if way == "model" and model:
            work.attend(t, model[0])
        elif len(rotation) == 2 and (way == "rotations" or not fit):
            for s in rotation:
                work.attend(t, s)
        elif fit:
            work.attend(t, rng.choice(fit))
        elif model:
            work.attend(t, model[0])
        elif rotation:
            work.attend(t, rotation[0])
        return
    lo, hi = _window(t.worker, year)
    if lo <= hi:
        if share(rng, WORKER_NONE[year]):
            return
        options = [s for s in c.workers + c.rotation if s.fits(lo, hi)]
        if options:
            work.attend(t, rng.choice(options))
        return
    lo, hi = _window(t.part_time, year)
    if lo <= hi and share(rng, 0.6):
        options = [s for s in c.workers if s.fits(lo, hi)]
        if options:
            work.attend(t, rng.choice(options))


# --- topic studies --------------------------------------------------------------------------


def topic_studies(work: Work, supervisors: dict[str, list[Unit]]) -> None:
    """专题研究 of each district's Party committee and each supervisory unit's Party
    organization, per year: one (60%) or two, except a tenth of them (at least one) each
    year; this year's only where held already."""
    rng, rows, city = work.rng, work.ctx.rows, work.ctx.city
    units: list[Unit] = []
    for found in supervisors.values():
        for u in found:
            if all(u is not other for other in units):
                units.append(u)
    bodies: list[District | Unit] = [*city.districts, *units]
    for year in sorted({*work.years, YEAR}):
        missing = set(rng.sample(range(len(bodies)), max(1, round(STUDY_MISSING * len(bodies)))))
        for i, body in enumerate(bodies):
            if i in missing:
                continue
            days = [date_between(rng, dt.date(year, 2, 15), dt.date(year, 6, 30))]
            if share(rng, 0.4):
                days.append(date_between(rng, dt.date(year, 7, 15), dt.date(year, 12, 20)))
            topics = STUDY_TOPICS if isinstance(body, District) else UNIT_STUDY_TOPICS
            for day in days:
                if day > DEMO_TODAY:
                    continue
                topic = rng.choice(topics).format(year=year)
                if isinstance(body, District):
                    rows.topic_studies.append(TopicStudy(area_id=body.pk, held_on=day, topic=topic))
                else:
                    rows.topic_studies.append(TopicStudy(unit=body, held_on=day, topic=topic))


# --- recommendations ------------------------------------------------------------------------


def recommendations(work: Work) -> None:
    """1.5% of the leaders (负责人) and main investors (主要出资人) of active organizations
    recommended as a deputy, CPPCC member, model worker or (Party members) Party-congress
    delegate, in a 换届 or 评选 while they held the post; the Party organization covering
    the organization that day (else the township's) asked: most agree, a few not, some
    opinions not recorded (more of this year's, still under way)."""
    rng, rows = work.rng, work.ctx.rows
    org_of = {id(o.obj): o for o in work.orgs}
    coverages: dict[int, list[tuple[PartyOrganization, dt.date | None, dt.date | None]]] = {}
    for cov in rows.coverages:
        coverages.setdefault(id(cov.org), []).append((cov.party_org, cov.started_on, cov.ended_on))
    for emp in rows.employments:
        if emp.position not in (Position.LEADER, Position.INVESTOR):
            continue
        org = org_of.get(id(emp.org))
        if org is None or not org.active or not share(rng, 0.015):
            continue
        weights = dict(RECOMMENDATION_WEIGHTS)
        if emp.person.political_status != PoliticalStatus.MEMBER:
            del weights[RecommendationKind.PARTY_CONGRESS]
        kind = pick(rng, weights)
        windows = RECOMMENDATION_WINDOWS[kind]
        order = windows[::-1] if share(rng, 0.7) else windows
        day = None
        for first, last in order:
            candidate = date_between(rng, first, min(last, DEMO_TODAY))
            if holds_on(emp.started_on, emp.ended_on, candidate):
                day = candidate
                break
        if day is None:
            continue
        asked = next(
            (po for po, s, e in coverages.get(id(emp.org), []) if holds_on(s, e, day)),
            None,
        )
        if asked is None:
            township = work.township_pos.get(org.township.pk)
            if township is not None and township.founded_on <= day:
                asked = township
        r = rng.random()
        blank = 0.15 if day.year == YEAR else 0.05
        opinion = "" if r < blank else Opinion.DISAGREE if r < blank + 0.03 else Opinion.AGREE
        if asked is None:
            opinion = ""
        rows.recommendations.append(
            Recommendation(
                person=emp.person, kind=kind, recommended_on=day, party_org=asked,
                opinion=opinion,
            )
        )  # fmt: skip


# --- instructors' visits --------------------------------------------------------------------


def _quarters(since: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    first = dt.date(since.year, (since.month - 1) // 3 * 3 + 1, 1)
    while first <= DEMO_TODAY:
        nxt = dt.date(first.year + first.month // 10, (first.month + 2) % 12 + 1, 1)
        out.append((max(first, since), min(nxt - dt.timedelta(days=1), DEMO_TODAY)))
        first = nxt
    return out


def instructor_visits(work: Work, since: dt.date) -> None:
    """Each assignment visited once a quarter (15% twice, 4% not at all; this quarter not
    yet for a third); a tenth of the instructors skip one whole quarter. A few visits help
    set up a trade union (1% of visits, once per assignment) or a Youth League branch
    (0.6%), find an activist or two (2%) or a member whose relation is elsewhere (0.3%)."""
    rng, rows = work.rng, work.ctx.rows
    quarters = _quarters(since)
    ended = quarters[:-1]
    lapse: dict[int, int] = {}  # instructor → the quarter they visited nobody
    for instructor in rows.instructors:
        if ended and share(rng, 0.1):
            lapse[id(instructor)] = rng.randrange(len(ended))
    for a in rows.assignments:
        union = league = False
        for q, (first, last) in enumerate(quarters):
            if lapse.get(id(a.instructor)) == q:
                continue
            lo = max(first, a.started_on or first)
            hi = min(last, a.ended_on - dt.timedelta(days=1) if a.ended_on else last)
            if lo > hi:
                continue
            current = q == len(quarters) - 1
            r = rng.random()
            count = 0 if r < (0.35 if current else 0.04) else 2 if r > 0.85 else 1
            days = sorted({date_between(rng, lo, hi) for _ in range(count)})
            for day in days:
                content = [rng.choice(VISIT_CONTENT)]
                visit = InstructorVisit(instructor=a.instructor, org=a.org, visited_on=day)
                if not union and share(rng, 0.01):
                    union = visit.union_set_up = True
                    content.append(UNION_CONTENT)
                if not league and share(rng, 0.006):
                    league = visit.youth_league_set_up = True
                    content.append(LEAGUE_CONTENT)
                if share(rng, 0.02):
                    visit.activists = 1 if share(rng, 0.8) else 2
                    content.append(ACTIVIST_CONTENT.format(n=visit.activists))
                if share(rng, 0.003):
                    visit.members_found = 1
                    content.append(MEMBER_CONTENT.format(n=1))
                visit.content = "\n".join(content)
                rows.instructor_visits.append(visit)
