"""An import raises the garbage collector's thresholds while it runs (`service.
_fewer_collections`) and the process gets its own back when the last import ends — also
when imports overlap in threads (a web server), in whatever order they end."""

from __future__ import annotations

import gc
import threading

from dangjian.imports.service import _fewer_collections


def test_the_thresholds_come_back_after_overlapping_imports():
    before = gc.get_threshold()
    first, second = _fewer_collections(), _fewer_collections()
    first.__enter__()
    assert gc.get_threshold()[0] > before[0]
    entered, done = threading.Event(), threading.Event()

    def other() -> None:
        second.__enter__()
        entered.set()
        done.wait()
        second.__exit__(None, None, None)

    thread = threading.Thread(target=other)
    thread.start()
    assert entered.wait(10)
    first.__exit__(None, None, None)  # the first to start ends first
    assert gc.get_threshold()[0] > before[0]  # the other still runs
    done.set()
    thread.join()
    assert gc.get_threshold() == before
