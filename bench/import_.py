"""The import benchmark (issue 3, item 5): how fast `dangjian import` takes large files.

Generated, deterministic files — 100,000 social organizations and 300,000 people rows at
SCALE=city, as CSV and as xlsx — are imported with the real service (`import_file`: every
validation, the upsert and the change history included), each on an empty set of tables:

    import.orgs.csv / .xlsx      organizations, inserted
    import.people.csv / .xlsx    people, employments and memberships, inserted
    import.orgs.csv.25k          the first 25,000 organizations: peak memory at a quarter of
                                 the file size, to compare with import.orgs.csv
    import.*.csv.unchanged       the same file imported again: nothing changes
    import.*.csv.unchanged.officer  the same, imported by a city officer: every row is also
                                 checked against the writer's jurisdiction (writers.py)
    import.orgs.csv.serial       the organizations CSV without, and with, the worker process
    import.orgs.csv.parallel     that reads and parses while this one writes (the figures
                                 above leave that choice to the import: a large file, a free
                                 core)

Each figure also gives the peak growth of this process's memory (peak_mib), the worker's
own peak (worker_peak_mib: what it does not share with this process), the CPU seconds of
both (cpu_s, worker_cpu_s) and the machine's load average when it started (load): on a
shared machine the rows/s say as much about the neighbours as about the import.

The baseline is the raw insert of exactly the rows the import stored, read back from the
tables, into the same (emptied) tables with their indexes: a bare `executemany` INSERT on
SQLite, COPY on PostgreSQL, inside one transaction like the import. For people it is the rows
of the three tables (people, memberships, employments) for the file's rows. The ratio is
baseline rows/s ÷ import rows/s: how many times slower than the database alone.

Sizes can be lowered for a quick look with BENCH_IMPORT_ORGS / BENCH_IMPORT_PEOPLE.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import BenchContext, PeakMemory, Result, timed

# Rows per scale: organizations, people rows. The issue fixes the city figures.
SIZES = {
    "city": (100_000, 300_000),
    "province": (350_000, 1_000_000),
    "national": (1_000_000, 3_000_000),
}
SMALL_ORGS = 25_000  # the second size of the orgs CSV, for peak memory
WARM_UP_ROWS = 300
SEED = 20261126
GENERATOR_VERSION = 2  # bump when the generated rows change
LAST_DATE = dt.date(2025, 12, 31)  # every generated date is on or before it

ORG_COLUMNS = [
    "统一社会信用代码",
    "社会组织名称",
    "社会组织类型",
    "登记管理机关",
    "登记方式",
    "业务主管单位",
    "行业类别",
    "所在区县",
    "所在乡镇(街道)",
    "所在村(社区)",
    "成立登记日期",
    "登记状态",
    "状态变更日期",
    "从业人员数",
    "党建管理方式",
]
PEOPLE_COLUMNS = [
    "姓名",
    "公民身份号码",
    "工作单位统一社会信用代码",
    "职务类别",
    "入职日期",
    "离职日期",
    "政治面貌",
    "入党日期",
    "转正日期",
    "组织关系所在党组织编码",
]

KINDS = [
    ("社会团体", "1", 45),
    ("社会服务机构", "2", 48),
    ("民办非企业单位", "2", 5),
    ("基金会", "3", 2),
]
SUFFIXES = {
    "1": ["协会", "商会", "研究会", "促进会", "联合会", "学会"],
    "2": ["服务中心", "培训学校", "养老院", "幼儿园", "研究院", "康复中心", "社工服务站"],
    "3": ["基金会", "慈善基金会", "教育基金会"],
}
TOPICS = [
    "书法", "摄影", "青少年足球", "老年大学", "志愿者", "社区养老", "心理咨询", "法律援助",
    "生态环保", "茶叶", "湘绣", "花鼓戏", "围棋", "科普", "企业家", "物流", "餐饮", "建筑业",
    "电子商务", "互联网", "湘菜", "民俗文化", "助残", "家政服务", "农机", "种养殖", "乒乓球",
    "太极拳", "读书", "诗词", "非遗保护", "社会工作", "物业管理", "工程机械", "烟花爆竹",
]  # fmt: skip
INDUSTRIES = [
    "行业协会商会", "科技类", "公益慈善类", "城乡社区服务类", "教育", "卫生健康", "文化",
    "体育", "养老服务", "法律服务", "农业农村", "生态环境", "其他",
]  # fmt: skip
SUPERVISORS = ["教育局", "卫生健康局", "文化旅游广电局", "体育局", "科学技术协会", "农业农村局"]
STATUSES = [("注销", 4), ("撤销", 1), ("停止活动", 3)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华红玲鹏浩宇欣晨婷雪琳斌辉波鑫慧佳嘉颖俊"
    "峰亮建国志海燕文武兰英梅松柏雨航博湘岳麓橘"
)
POSITIONS = [("负责人", 5), ("管理层", 12), ("专业骨干", 25), ("一线员工", 55), ("主要出资人", 3)]
POLITICAL = [
    ("中共党员", 27), ("中共预备党员", 3), ("共青团员", 10), ("群众", 58),
    ("民主党派", 1), ("无党派人士", 1),
]  # fmt: skip


# --- the generated rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Geography:
    """Changsha's divisions as `dangjian init` loads them, each as it may be written."""

    districts: list[tuple[str, str]]  # (code, name)
    townships: dict[str, list[tuple[str, str]]]  # district code -> [(code, name as written)]
    communities: dict[str, list[str]]  # township code -> [name or code as written]
    id_regions: list[str]  # district codes python-stdnum knows (identity numbers)

    @classmethod
    def load(cls) -> Geography:
        from dangjian.areas.models import Area
        from dangjian.lib.codes import _known_region

        rows = list(
            Area.objects.filter(path__startswith="/430000/430100/")
            .order_by("code")
            .values_list("code", "name", "level", "parent__code")
        )
        districts = [(code, name) for code, name, level, _ in rows if level == "district"]

        def written(level: str) -> dict[str, list[tuple[str, str]]]:
            # A name that is not unique under its parent is written as its code.
            by_parent: dict[str, list[tuple[str, str]]] = {}
            for code, name, lvl, parent in rows:
                if lvl == level:
                    by_parent.setdefault(parent, []).append((code, name))
            out: dict[str, list[tuple[str, str]]] = {}
            for parent, children in by_parent.items():
                names = [name for _, name in children]
                out[parent] = [
                    (code, name if names.count(name) == 1 else code) for code, name in children
                ]
            return out

        communities = {
            parent: [name for _, name in children]
            for parent, children in written("community").items()
        }
        regions = [code for code, _ in districts if _known_region(code)]
        return cls(districts, written("township"), communities, regions)

    def digest(self) -> str:
        text = json.dumps([self.districts, self.townships, self.communities, self.id_regions])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _weighted(rng: random.Random, options: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    total = sum(option[-1] for option in options)
    pick = rng.random() * total
    for option in options:
        pick -= option[-1]
        if pick < 0:
            return option
    return options[-1]


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def org_rows(geo: Geography, count: int) -> Iterator[list[Any]]:
    """Organization rows, CONTRACT.md's columns; dates as `date` (written as text in CSV)."""
    from dangjian.lib.codes import make_uscc

    rng = random.Random(SEED)
    for i in range(count):
        kind, kind_char, _ = _weighted(rng, KINDS)
        district_code, district_name = geo.districts[rng.randrange(len(geo.districts))]
        township_code, township = rng.choice(geo.townships[district_code])
        communities = geo.communities.get(township_code, [])
        community = rng.choice(communities) if communities and rng.random() < 0.6 else ""
        city_level = rng.random() < 0.2
        registry = "长沙市民政局" if city_level else f"{district_name}民政局"
        registry_code = "430100" if city_level else district_code
        uscc = make_uscc(f"5{kind_char}{registry_code}MJ{i:07d}")
        place = "长沙市" if city_level else district_name
        name = f"{place}{rng.choice(TOPICS)}{rng.choice(SUFFIXES[kind_char])}"
        if rng.random() < 0.7:
            mode, supervisor = "直接登记", ""
        else:
            mode, supervisor = "业务主管单位", f"{place}{rng.choice(SUPERVISORS)}"
        registered = _date_between(rng, dt.date(1990, 1, 1), dt.date(2025, 6, 30))
        if rng.random() < 0.92:
            status, changed = "正常", None
        else:
            status = _weighted(rng, STATUSES)[0]
            changed = _date_between(rng, registered, LAST_DATE)
        staff = rng.randrange(0, 200) if rng.random() < 0.9 else None
        pick = rng.random()
        if pick < 0.07:
            management = "委托乡镇(街道)"
        elif pick < 0.12:
            management = "属地乡镇(街道)"
        elif pick < 0.15 and community:
            management = "属地村(社区)"
        else:
            management = ""
        yield [
            uscc,
            name,
            kind,
            registry,
            mode,
            supervisor,
            rng.choice(INDUSTRIES),
            district_name if rng.random() < 0.8 else district_code,
            township,
            community,
            registered,
            status,
            changed,
            staff,
            management,
        ]


def people_rows(geo: Geography, employers: Sequence[str], count: int) -> Iterator[list[Any]]:
    """People rows: about 30% Party members, one person in ten with two employments."""
    from dangjian.lib.codes import make_id_number

    rng = random.Random(SEED + 1)
    first_birth, days = dt.date(1960, 1, 1), 16_800  # born 1960 to 2005
    space = len(geo.id_regions) * days * 100
    written = person = 0
    while written < count:
        # A bijection from the person's index to (region, birth date, sequence): unique.
        slot = (person * 7919 + 13) % space
        person += 1
        region = geo.id_regions[slot % len(geo.id_regions)]
        birth = first_birth + dt.timedelta(days=(slot // len(geo.id_regions)) % days)
        sequence = slot // (len(geo.id_regions) * days)
        number = make_id_number(f"{region}{birth:%Y%m%d}{sequence:02d}{rng.randrange(10)}")
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
        status = _weighted(rng, POLITICAL)[0]
        joined = confirmed = None
        adult = dt.date(birth.year + 18, birth.month, min(birth.day, 28))
        if status in ("中共党员", "中共预备党员") and adult < LAST_DATE:
            if status == "中共党员":
                joined = _date_between(rng, adult, LAST_DATE - dt.timedelta(days=400))
                confirmed = joined + dt.timedelta(days=365)
            else:
                joined = _date_between(rng, max(adult, dt.date(2025, 1, 1)), LAST_DATE)
        elif status in ("中共党员", "中共预备党员"):
            status = "群众"
        unemployed = rng.random() < 0.02  # one row without an employer
        jobs = 2 if not unemployed and rng.random() < 0.1 else 1
        for job in range(jobs):
            if written >= count:
                break
            written += 1
            if unemployed:
                employer, position, employed, left = "", "", None, None
            else:
                employer = employers[rng.randrange(len(employers))]
                position = _weighted(rng, POSITIONS)[0]
                employed = _date_between(rng, max(adult, dt.date(2000, 1, 1)), LAST_DATE)
                left = None
                if (job == 0 and jobs == 2) or rng.random() < 0.05:
                    left = min(employed + dt.timedelta(days=rng.randrange(30, 3000)), LAST_DATE)
            yield [
                name,
                number,
                employer,
                position,
                employed,
                left,
                status,
                joined,
                confirmed,
                "",
            ]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Files:
    """Writes the rows as CSV and xlsx at once (xlsx with openpyxl in write-only mode:
    dates as Excel date cells, codes as text)."""

    def __init__(self, base: Path, header: list[str], *, xlsx: bool = True) -> None:
        from openpyxl import Workbook

        self.csv_path = base.with_suffix(".csv")
        self.xlsx_path = base.with_suffix(".xlsx") if xlsx else None
        self._fh = self.csv_path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(header)
        self._book = Workbook(write_only=True) if xlsx else None
        if self._book is not None:
            self._sheet = self._book.create_sheet()
            self._sheet.append(header)

    def add(self, row: list[Any]) -> None:
        self._csv.writerow([_csv_cell(v) for v in row])
        if self._book is not None:
            self._sheet.append([None if v == "" else v for v in row])

    def close(self) -> None:
        self._fh.close()
        if self._book is not None and self.xlsx_path is not None:
            self._book.save(self.xlsx_path)


@dataclass
class DataSet:
    orgs: Path  # stem: .csv and .xlsx
    orgs_small: Path  # .csv only, the first SMALL_ORGS rows
    people: Path
    warm_orgs: Path  # warm-up files, both formats
    warm_people: Path
    generated_in: float  # seconds, 0 when the files of an earlier run were reused


def generate(workdir: Path, geo: Geography, n_orgs: int, n_people: int) -> DataSet:
    """Write the files, or reuse those of an earlier run with the same parameters."""
    folder = workdir / "import-data"
    folder.mkdir(parents=True, exist_ok=True)
    small = min(SMALL_ORGS, n_orgs)
    data = DataSet(
        orgs=folder / f"orgs-{n_orgs}",
        orgs_small=folder / f"orgs-{small}-small",
        people=folder / f"people-{n_people}",
        warm_orgs=folder / "warm-orgs",
        warm_people=folder / "warm-people",
        generated_in=0.0,
    )
    stamp = {
        "version": GENERATOR_VERSION,
        "seed": SEED,
        "orgs": n_orgs,
        "people": n_people,
        "geography": geo.digest(),
    }
    stamp_path = folder / "stamp.json"
    names = [data.orgs, data.people, data.warm_orgs, data.warm_people]
    expected = [p.with_suffix(s) for p in names for s in (".csv", ".xlsx")]
    expected.append(data.orgs_small.with_suffix(".csv"))
    if (
        stamp_path.exists()
        and json.loads(stamp_path.read_text()) == stamp
        and all(p.exists() for p in expected)
    ):
        return data
    stamp_path.unlink(missing_ok=True)
    with timed() as elapsed:
        usccs: list[str] = []
        big = _Files(data.orgs, ORG_COLUMNS)
        small_files = _Files(data.orgs_small, ORG_COLUMNS, xlsx=False)
        warm = _Files(data.warm_orgs, ORG_COLUMNS)
        for i, row in enumerate(org_rows(geo, n_orgs)):
            usccs.append(row[0])
            big.add(row)
            if i < small:
                small_files.add(row)
            if i < WARM_UP_ROWS:
                warm.add(row)
        for files in (big, small_files, warm):
            files.close()
        people = _Files(data.people, PEOPLE_COLUMNS)
        for row in people_rows(geo, usccs, n_people):
            people.add(row)
        people.close()
        warm_people = _Files(data.warm_people, PEOPLE_COLUMNS)
        for row in people_rows(geo, usccs[:WARM_UP_ROWS], WARM_UP_ROWS):
            warm_people.add(row)
        warm_people.close()
    stamp_path.write_text(json.dumps(stamp) + "\n")
    data.generated_in = elapsed()
    return data


# --- the database: emptying tables and the raw-insert baseline --------------------------------


def _org_models() -> list[Any]:
    from dangjian.orgs.models import SocialOrganization

    return [SocialOrganization]


def _people_models() -> list[Any]:
    from dangjian.people.models import Employment, Membership, Person

    return [Person, Membership, Employment]  # in the order they can be inserted


def _empty(models: Sequence[Any], *, units: bool = False) -> None:
    """Delete the rows of `models` and their history, the findings and tasks derived from
    them (and the supervisory units the import created on first sight, and the import
    batches), so that the next import inserts again
    into tables as they were after `init`."""
    from django.db import connection, transaction

    from dangjian.areas.models import Unit, UnitKind
    from dangjian.compliance.models import FindingRecord
    from dangjian.imports.models import ImportBatch
    from dangjian.tasks.models import Notification, Task, TaskEvent

    tables = [m._meta.db_table for m in reversed(models)]
    tables += [m.history.model._meta.db_table for m in models]
    # What the live re-evaluation derived from those rows (each import's figure includes
    # it: a commit re-evaluates what it touched), so that the next import starts as bare.
    derived = [Notification, TaskEvent, Task, FindingRecord]
    tables += [m._meta.db_table for m in derived] + [Task.history.model._meta.db_table]
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(q(t) for t in tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {q(table)}")
        if units:
            for table in (Unit._meta.db_table, Unit.history.model._meta.db_table):
                cursor.execute(f"DELETE FROM {q(table)} WHERE kind = %s", [UnitKind.SUPERVISORY])
        cursor.execute(f"DELETE FROM {q(ImportBatch._meta.db_table)}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(q(t) for t in tables)}")
        else:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass
class Snapshot:
    """The stored rows of some tables, exactly as the database returns them."""

    tables: list[tuple[str, list[str], list[tuple[Any, ...]]]]  # (table, columns, rows)

    @classmethod
    def take(cls, models: Sequence[Any]) -> Snapshot:
        from django.db import connection

        q = connection.ops.quote_name
        tables = []
        with connection.cursor() as cursor:
            for model in models:
                columns = [f.column for f in model._meta.concrete_fields]
                cursor.execute(
                    f"SELECT {', '.join(q(c) for c in columns)} FROM {q(model._meta.db_table)} "
                    f"ORDER BY {q(model._meta.pk.column)}"
                )
                tables.append((model._meta.db_table, columns, cursor.fetchall()))
        return cls(tables)

    @property
    def rows(self) -> int:
        return sum(len(rows) for _, _, rows in self.tables)

    def insert(self) -> float:
        """The raw insert of every row, in one transaction: seconds."""
        from django.db import connection, transaction

        q = connection.ops.quote_name
        gc.collect()
        with timed() as elapsed, transaction.atomic(), connection.cursor() as cursor:
            for table, columns, rows in self.tables:
                names = ", ".join(q(c) for c in columns)
                if connection.vendor == "postgresql":
                    raw = cursor.cursor  # psycopg's own cursor
                    with raw.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    raw_connection = connection.connection
                    assert raw_connection is not None
                    raw_connection.executemany(
                        f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", rows
                    )
        return elapsed()


# --- the measurements ------------------------------------------------------------------------


# The sampler of `Memory`, run as a process of its own: argv[1] is the pid to watch. It
# prints "ready" once it has started, and the two peaks when its stdin closes.
_SAMPLER = r"""
import os, sys, threading
pid, page = int(sys.argv[1]), os.sysconf("SC_PAGE_SIZE")
peak = worker = 0
stop = threading.Event()

def rss():
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * page

def private(child):
    total = 0
    with open(f"/proc/{child}/smaps_rollup") as fh:
        for line in fh:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
    return total

def children():
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        yield int(entry)
            except (OSError, ValueError, IndexError):
                pass

def sample():
    global peak, worker
    ticks = 0
    while not stop.wait(0.02):
        try:
            peak = max(peak, rss())
            ticks += 1
            if ticks % 5 == 0:
                for child in children():
                    worker = max(worker, private(child))
        except OSError:
            pass

peak = rss()
thread = threading.Thread(target=sample)
thread.start()
print("ready", flush=True)
sys.stdin.read()
stop.set()
thread.join()
peak = max(peak, rss())
print(peak, worker, flush=True)
"""


class Memory:
    """PeakMemory's figure — the peak growth of this process's resident memory, every 20 ms —
    and the peak private memory of the import's worker process (the one that reads and
    parses a large file: what it does not share with this process), every 100 ms. Sampled
    from a process of its own: a thread here would keep the import from starting its worker
    (it forks only a process without other threads)."""

    def __enter__(self) -> Memory:
        self.start = PeakMemory._rss()
        self._sampler = subprocess.Popen(
            [sys.executable, "-c", _SAMPLER, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._sampler.stdout is not None
        self._sampler.stdout.readline()  # "ready"
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self._sampler.communicate("")
        peak, worker = (int(v) for v in out.split())
        self.growth_mib = (max(peak, PeakMemory._rss()) - self.start) / (1 << 20)
        self.worker_mib = worker / (1 << 20)


@dataclass
class Measured:
    rows: int
    seconds: float
    peak_mib: float
    created: int
    unchanged: int
    cpu: float  # seconds of CPU: this process
    worker_cpu: float  # and the worker process, if there was one
    worker_mib: float
    load: float  # the machine's load average (1 min) when the import started

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _officer() -> Any:
    """A city officer of Changsha (every generated row is in the city): the import checks
    each row against the writer's jurisdiction (imports/writers.py), which the system's own
    imports (user None) skip."""
    from dangjian.accounts.models import Role, User
    from dangjian.areas.models import Area

    user, _ = User.objects.get_or_create(
        username="bench-city-officer",
        defaults={"role": Role.CITY, "area": Area.objects.get(code="430100")},
    )
    return user


def _import(
    kind: str,
    path: Path,
    *,
    expect: str = "created",
    parallel: bool | None = None,
    user: Any = None,
) -> Measured:
    from dangjian.imports import service

    gc.collect()
    load = round(os.getloadavg()[0], 1)
    cpu_before, children_before = _cpu()
    with Memory() as memory, timed() as elapsed:
        service.PARALLEL = parallel
        try:
            result = service.import_file(kind, path, user=user)
        finally:
            service.PARALLEL = None
        cpu_after, children_after = _cpu()  # the worker reaped, not yet the sampler
    seconds = elapsed()
    if not result.ok or not result.written:
        shown = "; ".join(str(e) for e in result.errors[:5])
        raise RuntimeError(f"the benchmark's {path.name} was refused: {shown}")
    done = result.created if expect == "created" else result.unchanged
    if done != result.rows:
        raise RuntimeError(
            f"{path.name}: expected all {result.rows} rows {expect}, got created "
            f"{result.created}, updated {result.updated}, unchanged {result.unchanged}"
        )
    return Measured(
        result.rows,
        seconds,
        round(memory.growth_mib, 1),
        result.created,
        result.unchanged,
        cpu_after - cpu_before,
        children_after - children_before,
        round(memory.worker_mib, 1),
        load,
    )


def run(ctx: BenchContext) -> list[Result]:
    from django.db import connection

    n_orgs, n_people = SIZES.get(ctx.scale, SIZES["city"])
    n_orgs = int(os.environ.get("BENCH_IMPORT_ORGS", n_orgs))
    n_people = int(os.environ.get("BENCH_IMPORT_PEOPLE", n_people))
    if (n_orgs, n_people) != SIZES.get(ctx.scale):
        print(f"   sizes lowered by BENCH_IMPORT_*: {n_orgs:,} orgs, {n_people:,} people rows")
    geo = Geography.load()
    data = generate(ctx.workdir, geo, n_orgs, n_people)
    how = f"generated in {data.generated_in:.0f} s" if data.generated_in else "reused"
    print(
        f"   files: {n_orgs:,} organizations, {n_people:,} people rows, CSV and xlsx ({how}); "
        f"{connection.vendor} {_server_version()}",
        flush=True,
    )

    def result(name: str, measured: Measured, baseline: float) -> Result:
        return Result(
            name,
            measured.rate,
            "rows/s",
            baseline,
            ctx.scale,
            ctx.database,
            extra={
                "peak_mib": measured.peak_mib,
                "rows": measured.rows,
                "seconds": round(measured.seconds, 2),
                "cpu_s": round(measured.cpu, 2),
                "worker_cpu_s": round(measured.worker_cpu, 2),
                "worker_peak_mib": measured.worker_mib,
                "load": measured.load,
            },
        )

    orgs, people = _org_models(), _people_models()
    # Warm-up: the first import loads modules and code tables (stdnum's division codes),
    # which would otherwise count as the first measured import's memory and time.
    for suffix in (".csv", ".xlsx"):
        _import("orgs", data.warm_orgs.with_suffix(suffix))
        _import("people", data.warm_people.with_suffix(suffix))
        _empty([*orgs, *people], units=True)

    results: list[Result] = []

    # Organizations: the small CSV, then the full CSV, a re-import, the baseline, the xlsx.
    small = _import("orgs", data.orgs_small.with_suffix(".csv"))
    small_snapshot = Snapshot.take(orgs)
    _empty(orgs)  # the units stay: the rows refer to them
    small_baseline = small_snapshot.rows / small_snapshot.insert()
    del small_snapshot
    _empty(orgs, units=True)

    orgs_csv = _import("orgs", data.orgs.with_suffix(".csv"))
    snapshot = Snapshot.take(orgs)
    again = _import("orgs", data.orgs.with_suffix(".csv"), expect="unchanged")
    again_officer = _import(
        "orgs", data.orgs.with_suffix(".csv"), expect="unchanged", user=_officer()
    )
    _empty(orgs)
    orgs_baseline = orgs_csv.rows / snapshot.insert()
    del snapshot
    _empty(orgs, units=True)
    # The same file with the worker process forced off and on (the figures above leave the
    # choice to the import: a worker for a large file when a core is free).
    forced = {}
    for parallel in (False, True):
        forced[parallel] = _import("orgs", data.orgs.with_suffix(".csv"), parallel=parallel)
        _empty(orgs, units=True)
    orgs_xlsx = _import("orgs", data.orgs.with_suffix(".xlsx"))
    results += [
        result("import.orgs.csv", orgs_csv, orgs_baseline),
        result("import.orgs.xlsx", orgs_xlsx, orgs_baseline),
        result("import.orgs.csv.unchanged", again, orgs_baseline),
        result("import.orgs.csv.unchanged.officer", again_officer, orgs_baseline),
        result(f"import.orgs.csv.{small.rows // 1000}k", small, small_baseline),
        result("import.orgs.csv.serial", forced[False], orgs_baseline),
        result("import.orgs.csv.parallel", forced[True], orgs_baseline),
    ]

    # People (the organizations of the xlsx import are their employers).
    people_csv = _import("people", data.people.with_suffix(".csv"))
    snapshot = Snapshot.take(people)
    people_again = _import("people", data.people.with_suffix(".csv"), expect="unchanged")
    people_officer = _import(
        "people", data.people.with_suffix(".csv"), expect="unchanged", user=_officer()
    )
    _empty(people)
    people_baseline = people_csv.rows / snapshot.insert()
    del snapshot
    _empty(people)
    people_xlsx = _import("people", data.people.with_suffix(".xlsx"))
    results += [
        result("import.people.csv", people_csv, people_baseline),
        result("import.people.xlsx", people_xlsx, people_baseline),
        result("import.people.csv.unchanged", people_again, people_baseline),
        result("import.people.csv.unchanged.officer", people_officer, people_baseline),
    ]
    print(
        f"   peak memory growth, orgs CSV: {small.peak_mib} MiB at {small.rows:,} rows, "
        f"{orgs_csv.peak_mib} MiB at {orgs_csv.rows:,} rows",
        flush=True,
    )
    return results


def _server_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return str(cursor.fetchone()[0]).split()[0]
    import sqlite3

    return sqlite3.sqlite_version
