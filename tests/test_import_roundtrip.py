"""Export → import → export gives the same file, for every kind, on random datasets."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.export import write_export
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.lib.codes import make_id_number, make_uscc
from tests.importing import write_csv

pytestmark = pytest.mark.django_db

TOWNSHIPS = [("芙蓉区", "文艺路街道"), ("芙蓉区", "朝阳街街道"), ("天心区", "坡子街街道")]
DISTRICT_CODE = {"芙蓉区": "430102", "天心区": "430103"}
KIND = {"社会团体": "1", "社会服务机构": "2", "基金会": "3"}
dates = st.dates(dt.date(1995, 1, 1), dt.date(2025, 12, 31))
names = st.text("长沙芙蓉天心文艺书法协会中心基金会服务社科技体育", min_size=2, max_size=12)


@st.composite
def orgs(draw):
    out = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(list(KIND)))
        district, township = draw(st.sampled_from(TOWNSHIPS))
        registry = draw(st.sampled_from([f"{district}民政局", "长沙市民政局"]))
        supervised = draw(st.booleans())
        registered = draw(dates)
        status = draw(st.sampled_from(["正常", "正常", "注销", "撤销", "停止活动"]))
        changed = (
            ""
            if status == "正常"
            else draw(st.dates(registered, dt.date(2025, 12, 31))).isoformat()
        )
        community = draw(st.sampled_from(["", "识字里社区"])) if township == "文艺路街道" else ""
        management = draw(
            st.sampled_from(
                ["", "委托乡镇(街道)", "属地乡镇(街道)"] + (["属地村(社区)"] if community else [])
            )
        )
        out.append([
            make_uscc(f"5{KIND[kind]}{DISTRICT_CODE[district]}{i:09d}"),
            draw(names),
            kind,
            registry,
            "业务主管单位" if supervised else "直接登记",
            draw(st.sampled_from(["长沙市教育局", "长沙市体育局"])) if supervised else "",
            draw(st.sampled_from(["文化", "教育", "其他", "行业协会商会"])),
            district,
            township,
            community,
            registered.isoformat(),
            status,
            changed,
            draw(st.sampled_from(["", "0", "7", "120"])),
            management,
        ])  # fmt: skip
    return out


@st.composite
def party_orgs(draw, usccs):
    rows, levels = [], []
    for i in range(draw(st.integers(0, 4))):
        level = draw(st.sampled_from(["党委", "党总支", "党支部"]))
        form = draw(st.sampled_from(["单独组建", "联合组建", "功能型", "行业党委", "乡镇(街道)"]))
        parents = [f"P{j}" for j in range(i) if levels[j] != "党支部"]
        parent = draw(st.sampled_from(["", *parents]))
        covers = (
            []
            if form == "乡镇(街道)"
            else draw(st.lists(st.sampled_from(usccs), unique=True, max_size=3))
        )
        founded = draw(dates)
        term = draw(st.sampled_from(["", founded.isoformat()]))
        dissolved = draw(
            st.sampled_from(["", draw(st.dates(founded, dt.date(2025, 12, 31))).isoformat()])
        )
        rows.append([
            f"P{i}", draw(names), level, form, parent, ";".join(sorted(covers)),
            draw(st.sampled_from(["文艺路街道", "坡子街街道"])), founded.isoformat(), term,
            "已撤销" if dissolved else "正常", dissolved,
        ])  # fmt: skip
        levels.append(level)
    # Children may come before their parents in the file.
    return draw(st.permutations(rows)) if rows else rows


@st.composite
def people(draw, usccs, codes):
    rows, persons = [], []
    for i in range(draw(st.integers(0, 5))):
        number = make_id_number(
            f"430102{draw(st.dates(dt.date(1950, 1, 1), dt.date(2000, 12, 31))):%Y%m%d}{i:03d}"
        )
        status = draw(st.sampled_from(["中共党员", "中共预备党员", "群众", "共青团员"]))
        joined = draw(dates) if status in ("中共党员", "中共预备党员") else None
        confirmed = (
            draw(st.dates(joined, dt.date(2025, 12, 31)))
            if status == "中共党员" and joined
            else None
        )
        relation = draw(st.sampled_from(["", *codes])) if joined else ""
        # 预备期延长至 (probationary only): after the normal end, 入党日期 + 1 year.
        extended = (
            draw(st.one_of(st.none(), st.integers(367, 730)))
            if status == "中共预备党员" and joined
            else None
        )
        own = [
            status,
            joined.isoformat() if joined else "",
            confirmed.isoformat() if confirmed else "",
            relation,
            (joined + dt.timedelta(days=extended)).isoformat() if joined and extended else "",
        ]
        name = draw(names)
        jobs = draw(
            st.lists(
                st.tuples(st.sampled_from(usccs), st.one_of(st.none(), dates)),
                max_size=2,
                unique=True,
            )
        )
        persons.append((name, number))
        if not jobs:
            rows.append([name, number, "", "", "", "", *own])
        for uscc, started in jobs:
            left = draw(
                st.one_of(
                    st.none(), st.dates(started or dt.date(1995, 1, 1), dt.date(2025, 12, 31))
                )
            )
            rows.append([
                name, number, uscc, draw(st.sampled_from(["", "负责人", "一线员工"])),
                started.isoformat() if started else "", left.isoformat() if left else "", *own,
            ])  # fmt: skip
    return rows, persons


LAST = dt.date(2025, 12, 31)  # the latest day the datasets use (before today)


@st.composite
def applicant_rows(draw, people_rows, codes):
    """`applicants`: people who were no members yet on the day they applied, developed by a
    Party organization, each step on or after the one before (docs/development.md)."""
    joined = {r[1]: r[7] for r in people_rows}
    rows = []
    if not joined or not codes:
        return rows
    for number in draw(st.lists(st.sampled_from(sorted(joined)), unique=True, max_size=3)):
        day = joined[number]
        last = dt.date.fromisoformat(day) - dt.timedelta(days=1) if day else LAST
        if last < dt.date(1995, 1, 1):
            continue
        applied = draw(st.dates(dt.date(1995, 1, 1), last))

        def after(day, empty=True):
            later = st.dates(day, LAST)
            return draw(st.one_of(st.none(), later) if empty else later)

        talked, activist = after(applied), after(applied)
        candidate = after(activist) if activist else None
        status = draw(st.sampled_from(["培养中", "已接收为预备党员", "已停止培养"]))
        changed = after(applied, empty=False) if status != "培养中" else None
        rows.append([
            number, draw(st.sampled_from(codes)), applied.isoformat(),
            *(d.isoformat() if d else "" for d in (talked, activist, candidate)),
            status, changed.isoformat() if changed else "",
        ])  # fmt: skip
    return rows


@st.composite
def transfer_rows(draw, people_rows, po_rows, meetings):
    """`transfers` (docs/transfers.md): members transferred from the Party organization
    holding their relation, on or after they joined, to another one not dissolved by then
    or to one outside the system; open, received (the relation moves: after the last
    meeting they are listed at, which the relation's history must still hold) or returned."""
    holders = {r[1]: (r[7], r[9]) for r in people_rows if r[7] and r[9]}
    listed: dict[str, dt.date] = {}
    for meeting in meetings:  # 召开日期 and the three lists of attendance
        day = dt.date.fromisoformat(meeting[3])
        for number in holders:
            if any(number in cell for cell in meeting[12:15]):
                listed[number] = max(listed.get(number, day), day)
    dissolved = {r[0]: dt.date.fromisoformat(r[10]) if r[10] else None for r in po_rows}
    rows = []
    for number in draw(st.lists(st.sampled_from(sorted(holders)), unique=True, max_size=3)
                       if holders else st.just([])):  # fmt: skip
        joined, source = holders[number]
        issued = draw(st.dates(dt.date.fromisoformat(joined), LAST))
        targets = [c for c, d in dissolved.items() if c != source and (d is None or d > issued)]
        target = draw(st.sampled_from(["", *targets]))
        status = draw(st.sampled_from(["办理中", "已接收", "已退回"]))
        first = max(issued, listed.get(number, issued) + dt.timedelta(days=1))
        if status == "已接收" and first > LAST:
            status = "已退回"
        received = draw(st.dates(first, LAST)).isoformat() if status == "已接收" else ""
        rows.append([
            number, source, target, "" if target else "外省某街道党工委",
            draw(st.sampled_from(["", "芙组转〔2025〕1号"])), issued.isoformat(), status,
            received,
        ])  # fmt: skip
    return rows


@st.composite
def dues_records(draw, people_rows, po_rows):
    """`dues` (members, from the month they joined; the categories with and without a base;
    amounts at the brackets' edges), `dues-returns` (Party organizations of social
    organizations) and `funds` (docs/dues.md)."""
    joined = {r[1]: dt.date.fromisoformat(r[7]) for r in people_rows if r[7]}
    dues: dict[tuple[str, str], list[str]] = {}
    for number in draw(st.lists(st.sampled_from(sorted(joined)), unique=True, max_size=3)
                       if joined else st.just([])):  # fmt: skip
        first = max(joined[number], dt.date(2020, 1, 1))
        for _ in range(draw(st.integers(1, 3))):
            day = draw(st.dates(first, LAST))
            month = f"{day.year:04d}-{day.month:02d}"
            category = draw(st.sampled_from(["在职", "离退休", "学生", "失业或低保"]))
            base = (
                draw(st.sampled_from(["3000", "3000.01", "5000.00", "10000.01", "0", "1234.5"]))
                if category in ("在职", "离退休")
                else ""
            )
            paid = draw(st.sampled_from(["0", "0.20", "15.00", "75.5"]))
            paid_on = draw(st.dates(day, LAST)).isoformat() if paid != "0" else ""
            dues[(number, month)] = [number, month, category, base, paid, paid_on, ""]
    social = [r[0] for r in po_rows if r[3] != "乡镇(街道)"]
    returns = {}
    for code, year in draw(st.lists(st.tuples(st.sampled_from(social), st.integers(2016, 2024)),
                                    max_size=3) if social else st.just([])):  # fmt: skip
        returned = draw(st.sampled_from(["0", "100.00", "1200.5"]))
        returns[(code, year)] = [
            code, str(year), draw(st.sampled_from(["0", "1200.50", "99.99"])), returned,
            draw(st.dates(dt.date(year, 1, 1), LAST)).isoformat() if returned != "0" else "",
        ]  # fmt: skip
    funds = {}
    codes = [r[0] for r in po_rows]
    for code, year, source in draw(st.lists(st.tuples(
        st.sampled_from(codes), st.integers(2016, 2025),
        st.sampled_from(["财政预算", "税前列支", "党费扶持", "捐助"])), max_size=3)
        if codes else st.just([])):  # fmt: skip
        funds[(code, year, source)] = [
            code,
            str(year),
            source,
            draw(st.sampled_from(["0", "500", "3.5"])),
        ]
    return {
        "dues": list(dues.values()),
        "dues-returns": list(returns.values()),
        "funds": list(funds.values()),
    }


# A study's body (its district) and the ways a file may name it.
STUDY_BODIES = {"430102": ["芙蓉区", "中共芙蓉区委", "430102"], "430103": ["天心区", "430103"]}


@st.composite
def instructor_visits(draw, instructors):
    """Visits of the instructors on days they were assigned to the organization."""
    out: dict[tuple[str, str, str], list[str]] = {}
    for _ in range(draw(st.integers(0, 3)) if instructors else 0):
        _name, number, _source, uscc, assigned, ended = draw(st.sampled_from(instructors))
        first = dt.date.fromisoformat(assigned)
        last = dt.date.fromisoformat(ended) - dt.timedelta(days=1) if ended else LAST
        if last < first:
            continue
        day = draw(st.dates(first, min(last, LAST))).isoformat()
        out[(number, uscc, day)] = [
            number, uscc, day, draw(st.sampled_from(["", "宣讲政策", "一、座谈\n二、走访"])),
            draw(st.sampled_from(["是", "否"])), draw(st.sampled_from(["是", "否"])),
            str(draw(st.integers(0, 5))), str(draw(st.integers(0, 3))),
        ]  # fmt: skip
    return list(out.values())


@st.composite
def work_bodies(draw, org_rows):
    """Work bodies of the two districts (and a park's), their staff, township cadres and
    contact points of the organizations (docs/bodies.md)."""
    bodies, staff, cadres, points = [], {}, {}, {}
    for i, (code, names_) in enumerate(STUDY_BODIES.items()):
        if not draw(st.booleans()):
            continue
        name = f"{names_[0]}社会组织党建工作机构{i}"
        established = draw(st.one_of(st.none(), dates))
        bodies.append([
            name, draw(st.sampled_from([names_[0], code])), draw(st.sampled_from(["区县", "园区"])),
            established.isoformat() if established else "",
        ])  # fmt: skip
        for _ in range(draw(st.integers(0, 2))):
            started = draw(st.dates(established or dt.date(1995, 1, 1), LAST))
            ended = draw(st.one_of(st.none(), st.dates(started, LAST)))
            person = draw(st.sampled_from(["张明", "李华", "王强"]))
            staff[(name, person, started)] = [
                name, person, draw(st.sampled_from(["主任", "干事"])),
                draw(st.sampled_from(["专职", "兼职"])), started.isoformat(),
                ended.isoformat() if ended else "",
            ]  # fmt: skip
    for _ in range(draw(st.integers(0, 2))):
        district, township = draw(st.sampled_from(TOWNSHIPS))
        started = draw(dates)
        ended = draw(st.one_of(st.none(), st.dates(started, LAST)))
        person = draw(st.sampled_from(["赵丽", "钱进"]))
        cadres[(township, person, started)] = [
            district, township, person, "组织委员", draw(st.sampled_from(["专职", "兼职"])),
            started.isoformat(), ended.isoformat() if ended else "",
        ]  # fmt: skip
    for _ in range(draw(st.integers(0, 2))):
        uscc = draw(st.sampled_from([r[0] for r in org_rows]))
        started = draw(dates)
        ended = draw(st.one_of(st.none(), st.dates(started, LAST)))
        leader = draw(st.sampled_from(["孙伟", "周敏"]))
        points[(leader, uscc, started)] = [
            "长沙市民政局", leader, "副局长", uscc, started.isoformat(),
            ended.isoformat() if ended else "",
        ]  # fmt: skip
    return {
        "work-bodies": bodies,
        "work-body-staff": list(staff.values()),
        "township-cadres": list(cadres.values()),
        "contact-points": list(points.values()),
    }


@st.composite
def datasets(draw):
    org_rows = draw(orgs())
    usccs = [r[0] for r in org_rows]
    po_rows = draw(party_orgs(usccs))
    codes = [r[0] for r in po_rows]
    people_rows, persons = draw(people(usccs, codes))
    committees = []
    if codes and persons:
        for _ in range(draw(st.integers(0, 3))):
            started = draw(dates)
            ended = draw(st.one_of(st.none(), st.dates(started, dt.date(2025, 12, 31))))
            role = draw(st.sampled_from(["书记", "副书记", "委员"]))
            source = (
                draw(st.sampled_from(["", "内部选举", "社会组织负责人兼任", "公开招聘"]))
                if role == "书记"
                else ""
            )
            committees.append([
                draw(st.sampled_from(codes)), draw(st.sampled_from(persons))[1], role,
                started.isoformat(), ended.isoformat() if ended else "",
                draw(st.sampled_from(["是", "否"])), source,
            ])  # fmt: skip
        committees = list({tuple(r[:4]): r for r in committees}.values())
    instructors = []
    for i in range(draw(st.integers(0, 3))):
        assigned = draw(dates)
        ended = draw(st.one_of(st.none(), st.dates(assigned, dt.date(2025, 12, 31))))
        instructors.append([
            f"指导员{i}", make_id_number(f"43010319600101{i:03d}"),
            draw(st.sampled_from(["党政机关", "离退休干部", "其他"])), draw(st.sampled_from(usccs)),
            assigned.isoformat(), ended.isoformat() if ended else "",
        ])  # fmt: skip
    groups, meetings = draw(organization_life(po_rows, people_rows, persons))
    life = draw(life_records(po_rows))
    trainings: dict[tuple[str, str, str], list[str]] = {}
    for _ in range(draw(st.integers(0, 4)) if persons else 0):
        started = draw(st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)))
        ended = started + dt.timedelta(days=draw(st.integers(0, 9)))
        span = (ended - started).days + 1
        tenths = draw(st.integers(1, span * 10))
        days = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
        row = [
            draw(st.sampled_from(persons))[1],
            draw(st.sampled_from(["书记示范培训班", "新任书记任职培训班", "党务工作者培训班"])),
            draw(st.sampled_from(["集中培训", "任职培训", "其他"])),
            draw(st.sampled_from(["长沙市委党校", "芙蓉区社会组织党工委"])),
            started.isoformat(), ended.isoformat(), days,
        ]  # fmt: skip
        trainings[(row[0], row[1], row[4])] = row
    recommendations: dict[tuple[str, str, str], list[str]] = {}
    leading = [r for r in people_rows if r[3] == "负责人"]
    for _ in range(draw(st.integers(0, 3)) if leading else 0):
        job = draw(st.sampled_from(leading))
        first = dt.date.fromisoformat(job[4]) if job[4] else dt.date(2000, 1, 1)
        last = dt.date.fromisoformat(job[5]) - dt.timedelta(days=1) if job[5] else LAST
        if last < first:
            continue
        day = draw(st.dates(first, min(last, LAST))).isoformat()
        kind = draw(st.sampled_from(["党代会代表", "人大代表", "政协委员", "劳动模范"]))
        recommendations[(job[1], kind, day)] = [
            job[1], kind, day, draw(st.sampled_from(["", *codes])),
            draw(st.sampled_from(["", "同意", "不同意"])),
        ]  # fmt: skip
    applicants = draw(applicant_rows(people_rows, codes))
    transfers = draw(transfer_rows(people_rows, po_rows, meetings))
    workers: dict[tuple[str, str, str], list[str]] = {}
    allowances: dict[tuple[str, str, str], list[str]] = {}
    founded = {r[0]: dt.date.fromisoformat(r[7]) for r in po_rows}
    for _ in range(draw(st.integers(0, 3)) if codes and persons else 0):
        code = draw(st.sampled_from(codes))
        started = draw(st.dates(founded[code], LAST))
        ended = draw(st.one_of(st.none(), st.dates(started, LAST)))
        number = draw(st.sampled_from(persons))[1]
        workers[(code, number, started.isoformat())] = [
            code, number, draw(st.sampled_from(["是", "否"])), started.isoformat(),
            ended.isoformat() if ended else "",
        ]  # fmt: skip
        year = draw(st.integers(started.year, (ended or LAST).year))
        if ended is None or ended > dt.date(year, 1, 1):
            allowances[(code, number, str(year))] = [
                code, number, str(year), draw(st.sampled_from(["0", "1800", "3600.5", "12.34"])),
            ]  # fmt: skip
    return {
        "orgs": org_rows,
        "party-orgs": po_rows,
        "people": people_rows,
        "committees": committees,
        "instructors": instructors,
        "party-groups": groups,
        "meetings": meetings,
        "trainings": list(trainings.values()),
        "applicants": applicants,
        "transfers": transfers,
        **life,
        "recommendations": list(recommendations.values()),
        "studies": [
            [
                draw(st.sampled_from(STUDY_BODIES[body])),
                day.isoformat(),
                draw(st.sampled_from(["研究社会组织党建工作", "专题会议"])),
            ]
            for body, day in {
                (draw(st.sampled_from(sorted(STUDY_BODIES))), draw(dates))
                for _ in range(draw(st.integers(0, 3)))
            }
        ],
        "instructor-visits": draw(instructor_visits(instructors)),
        "party-workers": list(workers.values()),
        "worker-allowances": list(allowances.values()),
        **draw(work_bodies(org_rows)),
        **draw(dues_records(people_rows, po_rows)),
        **draw(dynamics_records(org_rows, po_rows)),
    }


