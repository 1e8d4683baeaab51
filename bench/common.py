"""What every benchmark shares: its context, its result line, timing and peak memory."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class BenchContext:
    scale: str
    database: str  # "sqlite" or "postgresql"
    workdir: Path


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float
    scale: str
    database: str
    # Higher is better for rates (rows/s), lower for times (s): the ratio is always
    # "how many times worse than the baseline", so 1.0 is as good as the baseline.
    higher_is_better: bool = True
    extra: dict[str, Any] | None = None

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.baseline / self.value if self.value else float("inf")
        return self.value / self.baseline if self.baseline else float("inf")

    def as_dict(self) -> dict[str, Any]:
        out = {
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": round(self.baseline, 3),
            "ratio": round(self.ratio, 3),
            "scale": self.scale,
            "database": self.database,
        }
        if self.extra:
            out.update(self.extra)
        return out

    def line(self) -> str:
        extra = "".join(f"  {k}={v}" for k, v in (self.extra or {}).items())
        return (
            f"{self.name:<32} {self.value:>12,.1f} {self.unit:<7} baseline {self.baseline:>12,.1f}"
            f"  ratio {self.ratio:5.2f}x{extra}"
        )


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


class PeakMemory:
    """Peak resident memory growth while a block runs, sampled every 20 ms (MiB)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    def __enter__(self) -> PeakMemory:
        self.start = self._rss()
        self.peak = self.start
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / (1 << 20)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) that process `pid` has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
