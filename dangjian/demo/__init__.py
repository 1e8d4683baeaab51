"""The demo dataset (`dangjian demo`, the tests and the benchmarks call `generate`).

Each app contributes its records in its own `demo.py` (`dangjian.areas.demo`: the map and
the units; `dangjian.orgs.demo`: the social organizations; `dangjian.people.demo`: their
people; `dangjian.partyorgs.demo` and `demo_members`: Party organizations, relations,
committees, instructors; `dangjian.accounts.demo`: the demo users), as plain functions of a
shared context (`context.py`). `generator.py` calls them in order, one city at a time; this
package keeps what they share: the fixed dates and the helpers they draw with (`base.py`),
the scales, the identity numbers' regions, the words of names and the users file.

Everything is drawn from `random.Random` seeded with the seed and the city being generated,
against the fixed date `DEMO_TODAY`, so that the same seed and scale give the same data on
every machine and every day (only the encrypted identity numbers and the passwords differ:
Fernet and `secrets` are randomized on purpose). docs/demo-data.md gives every distribution
and the public figures it follows.

The names below are looked up when first used: the apps' demo modules import this package's
shared modules, and `generator` imports them, so importing it here would make a circle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dangjian.demo.base import DEMO_TODAY as DEMO_TODAY
    from dangjian.demo.context import Progress as Progress
    from dangjian.demo.generator import DatabaseNotEmpty as DatabaseNotEmpty
    from dangjian.demo.generator import DemoSummary as DemoSummary
    from dangjian.demo.generator import database_is_empty as database_is_empty
    from dangjian.demo.generator import generate as generate
    from dangjian.demo.generator import load_divisions as load_divisions
    from dangjian.demo.output import DemoUser as DemoUser
    from dangjian.demo.output import users_file_path as users_file_path
    from dangjian.demo.output import users_table as users_table
    from dangjian.demo.output import write_users_file as write_users_file
    from dangjian.demo.scales import SCALES as SCALES
    from dangjian.demo.scales import Scale as Scale
    from dangjian.demo.scales import parse_scale as parse_scale

_WHERE = {
    "DEMO_TODAY": "base",
    "Progress": "context",
    "DatabaseNotEmpty": "generator",
    "DemoSummary": "generator",
    "database_is_empty": "generator",
    "generate": "generator",
    "load_divisions": "generator",
    "DemoUser": "output",
    "users_file_path": "output",
    "users_table": "output",
    "write_users_file": "output",
    "SCALES": "scales",
    "Scale": "scales",
    "parse_scale": "scales",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
