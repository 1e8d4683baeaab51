"""Organization life's demo records (组织生活, POLICY 1, 3.1, 4.2, 4.4), for the active Party
branches of social organizations (standalone, joint and functional): Party groups in the
larger branches, their meetings since the first period the recorded checks look at (三会一课,
主题党日, 组织生活会, 民主评议党员) with their review and, for the last months, who attended,
activities of the ways of 4.2 with the duties they serve, 结对共建 pairings, demonstration
sites and 联组 of small branches.
`dangjian.demo` calls `organization_life` last for each city, so that its draws come after
every earlier table's (`tests/test_demo_fingerprint.py`).

One module, over 500 lines: most of it is the words the records are made of (topics,
titles, opinions), which only its functions use.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from dangjian.demo.base import DEMO_TODAY, date_between, numeral, pick, share
from dangjian.demo.context import CityContext, Org, Township
from dangjian.lib.dated import holds_on
from dangjian.life.models import (
    DUTY_ORDER,
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Meeting,
    MeetingType,
    Pairing,
    PartyGroup,
    ReviewState,
    SiteLevel,
)
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.models import Person

TZ = ZoneInfo(settings.TIME_ZONE)
# The records start with the first period the earliest recorded check looks at: `dangjian
# demo` records one at the end of each of the last 12 months (the first on 2025-11-30) and
# each looks 12 months back (life_lookback_months), so from 2024-12 (Q4 and the year 2024
# for the quarterly and yearly meetings) — as the city has used the system (SYSTEM_SINCE).
SINCE = dt.date(DEMO_TODAY.year - 2 + DEMO_TODAY.month // 12, DEMO_TODAY.month % 12 + 1, 1)
ATTENDANCE_SINCE = DEMO_TODAY - dt.timedelta(days=91)  # who attended: the last 3 months
# The national scale records no checks (`dangjian demo`) and would double its time with the
# records above: only the periods checked on the as-of date there (from 2025-11, and the
# year 2025), who attended only in the last month.
NATIONAL_SINCE = dt.date(DEMO_TODAY.year - 1, DEMO_TODAY.month, 1)
NATIONAL_ATTENDANCE_SINCE = DEMO_TODAY - dt.timedelta(days=30)
FORMS = (PartyOrgForm.STANDALONE, PartyOrgForm.JOINT, PartyOrgForm.FUNCTIONAL)
GROUPS_FROM = 10  # members from which a branch has Party groups
SMALL = 3  # members up to which a branch is gathered in a 联组
PLANS = {"regular": 0.85, "lapsing": 0.12, "silent": 0.03}
SHOWCASE_TOWNSHIP = "430102001"  # the demo secretary's (dangjian.accounts.demo.users)

# --- the words ------------------------------------------------------------------------------

type Topic = tuple[str, str]  # text, duty codes

THEME_DAY: list[Topic] = [
    ("志愿服务进社区", "masses"),
    ("重温入党誓词", "political,self"),
    ("参观革命传统教育基地", "political,culture"),
    ("政策法规宣讲进社区", "masses,political"),
    ("为党员过“政治生日”", "self"),
    ("走访慰问困难群众", "masses"),
    ("助力行业诚信建设", "development"),
    ("青年人才座谈交流", "talent"),
    ("学习身边先进典型", "culture,self"),
    ("垃圾分类宣传志愿服务", "masses,culture"),
    ("专业技能公益培训", "talent,masses"),
    ("学习《中国共产党章程》", "political,self"),
]
THEME_DAY_OF_MONTH: dict[int, list[Topic]] = {
    1: [("新春走访慰问困难党员群众", "masses")],
    2: [("新春座谈 谋划全年工作", "development,self")],
    3: [("学雷锋志愿服务", "masses,culture"), ("义务植树", "culture")],
    4: [("清明祭英烈", "political,culture"), ("国家安全教育日宣传", "political,masses")],
    5: [("青年党员座谈会", "talent,self")],
    6: [("迎“七一”学党史", "political")],
    7: [("庆祝建党{party}周年 重温入党誓词", "political,self")],
    8: [("“八一”走访慰问退役军人", "masses")],
    10: [("喜迎国庆 唱响红色经典", "culture,political"), ("重阳敬老志愿服务", "masses")],
    12: [("国家宪法日学法", "political"), ("年度党员积分评定", "self")],
}  # fmt: skip
ASSEMBLY: list[Topic] = [
    ("通报党支部工作情况，部署下一阶段工作", "self"),
    ("通报党费收缴情况", "self"),
    ("讨论确定入党积极分子", "self,talent"),
    ("讨论接收预备党员", "self"),
    ("讨论预备党员转正", "self"),
    ("学习贯彻习近平新时代中国特色社会主义思想", "political"),
    ("研究党建引领行业服务工作", "development,political"),
]
ASSEMBLY_OF_QUARTER: dict[int, list[Topic]] = {
    1: [("传达学习全国两会精神", "political"), ("审议党支部{year}年工作计划", "self")],
    3: [("通报党支部上半年工作情况", "self")],
    4: [("审议党支部{year}年工作总结", "self")],
}
# What was studied when (assemblies and lectures): the plenums, the 2025 study campaign, the
# 15th five-year plan.
STUDY_OF_QUARTER: dict[tuple[int, int], list[Topic]] = {
    (2024, 4): [("学习贯彻党的二十届三中全会精神", "political")],
    (2025, 2): [("深入贯彻中央八项规定精神学习教育", "political,self")],
    (2025, 4): [("学习贯彻党的二十届四中全会精神", "political")],
    (2026, 1): [("学习贯彻党的二十届四中全会精神", "political")],
    (2026, 2): [("学习贯彻“十五五”规划纲要", "political,development")],
}
COMMITTEE: list[Topic] = [
    ("研究本月主题党日活动安排", "self"),
    ("研究党员发展工作", "self"),
    ("研究党费收缴和使用管理", "self"),
    ("研究党建与业务融合工作", "development"),
    ("分析党员思想状况", "political,self"),
    ("研究党员教育培训计划", "self,talent"),
    ("研究志愿服务活动安排", "masses"),
    ("研究落实上级党组织工作部署", "political"),
]
COMMITTEE_OF_MONTH: dict[int, list[Topic]] = {
    1: [("研究党支部年度工作计划", "self")],
    11: [("研究年度组织生活会准备工作", "self")],
    12: [("研究年度组织生活会准备工作", "self"), ("研究党支部年度工作总结", "self")],
}
GROUP: list[Topic] = [
    ("学习《中国共产党纪律处分条例》", "political,self"),
    ("交流学习心得体会", "self"),
    ("学习习近平新时代中国特色社会主义思想", "political"),
    ("开展谈心谈话", "self"),
    ("交流党员承诺践诺情况", "self"),
    ("交流本岗位履职和服务群众情况", "masses,development"),
    ("学习《中国共产党章程》", "political,self"),
    ("讨论行业发展中的问题与建议", "development"),
]
LECTURE: list[Topic] = [
    ("弘扬伟大建党精神", "political,culture"),
    ("深入学习贯彻中央八项规定精神", "political,self"),
    ("以高质量党建引领社会组织高质量发展", "development"),
    ("坚定理想信念 践行初心使命", "political"),
    ("社会组织党组织的职责与党员的责任", "self"),
    ("传承红色基因 赓续红色血脉", "culture"),
    ("做新时代合格党员", "self"),
]
CLOSINGS = [
    "把学习成果转化为推动工作的实际行动",
    "立足岗位发挥先锋模范作用",
    "按时参加组织生活，严格遵守党的纪律",
    "结合行业特点服务会员和群众",
    "做好会后学习和交流，抓好各项工作落实",
]
BRIEF = "学习了有关文件。"  # minutes sent back as too brief (the first opinion)
OPINIONS = [
    "会议记录过于简单，请补充讨论内容",
    "请补充上传签到表",
    "参会人数与签到情况不一致，请核实后重新报送",
    "会议主题与本月学习安排不符，请说明",
]
LEAVE_REASONS = ["工作出差", "因病请假", "家中有事", "外出学习培训", "参加单位重要会议"]
PLACES = ["党员活动室", "会议室", "党群服务中心", "多功能厅"]

type Title = tuple[str, str, str, int]  # title, duty codes, occasion, month (0: any)

ACTIVITIES: dict[str, list[Title]] = {
    ActivityKind.MODEL_POST: [
        ("设立党员示范岗", "self,development", "", 0),
        ("党员示范岗亮牌上岗", "self", "", 0),
        ("党员示范岗服务之星评选", "self,development", "", 0),
    ],
    ActivityKind.ZONE: [
        ("划分党员责任区", "self", "", 0),
        ("党员责任区走访服务", "masses,self", "", 0),
    ],
    ActivityKind.PLEDGE: [
        ("党员公开承诺践诺", "self", "", 0),
        ("年度承诺事项评议", "self", "", 12),
        ("党员亮身份作承诺", "self,political", "", 0),
    ],
    ActivityKind.POST_DUTY: [
        ("党员设岗定责", "self", "", 0),
        ("无职党员设岗定责", "self", "", 0),
    ],
    ActivityKind.ADVICE: [
        ("为行业发展建言献策座谈会", "development", "", 0),
        ("“十五五”规划建言献策", "development,political", "", 0),
        ("优化营商环境建言献策", "development", "", 0),
    ],
    ActivityKind.VOLUNTEER: [
        ("学雷锋志愿服务", "masses,culture", "学雷锋纪念日", 3),
        ("社区义诊志愿服务", "masses", "", 0),
        ("关爱留守儿童志愿服务", "masses", "", 0),
        ("敬老院慰问志愿服务", "masses,culture", "重阳节", 10),
        ("文明创建志愿服务", "culture,masses", "", 0),
    ],
    ActivityKind.COMMUNITY: [
        ("在职党员到社区报到", "masses", "", 0),
        ("在职党员参与社区治理", "masses,self", "", 0),
        ("在职党员认领社区“微心愿”", "masses", "", 0),
    ],
    ActivityKind.THEME: [
        ("庆祝建党{party}周年主题活动", "political,culture", "七一", 7),
        ("“传承红色基因”主题教育活动", "political,culture", "", 0),
        ("党史学习主题活动", "political", "", 0),
        ("“喜迎国庆”主题活动", "culture,political", "国庆节", 10),
        ("青年人才成长沙龙", "talent", "五四青年节", 5),
        ("职业技能提升培训", "talent,development", "", 0),
        ("诚信自律主题活动", "development,culture", "", 0),
        ("国家宪法日学法活动", "political", "国家宪法日", 12),
    ],
    ActivityKind.ONLINE: [
        ("“学习强国”学习交流", "political,self", "", 0),
        ("线上党课学习", "political,self", "", 0),
        ("网上重温入党誓词", "political", "", 0),
        ("线上党建知识竞答", "political,culture", "", 0),
    ],
    ActivityKind.PAIRING: [
        ("结对共建联学联建", "self,political", "", 0),
        ("结对共建志愿服务", "masses", "", 0),
        ("结对共建业务交流", "development,talent", "", 0),
    ],
    ActivityKind.JOINT: [
        ("联组联学：学习习近平新时代中国特色社会主义思想", "political", "", 0),
        ("联组志愿服务进社区", "masses", "", 0),
        ("联组主题党日：重温入党誓词", "political,self", "", 0),
        ("联组党务工作交流", "self", "", 0),
        ("联组青年人才交流会", "talent", "", 0),
    ],
}
# How often a branch's own activities are of each kind (pairing and 联组 ones come with
# their pairing or group).
KIND_WEIGHTS = {
    ActivityKind.MODEL_POST: 10,
    ActivityKind.ZONE: 6,
    ActivityKind.PLEDGE: 12,
    ActivityKind.POST_DUTY: 6,
    ActivityKind.ADVICE: 8,
    ActivityKind.VOLUNTEER: 10,
    ActivityKind.COMMUNITY: 6,
    ActivityKind.THEME: 16,
    ActivityKind.ONLINE: 14,
}
PAIRING_CONTENT = [
    "联合开展党员教育培训，共享党建活动阵地",
    "共同开展志愿服务，助力社区治理",
    "组织生活联过、党建资源共享、业务发展互促",
    "联学联建，结对帮扶困难群众",
]

# --- the branches ---------------------------------------------------------------------------


@dataclass(eq=False)
class Branch:
    """An active Party branch of social organizations and what its life is drawn from."""

    po: PartyOrganization
    township: Township
    orgs: list[Org]
    # its members (whose relation it holds; for a functional branch the covered
    # organizations' members) by the day from which they count, and whether formal
    members: list[tuple[dt.date, Person, bool]] = field(default_factory=list)
    offices: list[CommitteeMembership] = field(default_factory=list)
    plan: str = "regular"
    groups: list[tuple[PartyGroup, list[tuple[dt.date, Person, bool]]]] = field(
        default_factory=list
    )

    @property
    def holds_relations(self) -> bool:
        """Whether its members' relations are held here (attendance names only those)."""
        return self.po.form != PartyOrgForm.FUNCTIONAL


