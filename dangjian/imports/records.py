"""One record written in a page: a one-row import of its kind (CONTRACT.md's columns).

A form of any kind with an import (organizations, Party organizations, people, committee
offices, instructors' assignments, and the records of organization life: Party groups,
pairings, demonstration sites, activities, a 联组's members) shows the kind's columns; what
the user typed becomes the one row of an import file and goes through `import_file` — the same
parsing, checks, Chinese messages, all-or-nothing write and change history as a file of a
thousand rows, so that a form and an import can never disagree ("one validation path").
Each save is an import batch of its own (`ImportBatch`, its file named 「页面表单：原因」):
it is in the history of every record it wrote, re-evaluated at once (compliance/live.py),
and can be undone from its batch page or the record's history (imports/undo.py).

A form opened on a record carries the record's version (the last history row of it and of
what the form writes with it, e.g. a person's membership and employment); a save from a
form older than the record is refused, naming who changed it and when. The columns that
name the record (`FORM_KINDS`) are locked when it is edited: the record's own values are
written, an identity number in full though the page shows it masked.
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
from dangjian.imports.export import headers, rows_seen_by
from dangjian.imports.registry import KINDS
from dangjian.imports.service import ImportResult, import_file
from dangjian.lib import sheets

# The kinds a page may write one record of: the columns that name the record (locked when
# it is edited: changing them would name another record).
FORM_KINDS: dict[str, tuple[str, ...]] = {
    "orgs": ("uscc",),
    "party-orgs": ("code",),
    "people": ("id_number",),
    "committees": ("party_org", "id_number", "role", "started_on"),
    "instructors": ("id_number", "org_uscc", "assigned_on"),
    "party-groups": ("party_org", "name"),
    "pairings": ("party_org", "partner", "partner_name", "started_on"),
    "demonstration-sites": ("party_org", "level", "year"),
    "activities": ("party_org", "kind", "held_on", "title"),
    # One row per member of a 联组: the 联组 (name, lead) and the member's period (member, start).
    "joint-groups": ("name", "lead", "member", "started_on"),
}

# The kinds of organization life whose record (a joint-groups record: one member of a 联组)
# is read back by its key columns alone (none of them personal).
FORM_KINDS["instructor-visits"] = ("id_number", "uscc", "visited_on")  # new visits only
LIFE_RECORDS = ("pairings", "demonstration-sites", "activities", "joint-groups")
# The work bodies' kinds (docs/bodies.md): read back by their key columns, none personal.
FORM_KINDS["work-bodies"] = ("name",)
FORM_KINDS["work-body-staff"] = ("body", "name", "started_on")
FORM_KINDS["township-cadres"] = ("district", "township", "name", "started_on")
FORM_KINDS["contact-points"] = ("unit", "leader_name", "uscc", "started_on")
BODY_RECORDS = ("work-bodies", "work-body-staff", "township-cadres", "contact-points")
# An applicant (docs/development.md): named by the person, read back through its Party
# organization.
FORM_KINDS["applicants"] = ("id_number",)
# Inspections and evaluations (docs/dynamics.md): new records of an organization only.
FORM_KINDS["inspections"] = ("uscc", "year")
FORM_KINDS["evaluations"] = ("uscc", "evaluated_on")
FORM_KINDS["service-centres"] = ("name",)  # docs/dynamics.md: a centre by its name


@dataclass
class Saved:
    """What a save did: the import's result, and the errors by column key ("" for the row)."""

    result: ImportResult | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class _One(Jurisdiction):
    """The gate, narrowed to the records of one object (for reading its rows as the export
    does): one organization, Party organization (or a few: a 联组's lead and member) or
    person."""

    def __init__(self, user: User, *, org: int | None = None,
                 party_org: int | tuple[int, ...] | None = None,
                 person: int | None = None) -> None:  # fmt: skip
        super().__init__(user)
        self._org, self._person = org, person
        self._party_org = (party_org,) if isinstance(party_org, int) else party_org

    def orgs(self) -> Any:
        qs = super().orgs()
        return qs.filter(pk=self._org) if self._org is not None else qs

    def party_orgs(self) -> Any:
        qs = super().party_orgs()
        return qs.filter(pk__in=self._party_org) if self._party_org is not None else qs

    def people(self) -> Any:
        qs = super().people()
        return qs.filter(pk=self._person) if self._person is not None else qs


