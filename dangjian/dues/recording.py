"""Writing a branch's month of dues from its page (docs/dues.md, "## 页面"): all the
members' rows as ONE import of the `dues` kind (`records.rows_save`): the same checks and
Chinese messages as a file, all or nothing, one batch in the history (undoable), and the
live re-evaluation of the members written (MEM-DUES-LAPSE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dangjian.accounts.models import User
from dangjian.dues.models import DuesCategory
from dangjian.imports.kinds.dues import month_text
from dangjian.imports.records import rows_save
from dangjian.people.models import Person


@dataclass(frozen=True)
class MonthRow:
    """What the form holds for one member (texts as typed; all blank: nothing written)."""

    person: Person
    category: str = ""  # a DuesCategory value
    base: str = ""
    paid: str = ""
    paid_on: str = ""

    @property
    def blank(self) -> bool:
        return not (self.base.strip() or self.paid.strip() or self.paid_on.strip())


@dataclass
class MonthSaved:
    written: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)  # person pk ("0": the form)

    @property
    def ok(self) -> bool:
        return not self.errors


def dues_record_month(*, user: User | None, month: dt.date, rows: list[MonthRow]) -> MonthSaved:
    """记录一个月的党费: the rows not left blank, as one import (nothing written on any error;
    the errors by member, each naming the column and value as a file's would)."""
    filled = [r for r in rows if not r.blank]
    out = MonthSaved()
    if not filled:
        out.errors[0] = ["没有填写任何党员的党费"]
        return out
    labels = dict(DuesCategory.choices)
    values: list[dict[str, Any]] = [
        {
            "id_number": r.person.id_number,
            "month": month_text(month),
            "category": labels.get(r.category, r.category),
            "base": r.base.strip(),
            "paid": r.paid.strip(),
            "paid_on": r.paid_on.strip(),
        }
        for r in filled
    ]
    result = rows_save(kind="dues", rows=values, user=user, reason=f"{month_text(month)}党费")
    for error in result.errors:
        index = error.row - 2
        pk = filled[index].person.pk if 0 <= index < len(filled) else 0
        shown = (
            f"{error.column}「{error.value}」: {error.message}" if error.column else error.message
        )
        out.errors.setdefault(pk, []).append(shown)
    if result.error_count and not out.errors:
        out.errors[0] = ["保存失败，未写入任何数据"]
    if out.ok:
        out.written = result.created + result.updated
    return out
