"""No spreadsheet this system writes hands Excel a formula made from data (issue 12, item 6).

Names that a spreadsheet would run — `=1+1`, `+SUM(A1)`, `-2+3`, `@cmd` — go into an
organization, a Party organization and people, then through every export, report, findings
file and download; every cell of every file is inspected: no xlsx cell is a formula, no CSV
cell starts with a character that makes one. Export → import → export still gives the same
bytes, in CSV and in xlsx.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import redirect_stdout, suppress

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import task_backends
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.compliance.engine import evaluate, record
from dangjian.imports.export import write_export
from dangjian.imports.models import PendingUpload
from dangjian.imports.readers import open_table
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests import factories, importing
from tests.actors import build_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# What a spreadsheet would run, and text that only looks like our own neutralisation.
HOSTILE = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "'=x",
    "''-y",
    '=HYPERLINK("http://example.com","点我")',
    "=cmd|' /C calc'!A0",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[ >/]")
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
NEW = make_uscc("51430102MJJ000909")  # 社会团体 in 芙蓉区


@receiver(setting_changed)
def _reset_task_backends(*, setting: str, **kwargs: object) -> None:
    """Django caches its task backends and does not reset them when TASKS changes."""
    if setting == "TASKS":
        with suppress(AttributeError):
            del task_backends.settings
        task_backends._connections = Local(task_backends.thread_critical)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _tasks_and_files(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def world(areas, tmp_path):
    """The actors' world, and in 文艺路街道 one small organization per hostile name (one
    formal member each, the member named alike: findings and a joint plan name them), a
    Party organization, an office holder and an instructor with hostile names, and one
    organization imported with a name that starts with a TAB."""
    w = build_world(areas)
    hostile_orgs = []
    for i, name in enumerate(HOSTILE):
        org = factories.org(areas["wenyilu"], name=name, industry="trade")
        holder = factories.member(org)
        holder.name = HOSTILE[-1 - i]
        holder.save()
        hostile_orgs.append(org)
    covered = factories.org(areas["chaoyang"], name="-1+1协会")
    party_org = factories.party_org(
        areas["chaoyang"], code="D-EVIL-1", name="=SUM(1,2)党支部", covers=[covered]
    )
    factories.office(party_org, factories.person("@秘书"))
    factories.instructor_assignment(covered, holder=factories.person("+指导员"))
    path = importing.write_csv(
        tmp_path / "tab.csv", [importing.org_row(NEW, "\t=2+2")], kind="orgs"
    )
    assert import_file("orgs", path).ok
    record(evaluate(as_of=TODAY))
    return w


def _cells_of_xlsx(data: bytes, where: str) -> list[str]:
    """Every string cell of every sheet; fails on a formula cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                assert not FORMULA_XML.search(archive.read(member)), (where, member)
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _cells_of_csv(text: str, where: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
    for cell in cells:
        assert not cell.startswith(FORMULA_START), (where, cell)
    return cells


def _login(world, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_no_file_or_download_holds_a_formula_made_from_data(world, tmp_path):
    assert SocialOrganization.objects.get(uscc=NEW).name == "=2+2"  # the import trims a TAB
    xlsx: dict[str, bytes] = {}
    csvs: dict[str, str] = {}
    # The command line: exports (to files and to standard output), templates, findings,
    # reports and the joint plan.
    for kind in KINDS:
        for suffix in ("csv", "xlsx"):
            out = tmp_path / f"{kind}.{suffix}"
            call_command("export", kind, "-o", str(out), "--unmask", stderr=io.StringIO())
            template = tmp_path / f"{kind}-template.{suffix}"
            call_command("export", kind, "--template", "-o", str(template), stderr=io.StringIO())
            for path in (out, template):
                if suffix == "xlsx":
                    xlsx[path.name] = path.read_bytes()
                else:
                    csvs[path.name] = path.read_text(encoding="utf-8-sig")
        stdout = io.StringIO()
        with redirect_stdout(stdout):
            call_command("export", kind, stderr=io.StringIO())
        csvs[f"{kind} (stdout)"] = stdout.getvalue()
    commands = {
        "check.xlsx": ["check", "--format", "xlsx"],
        "coverage.xlsx": ["report", "coverage", "--format", "xlsx"],
        "org-building.xlsx": ["report", "org-building", "--format", "xlsx"],
        "joint.xlsx": ["plan", "joint", "--format", "xlsx"],
    }
    for name, args in commands.items():
        out = tmp_path / name
        with suppress(SystemExit):  # check exits 1 when it finds something
            call_command(*args, "-o", str(out), stdout=io.StringIO(), stderr=io.StringIO())
        xlsx[name] = out.read_bytes()
    # The import's errors file: a rejected row holding hostile names.
    bad = importing.write_csv(
        tmp_path / "bad.csv",
        [importing.org_row(NEW, HOSTILE[0], township="不存在街道", community=HOSTILE[2])],
        kind="orgs",
    )
    errors = tmp_path / "errors.csv"
    assert not import_file("orgs", bad, errors_path=errors).ok
    csvs["errors.csv"] = errors.read_text(encoding="utf-8-sig")
    # The pages' downloads.
    city = _login(world, "city")
    for url in (
        "/orgs/export.xlsx",
        "/party-orgs/export.xlsx",
        "/findings/export.xlsx",
        "/reports/coverage.xlsx",
        "/reports/org-building.xlsx",
        "/reports/joint.xlsx",
    ):
        response = city.get(url)
        assert response.status_code == 200, url
        xlsx[url] = response.content
    furong = _login(world, "furong")
    for kind in KINDS:
        for fmt in ("xlsx", "csv"):
            response = furong.get(reverse("web:import_template", args=[kind, fmt]))
            assert response.status_code == 200
            if fmt == "xlsx":
                xlsx[f"template {kind}"] = response.content
            else:
                csvs[f"template {kind}"] = response.content.decode("utf-8-sig")
    with bad.open("rb") as fh:
        furong.post(reverse("web:import_upload"), {"kind": "orgs", "file": fh})
    upload = PendingUpload.objects.latest("pk")
    response = furong.get(reverse("web:import_errors", args=[upload.pk, "check"]))
    assert response.status_code == 200
    csvs["web errors.csv"] = response.getvalue().decode("utf-8-sig")

    texts = {where: _cells_of_xlsx(data, where) for where, data in xlsx.items()}
    texts |= {where: _cells_of_csv(text, where) for where, text in csvs.items()}
    # The hostile names are there (as text), where they belong.
    org_names = {*HOSTILE, "=2+2"}
    assert org_names <= set(texts["orgs.xlsx"]) and org_names <= set(texts["/orgs/export.xlsx"])
    assert set(HOSTILE) <= set(texts["people.xlsx"])
    assert "=SUM(1,2)党支部" in texts["party-orgs.xlsx"]
    assert "=SUM(1,2)党支部" in texts["/party-orgs/export.xlsx"]
    assert "+指导员" in texts["instructors.xlsx"]
    for where in ("check.xlsx", "/findings/export.xlsx", "joint.xlsx", "/reports/joint.xlsx"):
        assert set(HOSTILE) <= set(texts[where]), where
    for where in ("orgs.csv", "orgs (stdout)"):
        assert {"'" + n for n in org_names} <= set(texts[where]), where
    assert "'=SUM(1,2)党支部" in texts["party-orgs.csv"]
    assert "'=1+1" in texts["errors.csv"] and "'=1+1" in texts["web errors.csv"]


def test_hostile_names_survive_export_import_export_byte_for_byte(world, tmp_path):
    for kind in KINDS:
        for suffix in ("csv", "xlsx"):
            first = tmp_path / f"{kind}-1.{suffix}"
            write_export(kind, first, unmask=True)
            again = import_file(kind, first)
            assert again.ok, [str(e) for e in again.errors]
            assert (again.created, again.updated) == (0, 0), (kind, suffix, again.changes)
            second = tmp_path / f"{kind}-2.{suffix}"
            write_export(kind, second, unmask=True)
            assert second.read_bytes() == first.read_bytes(), (kind, suffix)
    names = {cells[1] for _n, cells in open_table(tmp_path / "orgs-1.csv").rows()}
    assert {*HOSTILE, "=2+2"} <= names


def test_the_errors_file_gives_back_the_rejected_rows_as_the_import_read_them(world, tmp_path):
    rows = [importing.org_row(NEW, name, township="不存在街道") for name in HOSTILE]
    bad = importing.write_csv(tmp_path / "bad.csv", rows, kind="orgs")
    errors = tmp_path / "errors.csv"
    assert not import_file("orgs", bad, errors_path=errors).ok
    with open_table(bad) as source, open_table(errors) as rejected:
        read = [cells for _n, cells in source.rows()]
        assert [cells[2:] for _n, cells in rejected.rows()] == read
    # In a CSV the user wrote, an apostrophe before a formula character is the mark of
    # text, as in Excel: '=x is read as =x, ''-y as '-y.
    assert [cells[1] for cells in read][4:6] == ["=x", "'-y"]
    check = _cells_of_csv(errors.read_text(encoding="utf-8-sig"), "errors.csv")
    assert {"'=1+1", "'-2+3", "''-y"} <= set(check)
