"""A synthetic, reproducible demo dataset: `dangjian demo` and the benchmarks call `generate`.

Everything is drawn from `random.Random` seeded with the seed and the city being generated,
against the fixed date `DEMO_TODAY`, so that the same seed and scale give the same data on
every machine and every day (only the encrypted identity numbers and the passwords differ:
Fernet and `secrets` are randomized on purpose). docs/demo-data.md gives every distribution
and the public figures it follows.

Rows go in with `bulk_create_with_history` (one history row each, reason `CHANGE_REASON`),
one city (地级市) at a time: the national scale never holds more than one city's rows.

Over 2,000 lines in one module, not by choice: every record draws from one random sequence,
so moving a step changes the data unless the order of the draws is kept exactly. Issue 13
item 4 splits it by app, held to `tests/test_demo_fingerprint.py` (same seed, same data).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from stdnum import numdb

from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.compliance.policy import load as load_policy
from dangjian.lib.codes import USCC_KIND_CHARACTER, make_id_number, make_uscc
from dangjian.orgs.models import (
    Industry,
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    Instructor,
    InstructorAssignment,
    InstructorSource,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.models import (
    Employment,
    Membership,
    Person,
    PoliticalStatus,
    Position,
)

# The as-of date of the demo data: fixed, so that the data are the same on every day.
DEMO_TODAY = dt.date(2026, 11, 26)
CHANGE_REASON = "生成演示数据"
BATCH_SIZE = 2000
CHANGSHA = "430100"
HUNAN = "430000"
POLICY_DATE = dt.date(2015, 1, 9)  # 长办发〔2015〕2号: the wave of Party organizations after it
# The city has used the system for two years: what its rules found since then was mostly put
# right within the period the policy sets, what arose before mostly long ago.
SYSTEM_SINCE = DEMO_TODAY.replace(year=DEMO_TODAY.year - 2)
WAVE_ENDS = dt.date(2019, 12, 31)  # the wave of Party organizations after the policy
INSTRUCTORS_FROM = dt.date(2015, 6, 1)  # the first instructors were sent after the policy
# How likely a situation a rule finds is still open on the as-of date: while its period runs
# (most are, nobody has got to them yet), once overdue when it arose since the system came
# into use, and when it arose before.
OPEN_NOT_DUE = 0.65
OPEN_SINCE_SYSTEM = 0.01
OPEN_BEFORE_SYSTEM = 0.0005


# --- scales -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str  # city / province / national / a number
    orgs: int
    root: str  # the area whose districts receive organizations
    label: str
    communities: bool = True  # communities are loaded and used
    chunked: bool = False  # one transaction per city (national) instead of one for all


SCALES = {
    "city": Scale("city", 8_000, CHANGSHA, "长沙市"),
    "province": Scale("province", 35_000, HUNAN, "湖南省"),
    "national": Scale("national", 890_000, "", "全国", communities=False, chunked=True),
}


def parse_scale(value: str | int | Scale) -> Scale:
    """city / province / national, or a number of organizations (in Changsha)."""
    if isinstance(value, Scale):
        return value
    text = str(value).strip()
    if text in SCALES:
        return SCALES[text]
    if text.isdigit() and int(text) > 0:
        return Scale(text, int(text), CHANGSHA, f"长沙市（{int(text)}个社会组织）")
    raise ValueError(f"规模「{value}」无效：应为 city、province、national 或正整数（社会组织数）")


class DatabaseNotEmpty(Exception):
    """The database already holds organizations, Party organizations or people."""


@dataclass
class DemoUser:
    username: str
    password: str
    role: str  # the role's Chinese label
    scope: str  # what the user may see
    created: bool = True


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
            f"党建工作指导员 {c['instructors']} 人，用户 {c['users']} 个，"
            f"用时 {self.seconds:.1f} 秒"
        )


Progress = Callable[[str, int, int], None]  # (what is being done, orgs done, orgs in all)


# --- public figures and the distributions built on them (docs/demo-data.md) -----------------

# Changsha at the end of 2016: 1,368 associations, 3,394 service agencies, 14 foundations.
KIND_WEIGHTS = {
    OrgKind.ASSOCIATION: 1368,
    OrgKind.SERVICE_AGENCY: 3394,
    OrgKind.FOUNDATION: 14,
}
INDUSTRY_WEIGHTS: dict[str, dict[str, int]] = {
    OrgKind.ASSOCIATION: {
        Industry.TRADE: 26,
        Industry.SCIENCE: 10,
        Industry.CULTURE: 12,
        Industry.SPORTS: 11,
        Industry.CHARITY: 6,
        Industry.COMMUNITY: 5,
        Industry.EDUCATION: 6,
        Industry.HEALTH: 6,
        Industry.ELDERLY: 4,
        Industry.LAW: 3,
        Industry.AGRICULTURE: 6,
        Industry.ENVIRONMENT: 2,
        Industry.OTHER: 3,
    },
    OrgKind.SERVICE_AGENCY: {
        Industry.EDUCATION: 38,
        Industry.ELDERLY: 12,
        Industry.HEALTH: 9,
        Industry.COMMUNITY: 12,
        Industry.CHARITY: 5,
        Industry.CULTURE: 6,
        Industry.SPORTS: 6,
        Industry.SCIENCE: 4,
        Industry.LAW: 2,
        Industry.AGRICULTURE: 1,
        Industry.ENVIRONMENT: 1,
        Industry.TRADE: 1,
        Industry.OTHER: 3,
    },
    OrgKind.FOUNDATION: {
        Industry.CHARITY: 55,
        Industry.EDUCATION: 25,
        Industry.CULTURE: 8,
        Industry.HEALTH: 7,
        Industry.OTHER: 5,
    },
}
# The four classes that register directly since 2013 (行业协会商会类、科技类、公益慈善类、
# 城乡社区服务类); the others keep a business supervisory unit more often.
DIRECT_INDUSTRIES = {Industry.TRADE, Industry.SCIENCE, Industry.CHARITY, Industry.COMMUNITY}
DIRECT_SINCE = dt.date(2013, 1, 1)

# Business supervisory units (业务主管单位) of a city, and the industries each one supervises.
SUPERVISORS: list[tuple[str, tuple[str, ...]]] = [
    ("教育局", (Industry.EDUCATION,)),
    ("卫生健康委员会", (Industry.HEALTH, Industry.ELDERLY)),
    ("科学技术局", (Industry.SCIENCE,)),
    ("文化旅游广电局", (Industry.CULTURE,)),
    ("体育局", (Industry.SPORTS,)),
    ("商务局", (Industry.TRADE,)),
    ("民族宗教事务委员会", (Industry.OTHER,)),
    ("司法局", (Industry.LAW,)),
    ("农业农村局", (Industry.AGRICULTURE,)),
    ("生态环境局", (Industry.ENVIRONMENT,)),
    ("人力资源和社会保障局", (Industry.EDUCATION, Industry.OTHER)),
    ("工商业联合会", (Industry.TRADE,)),
    ("残疾人联合会", (Industry.CHARITY, Industry.COMMUNITY)),
]

# Where the organizations are (shares of Changsha's organizations per district): the five
# central districts are denser than the suburban districts and county-level cities.
CHANGSHA_DISTRICT_SHARES = {
    "430102": 0.14,  # 芙蓉区
    "430103": 0.13,  # 天心区
    "430104": 0.17,  # 岳麓区
    "430105": 0.12,  # 开福区
    "430111": 0.15,  # 雨花区
    "430112": 0.07,  # 望城区
    "430121": 0.10,  # 长沙县
    "430181": 0.07,  # 浏阳市
    "430182": 0.05,  # 宁乡市
}


def _year_weight(year: int) -> float:
    """Registrations per year: slow in the 1990s, fast after 2008 (4,776 by the end of 2016,
    about 8,000 ten years on)."""
    if year < 2000:
        return 0.6
    if year < 2008:
        return 1.5
    if year < 2013:
        return 3.0
    if year < 2017:
        return 5.5
    return 4.0


REGISTRATION_YEARS = list(range(1990, DEMO_TODAY.year + 1))
REGISTRATION_YEAR_WEIGHTS = [
    _year_weight(y) * (DEMO_TODAY.timetuple().tm_yday / 365 if y == DEMO_TODAY.year else 1)
    for y in REGISTRATION_YEARS
]

# Status (登记状态): about 94% 正常.
STATUS_WEIGHTS = {
    OrgStatus.ACTIVE: 940,
    OrgStatus.DEREGISTERED: 30,
    OrgStatus.REVOKED: 15,
    OrgStatus.INACTIVE: 15,
}
# Party members per organization: most have none (national 2023: 183,000 Party
# organizations for 891,300 organizations; Changsha 2016: 628 for 4,776).
MEMBER_CATEGORY_WEIGHTS = (0.71, 0.17, 0.12)  # none, 1–2 formal, 3 or more formal
INSTRUCTOR_SOURCE_WEIGHTS = {
    InstructorSource.ORGAN: 30,
    InstructorSource.STATE_UNIT: 20,
    InstructorSource.RETIRED_CADRE: 25,
    InstructorSource.VETERAN: 10,
    InstructorSource.VILLAGE_OFFICIAL: 10,
    InstructorSource.OTHER: 5,
}
# Birth years (earliest, latest, most common) of instructors by where they come from.
INSTRUCTOR_BIRTH_YEARS: dict[str, tuple[int, int, int]] = {
    InstructorSource.RETIRED_CADRE: (1950, 1964, 1958),
    InstructorSource.VILLAGE_OFFICIAL: (1988, 2000, 1994),
}
TERM_YEARS: dict[str, int] = {
    PartyOrgLevel.BRANCH: 3,
    PartyOrgLevel.GENERAL_BRANCH: 3,
    PartyOrgLevel.COMMITTEE: 5,
}
# Township, village and community Party organizations are elected for 5 years (党章; 村党组织
# since 2018); the system shows their terms but does not check them.
TERRITORIAL_TERM_YEARS = 5
LEVEL_SUFFIX: dict[str, str] = {
    PartyOrgLevel.BRANCH: "支部委员会",
    PartyOrgLevel.GENERAL_BRANCH: "总支部委员会",
    PartyOrgLevel.COMMITTEE: "委员会",
}

# --- names ----------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "刘李陈王张周彭唐罗谭黄杨曾吴邓易胡肖龙何文贺蒋谢朱廖钟刘李陈王张"
    "周彭唐罗谭黄杨邹徐孙马高林郭梁宋许韩冯曹田董袁潘蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜欧石汤戴向颜邱雷段夏尹侯毛龚万严覃郑"
)
GIVEN_MALE = "伟强军勇杰涛斌磊波辉刚健明超峰华平鹏亮林文俊浩宇建国志新海湘晨毅凯鑫洋卫东红兵德"
GIVEN_FEMALE = "芳娟敏静丽艳娜霞玲燕红婷琳慧丹萍雪颖倩洁琴兰蓉晶莉佳欣怡秀英梅华春桂珍"
BRAND_FIRST = "启博康阳明新育乐益春星和正华睿同仁晨德弘善安颐福金蓝青知思惠恒致嘉瑞祥泰宏朗雅湘麓橘"
BRAND_SECOND = "明雅乐光德航才享民晖辰美阳章思心爱曦润毅行康和寿禾源信远诚达家新悦成益盛"

# Associations (社会团体): {prefix}{topic}{suffix}, e.g. 长沙市餐饮行业协会, 长沙市浙江商会.
ASSOCIATION_TOPICS: dict[str, tuple[list[str], list[str]]] = {
    Industry.TRADE: (
        _words(
            "餐饮 酒店 物业管理 建筑业 建筑装饰 房地产 汽车流通 电子商务 软件 湘绣 茶叶 家具 "
            "建材 物流 美容美发 烘焙 会计 广告 印刷 食品工业 医药 服装 珠宝玉石 家政服务 旅行社 "
            "中小企业 民营企业 浙江 福建 广东 江西 湖北 四川 邵阳 衡阳 常德 益阳 娄底 永州 温州 "
            "潮汕 莆田"
        ),
        _words("行业协会 协会 商会 产业促进会"),
    ),
    Industry.SCIENCE: (
        _words(
            "计算机 人工智能 机械工程 电子学 土木建筑 化学化工 地理 气象 农学 科普 生物技术 新材料 "
            "知识产权 标准化 测绘"
        ),
        _words("学会 研究会 协会"),
    ),
    Industry.CHARITY: (
        _words("慈善 志愿者 助残 扶贫济困 关爱留守儿童 助学 义工 红十字志愿"),
        _words("协会 总会 联合会"),
    ),
    Industry.COMMUNITY: (
        _words("社区服务 社区文化 邻里互助 社区志愿服务 物业业主 居家养老服务"),
        _words("协会 促进会"),
    ),
    Industry.EDUCATION: (
        _words("教育 民办教育 学前教育 职业教育 家庭教育 书法教育 外语教学"),
        _words("协会 学会 研究会"),
    ),
    Industry.HEALTH: (
        _words("医师 护理 中医药 康复医学 健康管理 预防医学 口腔医学 药学"),
        _words("协会 学会"),
    ),
    Industry.CULTURE: (
        _words(
            "作家 书法家 美术家 摄影家 音乐家 舞蹈家 戏剧家 花鼓戏 湘剧 楹联 收藏家 民间文艺家 诗词"
        ),
        _words("协会 学会 研究会"),
    ),
    Industry.SPORTS: (
        _words(
            "篮球 足球 乒乓球 羽毛球 围棋 象棋 游泳 登山 武术 太极拳 龙舟 健身气功 马拉松 网球 "
            "门球 钓鱼"
        ),
        _words("协会 运动协会"),
    ),
    Industry.ELDERLY: (_words("老年人 老年体育 老年书画 老年大学 养老服务"), _words("协会 研究会")),
    Industry.LAW: (_words("法学 人民调解 律师 公证 法律援助 仲裁"), _words("协会 研究会")),
    Industry.AGRICULTURE: (
        _words("种植业 畜禽养殖 蔬菜 水果 花卉苗木 渔业 农机 家庭农场"),
        _words("协会 联合会"),
    ),
    Industry.ENVIRONMENT: (
        _words("环境保护 环境科学 节能 资源综合利用 生态文明 野生动物保护"),
        _words("协会 学会 促进会"),
    ),
    Industry.OTHER: (
        _words("企业家 青年企业家 女企业家 退役军人 校友 归国华侨 婚姻家庭"),
        _words("协会 联谊会 联合会"),
    ),
}
# Service agencies (社会服务机构): {prefix}{brand}{template}, e.g. 长沙市芙蓉区启明培训学校.
SERVICE_TEMPLATES: dict[str, list[str]] = {
    Industry.EDUCATION: _words(
        "培训学校 幼儿园 艺术培训学校 职业技能培训学校 外国语学校 实验学校 教育培训中心"
    ),
    Industry.HEALTH: _words("门诊部 康复医院 中医诊所 护理院 口腔门诊部"),
    Industry.ELDERLY: _words("养老院 老年公寓 居家养老服务中心 颐养院 日间照料中心"),
    Industry.COMMUNITY: _words("社会工作服务中心 社区服务中心 家庭服务中心 邻里服务中心"),
    Industry.CHARITY: _words("公益服务中心 志愿服务中心 助残服务中心 儿童关爱中心"),
    Industry.CULTURE: _words("文化艺术中心 图书馆 美术馆 艺术团 博物馆"),
    Industry.SPORTS: _words("体育俱乐部 篮球俱乐部 游泳俱乐部 武术馆"),
    Industry.SCIENCE: _words("科技研究院 技术研究所 科普教育中心"),
    Industry.LAW: _words("法律服务中心 调解服务中心"),
    Industry.AGRICULTURE: _words("农业技术服务中心 农村发展研究中心"),
    Industry.ENVIRONMENT: _words("环保科普中心 生态环境研究中心"),
    Industry.TRADE: _words("人才交流服务中心 企业服务中心"),
    Industry.OTHER: _words("服务中心 发展研究中心 心理咨询服务中心"),
}
# Foundations (基金会): {prefix}{brand}{topic}, e.g. 长沙市春晖助学基金会.
FOUNDATION_TOPICS: dict[str, list[str]] = {
    Industry.CHARITY: ["慈善基金会", "公益基金会"],
    Industry.EDUCATION: ["教育基金会", "助学基金会"],
    Industry.CULTURE: ["文化发展基金会"],
    Industry.HEALTH: ["健康基金会"],
    Industry.OTHER: ["发展基金会"],
}

# USCC characters 9–17 are drawn from this alphabet (GB 32100, without I O S V Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_SPACE = 31**9
USCC_STRIDE = 1_000_000_007  # coprime to 31: serial → 9 characters is a bijection


# --- small helpers --------------------------------------------------------------------------


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _pick[K](rng: random.Random, weights: Mapping[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _share(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _township_base_weight(name: str) -> float:
    """Streets (街道) and development zones are urban and dense; towns less, rural 乡 least."""
    if name.endswith(("街道", "开发区", "园区", "科技园", "管理区")):
        return 3.0
    if name.endswith("镇"):
        return 1.0
    if name.endswith("乡"):
        return 0.5
    return 1.0


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainder, ties by order)."""
    whole = sum(weights)
    if whole <= 0 or not weights:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def _numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (for names such as 第二联合支部委员会)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _county_years(county: str) -> list[tuple[int, int]]:
    """'[1983-1995]东区,[1996-]芙蓉区' → [(1983, 1995), (1996, 9999)]; no bracket: always."""
    spans = []
    for part in county.split(","):
        if not part.startswith("["):
            return [(0, 9999)]
        start, end = part[1:].split("]")[0].split("-")
        spans.append((int(start) if start else 0, int(end) if end else 9999))
    return spans