def _row(kind: str, gate: Jurisdiction, match: Any = None) -> dict[str, str] | None:
    """The first export row of `kind` the gate sees (that `match` accepts), by column key."""
    keys = [column.key for column in KINDS[kind].columns]
    for row in rows_seen_by(kind, gate):
        values = dict(zip(keys, row, strict=True))
        if match is None or match(values):
            return values
    return None


def record_values(kind: str, instance: Model, user: User, *, part: Model | None = None
                  ) -> dict[str, str] | None:  # fmt: skip
    """What the record holds now, as its export row has it ({column key: text}, identity
    numbers masked), or None when the user may not see it. For a person, `part` is the
    employment the form edits (None: the person's own fields, no employment)."""
    if kind == "orgs":
        return _row(kind, _One(user, org=instance.pk))
    if kind == "party-orgs":
        return _row(kind, _One(user, party_org=instance.pk))
    if kind == "people":

        def job(values: dict[str, str]) -> bool:
            if part is None:
                return True
            return (values["employer_uscc"], values["employed_on"]) == (
                part.org.uscc,  # type: ignore[attr-defined]
                part.started_on.isoformat() if part.started_on else "",  # type: ignore[attr-defined]
            )

        values = _row(kind, _One(user, person=instance.pk), job)
        if values is not None and part is None:
            values.update(employer_uscc="", position="", employed_on="", left_on="")
        return values
    if kind == "committees":
        office: Any = instance
        role = str(office.get_role_display())
        started = office.started_on.isoformat()
        return _row(
            kind,
            _One(user, party_org=office.party_org_id),
            lambda v: (
                v["id_number"] == office.person.id_masked
                and (v["role"], v["started_on"]) == (role, started)
            ),
        )
    if kind == "party-groups":
        group: Any = instance
        return _row(
            kind, _One(user, party_org=group.party_org_id), lambda v: v["name"] == group.name
        )
    if kind == "applicants":
        applicant: Any = instance
        return _row(
            kind,
            _One(user, party_org=applicant.party_org_id),
            lambda v: v["id_number"] == applicant.person.id_masked,
        )
    if kind in BODY_RECORDS:
        key = key_values(kind, instance)
        gate = Jurisdiction(user)
        return _row(kind, gate, lambda v: all(v[k] == key[k] for k in FORM_KINDS[kind]))
    if kind in LIFE_RECORDS:
        record: Any = instance
        lead = record.group.lead_id if kind == "joint-groups" else record.party_org_id
        gate = _One(user, party_org=tuple({lead, record.party_org_id}))
        key = key_values(kind, instance)
        return _row(kind, gate, lambda v: all(v[k] == key[k] for k in FORM_KINDS[kind]))
    assignment: Any = instance
    return _row(
        kind,
        _One(user, org=assignment.org_id),
        lambda v: (
            v["id_number"] == assignment.instructor.person.id_masked
            and v["assigned_on"] == assignment.started_on.isoformat()
        ),
    )


