"""`__in_ids`: a field's value is one of many integer keys, sent as ONE parameter.

`__in` with a Python list of keys sends one parameter per key, and Django prepares each
(a thousand keys cost milliseconds per query before the database sees it); restricting
the facts to the thousand organizations an import touched ran six such queries. Here the
keys go as one array (PostgreSQL: `= ANY(%s)`) or one JSON text (SQLite: `IN (SELECT value
FROM json_each(%s))`). Registered on every field (`register`, AppConfig.ready).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Lookup


class InIds(Lookup[Any]):
    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return sorted({int(key) for key in self.rhs})

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        keys = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, keys]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(keys)]


def register() -> None:
    models.Field.register_lookup(InIds)
    models.ForeignKey.register_lookup(InIds)


def ids(keys: Iterable[Any]) -> list[int]:
    return sorted({int(k) for k in keys})