class _Regions:
    """Region codes (first 6 digits of an identity number) that existed in a birth year,
    from python-stdnum's own table, so that every generated number validates."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        loc = numdb.get("cn/loc")
        self.codes: list[tuple[str, list[tuple[int, int]]]] = []
        self.fallback: list[str] = []
        for prefix in sorted(set(prefixes)):
            for _length, low, high, _props, children in loc.prefixes:
                if low != prefix[:2] or high != prefix[:2]:
                    continue
                for _l, child_low, child_high, props, _c in children:
                    county = props.get("county", "")
                    if child_low != child_high or "市辖区" in county:
                        continue
                    if child_low == "0000" and prefix[:2] + child_low not in self.fallback:
                        self.fallback.append(prefix[:2] + child_low)
                    elif child_low[:2] == prefix[2:4]:
                        self.codes.append((prefix[:2] + child_low, _county_years(county)))
        self._by_year: dict[int, list[str]] = {}

    def valid(self, year: int) -> list[str]:
        if year not in self._by_year:
            found = [
                code
                for code, spans in self.codes
                if any(start <= year <= end for start, end in spans)
            ]
            self._by_year[year] = found or self.fallback or ["430100"]
        return self._by_year[year]

    def pick(self, rng: random.Random, year: int, local: str) -> str:
        codes = self.valid(year)
        if local in codes and _share(rng, 0.5):
            return local
        return rng.choice(codes)


# --- the areas the data go into --------------------------------------------------------------


@dataclass(eq=False)
class _Township:
    pk: int
    code: str
    name: str
    district: _District
    communities: list[tuple[int, str, str]] = field(default_factory=list)  # pk, code, name
    n_orgs: int = 0


@dataclass(eq=False)
class _District:
    pk: int
    code: str
    name: str
    city: _City
    townships: list[_Township] = field(default_factory=list)


@dataclass(eq=False)
class _City:
    pk: int
    code: str
    name: str  # as people say it: 长沙市 (北京市 for 北京市市辖区)
    province_pk: int
    province_code: str
    province_name: str
    districts: list[_District] = field(default_factory=list)

    @property
    def townships(self) -> list[_Township]:
        return [t for d in self.districts for t in d.townships]

    @property
    def region_prefixes(self) -> set[str]:
        """The first 4 digits of the identity numbers of people born here; the province's
        (430000) stands in for years before the city's codes existed (岳阳: 1983)."""
        return {d.code[:4] for d in self.districts} | {self.code[:4], self.province_code[:4]}


