"""The dues import benchmark (issue 17): a year of the demo's dues imported through the real
service, against a raw insert of the same rows, in the same run.

    import.dues.csv   the demo's dues (a year: 2025-12 … 2026-11), exported unmasked to a
                      CSV and imported back with `import_file` into the emptied table —
                      every check of the `dues` kind, the upsert and one history row each —
                      rows per second
    baseline          the same rows inserted raw (`bulk.insert`, one prepared statement, no
                      check, no history) into the same emptied table

Both run inside a transaction rolled back afterwards (the demo dataset is shared with the
other benchmarks and stays as it was), so the live re-evaluation that follows a committed
import is not part of the figure. Targets: at least 20,000 rows/s on SQLite at the
province scale, within 3× of the raw insert.
"""

from __future__ import annotations

import csv
import gc
from typing import Any

from bench.common import BenchContext, Result, timed

DATASET = "demo"
TARGET_RATE = 20_000
TARGET_RATIO = 3.0
FIELDS = ["person", "month", "category", "base", "paid", "paid_on"]


def _emptied() -> None:
    """No dues and no dues history (inside the caller's transaction)."""
    from django.db import connection

    from dangjian.dues.models import DuesPayment

    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {q(DuesPayment.history.model._meta.db_table)}")
        cursor.execute(f"DELETE FROM {q(DuesPayment._meta.db_table)}")


def _rolled_back(fn: Any) -> float:
    """Seconds `fn` takes on the emptied table, everything rolled back afterwards."""
    from django.db import transaction

    with transaction.atomic():
        _emptied()
        gc.collect()
        with timed() as elapsed:
            fn()
        seconds = elapsed()
        transaction.set_rollback(True)
    return seconds


def run(ctx: BenchContext) -> list[Result]:
    from dangjian.dues.models import DuesPayment
    from dangjian.imports.export import headers, write_export
    from dangjian.imports.service import import_file
    from dangjian.lib import bulk

    path = ctx.workdir / f"dues-{ctx.scale}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        n = write_export("dues", out, unmask=True)
    with path.open(encoding="utf-8-sig", newline="") as check:
        assert next(csv.reader(check)) == headers("dues")
    raw = list(DuesPayment.objects.order_by("pk").values_list(*[f"{f}_id" if f == "person" else f
                                                                   for f in FIELDS]))  # fmt: skip
    assert len(raw) == n > 0, (len(raw), n)

    results: dict[str, Any] = {}

    def service() -> None:
        result = import_file("dues", path)
        assert result.ok and result.created == n, [str(e) for e in result.errors[:5]]
        results["import"] = result

    def insert() -> None:
        bulk.insert(DuesPayment, FIELDS, raw)

    insert_s = min(_rolled_back(insert) for _ in range(2))
    import_s = min(_rolled_back(service) for _ in range(2))
    rate, raw_rate = n / import_s, n / insert_s
    return [
        Result(
            "import.dues.csv",
            rate,
            "rows/s",
            raw_rate,
            ctx.scale,
            ctx.database,
            extra={
                "rows": n,
                "import_s": round(import_s, 2),
                "raw_s": round(insert_s, 2),
                "target_rate": TARGET_RATE,
                "target_ratio": TARGET_RATIO,
            },
        )
    ]
