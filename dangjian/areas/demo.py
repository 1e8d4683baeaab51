"""The areas' demo records: the map the data go into (cities, districts, townships and
communities from the loaded divisions), how many organizations each township gets, and the
units (civil-affairs departments, business supervisory units). `dangjian.demo` calls them."""

from __future__ import annotations

import random

from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.demo.base import CHANGSHA, allocate
from dangjian.demo.context import City, CityContext, District, Township
from dangjian.demo.scales import Scale
from dangjian.orgs.models import Industry

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


def _township_base_weight(name: str) -> float:
    """Streets (街道) and development zones are urban and dense; towns less, rural 乡 least."""
    if name.endswith(("街道", "开发区", "园区", "科技园", "管理区")):
        return 3.0
    if name.endswith("镇"):
        return 1.0
    if name.endswith("乡"):
        return 0.5
    return 1.0


def _city_label(city_name: str, province_name: str) -> str:
    if city_name.startswith(province_name) and city_name != province_name:
        return province_name  # 北京市市辖区, 湖北省省直辖县级行政区划 → the province
    return city_name


# --- the map ---------------------------------------------------------------------------------


def load_geography(scale: Scale) -> list[City]:
    """Cities with their districts and townships (and communities), all ordered by code."""
    areas = Area.objects.all()
    if scale.root:
        areas = areas.filter(path__startswith=Area.objects.get(code=scale.root).path)
    names = dict(Area.objects.filter(level=AreaLevel.PROVINCE).values_list("pk", "name"))
    cities: dict[int, City] = {}
    districts: dict[int, District] = {}
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
            cities[parent_id] = City(
                pk=parent_id,
                code=parent_code,
                name=_city_label(parent_name, province_name),
                province_pk=province_pk,
                province_code=province_codes[province_pk],
                province_name=province_name,
            )
        district = District(pk=pk, code=code, name=name, city=cities[parent_id])
        cities[parent_id].districts.append(district)
        districts[pk] = district
    townships: dict[int, Township] = {}
    for pk, code, name, parent_id in (
        areas.filter(level=AreaLevel.TOWNSHIP, parent__level=AreaLevel.DISTRICT)
        .order_by("code")
        .values_list("pk", "code", "name", "parent_id")
    ):
        if parent_id in districts:
            township = Township(pk=pk, code=code, name=name, district=districts[parent_id])
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


def spread_orgs(scale: Scale, cities: list[City], rng: random.Random) -> None:
    """How many organizations each township gets (`Township.n_orgs`), `scale.orgs` in all."""
    raw: list[tuple[Township, float]] = []
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
    counts = allocate(scale.orgs, [w for _t, w in raw])
    for (township, _w), n in zip(raw, counts, strict=True):
        township.n_orgs = n


# --- units ------------------------------------------------------------------------------------


def unit(ctx: CityContext, name: str, kind: str, area_pk: int) -> Unit:
    """The unit of that name (an existing one, e.g. from `dangjian init`), else a new one;
    a name taken by a unit elsewhere gets the area's parent's name in front."""
    units = ctx.demo.units
    parent, code = Area.objects.filter(pk=area_pk).values_list("parent__name", "code")[0]
    for candidate in (name, f"{parent or ''}{name}", f"{name}（{code}）"):
        found = units.get(candidate)
        if found is None:
            break
        if found.area_id == area_pk and found.kind == kind:
            return found
    new = Unit(name=candidate, kind=kind, area_id=area_pk)
    units[candidate] = new
    ctx.rows.units.append(new)
    return new


def registries(ctx: CityContext) -> dict[str, tuple[Unit, str]]:
    """Registering civil-affairs departments by level: (unit, division code for the USCC)."""
    city = ctx.city
    result: dict[str, tuple[Unit, str]] = {
        "city": (unit(ctx, f"{city.name}民政局", UnitKind.CIVIL_AFFAIRS, city.pk), city.code)
    }
    if ctx.demo.scale.root != CHANGSHA and city.name != city.province_name:
        name = f"{city.province_name}民政厅"
        result["province"] = (
            unit(ctx, name, UnitKind.CIVIL_AFFAIRS, city.province_pk),
            city.province_code,
        )
    for d in city.districts:
        result[d.code] = (unit(ctx, f"{d.name}民政局", UnitKind.CIVIL_AFFAIRS, d.pk), d.code)
    return result


def supervisors(ctx: CityContext) -> dict[str, list[Unit]]:
    """The city's business supervisory units, by the industries they supervise."""
    by_industry: dict[str, list[Unit]] = {}
    for suffix, industries in SUPERVISORS:
        found = unit(ctx, f"{ctx.city.name}{suffix}", UnitKind.SUPERVISORY, ctx.city.pk)
        for industry in industries:
            by_industry.setdefault(industry, []).append(found)
    return by_industry