@st.composite
def dynamics_records(draw, org_rows, po_rows):
    """Inspections, evaluations (of the organizations, after their registration),
    rectifications, centres and venue checks (of the Party organizations, after founding)."""
    registered_at = [c.key for c in KINDS["orgs"].columns].index("registered_on")
    inspections, evaluations = {}, {}
    for row in draw(st.lists(st.sampled_from(org_rows), max_size=3)):
        registered = dt.date.fromisoformat(row[registered_at])
        if registered.year > 2024:
            continue
        year = draw(st.integers(registered.year, 2024))
        day = draw(st.dates(dt.date(year + 1, 1, 1), LAST))
        inspections[(row[0], year)] = [row[0], str(year), draw(st.sampled_from(["合格", "不合格"])),
                                       draw(st.sampled_from(["是", "否"])), day.isoformat()]  # fmt: skip
        on = draw(st.dates(registered, LAST))
        party = draw(st.sampled_from(["是", "否"]))
        evaluations[(row[0], on)] = [
            row[0], on.isoformat(), draw(st.sampled_from(["1A", "3A", "5A"])),
            (on + dt.timedelta(days=1826)).isoformat(), party,
            draw(st.sampled_from(["", "75"])) if party == "是" else "",
        ]  # fmt: skip
    centres = ["文艺路街道党群服务中心"] if draw(st.booleans()) else []
    rectifications, venues = {}, {}
    for row in draw(st.lists(st.sampled_from(po_rows), max_size=3) if po_rows else st.just([])):
        founded = dt.date.fromisoformat(row[7])
        on = draw(st.dates(founded, LAST))
        resolved = draw(st.sampled_from(["", draw(st.dates(on, LAST)).isoformat()]))
        rectifications[(row[0], on)] = [row[0], on.isoformat(), "组织生活不正常",
                                        draw(st.dates(on, dt.date(2027, 12, 31))).isoformat(),
                                        resolved]  # fmt: skip
        checked = draw(st.dates(founded, LAST))
        venues[(row[0], checked)] = [
            row[0], draw(st.sampled_from(["党员活动室", *centres])),
            *(draw(st.sampled_from(["是", "否"])) for _ in range(6)), checked.isoformat(),
        ]  # fmt: skip
    return {
        "inspections": list(inspections.values()),
        "evaluations": list(evaluations.values()),
        "rectifications": list(rectifications.values()),
        "service-centres": [
            [c, "文艺路街道", "文艺路1号", "800", "", "周一至周五", ""] for c in centres
        ],
        "venues": list(venues.values()),
    }