def _city_label(city_name: str, province_name: str) -> str:
    if city_name.startswith(province_name) and city_name != province_name:
        return province_name  # 北京市市辖区, 湖北省省直辖县级行政区划 → the province
    return city_name


def _load_geography(scale: Scale) -> list[_City]:
    """Cities with their districts and townships (and communities), all ordered by code."""
    areas = Area.objects.all()
    if scale.root:
        areas = areas.filter(path__startswith=Area.objects.get(code=scale.root).path)
    names = dict(Area.objects.filter(level=AreaLevel.PROVINCE).values_list("pk", "name"))
    cities: dict[int, _City] = {}
    districts: dict[int, _District] = {}
    rows = (
        areas.filter(level=AreaLevel.DISTRICT)
        .order_by("code")
        .values_list(
            "pk", "code", "name", "parent_id", "parent__code", "parent__name", "parent__level"
        )
    )
    province_codes = dict(Area.objects.filter(level=AreaLevel.PROVINCE).values_list("pk", "code"))
    parents = dict(
        Area.objects.filter(level=AreaLevel.CITY).values_list("pk", "parent_id").order_by()
    )
    for pk, code, name, parent_id, parent_code, parent_name, parent_level in rows:
        if parent_id not in cities:
            province_pk = parent_id if parent_level == AreaLevel.PROVINCE else parents[parent_id]
            province_name = names[province_pk]
            cities[parent_id] = _City(
                pk=parent_id,
                code=parent_code,
                name=_city_label(parent_name, province_name),
                province_pk=province_pk,
                province_code=province_codes[province_pk],
                province_name=province_name,
            )
        district = _District(pk=pk, code=code, name=name, city=cities[parent_id])
        cities[parent_id].districts.append(district)
        districts[pk] = district
    townships: dict[int, _Township] = {}
    for pk, code, name, parent_id in (
        areas.filter(level=AreaLevel.TOWNSHIP, parent__level=AreaLevel.DISTRICT)
        .order_by("code")
        .values_list("pk", "code", "name", "parent_id")
    ):
        if parent_id in districts:
            township = _Township(pk=pk, code=code, name=name, district=districts[parent_id])
            districts[parent_id].townships.append(township)
            townships[pk] = township
    if scale.communities:
        for pk, code, name, parent_id in (
            areas.filter(level=AreaLevel.COMMUNITY)
            .order_by("code")
            .values_list("pk", "code", "name", "parent_id")
        ):
            if parent_id in townships:
                townships[parent_id].communities.append((pk, code, name))
    result = [c for c in sorted(cities.values(), key=lambda c: c.code) if c.townships]
    for city in result:
        city.districts = [d for d in city.districts if d.townships]
    return result


def _spread_orgs(scale: Scale, cities: list[_City], rng: random.Random) -> None:
    """How many organizations each township gets (`_Township.n_orgs`), `scale.orgs` in all."""
    raw: list[tuple[_Township, float]] = []
    for city in cities:
        start = len(raw)
        city_factor = 1.7 if city.code[2:4] == "01" else 1.0  # the capital of the province
        district_weights: dict[str, float] = {}
        for district in city.districts:
            base = [
                _township_base_weight(t.name) * rng.uniform(0.6, 1.4) for t in district.townships
            ]
            urban = 1.4 if district.name.endswith("区") else 1.0
            district_weights[district.code] = sum(base) * urban
            raw.extend((t, w / sum(base)) for t, w in zip(district.townships, base, strict=True))
        total = sum(district_weights.values())
        if all(d.code in CHANGSHA_DISTRICT_SHARES for d in city.districts):
            known = sum(CHANGSHA_DISTRICT_SHARES[d.code] for d in city.districts)
            for d in city.districts:
                district_weights[d.code] = total * CHANGSHA_DISTRICT_SHARES[d.code] / known
        for d in city.districts:
            district_weights[d.code] *= city_factor
        for i in range(start, len(raw)):
            township, w = raw[i]
            raw[i] = (township, w * district_weights[township.district.code])
    counts = _allocate(scale.orgs, [w for _t, w in raw])
    for (township, _w), n in zip(raw, counts, strict=True):
        township.n_orgs = n


# --- the generator --------------------------------------------------------------------------


@dataclass(eq=False)
class _Member:
    person: Person
    membership: Membership
    employment: Employment

    @property
    def since(self) -> dt.date:
        """From when a formal member counts in the organization (as the rules read it):
        employed there and confirmed."""
        start = self.employment.started_on or dt.date.min
        confirmed = self.membership.confirmed_on
        return max(start, confirmed) if confirmed else start


@dataclass(eq=False)
class _Org:
    obj: SocialOrganization
    township: _Township
    serial: int
    ended: dt.date | None  # when it stopped (注销/撤销/停止活动), else None
    category: int  # 0: no formal member, 1: 1–2, 2: 3 or more
    formal: list[_Member] = field(default_factory=list)
    probationary: list[_Member] = field(default_factory=list)
    departed: list[_Member] = field(default_factory=list)
    party_org: PartyOrganization | None = None  # the one that covers it
    joint_candidate: bool = False
    # COV-JOINT: when its situation was put right (None: still open), and whether by a
    # joint Party organization (else by holding the lone member's relation nearby)
    joint_fixed: dt.date | None = None
    joined_joint: bool = False

    def formal_since(self, n: int) -> dt.date | None:
        """The day it reached n formal members (of those it has now), as the rules read it."""
        dates = sorted(m.since for m in self.formal)
        return dates[n - 1] if len(dates) >= n else None

    @property
    def active(self) -> bool:
        return self.ended is None

    @property
    def community_pk(self) -> int | None:
        return self.obj.community_id


@dataclass
class _Rows:
    """One city's rows, inserted in dependency order."""

    units: list[Unit] = field(default_factory=list)
    territorial: list[PartyOrganization] = field(default_factory=list)  # townships, industries
    community_party_orgs: list[PartyOrganization] = field(default_factory=list)
    orgs: list[SocialOrganization] = field(default_factory=list)
    party_orgs: list[PartyOrganization] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    committee: list[CommitteeMembership] = field(default_factory=list)
    instructors: list[Instructor] = field(default_factory=list)
    assignments: list[InstructorAssignment] = field(default_factory=list)


