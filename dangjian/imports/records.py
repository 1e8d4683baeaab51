"""One record written in a page: a one-row import of its kind (CONTRACT.md's columns).

A form of organizations or Party organizations shows the kind's columns; what the user
typed becomes the one row of an import file and goes through `import_file` — the same
parsing, checks, Chinese messages, all-or-nothing write and change history as a file of a
thousand rows, so that a form and an import can never disagree ("one validation path").
Each save is an import batch of its own (`ImportBatch`, its file named 「页面表单：原因」):
it is in the history of every record it wrote, re-evaluated at once (compliance/live.py),
and can be undone from its batch page (imports/undo.py).

A form opened on a record carries the record's version (its last history row); a save
from a form older than the record is refused, naming who changed it and when.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Model

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.imports.errors import RowError
from dangjian.imports.export import _orgs as _org_rows
from dangjian.imports.export import _party_orgs, headers
from dangjian.imports.registry import KINDS
from dangjian.imports.service import ImportResult, import_file
from dangjian.lib import sheets

# The kinds a page may write one record of, the model and the natural key of each.
FORM_KINDS: dict[str, tuple[str, str]] = {
    "orgs": ("orgs.SocialOrganization", "uscc"),
    "party-orgs": ("partyorgs.PartyOrganization", "code"),
}


@dataclass
class Saved:
    """What a save did: the import's result, and the errors by column key ("" for the row)."""

    result: ImportResult | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class _One(Jurisdiction):
    """The gate, narrowed to one record of the kind (for reading its row as the export does)."""

    def __init__(self, user: User, kind: str, key: str) -> None:
        super().__init__(user)
        self._kind, self._key = kind, key

    def orgs(self) -> Any:
        qs = super().orgs()
        return qs.filter(uscc=self._key) if self._kind == "orgs" else qs

    def party_orgs(self) -> Any:
        qs = super().party_orgs()
        return qs.filter(code=self._key) if self._kind == "party-orgs" else qs


def record_values(kind: str, key: str, user: User) -> dict[str, str] | None:
    """The record's values as its export row has them ({column key: text}), or None when
    the user may not see it."""
    reader = _org_rows if kind == "orgs" else _party_orgs
    row = next(iter(reader(_One(user, kind, key), None, False)), None)
    if row is None:
        return None
    return {column.key: value for column, value in zip(KINDS[kind].columns, row, strict=True)}


def version_of(instance: Model) -> str:
    """The record's version: its last history row (empty for a new record)."""
    last = instance.history.order_by("-history_id").values_list("history_id", flat=True).first()  # type: ignore[attr-defined]
    return str(last or "")


def stale(instance: Model, version: str) -> str:
    """Why a form of version `version` is older than the record (Chinese), or ""."""
    if version == version_of(instance):
        return ""
    last = instance.history.order_by("-history_id").select_related("history_user").first()  # type: ignore[attr-defined]
    who = last.history_user.get_username() if last and last.history_user else "系统"
    when = last.history_date.strftime("%Y-%m-%d %H:%M") if last else ""
    why = f"（{last.history_change_reason}）" if last and last.history_change_reason else ""
    return f"该记录已由{who}于{when}修改{why}，请刷新后在最新内容上修改，本次未保存"


def record_save(
    *, kind: str, values: dict[str, str], user: User, reason: str = "", new: bool = False
) -> Saved:
    """Write one record of `kind` from `values` ({column key: text}) as a one-row import
    by `user`. Nothing is written when any check fails; the errors come back by column."""
    columns = KINDS[kind].columns
    row = [values.get(column.key, "") or "" for column in columns]
    label = (reason or "").strip()[:80] or ("新增" if new else "修改")
    with tempfile.TemporaryDirectory(prefix="dangjian-form-") as folder:
        path = Path(folder) / "form.csv"
        sheets.write_csv(path, headers(kind), [row])
        result = import_file(kind, path, user=user, file_name=f"页面表单：{label}")
    saved = Saved(result)
    by_label = {column.label: column.key for column in columns}
    for error in result.errors:
        saved.errors.setdefault(by_label.get(error.column, ""), []).append(_message(error))
    if result.error_count and not saved.errors:
        saved.errors[""] = ["保存失败，未写入任何数据"]
    return saved


def _message(error: RowError) -> str:
    """The message next to its field: the import's own words, without the row number."""
    return error.message