def canonical(codes: str) -> str:
    """Duty codes in the order of POLICY 1, as the import stores them (so that a demo record
    exported and imported again is unchanged)."""
    chosen = set(codes.split(","))
    return ",".join(code for code in DUTY_ORDER if code in chosen)


def branches_of(ctx: CityContext, orgs: list[Org]) -> list[Branch]:
    """The city's active branches of social organizations, in the order they were made,
    with their organizations, members and committee offices."""
    townships = {t.pk: t for t in ctx.city.townships}
    found: dict[int, Branch] = {}
    for po in ctx.rows.party_orgs:
        if (
            po.level == PartyOrgLevel.BRANCH
            and po.form in FORMS
            and po.status == PartyOrgStatus.ACTIVE
        ):
            found[id(po)] = Branch(po, townships[po.township_id], [])
    for org in orgs:
        own = found.get(id(org.party_org)) if org.party_org is not None else None
        if own is not None:
            own.orgs.append(org)
        functional = own is not None and not own.holds_relations
        for i, m in enumerate(org.formal + org.probationary + org.departed):
            relation = m.membership.relation_party_org
            branch = found.get(id(relation)) if relation is not None else None
            if functional and i < len(org.formal) + len(org.probationary):
                branch = own  # a functional branch: the members working there
            if branch is None:
                continue
            since = max(m.membership.joined_on, m.employment.started_on or dt.date.min)
            branch.members.append((since, m.person, m.membership.confirmed_on is not None))
    for office in ctx.rows.committee:
        branch = found.get(id(office.party_org))
        if branch is not None:
            branch.offices.append(office)
    branches = list(found.values())
    for b in branches:
        b.members.sort(key=lambda x: x[0])
    return branches


