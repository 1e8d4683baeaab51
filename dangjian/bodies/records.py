"""The work bodies' records in the one-row forms (imports/records.py, record_views.py): the
key columns of a record being edited, as its export row writes them, and why a new record
cannot be made of what was typed (one already recorded in the user's jurisdiction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.bodies.models import ContactPoint, TownshipCadre, WorkBody, WorkBodyStaff
from dangjian.bodies.selectors import visible

AGAIN = "已登记，不能重复新增，请修改该记录"


def body_key(kind: str, record: Any) -> dict[str, str]:
    """The locked columns of a record of the work bodies' kinds (as the export writes them)."""
    if kind == "work-bodies":
        return {"name": record.unit.name}
    if kind == "work-body-staff":
        return {
            "body": record.body.unit.name,
            "name": record.name,
            "started_on": record.started_on.isoformat(),
        }
    if kind == "township-cadres":
        return {
            "district": record.township.parent.code if record.township.parent_id else "",
            "township": record.township.code,
            "name": record.name,
            "started_on": record.started_on.isoformat(),
        }
    assert kind == "contact-points"
    return {
        "unit": record.unit.name,
        "leader_name": record.leader_name,
        "uscc": record.org.uscc,
        "started_on": record.started_on.isoformat(),
    }


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def body_taken(kind: str, values: dict[str, str], gate: Jurisdiction) -> str:
    """Why a new record of `kind` cannot be made of `values`: its key names a record the
    user sees (one outside is the import's to refuse, as for a file)."""
    name = (values.get("name") or "").strip()
    if kind == "work-bodies":
        if name and visible(WorkBody, gate).filter(unit__name=name).exists():
            return f"工作机构「{name}」{AGAIN}"
        return ""
    day = _day(values.get("started_on"))
    if day is None:
        return ""
    if kind == "work-body-staff":
        body = (values.get("body") or "").strip()
        staff = visible(WorkBodyStaff, gate)
        if staff.filter(body__unit__name=body, name=name, started_on=day).exists():
            return f"{body}的工作人员「{name}」自 {day} 起的记录{AGAIN}"
        return ""
    if kind == "township-cadres":
        township = (values.get("township") or "").strip()
        cadres = visible(TownshipCadre, gate).filter(name=name, started_on=day)
        if township and (
            cadres.filter(township__code=township).exists()
            or cadres.filter(
                township__name=township,
                township__parent__code=(values.get("district") or "").strip(),
            ).exists()
            or cadres.filter(
                township__name=township,
                township__parent__name=(values.get("district") or "").strip(),
            ).exists()
        ):
            return f"{township}的党建干部「{name}」自 {day} 起的记录{AGAIN}"
        return ""
    leader = (values.get("leader_name") or "").strip()
    if (
        visible(ContactPoint, gate)
        .filter(
            unit__name=(values.get("unit") or "").strip(),
            leader_name=leader,
            org__uscc=(values.get("uscc") or "").strip().upper(),
            started_on=day,
        )
        .exists()
    ):
        return f"{leader}自 {day} 起联系该社会组织的记录{AGAIN}"
    return ""