class _Generator:
    def __init__(self, scale: Scale, seed: int, progress: Progress | None) -> None:
        self.scale = scale
        self.seed = seed
        self.progress = progress
        self.today = DEMO_TODAY
        self.history_date = timezone.now()
        policy = load_policy()
        self.setup_days = policy["setup_within_days"]
        self.fix_days = policy["fix_within_days"]
        self.dissolve_days = policy["dissolve_within_days"]
        self.transfer_days = policy["transfer_within_days"]
        self.committee_min = policy["branch_committee_min_formal_members"]
        self.fulltime_min = policy["fulltime_worker_min_members"]
        self.industry_min = policy["industry_committee_min_party_orgs"]
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "orgs",
                "party_orgs",
                "people",
                "members_formal",
                "members_probationary",
                "employments",
                "coverages",
                "committee",
                "instructors",
                "assignments",
                "units",
                "users",
            ),
            0,
        )
        self.org_serial = 0
        self.party_org_serial = 0
        self.uscc_offset = random.Random(f"{seed}:uscc").randrange(USCC_SPACE)
        self.units: dict[str, Unit] = {u.name: u for u in Unit.objects.order_by("pk")}
        # identity numbers in use: (region, birth date) → sequence numbers; regions belong
        # to one city, so a city's entries go once no later city can use its regions.
        self.used_ids: dict[tuple[str, dt.date], set[int]] = {}
        self.names_shared: set[str] = set()  # province-level names are shared between cities
        self.done = 0

    # the system's two years ---------------------------------------------------------------

    def remedied(
        self, rng: random.Random, arose: dt.date, period: int, *, wave: bool = False
    ) -> dt.date | None:
        """When a situation a rule finds, arisen on `arose`, was put right (None: still open
        on the as-of date). Most of what is not yet due is open; what arose since the system
        came into use was put right within the period (a few late, fewer never); what arose
        before mostly within the period too, a tenth when the system came. `wave`: the
        remedy was asked for only by the policy (set up a Party organization, send an
        instructor), so what predates it was put right in the wave after it."""
        today = self.today
        yesterday = today - dt.timedelta(days=1)
        if wave and arose < POLICY_DATE:
            if _share(rng, OPEN_BEFORE_SYSTEM):
                return None
            r = rng.random()
            if r < 0.4:  # some did before the policy asked
                return min(arose + dt.timedelta(days=rng.randint(60, 2000)), yesterday)
            if r < 0.85:
                return _date_between(rng, POLICY_DATE, WAVE_ENDS)
            if r < 0.93:
                return _date_between(rng, WAVE_ENDS, SYSTEM_SINCE)
            return self.clean_up(rng)
        if arose + dt.timedelta(days=period) > today:  # not yet due
            if arose >= today or _share(rng, OPEN_NOT_DUE):
                return None
            return _date_between(rng, arose, yesterday)
        since_system = arose >= SYSTEM_SINCE
        if _share(rng, OPEN_SINCE_SYSTEM if since_system else OPEN_BEFORE_SYSTEM):
            return None
        r = rng.random()
        if r < 0.8:
            fixed = arose + dt.timedelta(days=rng.randint(0, period))
        elif r < 0.9 and not since_system:
            fixed = self.clean_up(rng)
        else:  # late
            fixed = arose + dt.timedelta(days=rng.randint(period + 1, period * 4))
        return min(fixed, yesterday)

    def clean_up(self, rng: random.Random) -> dt.date:
        """A day of the clean-up of old situations the system brought: mostly in its first
        months, fewer and fewer since (the recorded checks of the last year show the tail)."""
        span = (self.today - dt.timedelta(days=30) - SYSTEM_SINCE).days
        return SYSTEM_SINCE + dt.timedelta(days=int(rng.triangular(0, span, 0)))

    # progress ------------------------------------------------------------------------------

    def report(self, what: str, done: int | None = None) -> None:
        if done is not None:
            self.done = done
        if self.progress:
            self.progress(what, self.done, self.scale.orgs)

    # units ---------------------------------------------------------------------------------

    def unit(self, rows: _Rows, name: str, kind: str, area_pk: int) -> Unit:
        """The unit of that name (an existing one, e.g. from `dangjian init`), else a new one;
        a name taken by a unit elsewhere gets the area's parent's name in front."""
        parent, code = Area.objects.filter(pk=area_pk).values_list("parent__name", "code")[0]
        for candidate in (name, f"{parent or ''}{name}", f"{name}（{code}）"):
            found = self.units.get(candidate)
            if found is None:
                break
            if found.area_id == area_pk and found.kind == kind:
                return found
        unit = Unit(name=candidate, kind=kind, area_id=area_pk)
        self.units[candidate] = unit
        rows.units.append(unit)
        return unit

    # identity numbers and names ----------------------------------------------------------

    def person(
        self,
        rng: random.Random,
        regions: _Regions,
        local: str,
        *,
        born: tuple[int, int, int],
        status: str = PoliticalStatus.MASSES,
    ) -> Person:
        low, high, mode = born
        year = int(rng.triangular(low, high + 1, mode))
        year = min(max(year, low), high)
        birth = _date_between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
        male = _share(rng, 0.52)
        region = regions.pick(rng, year, local)
        used = self.used_ids.setdefault((region, birth), set())
        for _ in range(20):
            seq = rng.randrange(500) * 2 + (1 if male else 0)
            if seq not in used:
                break
        else:  # that day of that region is (nearly) full: draw another person
            return self.person(rng, regions, local, born=born, status=status)
        used.add(seq)
        number = make_id_number(f"{region}{birth:%Y%m%d}{seq:03d}")
        surname = rng.choice(SURNAMES)
        chars = GIVEN_MALE if male else GIVEN_FEMALE
        given = rng.choice(chars) + (rng.choice(chars) if _share(rng, 0.7) else "")
        return Person.build(name=surname + given, id_number=number, political_status=status)

    def org_name(
        self,
        rng: random.Random,
        kind: str,
        industry: str,
        prefix: str,
        seen: set[str],
    ) -> str:
        def brand() -> str:
            return rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)

        for attempt in range(12):
            if kind == OrgKind.ASSOCIATION:
                topics, suffixes = ASSOCIATION_TOPICS[industry]
                topic = rng.choice(topics)
                if attempt >= 6:
                    topic = brand() + topic
                name = f"{prefix}{topic}{rng.choice(suffixes)}"
            elif kind == OrgKind.FOUNDATION:
                topics_f = FOUNDATION_TOPICS.get(industry, FOUNDATION_TOPICS[Industry.OTHER])
                name = f"{prefix}{brand()}{rng.choice(topics_f)}"
            else:
                b = brand() if attempt < 6 else brand() + rng.choice(BRAND_SECOND)
                name = prefix + b + rng.choice(SERVICE_TEMPLATES[industry])
            if name not in seen:
                seen.add(name)
                return name
        name = f"{name}（{len(seen)}）"
        seen.add(name)
        return name

    def uscc(self, kind: str, division: str) -> str:
        self.org_serial += 1
        value = (self.org_serial * USCC_STRIDE + self.uscc_offset) % USCC_SPACE
        chars = []
        for _ in range(9):
            value, digit = divmod(value, 31)
            chars.append(USCC_ALPHABET[digit])
        return make_uscc(f"5{USCC_KIND_CHARACTER[kind]}{division}{''.join(reversed(chars))}")

    def party_org_code(self) -> str:
        self.party_org_serial += 1
        return f"D{self.party_org_serial:010d}"

    # one city ------------------------------------------------------------------------------

    def city(self, city: _City) -> _Rows:
        """Every row of one city, built in memory (not yet saved)."""
        rng = random.Random(f"{self.seed}:{city.code}")
        rows = _Rows()
        regions = _Regions(city.region_prefixes)
        registries = self.registries(rows, city)
        supervisors = self.supervisors(rows, city)
        township_pos = self.township_party_orgs(rows, city, rng)
        orgs = self.orgs(rows, city, rng, registries, supervisors)
        start = self.done
        for i, org in enumerate(orgs):
            if i % 500 == 0:  # building is about half the work, inserting the other half
                self.report(f"{city.name}：人员与党员", start + i // 2)
            self.staff(rows, org, rng, regions)
        self.report(f"{city.name}：党组织", start + len(orgs) // 2)
        industry_pos = self.industry_party_orgs(rows, city, rng, regions, orgs, township_pos)
        self.standalone(rows, orgs, rng, township_pos, industry_pos)
        self.joint(rows, orgs, rng, township_pos)
        self.functional(rows, orgs, rng, township_pos)
        self.more_industry_committees(rows, city, rng, regions, orgs, industry_pos)
        community_pos: dict[int, PartyOrganization] = {}
        self.relations(rows, orgs, rng, township_pos, community_pos)
        self.committees(rows, orgs, rng)
        self.instructors(rows, orgs, rng, regions, township_pos)
        return rows

    def registries(self, rows: _Rows, city: _City) -> dict[str, tuple[Unit, str]]:
        """Registering civil-affairs departments by level: (unit, division code for the USCC)."""
        result: dict[str, tuple[Unit, str]] = {
            "city": (
                self.unit(rows, f"{city.name}民政局", UnitKind.CIVIL_AFFAIRS, city.pk),
                city.code,
            )
        }
        if self.scale.root != CHANGSHA and city.name != city.province_name:
            name = f"{city.province_name}民政厅"
            result["province"] = (
                self.unit(rows, name, UnitKind.CIVIL_AFFAIRS, city.province_pk),
                city.province_code,
            )
        for d in city.districts:
            result[d.code] = (
                self.unit(rows, f"{d.name}民政局", UnitKind.CIVIL_AFFAIRS, d.pk),
                d.code,
            )
        return result

    def supervisors(self, rows: _Rows, city: _City) -> dict[str, list[Unit]]:
        by_industry: dict[str, list[Unit]] = {}
        for suffix, industries in SUPERVISORS:
            unit = self.unit(rows, f"{city.name}{suffix}", UnitKind.SUPERVISORY, city.pk)
            for industry in industries:
                by_industry.setdefault(industry, []).append(unit)
        return by_industry

    def township_party_orgs(
        self, rows: _Rows, city: _City, rng: random.Random
    ) -> dict[int, PartyOrganization]:
        """The territorial Party organization of every township (街道党工委, 乡镇党委)."""
        result = {}
        for t in city.townships:
            street = t.name.endswith("街道")
            po = PartyOrganization(
                code=f"T{t.code}",
                name=f"中共{t.district.name}{t.name}{'工作委员会' if street else '委员会'}",
                level=PartyOrgLevel.COMMITTEE,
                form=PartyOrgForm.TOWNSHIP,
                township_id=t.pk,
                founded_on=_date_between(rng, dt.date(1984, 1, 1), dt.date(2012, 12, 31)),
            )
            po.term_started_on = self.term_start(
                rng, po.founded_on, po.level, years=TERRITORIAL_TERM_YEARS
            )
            rows.territorial.append(po)
            result[t.pk] = po
        return result

    def orgs(
        self,
        rows: _Rows,
        city: _City,
        rng: random.Random,
        registries: dict[str, tuple[Unit, str]],
        supervisors: dict[str, list[Unit]],
    ) -> list[_Org]:
        seen: set[str] = set()
        result: list[_Org] = []
        province_share = 0.03 if "province" in registries else 0.0
        for township in city.townships:
            district = township.district
            for _ in range(township.n_orgs):
                kind = _pick(rng, KIND_WEIGHTS)
                industry = _pick(rng, INDUSTRY_WEIGHTS[kind])
                r = rng.random()
                if r < province_share:
                    level, prefix = "province", city.province_name
                elif r < province_share + 0.25:
                    level, prefix = "city", city.name
                else:
                    level = district.code
                    if kind != OrgKind.FOUNDATION and _share(rng, 0.3):
                        prefix = f"{district.name}{township.name}"
                    elif district.name.endswith("区"):
                        prefix = f"{city.name}{district.name}"
                    else:  # counties and county-level cities go by their own name
                        prefix = district.name
                registry, division = registries[level]
                year = rng.choices(REGISTRATION_YEARS, weights=REGISTRATION_YEAR_WEIGHTS)[0]
                if kind == OrgKind.FOUNDATION:
                    year = max(year, 2004)  # 基金会管理条例 (2004)
                registered = _date_between(
                    rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), self.today)
                )
                if industry in DIRECT_INDUSTRIES:
                    supervised = _share(rng, 0.35 if registered < DIRECT_SINCE else 0.03)
                else:
                    supervised = _share(rng, 0.36)
                supervisor = None
                if supervised:
                    units = supervisors.get(industry) or supervisors[Industry.OTHER]
                    supervisor = units[0] if len(units) == 1 or _share(rng, 0.7) else units[1]
                status = _pick(rng, STATUS_WEIGHTS)
                changed = None
                if status != OrgStatus.ACTIVE:
                    earliest = registered + dt.timedelta(days=180)
                    if earliest >= self.today - dt.timedelta(days=30):
                        status = OrgStatus.ACTIVE
                    else:
                        changed = _date_between(rng, earliest, self.today - dt.timedelta(days=5))
                community = None
                if township.communities and _share(rng, 0.75):
                    community = rng.choice(township.communities)
                management = PartyManagement.DEFAULT
                r = rng.random()
                if r < 0.04:
                    management = PartyManagement.DELEGATED_TOWNSHIP
                elif r < 0.065:
                    management = PartyManagement.TOWNSHIP
                elif r < 0.08 and community is not None:
                    management = PartyManagement.COMMUNITY
                obj = SocialOrganization(
                    uscc=self.uscc(kind, division),
                    name=self.org_name(
                        rng,
                        kind,
                        industry,
                        prefix,
                        self.names_shared if level == "province" else seen,
                    ),
                    kind=kind,
                    registry=registry,
                    registration_mode=(
                        RegistrationMode.SUPERVISED if supervised else RegistrationMode.DIRECT
                    ),
                    supervisor=supervisor,
                    industry=industry,
                    district_id=district.pk,
                    township_id=township.pk,
                    community_id=community[0] if community else None,
                    registered_on=registered,
                    status=status,
                    status_changed_on=changed,
                    party_management=management,
                )
                # Organizations that stopped more often had grown a Party organization.
                weights = MEMBER_CATEGORY_WEIGHTS if changed is None else (0.55, 0.15, 0.30)
                category = rng.choices((0, 1, 2), weights=weights)[0]
                org = _Org(
                    obj=obj,
                    township=township,
                    serial=len(result),
                    ended=changed,
                    category=category,
                )
                rows.orgs.append(obj)
                result.append(org)
        return result

    # people ------------------------------------------------------------------------------

    def staff(self, rows: _Rows, org: _Org, rng: random.Random, regions: _Regions) -> None:
        """The leader, the Party members (formal, probationary, departed) and other staff."""
        obj = org.obj
        local = org.township.district.code
        last_day = org.ended or self.today - dt.timedelta(days=1)

        def employ(person: Person, position: str, *, founder: bool = False) -> Employment:
            earliest = min(max(obj.registered_on, _add_years(person.birth_date, 20)), last_day)
            start = earliest
            if not founder:  # staff come and go: most have been there a few years
                tenure = dt.timedelta(days=int(rng.expovariate(1 / 1800)))
                start = max(earliest, last_day - tenure)
            ended = org.ended  # nobody works for an organization that stopped
            employment = Employment(
                person=person, org=obj, position=position, started_on=start, ended_on=ended
            )
            rows.employments.append(employment)
            return employment

        def member(*, probationary: bool = False, departed: bool = False) -> _Member:
            if probationary:
                person = self.person(
                    rng,
                    regions,
                    local,
                    born=(1985, 2003, 1997),
                    status=PoliticalStatus.PROBATIONARY,
                )
                overdue = _share(rng, 0.05)
                days = rng.randint(460, 700) if overdue else rng.randint(20, 340)
                joined = self.today - dt.timedelta(days=days)
                confirmed = None
            else:
                # admitted while the organization was active: born early enough for that
                latest_birth = min(2003, last_day.year - 20)
                person = self.person(
                    rng,
                    regions,
                    local,
                    born=(1950, latest_birth, min(1978, latest_birth)),
                    status=PoliticalStatus.MEMBER,
                )
                age = 18 + min(int(rng.expovariate(1 / 7)), 40)
                joined = _date_between(
                    rng,
                    _add_years(person.birth_date, age),
                    _add_years(person.birth_date, age + 1),
                )
                joined = min(joined, last_day - dt.timedelta(days=400 + rng.randint(0, 300)))
                joined = max(joined, _add_years(person.birth_date, 18))
                confirmed = _add_years(joined, 1)
                if _share(rng, 0.05):  # probation extended (延长预备期)
                    confirmed += dt.timedelta(days=rng.randint(180, 365))
                confirmed = min(confirmed, self.today - dt.timedelta(days=1))
            membership = Membership(
                person=person, joined_on=joined, confirmed_on=confirmed, is_mobile=_share(rng, 0.05)
            )
            rows.people.append(person)
            rows.memberships.append(membership)
            position = rng.choices(
                (Position.MANAGER, Position.SPECIALIST, Position.STAFF), weights=(3, 4, 3)
            )[0]
            employment = employ(person, position)
            if departed:
                start_limit = self.today - dt.timedelta(days=400)
                employment.started_on = min(employment.started_on or start_limit, start_limit)
                employment.started_on = max(employment.started_on, obj.registered_on)
                ended = _date_between(rng, employment.started_on + dt.timedelta(days=30), last_day)
                employment.ended_on = max(min(ended, last_day), employment.started_on)
            return _Member(person=person, membership=membership, employment=employment)

        n_formal = 0
        if org.category == 1:
            n_formal = 1 if _share(rng, 0.6) else 2
        elif org.category == 2:
            r = rng.random()
            if r < 0.72:
                n_formal = 3 + min(int(rng.expovariate(1 / 2.2)), 6)
            elif r < 0.96:
                n_formal = int(10 * 4.9 ** rng.random())
            else:
                n_formal = int(50 * 3.0 ** rng.random())
        org.formal = [member() for _ in range(n_formal)]
        n_probationary = 0
        if _share(rng, 0.03 if org.category == 0 else 0.18):
            n_probationary = 2 if org.category == 2 and _share(rng, 0.3) else 1
        if org.active:  # nobody is admitted in an organization that stopped
            org.probationary = [member(probationary=True) for _ in range(n_probationary)]
        if _share(rng, 0.10 if org.category else 0.02):
            org.departed = [member(departed=True)]

        if org.formal and _share(rng, 0.45):  # the leader is a member (负责人是党员)
            leader = org.formal[0]
            leader.employment.position = Position.LEADER
            leader.employment.started_on = min(
                max(obj.registered_on, _add_years(leader.person.birth_date, 20)), last_day
            )
        else:
            status = rng.choices(
                (
                    PoliticalStatus.MASSES,
                    PoliticalStatus.DEMOCRATIC_PARTY,
                    PoliticalStatus.INDEPENDENT,
                ),
                weights=(90, 6, 4),
            )[0]
            leader_person = self.person(rng, regions, local, born=(1950, 1995, 1972), status=status)
            rows.people.append(leader_person)
            employ(leader_person, Position.LEADER, founder=True)

        n_others = rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0] + n_formal // 10
        for _ in range(n_others):
            person = self.person(rng, regions, local, born=(1958, 2003, 1986))
            if person.birth_date.year >= 1996 and _share(rng, 0.4):
                person.political_status = PoliticalStatus.LEAGUE
            elif _share(rng, 0.04):
                person.political_status = PoliticalStatus.DEMOCRATIC_PARTY
            rows.people.append(person)
            position = rng.choices(
                (Position.MANAGER, Position.SPECIALIST, Position.STAFF, Position.INVESTOR),
                weights=(30, 35, 35, 3 if obj.kind == OrgKind.SERVICE_AGENCY else 0),
            )[0]
            employ(person, position)

        people = 1 + n_formal + len(org.probationary) + n_others
        staff = int(rng.lognormvariate(2.2, 0.75)) + 1
        if _share(rng, 0.02):
            staff = rng.randint(100, 600)
        if obj.industry in (Industry.EDUCATION, Industry.HEALTH, Industry.ELDERLY):
            staff = int(staff * 1.8)
        if n_formal >= 10:
            staff = max(staff, int(n_formal * rng.uniform(1.5, 4.0)))
        obj.staff_count = max(staff, people + rng.randint(0, 3))

    # Party organizations -----------------------------------------------------------------

    def new_party_org(
        self,
        rows: _Rows,
        *,
        name: str,
        level: str,
        form: str,
        township: _Township,
        founded: dt.date,
        parent: PartyOrganization | None,
        rng: random.Random,
        unit: Unit | None = None,
    ) -> PartyOrganization:
        po = PartyOrganization(
            code=self.party_org_code(),
            name=name,
            level=level,
            form=form,
            township_id=township.pk,
            parent=parent,
            unit=unit,
            founded_on=founded,
            term_started_on=self.term_start(rng, founded, level),
        )
        rows.party_orgs.append(po)
        return po

    def term_start(
        self, rng: random.Random, founded: dt.date, level: str, *, years: int | None = None
    ) -> dt.date:
        """The start of the current term: elections held on time, a little late at most;
        about one in twelve of those that fell due in the last four months not yet held
        (换届: rule ORG-TERM)."""
        years = years or TERM_YEARS[level]
        terms = 0
        while _add_years(founded, (terms + 1) * years) <= self.today:
            terms += 1
        recent = self.today - dt.timedelta(days=120)
        if terms and _add_years(founded, terms * years) > recent and _share(rng, 0.08):
            terms -= 1
        start = _add_years(founded, terms * years)
        if terms:  # an election held a little late
            start = min(start + dt.timedelta(days=rng.randint(0, 60)), self.today)
        return start

    def founding_date(self, rng: random.Random, earliest: dt.date, latest: dt.date) -> dt.date:
        if earliest < POLICY_DATE and _share(rng, 0.6):
            founded = _date_between(rng, POLICY_DATE, dt.date(2019, 12, 31))
        else:
            founded = earliest + dt.timedelta(days=rng.randint(60, 2000))
        return max(earliest, min(founded, latest))

    def industry_party_orgs(
        self,
        rows: _Rows,
        city: _City,
        rng: random.Random,
        regions: _Regions,
        orgs: list[_Org],
        township_pos: dict[int, PartyOrganization],
    ) -> dict[str, PartyOrganization]:
        """Industry Party committees (行业党委) of the three supervisory units with the most
        organizations; two of the three have a full-time Party worker."""
        supervised: dict[str, int] = {}
        for org in orgs:
            if org.obj.supervisor is not None:
                name = org.obj.supervisor.name
                supervised[name] = supervised.get(name, 0) + 1
        top = sorted(supervised, key=lambda n: (-supervised[n], n))[:3]
        result = {}
        for unit_name in top:
            founded = _date_between(rng, dt.date(2015, 3, 1), dt.date(2017, 12, 31))
            staffed = self.remedied(rng, founded, self.fix_days) is not None
            result[unit_name] = self.industry_committee(
                rows, city, rng, regions, unit_name, founded, full_time=staffed
            )
        return result

    def more_industry_committees(
        self,
        rows: _Rows,
        city: _City,
        rng: random.Random,
        regions: _Regions,
        orgs: list[_Org],
        industry_pos: dict[str, PartyOrganization],
    ) -> None:
        """Every other supervisory unit that manages enough Party organizations (rule
        MGT-INDUSTRY, counted as the rule counts) set up its industry committee, with a
        full-time worker, since the system came into use."""
        managed: dict[str, set[int]] = {}
        for org in orgs:
            obj = org.obj
            if (
                org.active
                and org.party_org is not None
                and obj.supervisor is not None
                and obj.registration_mode == RegistrationMode.SUPERVISED
                and obj.party_management == PartyManagement.DEFAULT
            ):
                managed.setdefault(obj.supervisor.name, set()).add(id(org.party_org))
        for unit_name in sorted(managed):
            if unit_name in industry_pos or len(managed[unit_name]) < self.industry_min:
                continue
            founded = _date_between(rng, SYSTEM_SINCE, self.today - dt.timedelta(days=60))
            industry_pos[unit_name] = self.industry_committee(
                rows, city, rng, regions, unit_name, founded, full_time=True
            )

    def industry_committee(
        self,
        rows: _Rows,
        city: _City,
        rng: random.Random,
        regions: _Regions,
        unit_name: str,
        founded: dt.date,
        *,
        full_time: bool,
    ) -> PartyOrganization:
        """An industry Party committee (行业党委) of a supervisory unit: a secretary and a
        deputy, the deputy full-time or not."""
        seat = city.townships[0]
        po = PartyOrganization(
            code=self.party_org_code(),
            name=f"中共{unit_name}社会组织行业委员会",
            level=PartyOrgLevel.COMMITTEE,
            form=PartyOrgForm.INDUSTRY,
            township_id=seat.pk,
            parent=None,
            unit=self.units[unit_name],
            founded_on=founded,
        )
        po.term_started_on = self.term_start(rng, po.founded_on, po.level)
        rows.territorial.append(po)
        for role, worker in (
            (CommitteeRole.SECRETARY, False),
            (CommitteeRole.DEPUTY, full_time),
        ):
            cadre = self.person(
                rng,
                regions,
                seat.district.code,
                born=(1965, 1990, 1975),
                status=PoliticalStatus.MEMBER,
            )
            joined = _add_years(cadre.birth_date, 22 + rng.randint(0, 6))
            rows.people.append(cadre)
            rows.memberships.append(
                Membership(
                    person=cadre,
                    joined_on=joined,
                    confirmed_on=_add_years(joined, 1),
                    relation_party_org=po,
                )
            )
            rows.committee.append(
                CommitteeMembership(
                    party_org=po,
                    person=cadre,
                    role=role,
                    started_on=po.term_started_on,
                    full_time=worker,
                )
            )
        return po

    def standalone(
        self,
        rows: _Rows,
        orgs: list[_Org],
        rng: random.Random,
        township_pos: dict[int, PartyOrganization],
        industry_pos: dict[str, PartyOrganization],
    ) -> None:
        """单独组建 once an organization has 3 formal members (`remedied`: most at once, the
        older ones in the wave after the policy; the open ones are rule 三.1's findings, a
        third of them in a joint branch meanwhile); 85% of those that stopped had one, and
        most of those were dissolved within the period after the organization stopped."""
        for org in orgs:
            if org.category != 2:
                continue
            obj = org.obj
            if org.ended is not None:
                if not _share(rng, 0.85):
                    continue
                founded = self.founding_date(
                    rng, obj.registered_on, org.ended - dt.timedelta(days=30)
                )
            else:
                arose = org.formal_since(3) or obj.registered_on
                fixed = self.remedied(rng, arose, self.setup_days, wave=True)
                if fixed is None:
                    org.joint_candidate = _share(rng, 0.3)
                    continue
                founded = max(fixed, obj.registered_on)
            members = len(org.formal) + len(org.probationary)
            if members >= 100:
                level = PartyOrgLevel.COMMITTEE
            elif members >= 50:
                level = PartyOrgLevel.GENERAL_BRANCH
            else:
                level = PartyOrgLevel.BRANCH
            parent = township_pos[org.township.pk]
            industry = industry_pos.get(obj.supervisor.name) if obj.supervisor else None
            if industry is not None and _share(rng, 0.7):
                parent = industry
            po = self.new_party_org(
                rows,
                name=f"中共{obj.name}{LEVEL_SUFFIX[level]}",
                level=level,
                form=PartyOrgForm.STANDALONE,
                township=org.township,
                founded=founded,
                parent=parent,
                rng=rng,
            )
            dissolved = None
            if org.ended is not None:
                dissolved = self.remedied(rng, org.ended, self.dissolve_days)
            if dissolved is not None:
                po.status = PartyOrgStatus.DISSOLVED
                po.dissolved_on = max(dissolved, founded)
                if po.term_started_on and po.term_started_on > po.dissolved_on:
                    po.term_started_on = founded
            org.party_org = po
            rows.coverages.append(
                Coverage(party_org=po, org=obj, started_on=founded, ended_on=po.dissolved_on)
            )

    def joint(
        self,
        rows: _Rows,
        orgs: list[_Org],
        rng: random.Random,
        township_pos: dict[int, PartyOrganization],
    ) -> None:
        """联合组建: 2–5 small organizations of one township, same industry where possible,
        with 3+ formal members together. An organization with 1–2 formal members joins one
        when its situation is put right (`remedied`; rule 三.1 finds the open ones); with a
        single member, 45% instead have that member's relation held by the township or the
        community (纳入管理, see `relations`). Those left over at the end of a township's
        list form a branch with such a single-member organization, or join a branch with
        room of the township, else of the district (地域相邻)."""
        by_township: dict[int, list[_Org]] = {}
        spare: dict[int, list[_Org]] = {}  # single members held nearby, who could join one
        for org in orgs:
            if not org.active or org.party_org is not None:
                continue
            if org.category == 1:
                arose = org.formal_since(1) or org.obj.registered_on
                org.joint_fixed = self.remedied(rng, arose, self.setup_days, wave=True)
                if org.joint_fixed is None:
                    continue
                if len(org.formal) == 1 and _share(rng, 0.45):
                    spare.setdefault(org.township.pk, []).append(org)
                    continue
            elif not org.joint_candidate:
                continue
            by_township.setdefault(org.township.pk, []).append(org)
        in_district: dict[str, list[tuple[PartyOrganization, list[_Org]]]] = {}
        waiting: list[tuple[_Org, list[tuple[PartyOrganization, list[_Org]]]]] = []
        for township_pk, candidates in by_township.items():
            candidates.sort(key=lambda o: (o.obj.industry, o.serial))
            township = candidates[0].township
            branches: list[tuple[PartyOrganization, list[_Org]]] = []

            def form(
                group: list[_Org],
                township: _Township = township,
                branches: list[tuple[PartyOrganization, list[_Org]]] = branches,
            ) -> None:
                number = len(branches) + 1
                po = self.joint_branch(rows, group, township, number, rng, township_pos)
                branches.append((po, group))

            group: list[_Org] = []
            target = rng.randint(2, 5)
            for org in candidates:
                group.append(org)
                formal = sum(len(o.formal) for o in group)
                if (len(group) >= target and formal >= 3) or len(group) == 5:
                    form(group)
                    group = []
                    target = rng.randint(2, 5)
            extra = spare.get(township_pk, [])
            while group and sum(len(o.formal) for o in group) < 3 and extra:
                group.append(extra.pop())
            if sum(len(o.formal) for o in group) >= 3:
                form(group)
                group = []
            in_district.setdefault(township.district.code, []).extend(branches)
            for org in group:
                if org.category == 1 and len(org.formal) > 1:  # (one member: 纳入管理)
                    waiting.append((org, branches))
        for org, branches in waiting:
            room = [(po, members) for po, members in branches if len(members) < 5]
            room = room or [
                (po, members)
                for po, members in in_district[org.township.district.code]
                if len(members) < 5
            ]
            nearby = spare.get(org.township.pk) or next(
                (
                    others
                    for others in spare.values()
                    if others and others[0].township.district is org.township.district
                ),
                [],
            )
            if not room and nearby and org.joint_fixed is not None:
                group = [org, nearby.pop()]  # a new branch with a single member nearby
                district = in_district[org.township.district.code]
                number = 1 + sum(1 for p, _ in district if p.township_id == org.township.pk)
                po = self.joint_branch(rows, group, org.township, number, rng, township_pos)
                district.append((po, group))
                continue
            if not room or org.joint_fixed is None:
                org.joint_fixed = None  # still open (rule 三.1)
                continue
            po, members = room[-1]
            members.append(org)
            org.party_org = po
            org.joined_joint = True
            start = max(org.joint_fixed, po.founded_on)
            rows.coverages.append(Coverage(party_org=po, org=org.obj, started_on=start))

    def joint_branch(
        self,
        rows: _Rows,
        group: list[_Org],
        township: _Township,
        number: int,
        rng: random.Random,
        township_pos: dict[int, PartyOrganization],
    ) -> PartyOrganization:
        industries = {o.obj.industry for o in group}
        if len(industries) == 1:
            label = Industry(group[0].obj.industry).label.removesuffix("类")
            name = f"中共{township.name}{label}类社会组织联合支部委员会"
            if number > 1:
                name = f"中共{township.name}{label}类社会组织第{_numeral(number)}联合支部委员会"
        else:
            name = f"中共{township.name}社会组织第{_numeral(number)}联合支部委员会"
        fixed = [o.joint_fixed for o in group if o.joint_fixed is not None]
        if fixed:  # founded when the first of them was put right, the others joined later
            founded = min(fixed)
        else:
            earliest = max(o.obj.registered_on for o in group)
            founded = self.founding_date(rng, earliest, self.today - dt.timedelta(days=30))
        po = self.new_party_org(
            rows,
            name=name,
            level=PartyOrgLevel.BRANCH,
            form=PartyOrgForm.JOINT,
            township=township,
            founded=founded,
            parent=township_pos[township.pk],
            rng=rng,
        )
        for org in group:
            org.party_org = po
            org.joined_joint = True
            start = max(founded, org.joint_fixed or founded)
            rows.coverages.append(Coverage(party_org=po, org=org.obj, started_on=start))
        return po

    def functional(
        self,
        rows: _Rows,
        orgs: list[_Org],
        rng: random.Random,
        township_pos: dict[int, PartyOrganization],
    ) -> None:
        """功能型: a few learned societies (学会, 研究会) whose members work in public bodies."""
        for org in orgs:
            obj = org.obj
            if (
                org.active
                and org.party_org is None
                and org.formal
                and obj.kind == OrgKind.ASSOCIATION
                and obj.industry
                in (Industry.SCIENCE, Industry.HEALTH, Industry.EDUCATION, Industry.LAW)
                and _share(rng, 0.15)
            ):
                founded = self.founding_date(
                    rng, obj.registered_on, self.today - dt.timedelta(days=30)
                )
                po = self.new_party_org(
                    rows,
                    name=f"中共{obj.name}功能型党支部",
                    level=PartyOrgLevel.BRANCH,
                    form=PartyOrgForm.FUNCTIONAL,
                    township=org.township,
                    founded=founded,
                    parent=township_pos[org.township.pk],
                    rng=rng,
                )
                org.party_org = po
                rows.coverages.append(Coverage(party_org=po, org=obj, started_on=founded))

    def relations(
        self,
        rows: _Rows,
        orgs: list[_Org],
        rng: random.Random,
        township_pos: dict[int, PartyOrganization],
        community_pos: dict[int, PartyOrganization],
    ) -> None:
        """Where each member's organizational relation (组织关系) sits."""
        standalone = [
            o.party_org
            for o in orgs
            if o.party_org is not None
            and o.active
            and o.party_org.form == PartyOrgForm.STANDALONE
            and o.party_org.status == PartyOrgStatus.ACTIVE
        ]

        def community_po(org: _Org) -> PartyOrganization:
            pk = org.community_pk
            if pk is None:
                return township_pos[org.township.pk]
            if pk not in community_pos:
                _pk, code, name = next(c for c in org.township.communities if c[0] == pk)
                committee = name.endswith("社区")
                level = PartyOrgLevel.COMMITTEE if committee else PartyOrgLevel.BRANCH
                po = PartyOrganization(
                    code=f"C{code}",
                    name=f"中共{org.township.name}{name}{LEVEL_SUFFIX[level]}",
                    level=level,
                    form=PartyOrgForm.COMMUNITY,
                    township_id=org.township.pk,
                    parent=township_pos[org.township.pk],
                    founded_on=_date_between(rng, dt.date(1990, 1, 1), dt.date(2012, 12, 31)),
                )
                po.term_started_on = self.term_start(
                    rng, po.founded_on, level, years=TERRITORIAL_TERM_YEARS
                )
                rows.community_party_orgs.append(po)
                community_pos[pk] = po
            return community_pos[pk]

        for org in orgs:
            township = township_pos[org.township.pk]
            own = org.party_org
            for m in org.formal + org.probationary:
                r = rng.random()
                relation: PartyOrganization | None
                if own is not None and own.form == PartyOrgForm.FUNCTIONAL:
                    relation = None if r < 0.65 else township  # 一方隶属: at their workplace
                elif own is not None:
                    keep = 0.82 if own.form == PartyOrgForm.STANDALONE else 0.78
                    relation = own if r < keep else township if r < keep + 0.1 else None
                elif org.category == 1 and len(org.formal) == 1 and m.membership.confirmed_on:
                    if org.joint_fixed is not None:  # 纳入管理: put right that way
                        relation = township if r < 0.7 else community_po(org)
                    elif r < 0.35 and standalone:
                        relation = rng.choice(standalone)  # a former employer's
                    else:
                        relation = None  # still open (rule 三.1)
                elif org.category == 1:
                    if r < 0.35:
                        relation = township
                    elif r < 0.45:
                        relation = community_po(org)
                    elif r < 0.60 and standalone:
                        relation = rng.choice(standalone)  # a former employer's
                    else:
                        relation = None
                elif r < 0.3:
                    relation = township
                elif r < 0.4 and standalone:
                    relation = rng.choice(standalone)
                else:
                    relation = None
                m.membership.relation_party_org = relation
            for m in org.departed:
                if own is not None and _share(rng, 0.5):
                    m.membership.relation_party_org = own  # not transferred (yet)
                elif _share(rng, 0.5):
                    m.membership.relation_party_org = township
            if own is not None and org.ended is not None:
                self.transfer(rng, org, own, township, community_po, standalone)

    def transfer(
        self,
        rng: random.Random,
        org: _Org,
        own: PartyOrganization,
        township: PartyOrganization,
        community_po: Callable[[_Org], PartyOrganization],
        standalone: list[PartyOrganization],
    ) -> None:
        """The members of a Party organization that was (or is to be) dissolved: all
        transferred to their residence's Party organization (township or community) or a
        new employer's, within the period after the dissolution, where that was done
        (`remedied`); where not, all of them wait while the period runs, half of them once
        it is over. Rule 三.3 finds those who wait."""
        assert org.ended is not None
        if own.dissolved_on is not None:
            arose = own.dissolved_on
        else:  # to be dissolved: due the period after the organization stopped
            arose = max(org.ended, POLICY_DATE) + dt.timedelta(days=self.dissolve_days)
        done = self.remedied(rng, arose, self.transfer_days) is not None
        overdue = arose + dt.timedelta(days=self.transfer_days) <= self.today
        for m in org.formal + org.probationary + org.departed:
            if m.membership.relation_party_org is not own:
                continue
            if not done and (not overdue or _share(rng, 0.5)):
                continue
            r = rng.random()
            if r < 0.45:
                m.membership.relation_party_org = township
            elif r < 0.7:
                m.membership.relation_party_org = community_po(org)
            elif standalone:
                m.membership.relation_party_org = rng.choice(standalone)
            else:
                m.membership.relation_party_org = township

    def committees(self, rows: _Rows, orgs: list[_Org], rng: random.Random) -> None:
        """A secretary, elected soon after the founding (`remedied`: the few still missing
        are rule 五.1's findings); a committee for branches of 7+ formal members and a
        full-time Party worker where there are 50+ members, counted as the rules count them
        (the relations the Party organization holds) — both put right as the rest; some
        past secretaries."""
        members_of: dict[int, list[_Member]] = {}
        holders: dict[int, PartyOrganization] = {}
        for org in orgs:
            if org.party_org is not None:
                key = id(org.party_org)
                holders[key] = org.party_org
                members_of.setdefault(key, []).extend(org.formal)
        held: dict[int, list[int]] = {}  # formal, all members whose relation it holds
        for membership in rows.memberships:
            po = membership.relation_party_org
            if po is not None and id(po) in holders:
                counts = held.setdefault(id(po), [0, 0])
                counts[0] += membership.confirmed_on is not None
                counts[1] += 1
        for key, po in holders.items():
            formal = sorted(members_of[key], key=lambda m: m.membership.confirmed_on or self.today)
            if not formal or self.remedied(rng, po.founded_on, self.fix_days) is None:
                continue  # no secretary (rule 五.1 finds it)
            # the organization's leader serves as secretary where they are a member
            leaders = [m for m in formal if m.employment.position == Position.LEADER]
            secretary = leaders[0] if leaders else formal[0]
            others = [m for m in formal if m is not secretary]
            held_formal, held_all = held.get(key, [0, 0])
            big = max(len(formal), held_all) >= self.fulltime_min
            full_time = big and self.remedied(rng, po.founded_on, self.fix_days) is not None
            committee = (
                max(len(formal), held_formal) >= self.committee_min
                and len(others) >= 2
                and self.remedied(rng, po.founded_on, self.fix_days) is not None
            )
            offices = [
                (secretary, CommitteeRole.SECRETARY, full_time and not committee)
                if big
                else (secretary, CommitteeRole.SECRETARY, _share(rng, 0.04))
            ]
            if committee:
                size = 5 if len(formal) < 50 else 7
                offices.append((others[0], CommitteeRole.DEPUTY, full_time))
                offices.extend((m, CommitteeRole.MEMBER, False) for m in others[1 : size - 1])
            elif others and _share(rng, 0.3):
                offices.append((others[0], CommitteeRole.DEPUTY, False))
            rows.committee.extend(self.office(po, *office) for office in offices)
            term = po.term_started_on or po.founded_on
            if term > po.founded_on + dt.timedelta(days=365) and _share(rng, 0.2):
                previous = others[-1] if others else secretary
                rows.committee.append(
                    CommitteeMembership(
                        party_org=po,
                        person=previous.person,
                        role=CommitteeRole.SECRETARY,
                        started_on=po.founded_on,
                        ended_on=term,
                    )
                )

    def office(
        self, po: PartyOrganization, m: _Member, role: str, full_time: bool
    ) -> CommitteeMembership:
        """An office held since the current term began (or since the holder could hold it)."""
        term = po.term_started_on or po.founded_on
        start = max(term, m.membership.confirmed_on or term)
        start = max(start, m.employment.started_on or start)
        ended = None
        if m.employment.ended_on:  # left the organization, left the office
            ended = max(m.employment.ended_on, start)
        if po.dissolved_on is not None:
            start = min(start, po.dissolved_on)
        return CommitteeMembership(
            party_org=po,
            person=m.person,
            role=role,
            started_on=start,
            ended_on=ended,
            full_time=full_time,
        )

    def instructors(
        self,
        rows: _Rows,
        orgs: list[_Org],
        rng: random.Random,
        regions: _Regions,
        township_pos: dict[int, PartyOrganization],
    ) -> None:
        """党建工作指导员 for the active organizations with no formal member and no Party
        organization, sent once the organization is registered (`remedied`: from mid-2015
        for the older ones; rule 三.2 finds the rest), 2–6 organizations each in one
        district; ~12% of assignments ended, another instructor of the district taking
        over the same day."""
        chosen: list[tuple[_Org, dt.date]] = []
        for o in orgs:
            if not o.active or o.party_org is not None or o.formal:
                continue
            fixed = self.remedied(rng, o.obj.registered_on, self.setup_days, wave=True)
            if fixed is not None:
                start = max(fixed, o.obj.registered_on)
                if start < INSTRUCTORS_FROM:
                    start = _date_between(rng, INSTRUCTORS_FROM, dt.date(2016, 12, 31))
                chosen.append((o, min(start, self.today - dt.timedelta(days=1))))
        by_district: dict[str, list[tuple[_Org, dt.date]]] = {}
        for org, start in chosen:
            by_district.setdefault(org.township.district.code, []).append((org, start))
        for district_code, group in by_district.items():
            i = 0
            serving: list[Instructor] = []
            ending: list[InstructorAssignment] = []
            while i < len(group):
                size = rng.randint(2, 6)
                assigned = group[i : i + size]
                i += size
                source = _pick(rng, INSTRUCTOR_SOURCE_WEIGHTS)
                born = INSTRUCTOR_BIRTH_YEARS.get(source, (1965, 1995, 1980))
                person = self.person(
                    rng, regions, district_code, born=born, status=PoliticalStatus.MEMBER
                )
                joined = _add_years(person.birth_date, 20 + rng.randint(0, 8))
                rows.people.append(person)
                rows.memberships.append(
                    Membership(
                        person=person,
                        joined_on=joined,
                        confirmed_on=_add_years(joined, 1),
                        relation_party_org=township_pos[assigned[0][0].township.pk],
                    )
                )
                instructor = Instructor(person=person, source=source)
                rows.instructors.append(instructor)
                serving.append(instructor)
                for org, start in assigned:
                    assignment = InstructorAssignment(
                        instructor=instructor, org=org.obj, started_on=start
                    )
                    rows.assignments.append(assignment)
                    if _share(rng, 0.12):
                        ended = start + dt.timedelta(days=rng.randint(90, 900))
                        if ended < self.today:
                            assignment.ended_on = ended
                            ending.append(assignment)
            for assignment in ending:  # a successor takes over
                others = [s for s in serving if s is not assignment.instructor]
                ended_on = assignment.ended_on
                if not others or ended_on is None:
                    assignment.ended_on = None
                    continue
                rows.assignments.append(
                    InstructorAssignment(
                        instructor=rng.choice(others),
                        org=assignment.org,
                        started_on=ended_on,
                    )
                )

    # saving ------------------------------------------------------------------------------

    def save(self, rows: _Rows, city_name: str) -> None:
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
        ]
        start, half = self.done, len(rows.orgs) - len(rows.orgs) // 2
        for i, (label, objs, model, key) in enumerate(steps):
            self.report(f"{city_name}：写入{label}", start + half * i // len(steps))
            if objs:
                bulk_create_with_history(
                    objs,
                    model,
                    batch_size=BATCH_SIZE,
                    default_change_reason=CHANGE_REASON,
                    default_date=self.history_date,
                )
            if key:
                self.counts[key] += len(objs)
        formal = sum(1 for m in rows.memberships if m.confirmed_on is not None)
        self.counts["members_formal"] += formal
        self.counts["members_probationary"] += len(rows.memberships) - formal
        self.report(f"{city_name}：完成", start + half)

    def forget_ids(self, prefixes: set[str]) -> None:
        """Drop the identity-number bookkeeping of regions no later city draws from."""
        for key in [k for k in self.used_ids if k[0][:4] in prefixes]:
            del self.used_ids[key]

    # users ---------------------------------------------------------------------------------

    def users(self) -> list[DemoUser]:
        """One user per role, plus the superuser `admin` (passwords random, shown once)."""
        city = Area.objects.filter(code=CHANGSHA).first()
        district = Area.objects.filter(code="430102").first()
        township = Area.objects.filter(code="430102001").first()
        registry = (
            Unit.objects.filter(kind=UnitKind.CIVIL_AFFAIRS, area=district).order_by("pk").first()
        )
        supervisor = (
            Unit.objects.filter(
                kind=UnitKind.SUPERVISORY, area=city, name__endswith="教育局"
            ).first()
            or Unit.objects.filter(kind=UnitKind.SUPERVISORY).order_by("pk").first()
        )
        active = PartyOrganization.objects.filter(status=PartyOrgStatus.ACTIVE)
        with_secretary = active.filter(
            committee__role=CommitteeRole.SECRETARY, committee__ended_on__isnull=True
        )
        party_org = (
            with_secretary.filter(form=PartyOrgForm.STANDALONE, township=township)
            .order_by("code")
            .first()
            or with_secretary.filter(form=PartyOrgForm.STANDALONE).order_by("code").first()
            or with_secretary.order_by("code").first()
            or active.filter(township=township).order_by("code").first()
        )
        instructor = (
            Instructor.objects.filter(
                assignments__ended_on__isnull=True,
                assignments__org__district=district,
            )
            .order_by("pk")
            .first()
            or Instructor.objects.order_by("pk").first()
        )
        secretary_name = ""
        if party_org is not None:
            office = party_org.committee.filter(role=CommitteeRole.SECRETARY).first()
            secretary_name = office.person.name if office else ""
        plans: list[tuple[str, str, dict[str, Any], str, str]] = [
            ("city_admin", Role.CITY, {"area": city}, "市社会组织党工委", ""),
            ("furong_admin", Role.DISTRICT, {"area": district}, "芙蓉区社会组织党建办", ""),
            ("wenyilu_cadre", Role.TOWNSHIP, {"area": township}, "文艺路街道党建专干", ""),
            ("furong_registry", Role.REGISTRY, {"unit": registry}, "芙蓉区民政局", ""),
            ("supervisor_edu", Role.SUPERVISOR, {"unit": supervisor}, "业务主管单位", ""),
            ("org_secretary", Role.ORG, {"party_org": party_org}, secretary_name, ""),
            (
                "instructor",
                Role.INSTRUCTOR,
                {"instructor": instructor},
                instructor.person.name if instructor else "",
                "",
            ),
            ("admin", "", {}, "系统管理员", "全部（系统管理员）"),
        ]
        result = []
        for username, role, target, first_name, scope in plans:
            if any(value is None for value in target.values()):
                continue  # nothing of that kind at this scale
            if User.objects.filter(username=username).exists():
                result.append(DemoUser(username, "（已存在，未修改）", "", "", created=False))
                continue
            user = User(username=username, role=role, first_name=first_name, **target)
            if not role:
                user.is_staff = user.is_superuser = True
            password = _password(user)
            user.set_password(password)
            user.full_clean()
            user.save()
            self.counts["users"] += 1
            label = Role(role).label if role else "系统管理员"
            result.append(DemoUser(username, password, label, scope or _scope(user)))
        return result


def _password(user: User) -> str:
    while True:
        password = secrets.token_urlsafe(9)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _scope(user: User) -> str:
    if user.area is not None:
        return f"{user.area.name}（{user.area.code}）"
    if user.unit is not None:
        return user.unit.name
    if user.party_org is not None:
        return f"{user.party_org.name}（{user.party_org.code}）"
    if user.instructor is not None:
        return f"{user.instructor.person.name}（指导员）负责的社会组织"
    return ""


# --- entry points ---------------------------------------------------------------------------


def database_is_empty() -> bool:
    return not (
        SocialOrganization.objects.exists()
        or PartyOrganization.objects.exists()
        or Person.objects.exists()
    )


def load_divisions(scale: Scale) -> int:
    from dangjian.areas import divisions

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
    generator = _Generator(scale, seed, progress)
    # All in one transaction, except at the national scale: one per city there.
    with contextlib.nullcontext() if scale.chunked else transaction.atomic():
        generator.report("载入行政区划")
        load_divisions(scale)
        users = _generate(generator)
    from dangjian.core.version import bump

    bump()
    return DemoSummary(
        scale=scale,
        seed=seed,
        counts=generator.counts,
        users=users,
        seconds=time.monotonic() - started,
    )


def _generate(generator: _Generator) -> list[DemoUser]:
    cities = _load_geography(generator.scale)
    _spread_orgs(generator.scale, cities, random.Random(f"{generator.seed}:spread"))
    # identity-number regions are a city's own: forget them after the last city using them
    last_use: dict[str, int] = {}
    for i, city in enumerate(cities):
        for prefix in city.region_prefixes:
            last_use[prefix] = i
    for i, city in enumerate(cities):
        with transaction.atomic():
            generator.report(f"{city.name}：社会组织")
            rows = generator.city(city)
            generator.save(rows, city.name)
        del rows  # the national scale holds one city at a time
        generator.forget_ids({p for p, last in last_use.items() if last == i})
    with transaction.atomic():
        generator.report("创建演示用户")
        return generator.users()


def users_file_path(database: Mapping[str, Any] | None = None) -> Path:
    """Where the demo users of `database` (default: the one in use) are saved: beside a SQLite
    file (`X.sqlite3` -> `X.demo-users.txt`), else in the var directory under a name made of
    the server, port and database name, so that a demo generated into another database never
    overwrites the passwords of this one."""
    from django.db import connection

    db = connection.settings_dict if database is None else database
    name = str(db.get("NAME") or "")
    if "sqlite" in str(db.get("ENGINE", "")):
        if name and name != ":memory:" and not name.startswith("file:"):
            file = Path(name)
            return file.with_name(f"{file.stem}.demo-users.txt")
        tag = "sqlite-memory"
    else:
        tag = "-".join(str(p) for p in (db.get("HOST") or "localhost", db.get("PORT"), name) if p)
    tag = "".join(c if c.isalnum() or c in "._-" else "_" for c in tag)
    return Path(settings.VAR_DIR) / f"demo-users.{tag}.txt"


def write_users_file(users: list[DemoUser], path: Path | None = None) -> Path:
    """The demo users and their passwords, readable by the owner only (mode 0600)."""
    path = path or users_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(users_table(users))
    os.chmod(path, 0o600)
    return path


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def users_table(users: list[DemoUser]) -> str:
    """A plain-text table that lines up in a terminal with Chinese text."""
    header = ("用户名", "密码", "角色", "管辖范围")
    rows = [header, *((u.username, u.password, u.role, u.scope) for u in users)]
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    lines = []
    for r in rows:
        cells = [r[i] + " " * (widths[i] - _width(r[i])) for i in range(3)]
        lines.append("  ".join([*cells, r[3]]).rstrip())
    rule = "-" * (sum(widths) + 6 + max(_width(r[3]) for r in rows))
    return "\n".join([lines[0], rule, *lines[1:]]) + "\n"