# --- the run --------------------------------------------------------------------------------


@dataclass(eq=False)
class Life:
    """One city's organization life as it is drawn."""

    ctx: CityContext
    township_pos: dict[int, PartyOrganization]
    community_pos: dict[int, PartyOrganization]
    since: dt.date = SINCE
    attendance_since: dt.date = ATTENDANCE_SINCE
    # what each Party organization did when (activities are unique by these)
    seen: dict[int, set[tuple[str, dt.date, str]]] = field(default_factory=dict)

    @property
    def rng(self) -> random.Random:
        return self.ctx.rng


def organization_life(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
    community_pos: dict[int, PartyOrganization],
) -> None:
    """Every branch's Party groups, meetings, activities and pairings, then the city's
    demonstration sites and 联组."""
    life = Life(ctx, township_pos, community_pos)
    if ctx.demo.scale.name == "national":
        life.since, life.attendance_since = NATIONAL_SINCE, NATIONAL_ATTENDANCE_SINCE
    branches = branches_of(ctx, orgs)
    showcase = _showcase(branches)
    for b in branches:
        b.plan = pick(ctx.rng, PLANS)
        if b is showcase:
            b.plan = "regular"
        if not b.members or not any(o.active for o in b.orgs):
            b.plan = "silent"  # nobody left to meet
        if b.plan == "silent":
            continue
        party_groups(life, b)
        made = meetings(life, b)
        if b is showcase:
            _show_every_state(made)
        activities(life, b)
        pairings(life, b)
    demonstration_sites(life, branches)
    joint_groups(life, branches)


