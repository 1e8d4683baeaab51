"""Helpers for import tests: write real CSV and xlsx files from rows of text."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from dangjian.imports.registry import KINDS


def header(kind: str) -> list[str]:
    return [column.label for column in KINDS[kind].columns]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    kind: str | None = None,
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        if kind:
            writer.writerow(header(kind))
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, kind: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if kind:
        sheet.append(header(kind))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def table_counts() -> dict[str, int]:
    """Row counts of every table (history and import batches included): to show that a
    refused import wrote nothing."""
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.label.startswith(("sessions.", "admin.", "contenttypes.", "auth.Perm"))
    }


def org_row(uscc: str, name: str = "芙蓉区书法协会", **over: str) -> list[str]:
    """A valid row of the `orgs` import (a 社会团体 of 文艺路街道, 芙蓉区), as text, in the
    column order; `over` replaces any column by its key."""
    row = {
        "uscc": uscc, "name": name, "kind": "社会团体", "registry": "芙蓉区民政局",
        "mode": "直接登记", "supervisor": "", "industry": "文化", "district": "芙蓉区",
        "township": "文艺路街道", "community": "", "registered_on": "2015-03-01",
        "status": "正常", "changed_on": "", "staff": "12", "management": "",
    }  # fmt: skip
    row.update(over)
    return list(row.values())