TYPES = [
    "支部党员大会",
    "支部委员会会议",
    "党小组会",
    "党课",
    "组织生活会",
    "民主评议党员",
    "主题党日",
]
DUTIES = [
    "保证政治方向",
    "团结凝聚群众",
    "服务人才成长",
    "推动事业发展",
    "建设先进文化",
    "加强自身建设",
]


@st.composite
def organization_life(draw, po_rows, people_rows, persons):
    """Party groups of the branches, and meetings with attendance of their members."""
    last = dt.date(2025, 12, 31)
    groups, meetings = [], []
    members: dict[str, list[tuple[str, dt.date]]] = {}
    for row in people_rows:
        number, joined, relation = row[1], row[7], row[9]
        if (
            relation
            and joined
            and (number, dt.date.fromisoformat(joined)) not in members.get(relation, [])
        ):
            members.setdefault(relation, []).append((number, dt.date.fromisoformat(joined)))
    for code, _name, level, _form, *_rest in po_rows:
        founded = dt.date.fromisoformat(_rest[-4])
        dissolved = dt.date.fromisoformat(_rest[-1]) if _rest[-1] else None
        end = min(last, (dissolved - dt.timedelta(days=1)) if dissolved else last)
        if end < founded:
            continue
        mine = []
        if level == "党支部":
            for g in range(draw(st.integers(0, 2))):
                start = draw(st.dates(founded, end))
                stop = draw(st.one_of(st.none(), st.dates(start, last)))
                leader = draw(st.sampled_from(["", *(n for _name, n in persons)]))
                groups.append([
                    code, f"第{g + 1}党小组", leader, start.isoformat(),
                    stop.isoformat() if stop else "",
                ])  # fmt: skip
                mine.append((f"第{g + 1}党小组", start, stop))
        seen = set()
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(TYPES))
            held = draw(st.dates(founded, end))
            group = ""
            if kind == "党小组会":
                alive = [g for g in mine if g[1] <= held and (g[2] is None or g[2] > held)]
                if not alive:
                    continue
                group = draw(st.sampled_from(alive))[0]
            if (kind, held, group) in seen:
                continue
            seen.add((kind, held, group))
            here = [n for n, joined in members.get(code, []) if joined <= held]
            chosen = draw(st.lists(st.sampled_from(here), unique=True)) if here else []
            attended, leave, absent = [], [], []
            for number in chosen:
                status = draw(st.sampled_from(["出席", "出席", "请假", "缺席"]))
                if status == "出席":
                    attended.append(number)
                elif status == "请假":
                    leave.append(number + draw(st.sampled_from(["", "（出差）"])))
                else:
                    absent.append(number)
            counts = (
                [str(len(chosen)), str(len(attended))]
                if chosen or draw(st.booleans())
                else ["", ""]
            )
            meetings.append([
                code, kind, group, held.isoformat(), draw(names), *counts,
                "、".join(draw(st.lists(st.sampled_from(DUTIES), unique=True, max_size=3))),
                draw(st.sampled_from(["", "会议室"])), draw(st.sampled_from(["", "张书记"])), "",
                draw(st.sampled_from(["", "一、学习\n二、讨论"])),
                ";".join(attended), ";".join(leave), ";".join(absent),
            ])  # fmt: skip
    return groups, meetings