def _showcase(branches: list[Branch]) -> Branch | None:
    """The branch the demo secretary gets (`dangjian.accounts.demo.users`: the first
    standalone one with a secretary in 文艺路街道, else the first anywhere)."""

    def with_secretary(b: Branch) -> bool:
        return b.po.form == PartyOrgForm.STANDALONE and any(
            o.role == CommitteeRole.SECRETARY and o.ended_on is None for o in b.offices
        )

    candidates = [b for b in branches if b.members and with_secretary(b)]
    there = [b for b in candidates if b.township.code == SHOWCASE_TOWNSHIP]
    return next(iter(there or candidates), None)


def _show_every_state(made: list[Meeting]) -> None:
    """The showcase's three latest meetings: one to submit, one under review, one returned."""
    latest = sorted(made, key=lambda m: m.held_on)[-3:]
    for meeting, state in zip(
        latest, (ReviewState.RETURNED, ReviewState.SUBMITTED, ReviewState.DRAFT), strict=False
    ):
        meeting.state = state
        meeting.reviewed_at = None
        meeting.opinion = ""
        if state == ReviewState.DRAFT:
            meeting.submitted_at = None
            continue
        meeting.submitted_at = min(_at(meeting.held_on, 18), _at(DEMO_TODAY, 9))
        if state == ReviewState.RETURNED:
            meeting.reviewed_at = min(
                _at(meeting.held_on + dt.timedelta(days=2), 10), _at(DEMO_TODAY, 11)
            )
            meeting.opinion = OPINIONS[0]
            meeting.minutes = BRIEF


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


# --- Party groups ---------------------------------------------------------------------------