def key_values(kind: str, instance: Model, part: Model | None = None) -> dict[str, str]:
    """The locked columns of a record being edited, from the record itself (the identity
    number in full: it is written, never shown)."""
    record: Any = instance
    if kind == "orgs":
        return {"uscc": record.uscc}
    if kind == "party-orgs":
        return {"code": record.code}
    if kind in ("people", "applicants"):
        person = record if kind == "people" else record.person
        return {"id_number": person.id_number}
    if kind == "committees":
        return {
            "party_org": record.party_org.code,
            "id_number": record.person.id_number,
            "role": str(record.get_role_display()),
            "started_on": record.started_on.isoformat(),
        }
    if kind == "party-groups":
        return {"party_org": record.party_org.code, "name": record.name}
    if kind == "pairings":
        return {
            "party_org": record.party_org.code,
            "partner": record.partner.code if record.partner_id else "",
            "partner_name": record.partner_name,
            "started_on": record.started_on.isoformat(),
        }
    if kind == "demonstration-sites":
        return {
            "party_org": record.party_org.code,
            "level": str(record.get_level_display()),
            "year": str(record.year),
        }
    if kind == "activities":
        return {
            "party_org": record.party_org.code,
            "kind": str(record.get_kind_display()),
            "held_on": record.held_on.isoformat(),
            "title": record.title,
        }
    if kind in BODY_RECORDS:
        from dangjian.bodies.records import body_key

        return body_key(kind, record)
    if kind == "joint-groups":
        return {
            "name": record.group.name,
            "lead": record.group.lead.code,
            "member": record.party_org.code,
            "started_on": record.started_on.isoformat(),
        }
    return {
        "id_number": record.instructor.person.id_number,
        "org_uscc": record.org.uscc,
        "assigned_on": record.started_on.isoformat(),
    }


def version_of(*instances: Model | None) -> str:
    """The records' version: the last history row of each (empty for a new record)."""
    return "-".join(str(_last(instance) or "") for instance in instances if instance is not None)


def _last(instance: Model) -> int | None:
    return instance.history.order_by("-history_id").values_list("history_id", flat=True).first()  # type: ignore[attr-defined]


def stale(version: str, *instances: Model | None) -> str:
    """Why a form of version `version` is older than the records (Chinese), or ""."""
    if version == version_of(*instances):
        return ""
    last = None
    for instance in instances:
        if instance is None:
            continue
        record = instance.history.order_by("-history_id").select_related("history_user").first()  # type: ignore[attr-defined]
        if record is not None and (last is None or record.history_date > last.history_date):
            last = record
    who = last.history_user.get_username() if last and last.history_user else "系统"
    when = last.history_date.strftime("%Y-%m-%d %H:%M") if last else ""
    why = f"（{last.history_change_reason}）" if last and last.history_change_reason else ""
    return f"该记录已由{who}于{when}修改{why}，请刷新后在最新内容上修改，本次未保存"


def record_save(
    *, kind: str, values: dict[str, str], user: User | None, reason: str = "", new: bool = False
) -> Saved:
    """Write one record of `kind` from `values` ({column key: text}) as a one-row import
    by `user` (None: the system itself, as `import_file`). Nothing is written when any
    check fails; the errors come back by column."""
    columns = KINDS[kind].columns
    label = (reason or "").strip()[:80] or ("新增" if new else "修改")
    result = rows_save(kind=kind, rows=[values], user=user, reason=label)
    saved = Saved(result)
    by_label = {column.label: column.key for column in columns}
    for error in result.errors:
        saved.errors.setdefault(by_label.get(error.column, ""), []).append(_message(error))
    if result.error_count and not saved.errors:
        saved.errors[""] = ["保存失败，未写入任何数据"]
    return saved


def rows_save(
    *, kind: str, rows: list[dict[str, str]], user: User | None, reason: str
) -> ImportResult:
    """Write several records of `kind` written by one action of a page (a branch's month of
    dues, the transfers a dissolution opens) as ONE import by `user`: all of them or none,
    one batch in their history. Errors name the row as a file would (the first record is
    row 2)."""
    columns = KINDS[kind].columns
    table = [[values.get(column.key, "") or "" for column in columns] for values in rows]
    label = (reason or "").strip()[:80] or "修改"
    with tempfile.TemporaryDirectory(prefix="dangjian-form-") as folder:
        path = Path(folder) / "form.csv"
        sheets.write_csv(path, headers(kind), table)
        return import_file(kind, path, user=user, file_name=f"页面表单：{label}")


def _message(error: RowError) -> str:
    """The message next to its field: the import's own words, without the row number."""
    return error.message