ACTIVITY_KINDS = [
    "党员示范岗", "党员责任区", "党员承诺", "设岗定责", "建言献策", "志愿服务", "在职党员到社区报到",
    "主题活动", "结对共建", "网络平台活动", "联组活动",
]  # fmt: skip


def _overlap(a: tuple[dt.date, dt.date | None], b: tuple[dt.date, dt.date | None]) -> bool:
    return (b[1] is None or a[0] < b[1]) and (a[1] is None or b[0] < a[1])


def _holds(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end > day)


@st.composite
def life_records(draw, po_rows):
    """Pairings, demonstration sites, 联组 with their members and activities (of 结对共建
    with another Party organization, of a 联组 the Party organization leads or belongs to on
    the day) inside the lives of the Party organizations."""
    last = dt.date(2025, 12, 31)
    codes = [row[0] for row in po_rows]
    alive: dict[str, tuple[dt.date, dt.date, dt.date | None]] = {}
    for row in po_rows:
        founded = dt.date.fromisoformat(row[7])
        dissolved = dt.date.fromisoformat(row[10]) if row[10] else None
        end = min(last, dissolved - dt.timedelta(days=1)) if dissolved else last
        if end >= founded:
            alive[row[0]] = (founded, end, dissolved)
    pairings: list[list[str]] = []
    periods: dict[tuple[str, str, str], list[tuple[dt.date, dt.date | None]]] = {}
    sites: dict[tuple[str, str, int], list[str]] = {}
    for code, (founded, end, dissolved) in alive.items():
        for _ in range(draw(st.integers(0, 2))):
            started = draw(st.dates(founded, end))
            stop = draw(st.one_of(st.none(), st.dates(started, dt.date(2027, 6, 30))))
            partner = draw(st.sampled_from(["", *(c for c in codes if c != code)]))
            name = (
                ""
                if partner
                else draw(st.sampled_from(["中共长沙市教育局机关委员会", "中共某社区委员会"]))
            )
            mine = periods.setdefault((code, partner, name), [])
            if any(
                other[0] == started or _overlap((started, stop), other) for other in mine
            ):  # a pairing is keyed by its start: an empty one (ended on its start) too
                continue
            mine.append((started, stop))
            pairings.append([
                code, partner, name, started.isoformat(), stop.isoformat() if stop else "",
                draw(st.sampled_from(["", "联学联建，共享阵地"])),
            ])  # fmt: skip
        for _ in range(draw(st.integers(0, 2))):
            year = draw(st.integers(max(2000, founded.year), 2025))
            if dissolved is not None and dissolved <= dt.date(year, 1, 1):
                continue
            level = draw(st.sampled_from(["市级", "区（县、市）级", "乡镇（街道）级"]))
            sites[(code, level, year)] = [
                code, level, str(year), draw(st.sampled_from(["", "中共长沙市委社会工作部"])),
            ]  # fmt: skip
    joint: list[list[str]] = []
    groups = []  # (name, lead, founded, dissolved, {member: (start, end)})
    joint_activities: list[list[str]] = []
    for number in range(draw(st.integers(0, 2)) if alive else 0):
        lead = draw(st.sampled_from(sorted(alive)))
        founded = draw(st.dates(alive[lead][0], alive[lead][1]))
        dissolved = (
            draw(st.one_of(st.none(), st.dates(founded + dt.timedelta(days=1), last)))
            if founded < last
            else None  # founded on the last day: it cannot be dissolved after it
        )
        township = draw(st.sampled_from(["", "文艺路街道", "坡子街街道"]))
        name = f"第{number + 1}联组"
        members: dict[str, tuple[dt.date, dt.date | None]] = {}
        others = draw(st.lists(st.sampled_from(sorted(alive)), unique=True, max_size=3))
        for member in [lead, *(m for m in others if m != lead)]:
            first = max(founded, alive[member][0])
            final = alive[member][1]
            if dissolved is not None:
                final = min(final, dissolved - dt.timedelta(days=1))
            if first > final:
                continue
            started = draw(st.dates(first, final))
            stop = draw(st.one_of(st.none(), st.dates(started, dissolved or last)))
            members[member] = (started, stop)
            joint.append([
                name, lead, township, founded.isoformat(),
                dissolved.isoformat() if dissolved else "", member, started.isoformat(),
                stop.isoformat() if stop else "",
            ])  # fmt: skip
        groups.append((name, lead, founded, dissolved, members))
        final = (
            alive[lead][1]
            if dissolved is None
            else min(alive[lead][1], dissolved - dt.timedelta(days=1))
        )
        for _ in range(draw(st.integers(0, 2))):  # the lead's joint activities
            held = draw(st.dates(founded, final))
            joint_activities.append([
                lead, "联组活动", held.isoformat(), draw(names), "", "", "", name, "", "",
            ])  # fmt: skip
    activities = {(r[0], r[1], dt.date.fromisoformat(r[2]), r[3]): r for r in joint_activities}
    for code, (founded, end, _dissolved) in alive.items():
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(ACTIVITY_KINDS))
            held = draw(st.dates(founded, end))
            partner = group = ""
            if kind == "结对共建":
                others = [c for c in codes if c != code]
                if not others:
                    continue
                partner = draw(st.sampled_from(others))
            if kind == "联组活动":
                there = [
                    g[0] for g in groups
                    if _holds(g[2], g[3], held)
                    and (g[1] == code or (code in g[4] and _holds(*g[4][code], held)))
                ]  # fmt: skip
                if not there:
                    continue
                group = draw(st.sampled_from(there))
            title = draw(names)
            activities[(code, kind, held, title)] = [
                code, kind, held.isoformat(), title, draw(st.sampled_from(["", "0", "25"])),
                "、".join(draw(st.lists(st.sampled_from(DUTIES), unique=True, max_size=2))),
                partner, group, draw(st.sampled_from(["", "七一", "换届"])),
                draw(st.sampled_from(["", "一、学习\n二、讨论"])),
            ]  # fmt: skip
    return {
        "pairings": pairings,
        "demonstration-sites": list(sites.values()),
        "joint-groups": joint,
        "activities": list(activities.values()),
    }


def _export(kind: str) -> str:
    out = io.StringIO()
    write_export(kind, out, unmask=True)
    return out.getvalue()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=datasets())
def test_export_import_export_is_identical_for_every_kind(areas, tmp_path, data):
    with transaction.atomic():
        unit_ensure_registries(under=areas["city"])
        for kind in KINDS:
            path = write_csv(tmp_path / f"{kind}.csv", data[kind], kind=kind)
            result = import_file(kind, path)
            assert result.ok, [str(e) for e in result.errors]
        first = {kind: _export(kind) for kind in KINDS}
        for kind in KINDS:
            path = tmp_path / f"{kind}-exported.csv"
            path.write_text(first[kind], encoding="utf-8")
            again = import_file(kind, path)
            assert again.ok, [str(e) for e in again.errors]
            assert (again.created, again.updated) == (0, 0), (kind, again.changes)
        assert {kind: _export(kind) for kind in KINDS} == first
        transaction.set_rollback(True)