def party_groups(life: Life, b: Branch) -> None:
    """2–4 Party groups in a branch of 10+ members, members dealt out in turn, each led by
    one of its formal members."""
    rng, rows = life.rng, life.ctx.rows
    if len(b.members) < GROUPS_FROM:
        return
    count = min(rng.randint(2, 4), len(b.members) // 4)
    order = list(b.members)
    rng.shuffle(order)
    founded = b.po.founded_on
    latest = max(founded, min(founded + dt.timedelta(days=365), life.since))
    for i in range(count):
        members = sorted(order[i::count], key=lambda x: x[0])
        formal = [p for _since, p, is_formal in members if is_formal] or [members[0][1]]
        group = PartyGroup(
            party_org=b.po,
            name=f"第{numeral(i + 1)}党小组",
            leader=formal[0],
            founded_on=date_between(rng, founded, latest),
        )
        rows.party_groups.append(group)
        b.groups.append((group, members))


# --- meetings -------------------------------------------------------------------------------


def months(since: dt.date) -> list[tuple[int, int]]:
    """The months from `since`'s to the as-of date's."""
    result = []
    year, month = since.year, since.month
    while (year, month) <= (DEMO_TODAY.year, DEMO_TODAY.month):
        result.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def month_day(year: int, month: int, day: int) -> dt.date:
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day, last))


