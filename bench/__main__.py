"""Run the benchmarks: `python -m bench [--scale city|province|national] [--only NAME]`.

Each benchmark module in this package defines `run(ctx) -> list[Result]`. They run against
a fresh database of their own: SQLite under var/bench/ by default, or the PostgreSQL that
BENCH_DATABASE_URL names (SCALE=national needs one; the local server is used when it
answers).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ["import_"]  # module names, in the order they run
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/dangjian_bench"


def _database_url(scale: str, database: str) -> str:
    if database == "postgresql":
        return os.environ.get("BENCH_DATABASE_URL", LOCAL_PG)
    path = ROOT / "var" / "bench" / f"bench-{scale}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _fresh_postgres(url: str) -> None:
    """Drop and create the benchmark database (never the application's)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    assert "bench" in name, "the benchmark database's name must contain 'bench'"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", default="city", choices=["city", "province", "national"])
    parser.add_argument("--database", choices=["sqlite", "postgresql"])
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    args = parser.parse_args()
    database = args.database or ("postgresql" if args.scale == "national" else "sqlite")
    url = _database_url(args.scale, database)
    if database == "postgresql":
        _fresh_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.common import BenchContext, Result

    print(f"== benchmarks: scale={args.scale} database={database}", flush=True)
    started = time.perf_counter()
    call_command("init", verbosity=0)
    ctx = BenchContext(scale=args.scale, database=database, workdir=ROOT / "var" / "bench")
    results: list[Result] = []
    for name in args.only or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"-- {name.rstrip('_')}", flush=True)
        for result in module.run(ctx):
            print(result.line(), flush=True)
            results.append(result)
    out = ROOT / "var" / "bench" / "results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({r.name: r.as_dict() for r in results})
    out.write_text(json.dumps(previous, ensure_ascii=False, indent=2) + "\n")
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    print(f"== {len(results)} figures in {time.perf_counter() - started:.0f} s on {machine}, "
          f"{os.cpu_count()} cores; written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
