"""Secrets generated on first use (dangjian/env.py): processes that start together in a
fresh directory agree on one value, and none reads a half-written file."""

from __future__ import annotations

import multiprocessing
import stat
from typing import Any

from dangjian.env import envsecret


def _read(path: str, start: Any, out: Any) -> None:
    from pathlib import Path

    start.wait()
    out.put(envsecret("DANGJIAN_TEST_UNSET_SECRET", Path(path)))


def test_processes_starting_together_share_one_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("DANGJIAN_TEST_UNSET_SECRET", raising=False)
    # spawn, not fork: pytest's process may hold threads (fork would warn of deadlocks).
    context = multiprocessing.get_context("spawn")
    for attempt in range(5):
        path = tmp_path / f"run{attempt}" / "secret"
        start, out = context.Event(), context.Queue()
        workers = [context.Process(target=_read, args=(str(path), start, out)) for _ in range(8)]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(30)
            assert worker.exitcode == 0
        values = {out.get(timeout=5) for _ in workers}
        assert len(values) == 1 and values != {""}
        assert values == {path.read_text().strip()}
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary left


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_TEST_SET_SECRET", "from-env")
    assert envsecret("DANGJIAN_TEST_SET_SECRET", tmp_path / "s") == "from-env"
    assert not (tmp_path / "s").exists()