def meetings(life: Life, b: Branch) -> list[Meeting]:
    """The branch's meetings since `life.since`: a theme day on a fixed day of every month, a
    committee meeting every month where 3+ offices are held, a meeting of every Party group
    every month, an assembly and a lecture every quarter, the year's 组织生活会 and 民主评议
    in its last weeks (this year's only where held already). A lapsing branch misses most of
    one quarter's."""
    rng = life.rng
    theme_day = rng.randint(1, 28)
    place = rng.choice(PLACES)
    rate = rng.uniform(0.8, 0.98)  # how many members come
    quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months(life.since)})
    ended = [q for q in quarters if dt.date(q[0] + q[1] // 4, q[1] % 4 * 3 + 1, 1) <= DEMO_TODAY]
    lapse = rng.choice(ended) if b.plan == "lapsing" and ended else None
    secretaries = {id(o.person) for o in b.offices if o.role == CommitteeRole.SECRETARY}
    others = [p for _s, p, _f in b.members if id(p) not in secretaries]
    recorder = rng.choice(others or [p for _s, p, _f in b.members]).name
    held = Holder(life, b, place, rate, recorder)

    def skipped(day: dt.date) -> bool:
        return lapse == (day.year, (day.month - 1) // 3 + 1) and share(rng, 0.7)

    for year, month in months(life.since):
        day = month_day(year, month, theme_day)
        if not skipped(day):
            topic = _topic(rng, THEME_DAY, THEME_DAY_OF_MONTH.get(month), year)
            held.meeting(MeetingType.THEME_DAY, day, topic)
        day = month_day(year, month, max(1, theme_day - rng.randint(1, 7)))
        if len(b.offices) >= 3 and not skipped(day):
            topic = _topic(rng, COMMITTEE, COMMITTEE_OF_MONTH.get(month), year)
            held.meeting(MeetingType.COMMITTEE, day, topic)
        for group, members in b.groups:
            day = month_day(year, month, rng.randint(1, 28))
            if not skipped(day) and day >= group.founded_on:
                topic = _topic(rng, GROUP, None, year)
                held.meeting(MeetingType.GROUP, day, topic, group=(group, members))
        if month % 3 == 0 or (year, month) == (DEMO_TODAY.year, DEMO_TODAY.month):
            quarter = (month - 1) // 3 + 1
            first = dt.date(year, quarter * 3 - 2, 1)
            study = STUDY_OF_QUARTER.get((year, quarter), [])
            for kind, topics, special in (
                (MeetingType.ASSEMBLY, ASSEMBLY, ASSEMBLY_OF_QUARTER.get(quarter, []) + study),
                (MeetingType.LECTURE, LECTURE, study),
            ):
                day = date_between(rng, max(first, life.since), month_day(year, month, 28))
                if not skipped(day):
                    held.meeting(kind, day, _topic(rng, topics, special, year))
        if month == 12 or (year, month) == (DEMO_TODAY.year, DEMO_TODAY.month):
            day = date_between(rng, dt.date(year, 11, 20), dt.date(year, 12, 31))
            if month == 12 or share(rng, 0.3):
                for kind, text in (
                    (MeetingType.LIFE, f"{year}年度对照检查，开展批评和自我批评"),
                    (MeetingType.APPRAISAL, f"{year}年度个人自评、党员互评、民主测评"),
                ):
                    if not skipped(day):
                        held.meeting(kind, day, (text, "self"))
                    day += dt.timedelta(days=rng.randint(0, 3))
    return held.made


def _topic(
    rng: random.Random, general: list[Topic], special: list[Topic] | None, year: int
) -> Topic:
    text, duties = rng.choice(special) if special and share(rng, 0.6) else rng.choice(general)
    return text.format(year=year, party=year - 1921), duties


@dataclass(eq=False)
class Holder:
    """Records one branch's meetings: who was expected and came, the minutes, the review."""

    life: Life
    b: Branch
    place: str
    rate: float
    recorder: str
    made: list[Meeting] = field(default_factory=list)

    def meeting(
        self,
        kind: str,
        day: dt.date,
        topic: Topic,
        *,
        group: tuple[PartyGroup, list[tuple[dt.date, Person, bool]]] | None = None,
    ) -> None:
        b, rng, rows = self.b, self.life.rng, self.life.ctx.rows
        if day < b.po.founded_on or day > DEMO_TODAY:
            return
        listed = True  # attendance can name them (members whose relation the branch holds)
        if kind == MeetingType.COMMITTEE:
            holders = [o.person for o in b.offices if holds_on(o.started_on, o.ended_on, day)]
            if len(holders) < 3:
                return
            relations = {id(p) for s, p, _f in b.members if s <= day}
            expected = holders
            listed = all(id(p) in relations for p in holders)
        else:
            members = group[1] if group is not None else b.members
            expected = [p for _s, p, _f in members[: _count_since(members, day)]]
        if not expected:
            return
        listed = listed and b.holds_relations and day >= self.life.attendance_since
        statuses = [
            (AttendanceStatus.PRESENT, "")
            if share(rng, self.rate)
            else (AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS))
            if share(rng, 0.7)
            else (AttendanceStatus.ABSENT, "")
            for _p in expected
        ]
        if all(s != AttendanceStatus.PRESENT for s, _r in statuses):
            statuses[0] = (AttendanceStatus.PRESENT, "")
        present = sum(1 for s, _r in statuses if s == AttendanceStatus.PRESENT)
        host = self._host(day, group, expected)
        text, duties = topic
        minutes = (
            f"{host}主持会议。会议围绕“{text}”进行学习讨论，{present}名同志结合工作实际发言。"
            f"会议要求全体党员{rng.choice(CLOSINGS)}。"
        )
        meeting = Meeting(
            party_org=b.po,
            type=kind,
            party_group=group[0] if group is not None else None,
            held_on=day,
            topic=text,
            expected=len(expected),
            present=present,
            duties=canonical(duties),
            place=self.place,
            host=host,
            recorder=self.recorder,
            minutes=minutes,
        )
        self._review(meeting)
        rows.meetings.append(meeting)
        self.made.append(meeting)
        if listed:
            rows.attendance.extend(
                Attendance(meeting=meeting, person=person, status=status, reason=reason)
                for person, (status, reason) in zip(expected, statuses, strict=True)
            )

    def _host(
        self,
        day: dt.date,
        group: tuple[PartyGroup, list[tuple[dt.date, Person, bool]]] | None,
        expected: list[Person],
    ) -> str:
        if group is not None and group[0].leader is not None:
            return group[0].leader.name
        for office in self.b.offices:
            if office.role == CommitteeRole.SECRETARY and holds_on(
                office.started_on, office.ended_on, day
            ):
                return office.person.name
        return expected[0].name

    def _review(self, meeting: Meeting) -> None:
        """Submitted within days and approved within days more; the latest not yet (draft,
        submitted), a few of those reviewed lately returned."""
        rng = self.life.rng
        submitted = meeting.held_on + dt.timedelta(days=rng.randint(0, 6))
        reviewed = submitted + dt.timedelta(days=rng.randint(1, 10))
        returned = share(rng, 0.04)
        if submitted > DEMO_TODAY:
            meeting.state = ReviewState.DRAFT
            return
        meeting.submitted_at = _at(submitted, rng.randint(9, 21))
        if reviewed > DEMO_TODAY:
            meeting.state = ReviewState.SUBMITTED
            return
        meeting.reviewed_at = _at(reviewed, rng.randint(9, 17))
        if returned and reviewed >= DEMO_TODAY - dt.timedelta(days=20):
            meeting.state = ReviewState.RETURNED
            meeting.opinion = rng.choice(OPINIONS)
            if meeting.opinion == OPINIONS[0]:
                meeting.minutes = BRIEF
            return
        meeting.state = ReviewState.APPROVED


def _count_since(members: Sequence[tuple[dt.date, Person, bool]], day: dt.date) -> int:
    """How many of `members` (sorted by the day they count from) count on `day`."""
    return bisect.bisect_right(members, day, key=lambda x: x[0])


# --- activities and pairings ----------------------------------------------------------------


def _activity_day(rng: random.Random, title: Title, start: dt.date) -> dt.date | None:
    """A day from `start`, in the title's month where it has one."""
    month = title[3]
    if not month:
        return date_between(rng, start, DEMO_TODAY)
    day = rng.randint(1, 28)
    days = [dt.date(year, month, day) for year in range(start.year, DEMO_TODAY.year + 1)]
    days = [d for d in days if start <= d <= DEMO_TODAY]
    return rng.choice(days) if days else None


def _activity(
    life: Life,
    po: PartyOrganization,
    kind: str,
    members: int,
    since: dt.date,
    **extra: object,
) -> None:
    """One activity of `kind` held by `po` since `since` (a month's only in that month)."""
    rng = life.rng
    title = rng.choice(ACTIVITIES[kind])
    day = _activity_day(rng, title, max(since, po.founded_on, life.since))
    if day is None:
        return
    text = title[0].format(party=day.year - 1921)
    seen = life.seen.setdefault(id(po), set())
    if (kind, day, text) in seen:
        return
    seen.add((kind, day, text))
    masses = kind in (ActivityKind.VOLUNTEER, ActivityKind.COMMUNITY, ActivityKind.THEME)
    participants = rng.randint(max(1, members // 2), max(1, members)) + (
        rng.randint(0, 20) if masses else 0
    )
    life.ctx.rows.activities.append(
        Activity(
            party_org=po,
            kind=kind,
            held_on=day,
            title=text,
            participants=participants,
            duties=canonical(title[1]),
            occasion=title[2],
            description=f"组织党员和群众{participants}人参加。",
            **extra,
        )
    )


def activities(life: Life, b: Branch) -> None:
    """6–16 activities since `life.since` (2–6 for a lapsing branch), of the ways of 4.2."""
    rng = life.rng
    count = rng.randint(6, 16) if b.plan == "regular" else rng.randint(2, 6)
    for _ in range(count):
        _activity(life, b.po, pick(rng, KIND_WEIGHTS), len(b.members), b.po.founded_on)


def pairings(life: Life, b: Branch) -> None:
    """结对共建 for 15% of the branches: with the community's or township's Party
    organization, or the supervisory unit's organ Party committee (by name); a tenth of them
    ended, followed by another; 2–5 activities with the current partner."""
    rng, rows = life.rng, life.ctx.rows
    if not share(rng, 0.15):
        return
    org = b.orgs[0]
    partner: PartyOrganization | None = life.community_pos.get(org.community_pk or 0)
    name = ""
    if partner is None or share(rng, 0.3):
        supervisor = org.obj.supervisor
        if supervisor is not None and share(rng, 0.5):
            partner, name = None, f"中共{supervisor.name}机关委员会"
        else:
            partner = life.township_pos[b.township.pk]
    earliest = max(b.po.founded_on, dt.date(2019, 1, 1))
    started = date_between(rng, earliest, DEMO_TODAY - dt.timedelta(days=30))
    content = rng.choice(PAIRING_CONTENT)
    pairing = Pairing(
        party_org=b.po, partner=partner, partner_name=name, started_on=started, content=content
    )
    rows.pairings.append(pairing)
    if started + dt.timedelta(days=400) < DEMO_TODAY and share(rng, 0.1):
        started = pairing.ended_on = date_between(rng, started + dt.timedelta(days=365), DEMO_TODAY)
        township = life.township_pos[b.township.pk]
        if partner is township:
            return
        rows.pairings.append(
            Pairing(
                party_org=b.po,
                partner=township,
                started_on=started,
                content=rng.choice(PAIRING_CONTENT),
            )
        )
        partner = township
    if partner is None:
        return
    for _ in range(rng.randint(2, 5)):
        _activity(life, b.po, ActivityKind.PAIRING, len(b.members), started, partner=partner)


# --- demonstration sites and 联组 -----------------------------------------------------------


def demonstration_sites(life: Life, branches: list[Branch]) -> None:
    """A few demonstration sites per district among its regular branches of 5+ members:
    one of the city's in half the districts, 1–2 of the district's, 1–3 named by townships."""
    rng, rows, city = life.rng, life.ctx.rows, life.ctx.city
    for district in city.districts:
        candidates = [
            b
            for b in branches
            if b.township.district is district and b.plan == "regular" and len(b.members) >= 5
        ]
        if not candidates:
            continue
        levels = (
            (SiteLevel.CITY, int(share(rng, 0.5)), f"中共{city.name}委社会工作部"),
            (SiteLevel.DISTRICT, rng.randint(1, 2), f"中共{district.name}委社会工作部"),
            (SiteLevel.TOWNSHIP, rng.randint(1, 3), ""),
        )
        for level, count, named_by in levels:
            for b in rng.sample(candidates, min(count, len(candidates))):
                earliest = max(2021, b.po.founded_on.year + 1)
                if earliest > DEMO_TODAY.year:
                    continue
                year = rng.randint(earliest, DEMO_TODAY.year)
                rows.demonstration_sites.append(
                    DemonstrationSite(
                        party_org=b.po,
                        level=level,
                        year=year,
                        named_by=named_by or life.township_pos[b.township.pk].name,
                    )
                )


def joint_groups(life: Life, branches: list[Branch]) -> None:
    """联组: in 70% of the townships with small branches (3 members or fewer) and a larger
    regular one to lead, the small ones in groups of 2–5 under it, since it was set up;
    6–12 joint activities each since it was set up, held by the lead."""
    rng, rows = life.rng, life.ctx.rows
    by_township: dict[int, list[Branch]] = {}
    for b in branches:
        by_township.setdefault(b.township.pk, []).append(b)
    for township in life.ctx.city.townships:
        here = by_township.get(township.pk, [])
        small = [b for b in here if len(b.members) <= SMALL and b.plan != "silent"]
        leads = [b for b in here if len(b.members) > SMALL and b.plan == "regular"]
        if not small or not leads or not share(rng, 0.7):
            continue
        lead = max(leads, key=lambda b: len(b.members))
        number = 0
        while small:
            size = rng.randint(2, 5)
            gathered, small = small[:size], small[size:]
            number += 1
            latest = max(b.po.founded_on for b in [lead, *gathered])
            founded = max(date_between(rng, dt.date(2021, 1, 1), dt.date(2025, 6, 30)), latest)
            suffix = "联组" if number == 1 else f"第{numeral(number)}联组"
            group = JointGroup(
                name=f"{township.name}社会组织党建{suffix}",
                lead=lead.po,
                township_id=township.pk,
                founded_on=min(founded, DEMO_TODAY),
            )
            rows.joint_groups.append(group)
            rows.joint_group_members.extend(
                JointGroupMember(group=group, party_org=b.po, started_on=group.founded_on)
                for b in [lead, *gathered]
            )
            people = sum(len(b.members) for b in [lead, *gathered])
            for _ in range(rng.randint(6, 12)):
                _activity(
                    life, lead.po, ActivityKind.JOINT, people, group.founded_on, joint_group=group
                )


def credit_reviews() -> int:
    """The demo's reviewed meetings (approved or returned) credited to the demo users who
    review them (`dangjian.accounts.demo.users`, made after the meetings): the township
    cadre's for its township, the district officer's for the rest of the district, the city
    officer's for the rest of the city; the meetings' history rows (one each, their
    creation) say the same. Where a scale has no such user (the other cities of the
    national scale) the reviewer stays unnamed. Returns how many meetings were credited."""
    from dangjian.accounts.models import Role, User

    credited = 0
    done: list[str] = []
    reviewers = User.objects.filter(
        username__in=["wenyilu_cadre", "furong_admin", "city_admin"],
        role__in=[Role.TOWNSHIP, Role.DISTRICT, Role.CITY],
        area__isnull=False,
    ).select_related("area")
    paths = {user: user.area.path for user in reviewers if user.area is not None}
    # the narrowest area first, so that each meeting goes to the nearest reviewer
    for user, path in sorted(paths.items(), key=lambda item: -len(item[1])):
        where = {"reviewed_at__isnull": False, "party_org__township__path__startswith": path}
        mine = Meeting.objects.filter(**where)
        for other in done:
            mine = mine.exclude(party_org__township__path__startswith=other)
        keys = list(mine.values_list("pk", flat=True))
        for start in range(0, len(keys), 900):
            batch = keys[start : start + 900]
            Meeting.objects.filter(pk__in=batch).update(reviewed_by=user)
            Meeting.history.filter(id__in=batch).update(reviewed_by=user)
        credited += len(keys)
        done.append(path)
    return credited
