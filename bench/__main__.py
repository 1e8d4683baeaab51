"""Run the benchmarks: `python -m bench [--scale city|province|national] [--only NAME]`.

Each benchmark module in this package defines `run(ctx) -> list[Result]`. A module runs
against one of two databases, as its `DATASET` says:

- "fresh" (the default; import_): a database of its own, emptied for every run and set up by
  `dangjian init` — SQLite var/bench/bench-<scale>.sqlite3, or the PostgreSQL database that
  BENCH_DATABASE_URL names (default: `dangjian_bench` on the local server);
- "demo" (check, live, reports, scope, web, dues, feed): the demo dataset of the scale (`dangjian.demo.generate`,
  seed DEMO_SEED), kept between runs — SQLite var/bench/demo-<scale>.sqlite3, or the
  PostgreSQL database `<that name>_<scale>` (`dangjian_bench_national`). The database
  records a fingerprint (scale, seed, the latest migration of every app, a hash of the
  generator's source); it is reused when the fingerprint is the same and generated again
  when it is not (or when an earlier generation did not finish).

SCALE=national defaults to PostgreSQL (`--database` overrides). `--prepare` only makes sure
the demo dataset of the scale is there (generating it if needed) and runs nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    "import_",
    "check",
    "live",
    "reports",
    "scope",
    "web",
    "dues",
    "feed",
    "whatif",
]  # module names, in the order they run
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/dangjian_bench"
DEMO_SEED = 1
# The sources that decide what the demo dataset holds, hashed into its fingerprint: the demo
# package, every app's demo records and the divisions they go into.
GENERATOR_SOURCES = [
    *sorted(
        path.relative_to(ROOT).as_posix()
        for pattern in ("dangjian/demo/*.py", "dangjian/*/demo*.py")
        for path in ROOT.glob(pattern)
    ),
    "dangjian/areas/divisions.py",
]
FINGERPRINT_TABLE = "bench_fingerprint"


def _pg_url(scale: str, *, demo: bool) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", LOCAL_PG)
    return f"{url}_{scale}" if demo else url


def _sqlite_path(scale: str, *, demo: bool) -> Path:
    name = f"demo-{scale}.sqlite3" if demo else f"bench-{scale}.sqlite3"
    path = ROOT / "var" / "bench" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _database_url(scale: str, database: str, *, demo: bool = False) -> str:
    if database == "postgresql":
        return _pg_url(scale, demo=demo)
    return f"sqlite:///{_sqlite_path(scale, demo=demo)}"


def _pg_admin(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    assert "bench" in name, "the benchmark database's name must contain 'bench'"
    return base, name


def _fresh_postgres(url: str) -> None:
    """Drop and create the benchmark database (never the application's)."""
    import psycopg

    base, name = _pg_admin(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _postgres_exists(url: str) -> bool:
    import psycopg

    base, name = _pg_admin(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def _use(url: str) -> None:
    """Point Django's default connection at another database of the same engine."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    name = dj_database_url.parse(url)["NAME"]
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


# --- the demo dataset and its fingerprint -------------------------------------------------------


def fingerprint(scale: str) -> dict[str, Any]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = sorted(f"{app}.{name}" for app, name in loader.graph.leaf_nodes())
    source = hashlib.sha256()
    for relative in GENERATOR_SOURCES:
        source.update((ROOT / relative).read_bytes())
    return {
        "scale": scale,
        "seed": DEMO_SEED,
        "migrations": leaves,
        "generator": source.hexdigest()[:16],
    }


def _stored_fingerprint() -> dict[str, Any] | None:
    from django.db import connection

    if FINGERPRINT_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {FINGERPRINT_TABLE} WHERE name = 'dataset'")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _store_fingerprint(stamp: dict[str, Any], summary: dict[str, Any]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} "
            "(name varchar(32) PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {FINGERPRINT_TABLE}")
        cursor.execute(
            f"INSERT INTO {FINGERPRINT_TABLE} (name, value) VALUES ('dataset', %s), ('summary', %s)",
            [json.dumps(stamp), json.dumps(summary)],
        )


def dataset_summary() -> dict[str, Any]:
    """What the demo database holds, as recorded when it was generated."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {FINGERPRINT_TABLE} WHERE name = 'summary'")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else {}


def _generate(scale: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from dangjian import demo

    call_command("init", verbosity=0, stdout=io.StringIO())
    last = [time.monotonic()]

    def progress(what: str, done: int, total: int) -> None:
        if time.monotonic() - last[0] >= 60:
            last[0] = time.monotonic()
            print(f"   … {what} ({done:,}/{total:,} organizations)", flush=True)

    summary = demo.generate(scale, DEMO_SEED, progress=progress)
    if connection.vendor == "postgresql":
        # What autovacuum would soon do after a bulk load: statistics for the planner and the
        # visibility map, so that a reused and a new database answer alike. (SQLite is left
        # as `dangjian demo` leaves it: the application never runs ANALYZE there.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"counts": summary.counts, "seconds": round(summary.seconds, 1)}


def demo_database(scale: str, database: str) -> str:
    """Reuse the demo database of the scale when its fingerprint matches, or generate it."""
    url = _database_url(scale, database, demo=True)
    stamp = fingerprint(scale)
    exists = (
        _postgres_exists(url)
        if database == "postgresql"
        else _sqlite_path(scale, demo=True).exists()
    )
    if exists:
        _use(url)
        stored = _stored_fingerprint()
        if stored == stamp:
            counts = dataset_summary().get("counts", {})
            print(
                f"   demo dataset {scale} (seed {DEMO_SEED}): reused "
                f"({counts.get('orgs', '?'):,} organizations) from {_where(url)}",
                flush=True,
            )
            return url
        why = "an unfinished generation" if stored is None else _difference(stored, stamp)
        print(f"   demo dataset {scale}: {_where(url)} holds {why}; generating again", flush=True)
    from django.db import connections

    connections.close_all()
    if database == "postgresql":
        _fresh_postgres(url)
    else:
        _remove_sqlite(_sqlite_path(scale, demo=True))
    _use(url)
    print(
        f"   demo dataset {scale} (seed {DEMO_SEED}): generating into {_where(url)} …", flush=True
    )
    started = time.perf_counter()
    summary = _generate(scale)
    _store_fingerprint(stamp, summary)
    print(
        f"   demo dataset generated in {time.perf_counter() - started:.0f} s: "
        f"{summary['counts']['orgs']:,} organizations, {summary['counts']['people']:,} people",
        flush=True,
    )
    return url


def _difference(stored: dict[str, Any], stamp: dict[str, Any]) -> str:
    """What makes a stored fingerprint differ from this code's, in words."""
    parts = []
    for key in stamp:
        old, new = stored.get(key), stamp[key]
        if old == new:
            continue
        if isinstance(old, list) and isinstance(new, list):
            gone, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
            parts.append(f"{key} {' '.join([*(f'-{x}' for x in gone), *(f'+{x}' for x in added)])}")
        else:
            parts.append(f"{key} {old} → {new}")
    return "a different fingerprint (" + "; ".join(parts) + ")"


def _where(url: str) -> str:
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).relative_to(ROOT))
    return f"PostgreSQL {url.rsplit('/', 1)[1]}"


def fresh_database(scale: str, database: str) -> str:
    """An empty database (emptied on every run), set up by `dangjian init`."""
    from django.core.management import call_command
    from django.db import connections

    url = _database_url(scale, database)
    connections.close_all()
    if database == "postgresql":
        _fresh_postgres(url)
    else:
        _remove_sqlite(_sqlite_path(scale, demo=False))
    _use(url)
    call_command("init", verbosity=0)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", default="city", choices=["city", "province", "national"])
    parser.add_argument("--database", choices=["sqlite", "postgresql"])
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--prepare", action="store_true", help="only generate (or reuse) the demo dataset"
    )
    args = parser.parse_args()
    database = args.database or ("postgresql" if args.scale == "national" else "sqlite")
    os.environ["DATABASE_URL"] = _database_url(args.scale, database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()

    from bench.common import BenchContext, Result

    print(f"== benchmarks: scale={args.scale} database={database}", flush=True)
    started = time.perf_counter()
    if args.prepare:
        demo_database(args.scale, database)
        return 0
    ctx = BenchContext(scale=args.scale, database=database, workdir=ROOT / "var" / "bench")
    results: list[Result] = []
    current = ""  # the database the last benchmark ran on: "fresh" or "demo"
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        dataset = getattr(module, "DATASET", "fresh")
        print(f"-- {name.rstrip('_')}", flush=True)
        if dataset == "demo" and current != "demo":
            demo_database(args.scale, database)
        elif dataset == "fresh":
            fresh_database(args.scale, database)  # emptied for each such benchmark
        current = dataset
        for result in module.run(ctx):
            print(result.line(), flush=True)
            results.append(result)
    out = ROOT / "var" / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL-only run made no var/bench
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({r.name: r.as_dict() for r in results})
    out.write_text(json.dumps(previous, ensure_ascii=False, indent=2) + "\n")
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    print(
        f"== {len(results)} figures in {time.perf_counter() - started:.0f} s on {machine}, "
        f"{os.cpu_count()} cores; written to {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
