"""The organizations' demo records: the social organizations of a city, with their kind,
industry, registry, supervisor, status and names drawn from public figures
(docs/demo-data.md). `dangjian.demo` calls `organizations` once per city, after the areas'
units and the townships' Party organizations; the people and Party organizations of each
organization come after it (`dangjian.people.demo`, `dangjian.partyorgs.demo`)."""

from __future__ import annotations

import datetime as dt

from dangjian.areas.models import Unit
from dangjian.demo.base import DEMO_TODAY, date_between, pick, share
from dangjian.demo.context import USCC_SPACE, CityContext, DemoContext, Org
from dangjian.demo.names import (
    ASSOCIATION_TOPICS,
    BRAND_FIRST,
    BRAND_SECOND,
    FOUNDATION_TOPICS,
    SERVICE_TEMPLATES,
)
from dangjian.lib.codes import USCC_KIND_CHARACTER, make_uscc
from dangjian.orgs.models import (
    Industry,
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)

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

# USCC characters 9–17 are drawn from this alphabet (GB 32100, without I O S V Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_STRIDE = 1_000_000_007  # coprime to 31: serial → 9 characters is a bijection


def uscc(ctx: DemoContext, kind: str, division: str) -> str:
    ctx.org_serial += 1
    value = (ctx.org_serial * USCC_STRIDE + ctx.uscc_offset) % USCC_SPACE
    chars = []
    for _ in range(9):
        value, digit = divmod(value, 31)
        chars.append(USCC_ALPHABET[digit])
    return make_uscc(f"5{USCC_KIND_CHARACTER[kind]}{division}{''.join(reversed(chars))}")


def org_name(ctx: CityContext, kind: str, industry: str, prefix: str, seen: set[str]) -> str:
    rng = ctx.rng

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


def organizations(
    ctx: CityContext,
    registries: dict[str, tuple[Unit, str]],
    supervisors: dict[str, list[Unit]],
) -> list[Org]:
    """Every township's share of organizations (`Township.n_orgs`), in township order."""
    rng, city, today = ctx.rng, ctx.city, DEMO_TODAY
    seen: set[str] = set()
    result: list[Org] = []
    province_share = 0.03 if "province" in registries else 0.0
    for township in city.townships:
        district = township.district
        for _ in range(township.n_orgs):
            kind = pick(rng, KIND_WEIGHTS)
            industry = pick(rng, INDUSTRY_WEIGHTS[kind])
            r = rng.random()
            if r < province_share:
                level, prefix = "province", city.province_name
            elif r < province_share + 0.25:
                level, prefix = "city", city.name
            else:
                level = district.code
                if kind != OrgKind.FOUNDATION and share(rng, 0.3):
                    prefix = f"{district.name}{township.name}"
                elif district.name.endswith("区"):
                    prefix = f"{city.name}{district.name}"
                else:  # counties and county-level cities go by their own name
                    prefix = district.name
            registry, division = registries[level]
            year = rng.choices(REGISTRATION_YEARS, weights=REGISTRATION_YEAR_WEIGHTS)[0]
            if kind == OrgKind.FOUNDATION:
                year = max(year, 2004)  # 基金会管理条例 (2004)
            registered = date_between(rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
            if industry in DIRECT_INDUSTRIES:
                supervised = share(rng, 0.35 if registered < DIRECT_SINCE else 0.03)
            else:
                supervised = share(rng, 0.36)
            supervisor = None
            if supervised:
                units = supervisors.get(industry) or supervisors[Industry.OTHER]
                supervisor = units[0] if len(units) == 1 or share(rng, 0.7) else units[1]
            status = pick(rng, STATUS_WEIGHTS)
            changed = None
            if status != OrgStatus.ACTIVE:
                earliest = registered + dt.timedelta(days=180)
                if earliest >= today - dt.timedelta(days=30):
                    status = OrgStatus.ACTIVE
                else:
                    changed = date_between(rng, earliest, today - dt.timedelta(days=5))
            community = None
            if township.communities and share(rng, 0.75):
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
                uscc=uscc(ctx.demo, kind, division),
                name=org_name(
                    ctx,
                    kind,
                    industry,
                    prefix,
                    ctx.demo.names_shared if level == "province" else seen,
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
            org = Org(
                obj=obj,
                township=township,
                serial=len(result),
                ended=changed,
                category=category,
            )
            ctx.rows.orgs.append(obj)
            result.append(org)
    return result
