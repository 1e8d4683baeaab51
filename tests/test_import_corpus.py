"""The import against its bad-input corpus (tests/import_corpus/, made by make_corpus.py).

For every bad file: the real service and the real command refuse it with the exact
`第N行 列名「值」: 原因` messages of the case, exit 1, and write nothing (every table of the
database, history tables and ImportBatch included, is the same before and after). Every
valid file imports, and importing it again changes nothing. `--skip-invalid --errors`
keeps the valid rows and hands back the rejected ones ready to be fixed; `--dry-run`
writes nothing and reports what would happen.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import importlib
import io
import json
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from django.db import connection

from dangjian.areas.models import AreaLevel, Unit, UnitKind
from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.service import import_file
from dangjian.lib import sheets
from dangjian.lib.codes import mask_id_number, mask_id_numbers_in
from dangjian.orgs.models import OrgKind, RegistrationMode, SocialOrganization
from dangjian.partyorgs.models import (
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
)
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus
from tests import factories
from tests.import_corpus import make_corpus as corpus
from tests.import_corpus.make_corpus import CASES, CORPUS_DIR, Case

ROOT = Path(__file__).resolve().parents[1]
# The module is called `import`, a keyword.
ImportCommand = importlib.import_module("dangjian.imports.management.commands.import").Command


# --- The world the corpus refers to. ---------------------------------------------------------


def build_world(setup: str = "") -> dict[str, object]:
    areas = factories.changsha_sample()
    unit_ensure_registries(under=areas["city"])
    furong_registry = Unit.objects.get(name="芙蓉区民政局")
    tianxin_registry = Unit.objects.get(name="天心区民政局")
    Unit.objects.create(name=corpus.SUPERVISOR, kind=UnitKind.SUPERVISORY, area=areas["city"])
    orgs = {}
    for uscc, name, kind, township, registry in (
        (corpus.ORG_A, "长沙市芙蓉区文艺路商会", OrgKind.ASSOCIATION, "wenyilu", furong_registry),
        (
            corpus.ORG_B,
            "长沙市芙蓉区朝阳养老服务中心",
            OrgKind.SERVICE_AGENCY,
            "chaoyang",
            furong_registry,
        ),
        (
            corpus.ORG_C,
            "长沙市天心区坡子街餐饮行业协会",
            OrgKind.ASSOCIATION,
            "pozi",
            tianxin_registry,
        ),
    ):
        town = areas[township]
        orgs[uscc] = SocialOrganization.objects.create(
            uscc=uscc,
            name=name,
            kind=kind,
            registry=registry,
            registration_mode=RegistrationMode.DIRECT,
            industry="trade",
            district=town.parent,
            township=town,
            registered_on=dt.date(2014, 1, 1),
        )
    committee = PartyOrganization.objects.create(
        code=corpus.PO_COMMITTEE,
        name="中共长沙市芙蓉区社会组织综合委员会",
        level=PartyOrgLevel.COMMITTEE,
        form=PartyOrgForm.INDUSTRY,
        township=areas["wenyilu"],
        founded_on=dt.date(2014, 6, 1),
    )
    general = PartyOrganization.objects.create(
        code=corpus.PO_GENERAL,
        name="中共长沙市芙蓉区文艺路社会组织联合总支部委员会",
        level=PartyOrgLevel.GENERAL_BRANCH,
        form=PartyOrgForm.JOINT,
        parent=committee,
        township=areas["wenyilu"],
        founded_on=dt.date(2015, 1, 1),
    )
    branch = PartyOrganization.objects.create(
        code=corpus.PO_BRANCH,
        name="中共长沙市芙蓉区文艺路商会支部委员会",
        level=PartyOrgLevel.BRANCH,
        form=PartyOrgForm.STANDALONE,
        parent=general,
        township=areas["wenyilu"],
        founded_on=dt.date(2015, 3, 1),
    )
    Coverage.objects.create(party_org=branch, org=orgs[corpus.ORG_A], started_on=branch.founded_on)
    member = Person.build(
        name="张伟", id_number=corpus.P_MEMBER, political_status=PoliticalStatus.MEMBER
    )
    member.save()
    Membership.objects.create(
        person=member,
        joined_on=dt.date(2010, 7, 1),
        confirmed_on=dt.date(2011, 7, 1),
        relation_party_org=branch,
    )
    Employment.objects.create(person=member, org=orgs[corpus.ORG_A], started_on=dt.date(2012, 1, 1))
    masses = Person.build(
        name="李娜", id_number=corpus.P_MASSES, political_status=PoliticalStatus.MASSES
    )
    masses.save()
    Employment.objects.create(person=masses, org=orgs[corpus.ORG_B], started_on=None)
    if setup == "township-twin-in-district":
        factories.area("430102099", "文艺路街道", AreaLevel.TOWNSHIP, areas["furong"])
    elif setup == "township-twin-elsewhere":
        factories.area("430103099", "文艺路街道", AreaLevel.TOWNSHIP, areas["tianxin"])
    else:
        assert not setup, setup
    return {"areas": areas, "orgs": orgs}


def test_no_township_name_repeats_in_changsha():
    """Why the ambiguous-name cases add a second 文艺路街道 of their own: among Changsha's 172
    townships no name repeats (communities' names do, but they are looked up inside their
    township). If one ever does, the cases can use it instead."""
    from dangjian.areas.divisions import CHANGSHA_FILE, read_file

    names = [d.name for d in read_file(CHANGSHA_FILE) if d.level == AreaLevel.TOWNSHIP]
    assert len(names) > 100
    assert len(set(names)) == len(names)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def corpus_world(db, request):
    """The world, with what the case at hand needs beyond it."""
    return build_world(request.node.callspec.params["case"].setup)


# --- What "nothing was written" means. -------------------------------------------------------


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and a digest of all its rows."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]):
    return {
        table: (before.get(table, (0, ""))[0], after.get(table, (0, ""))[0])
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    }


BATCH_TABLE = "imports_importbatch"


# --- The command, as a user runs it. ---------------------------------------------------------


def run_command(*argv: object) -> tuple[int, str, str]:
    """`dangjian import …` in this process (so that it sees the test database), parsed and
    executed as from the command line: (exit status, stdout, stderr). An exception that
    escapes would be a traceback on the user's terminal: it is written to stderr here."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        command = ImportCommand(stdout=out, stderr=err)
        try:
            parser = command.create_parser("dangjian", "import")
            options = vars(parser.parse_args([str(a) for a in argv]))
            args = options.pop("args", ())
            command._called_from_command_line = True
            command.execute(*args, **options)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            err.write(traceback.format_exc())
            status = 99
    return status, out.getvalue(), err.getvalue()


def expected_stderr(case: Case) -> str:
    return "".join(f"{e}\n" for e in case.errors)


_ID_SHOWN = re.compile(r"(公民身份号码「)(\d{6})\d{8}(\d{3}[\dX])(」)")


def masked(text: str) -> str:
    """`text` with any identity number shown whole masked as the messages must show it:
    some messages name it whole, a bug of its own (test_identity_numbers_are_masked)."""
    return _ID_SHOWN.sub(r"\1\2********\3\4", text)


def is_file_level(error: str) -> bool:
    """An error about the file as a whole (the reader's) or its header, not about a row."""
    return (
        error.startswith(("文件: ", "第1行 列名"))
        or bool(re.match(r"第\d+行: ", error))
        or "是公式：" in error
    )


def read_csv(path: Path) -> list[list[str]]:
    """An errors file: it holds the rejected cells whole, however long."""
    limit = csv.field_size_limit(1 << 30)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))
    finally:
        csv.field_size_limit(limit)


# --- Parametrization. ------------------------------------------------------------------------


def params(cases: list[Case]) -> list[object]:
    return [
        pytest.param(
            c,
            id=c.path,
            marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [],
        )
        for c in cases
    ]


BAD = [c for c in CASES if not c.valid]
VALID = [c for c in CASES if c.valid]
# Bad files whose errors are all about rows (not the file or its header): --skip-invalid
# keeps their other rows.
ROW_LEVEL = [
    c
    for c in BAD
    if not c.xfail
    and c.path.endswith(".csv")
    and not any(is_file_level(e) for e in c.errors)
    # the cell without a column name is left out of the errors file: see its own test
    and c.path != "orgs/data-without-header.csv"
]


def error_rows(case: Case) -> set[int]:
    return {int(e[1 : e.index("行")]) for e in case.errors}


# --- The corpus itself. ----------------------------------------------------------------------


def test_corpus_is_what_make_corpus_makes(tmp_path):
    """The committed files are exactly what the script generates (it is deterministic)."""
    corpus.write_all(tmp_path)
    made = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(CORPUS_DIR).as_posix()
        for p in CORPUS_DIR.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    assert committed == made
    stale = [
        n for n in sorted(made) if (tmp_path / n).read_bytes() != (CORPUS_DIR / n).read_bytes()
    ]
    assert stale == [], "run: python -m tests.import_corpus.make_corpus"
    assert len({c.path for c in CASES}) == len(CASES)


# --- Bad files. ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(BAD))
def test_bad_file_is_refused_and_nothing_written(case: Case, corpus_world, tmp_path):
    """The service and then the command: the exact messages, exit 1, no table changed.
    Then, where the errors are about rows, --skip-invalid (check_skip_invalid)."""
    before = fingerprint()
    result = import_file(case.kind, case.file)
    assert [masked(str(e)) for e in result.errors] == list(case.errors)
    assert result.error_count == len(case.errors)
    assert not result.ok
    assert not result.written
    assert changed_tables(before, fingerprint()) == {}

    errors_file = tmp_path / "errors.csv"
    status, out, err = run_command(case.kind, case.file, "--errors", errors_file)
    assert "Traceback" not in err
    assert status == 1
    assert masked(err) == expected_stderr(case)
    assert out.strip().endswith("没有写入任何数据。请改正后重新导入。")
    assert changed_tables(before, fingerprint()) == {}
    # --errors: the same reasons, as CSV (for errors about the file as a whole, see
    # test_errors_file_lists_errors_about_the_whole_file)
    row_errors = [e for e in case.errors if not is_file_level(e) or e.startswith("第1行 ")]
    if row_errors:
        listed = read_csv(errors_file)
        assert listed[0][:2] == ["原行号", "错误原因"]
        reasons = masked("；".join(row[1] for row in listed[1:]))
        for error in row_errors:
            assert error in reasons

    if case in ROW_LEVEL:  # last: it writes the valid rows
        check_skip_invalid(case, tmp_path)


def test_dry_run_of_a_bad_file_reports_the_errors(world):
    case = next(c for c in CASES if c.path == "orgs/status-without-date.csv")
    before = fingerprint()
    status, out, err = run_command(case.kind, case.file, "--dry-run")
    assert status == 1
    assert err == expected_stderr(case)
    assert "检查发现 1 处错误（未写入）" in out
    assert changed_tables(before, fingerprint()) == {}


# --- Valid files. ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(VALID))
def test_valid_file_imports_and_again_changes_nothing(case: Case, corpus_world):
    before = fingerprint()
    result = import_file(case.kind, case.file)
    assert result.errors == []
    assert result.warnings == []
    counts = (result.rows, result.created, result.updated, result.unchanged)
    assert counts == (case.rows, case.created, 0, 0)
    assert result.written
    changed = changed_tables(before, fingerprint())
    assert changed[BATCH_TABLE] == (before[BATCH_TABLE][0], before[BATCH_TABLE][0] + 1)
    if case.created:
        assert len(changed) > 1
    else:
        assert list(changed) == [BATCH_TABLE]  # a header alone: a batch of no rows

    again_before = fingerprint()
    again = import_file(case.kind, case.file)
    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, case.rows)
    assert list(changed_tables(again_before, fingerprint())) == [BATCH_TABLE]


@pytest.mark.parametrize("case", params(VALID))
def test_valid_file_with_the_command_dry_run_first(case: Case, corpus_world):
    """--dry-run writes nothing and says what the import will do; the import does it."""
    before = fingerprint()
    status, out, err = run_command(case.kind, case.file, "--dry-run")
    assert (status, err) == (0, "")
    counts = f"{case.rows} 行数据，将新增 {case.created}，更新 0，未变化 0"
    assert out.strip().endswith(f"检查完成（未写入）：{counts}")
    assert changed_tables(before, fingerprint()) == {}

    status, out, err = run_command(case.kind, case.file)
    assert (status, err) == (0, "")
    assert f"：{case.rows} 行数据，新增 {case.created}，更新 0，未变化 0" in out
    assert out.startswith("导入完成（导入#")


def test_alias_is_stored_as_the_canonical_kind(world):
    result = import_file("orgs", CORPUS_DIR / "orgs/alias-minfei.csv")
    assert result.ok
    stored = SocialOrganization.objects.get(uscc=corpus.new_uscc(2, kind="2"))
    assert stored.kind == OrgKind.SERVICE_AGENCY


def test_full_width_uscc_is_stored_half_width(world):
    assert import_file("orgs", CORPUS_DIR / "orgs/uscc-full-width.csv").ok
    assert SocialOrganization.objects.filter(uscc=corpus.new_uscc(2)).exists()


def test_parent_later_in_file_is_linked(world):
    assert import_file("party-orgs", CORPUS_DIR / "party-orgs/parent-later-in-file.csv").ok
    child = PartyOrganization.objects.get(code="430102D011")
    assert child.parent is not None and child.parent.code == "430102D012"


def test_gb18030_and_bom_files_read_as_the_utf8_one(world):
    """The same rows, whatever the encoding: the names are not garbled."""
    for name in ("malformed/gb18030.csv", "malformed/utf8-bom.csv"):
        assert import_file("orgs", CORPUS_DIR / name).ok
    stored = set(SocialOrganization.objects.values_list("name", flat=True))
    assert {str(corpus.org(1)["社会组织名称"]), str(corpus.org(2)["社会组织名称"])} <= stored


def test_header_only_imports_nothing_and_succeeds(world):
    """CONTRACT.md: row 1 holds the column names and the data rows follow. A file of the
    header alone is well formed and has no invalid row, so the import succeeds (exit 0)
    having imported nothing; it is recorded as an import of 0 rows and nothing else
    changes."""
    for name in ("malformed/header-only.csv", "malformed/header-only.xlsx"):
        before = fingerprint()
        status, out, err = run_command("orgs", CORPUS_DIR / name)
        assert (status, err) == (0, "")
        assert "0 行数据，新增 0，更新 0，未变化 0" in out
        assert list(changed_tables(before, fingerprint())) == [BATCH_TABLE]


# --- --skip-invalid and the errors file. -----------------------------------------------------


def in_errors_file(column: str, cell: str) -> str:
    """A cell as the errors file holds it: identity numbers masked (in their column as the
    messages name them, and anywhere else) and formula-like text neutralised, which the
    import reads back as it was (docs/security.md)."""
    if column == "公民身份号码" and len(cell) >= 15 and cell[:6].isdigit():
        cell = mask_id_number(cell)
    return sheets.csv_quote(mask_id_numbers_in(cell))


def check_skip_invalid(case: Case, tmp_path: Path) -> None:
    """--skip-invalid: the other rows are written, the rejected ones go to the errors file
    with their reasons, cell for cell as they were (but see `in_errors_file`)."""
    errors_file = tmp_path / "skipped.csv"
    result = import_file(case.kind, case.file, skip_invalid=True, errors_path=errors_file)
    assert [masked(str(e)) for e in result.errors] == list(case.errors)
    bad_rows = error_rows(case)
    assert result.rejected == len(bad_rows)
    assert result.written
    assert result.created + result.updated + result.unchanged == result.rows - len(bad_rows)
    listed = read_csv(errors_file)
    original = read_csv(case.file)
    assert listed[0] == ["原行号", "错误原因", *original[0]]
    assert [int(row[0]) for row in listed[1:]] == sorted(bad_rows)
    for row in listed[1:]:
        number = int(row[0])
        assert masked(row[1]) == "；".join(e for e in case.errors if e.startswith(f"第{number}行"))
        cells = [cell.strip() for cell in original[number - 1]]
        cells += [""] * (len(original[0]) - len(cells))
        columns = original[0] + [""] * (len(cells) - len(original[0]))
        assert row[2:] == [in_errors_file(c, cell) for c, cell in zip(columns, cells, strict=True)]


FIXES = {
    "orgs/status-without-date.csv": ("状态变更日期", "2020-12-31"),
    "orgs/unknown-registry.csv": ("登记管理机关", "芙蓉区民政局"),
    "people/unknown-employer.csv": ("工作单位统一社会信用代码", corpus.ORG_B),
    "party-orgs/unknown-parent.csv": ("上级党组织编码", corpus.PO_COMMITTEE),
    "committees/unknown-role.csv": ("职务", "副书记"),
    "instructors/unknown-org.csv": ("派驻社会组织统一社会信用代码", corpus.ORG_C),
}


@pytest.mark.parametrize("name", sorted(FIXES))
def test_errors_file_can_be_fixed_and_imported_again(name: str, world, tmp_path):
    case = next(c for c in CASES if c.path == name)
    errors_file = tmp_path / "errors.csv"
    status, out, err = run_command(case.kind, case.file, "--skip-invalid", "--errors", errors_file)
    assert status == 0
    assert masked(err) == expected_stderr(case)
    assert out.startswith("部分导入")
    assert out.strip().endswith(f"1 行有错误未导入，已写入 {errors_file}")

    # The user fixes the cell the reason names, in the errors file itself, and imports it.
    column, value = FIXES[name]
    rows = read_csv(errors_file)
    rows[1][rows[0].index(column)] = value
    if "公民身份号码" in rows[0]:
        # Masked in the errors file: the row number leads back to the source file, where
        # the user reads the number to type back in (docs/security.md).
        source = read_csv(case.file)
        number = source[int(rows[1][0]) - 1][source[0].index("公民身份号码")]
        assert rows[1][rows[0].index("公民身份号码")] == mask_id_number(number)
        rows[1][rows[0].index("公民身份号码")] = number
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    status, out, err = run_command(case.kind, fixed)
    assert (status, err) == (0, "")
    assert out.startswith("导入完成") and "1 行数据，新增 1，更新 0，未变化 0" in out
    # All of the original file is in now.
    again = import_file(case.kind, case.file)
    assert again.error_count == 1  # the broken row, as it was
    assert again.created == 0


def test_skip_invalid_needs_an_errors_file(world):
    before = fingerprint()
    file = CORPUS_DIR / "orgs/status-without-date.csv"
    status, _out, err = run_command("orgs", file, "--skip-invalid")
    assert status == 2
    assert "--errors" in err and "Traceback" not in err
    assert changed_tables(before, fingerprint()) == {}


def test_dry_run_names_the_fields_an_update_changes(world, tmp_path):
    valid = CORPUS_DIR / "orgs/valid.csv"
    assert import_file("orgs", valid).ok
    rows = read_csv(valid)
    rows[2][rows[0].index("社会组织名称")] = "长沙市芙蓉区青少年科技服务中心"
    rows[2][rows[0].index("从业人员数")] = "30"
    changed = tmp_path / "changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = fingerprint()
    status, out, err = run_command("orgs", changed, "--dry-run")
    assert (status, err) == (0, "")
    assert f"第3行 {rows[2][0]}：将更新 社会组织名称、从业人员数" in out
    assert "检查完成（未写入）：3 行数据，将新增 0，更新 1，未变化 2" in out
    assert changed_tables(before, fingerprint()) == {}


# --- Files too big to commit, made here. -----------------------------------------------------


def _org_rows(count: int) -> list[list[object]]:
    return [list(corpus.org(n).values()) for n in range(1, count + 1)]


def test_mixed_encodings_far_down_name_the_exact_row(world, tmp_path):
    """Past the first 64 KiB the encoding is no longer sniffed: the row pasted in another
    encoding is still named exactly, not "near" a row."""
    rows = _org_rows(1200)  # about 190 KB
    path = tmp_path / "mixed.csv"
    bad = corpus.org(5000, {"社会组织名称": "长沙市芙蓉区粘贴来的协会"})
    path.write_bytes(
        corpus.csv_bytes([corpus.ORG_COLUMNS, *rows[:1000]])
        + corpus.csv_bytes([list(bad.values())], "gb18030")
        + corpus.csv_bytes(rows[1000:])
    )
    before = fingerprint()
    result = import_file("orgs", path)
    assert [str(e) for e in result.errors] == [
        "第1002行: 文件编码不一致：该行不是UTF-8编码（文件可能由不同来源拼接而成）。"
        "请将整个文件另存为 UTF-8 编码后再导入"
    ]
    assert changed_tables(before, fingerprint()) == {}


def test_gb18030_file_with_a_plain_ascii_start_is_read_as_gb18030(world, tmp_path):
    """English column keys and 80 KB of blank rows, all ASCII, then GB18030 rows: the
    encoding is decided by the first line that is not ASCII, wherever it is."""
    blank = ",".join([""] * len(corpus.ORG_KEYS)) + "\r\n"
    data = (",".join(corpus.ORG_KEYS) + "\r\n" + blank * 6000).encode("ascii")
    assert len(data) > 65536
    path = tmp_path / "gb.csv"
    path.write_bytes(data + corpus.csv_bytes(_org_rows(3), "gb18030"))
    result = import_file("orgs", path)
    assert result.errors == []
    assert (result.rows, result.created) == (3, 3)
    stored = set(SocialOrganization.objects.values_list("name", flat=True))
    assert str(corpus.org(1)["社会组织名称"]) in stored


def test_a_file_broken_after_the_first_batch_writes_nothing(world, tmp_path):
    """The first 2000 rows are written inside the transaction before row 2503 turns out to
    be unreadable: all of it is rolled back (a half-written import would be worse than
    none)."""
    from dangjian.imports import service

    path = tmp_path / "broken.csv"
    rows = _org_rows(service.BATCH_SIZE + 500)
    path.write_bytes(
        corpus.csv_bytes([corpus.ORG_COLUMNS, *rows])
        + corpus.csv_bytes(
            [list(corpus.org(9999, {"社会组织名称": "长沙市芙蓉区协会"}).values())], "gb18030"
        )
    )
    before = fingerprint()
    result = import_file("orgs", path)
    assert [e.row for e in result.errors] == [service.BATCH_SIZE + 502]
    assert not result.written
    assert changed_tables(before, fingerprint()) == {}


def test_old_mac_line_ends(world, tmp_path):
    """Lines ending in a lone \\r (Excel 2011 for Mac) are lines too."""
    path = tmp_path / "mac.csv"
    path.write_bytes(corpus.csv_text(corpus.GOOD).replace("\r\n", "\r").encode())
    result = import_file("orgs", path)
    assert (result.errors, result.rows, result.created) == ([], 2, 2)


# --- What depends on who imports. ------------------------------------------------------------

OUTSIDE = "不在您的管辖范围（天心区（430103））内"
JURISDICTION = {
    "orgs": (
        corpus.table(corpus.ORG_COLUMNS, corpus.org(1)),
        corpus.err(2, "所在乡镇(街道)", "文艺路街道", OUTSIDE),
    ),
    "party-orgs": (
        corpus.table(corpus.PARTY_ORG_COLUMNS, corpus.party_org(10)),
        corpus.err(2, "所在乡镇(街道)", "文艺路街道", OUTSIDE),
    ),
    "people": (
        corpus.table(corpus.PEOPLE_COLUMNS, corpus.person(1)),
        corpus.err(2, "工作单位统一社会信用代码", corpus.ORG_A, "该社会组织不在您的管辖范围内"),
    ),
    "committees": (
        corpus.table(corpus.COMMITTEE_COLUMNS, corpus.committee()),
        corpus.err(2, "党组织编码", corpus.PO_BRANCH, "该党组织" + OUTSIDE),
    ),
    "instructors": (
        corpus.table(corpus.INSTRUCTOR_COLUMNS, corpus.instructor(1)),
        corpus.err(2, "派驻社会组织统一社会信用代码", corpus.ORG_A, "该社会组织" + OUTSIDE),
    ),
}


@pytest.mark.parametrize("kind", list(JURISDICTION))
def test_rows_outside_the_importers_jurisdiction_are_refused(kind, world, tmp_path):
    """A 天心区 officer importing 芙蓉区's rows: each kind names the row and the column."""
    from dangjian.accounts.models import Role, User

    officer = User.objects.create(
        username="tianxin", role=Role.DISTRICT, area=world["areas"]["tianxin"]
    )
    rows, expected = JURISDICTION[kind]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(corpus.csv_bytes(rows))
    before = fingerprint()
    result = import_file(kind, path, user=officer)
    assert [str(e) for e in result.errors] == [expected]
    assert changed_tables(before, fingerprint()) == {}
    status, _out, err = run_command(kind, path, "--user", "tianxin")
    assert (status, err) == (1, expected + "\n")
    assert changed_tables(before, fingerprint()) == {}
    # The same file by the city's officer (or no one: the command line) imports.
    assert import_file(kind, path).ok


def test_uscc_of_another_registry_is_a_warning_not_an_error(world, tmp_path):
    """Characters 3-8 of the USCC name the registering authority: a mismatch is shown but
    does not stop the import (the organization may have moved)."""
    uscc = corpus.new_uscc(7, division="430103")
    path = tmp_path / "moved.csv"
    path.write_bytes(
        corpus.csv_bytes(
            corpus.table(corpus.ORG_COLUMNS, corpus.org(7, {"统一社会信用代码": uscc}))
        )
    )
    status, out, err = run_command("orgs", path)
    assert status == 0
    assert err == (
        f"提示：第2行 统一社会信用代码「{uscc}」: 第3-8位登记机关代码 430103 与登记管理机关"
        "「芙蓉区民政局」（430102）不一致（仅提示，已导入）\n"
    )
    assert "新增 1" in out


def test_a_big_file_broken_at_its_end_writes_nothing(world, tmp_path):
    """More than 4 MiB (the service may read it in a worker process): 2100 rows, 2000 of
    them checked and written before the reader reaches the last line, which is not UTF-8.
    The whole import is rolled back and the message names that line."""
    rows = _org_rows(2100)
    blank = ",".join([""] * len(corpus.ORG_COLUMNS)) + "\r\n"
    filler = 300_000
    path = tmp_path / "big.csv"
    broken = corpus.org(9999, {"社会组织名称": "长沙市芙蓉区协会"})
    path.write_bytes(
        corpus.csv_bytes([corpus.ORG_COLUMNS, *rows])
        + (blank * filler).encode()
        + corpus.csv_bytes([list(broken.values())], "gb18030")
    )
    assert path.stat().st_size > 4 << 20
    before = fingerprint()
    status, _out, err = run_command("orgs", path)
    assert "Traceback" not in err
    assert status == 1
    assert err == (
        f"第{2 + 2100 + filler}行: 文件编码不一致：该行不是UTF-8编码（文件可能由不同来源拼接而成）。"
        "请将整个文件另存为 UTF-8 编码后再导入\n"
    )
    assert changed_tables(before, fingerprint()) == {}


# --- Known bugs outside the readers (left to the import's owners). ---------------------------


def test_identity_numbers_are_masked_in_every_message(world):
    """service.py: "Identity numbers are named masked, even in error messages". The parse
    errors are; the errors the kinds find (people: the same person with different names;
    committees: an unknown person) name it whole, in the output and the errors file."""
    shown = []
    for case in BAD:
        if not case.setup and case.kind in ("people", "committees", "instructors"):
            for error in import_file(case.kind, case.file).errors:
                if masked(str(error)) != str(error):
                    shown.append(f"{case.path}: {error}")
    assert shown == []


@pytest.mark.parametrize("name", ["malformed/binary-garbage.csv", "malformed/mixed-encodings.csv"])
def test_errors_file_lists_errors_about_the_whole_file(name: str, world, tmp_path):
    """CONTRACT.md: each error is printed and "--errors also writes them as CSV". An
    unreadable file leaves no errors file at all (or an older one, from the run before); a
    file that breaks mid-way leaves one without the reason."""
    case = next(c for c in CASES if c.path == name)
    errors_file = tmp_path / "errors.csv"
    status, _out, err = run_command(case.kind, case.file, "--errors", errors_file)
    assert (status, err) == (1, expected_stderr(case))
    reasons = [row[1] for row in read_csv(errors_file)[1:]] if errors_file.exists() else []
    message = case.errors[0].split(": ", 1)[1]
    assert any(message in reason for reason in reasons)


@pytest.mark.parametrize(
    "name",
    ["malformed/binary-garbage.csv", "malformed/mixed-encodings.csv", "orgs/unknown-column.csv"],
)
def test_skip_invalid_exits_1_when_nothing_could_be_imported(name: str, world, tmp_path):
    """CONTRACT.md: exit 1 on invalid input, nothing written. With --skip-invalid an
    unreadable file, a file that breaks mid-way (its valid rows rolled back) or a bad header
    writes nothing and says 「未导入」, yet the command exits 0 — a script sees success."""
    case = next(c for c in CASES if c.path == name)
    before = fingerprint()
    status, out, _err = run_command(
        case.kind, case.file, "--skip-invalid", "--errors", tmp_path / "errors.csv"
    )
    assert "未导入" in out
    assert changed_tables(before, fingerprint()) == {}
    assert status == 1


def test_errors_file_keeps_the_cell_without_a_column_name(world, tmp_path):
    """The reason says 「第16列 … 该列没有列名：请补上列名或删除该列内容」, but the errors file
    the user is to fix keeps only the named columns: the cell is not there to fix."""
    errors_file = tmp_path / "errors.csv"
    path = CORPUS_DIR / "orgs/data-without-header.csv"
    import_file("orgs", path, skip_invalid=True, errors_path=errors_file)
    assert "备用电话 0731-8888" in read_csv(errors_file)[1]


# --- The real console script, in its own process. --------------------------------------------

DRIVER = """
import json, sys, traceback
import django
django.setup()
from dangjian.manage import main
jobs = json.loads(sys.stdin.read())
from tests.test_import_corpus import build_world
build_world()
for job in jobs["runs"]:
    for stream in (sys.stdout, sys.stderr):
        print("=== " + job["id"], file=stream, flush=True)
    sys.argv = ["dangjian", *job["argv"]]
    status = 0
    try:
        main()
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        status = 99
    sys.stdout.flush()
    sys.stderr.flush()
    print("=== status %d" % status, flush=True)
"""


@pytest.fixture
def process_database(transactional_db, tmp_path):
    """A database another process can use: on SQLite a file copy of the (migrated,
    in-memory) test database, on PostgreSQL the test database itself (committed to, and
    emptied after the test)."""
    if connection.vendor == "sqlite":
        import sqlite3

        path = tmp_path / "cli.sqlite3"
        connection.ensure_connection()
        assert connection.settings_dict["NAME"].startswith("file:memorydb")
        assert not connection.in_atomic_block  # else the backup waits for ever
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_the_console_script_on_every_file(process_database, tmp_path):
    """`dangjian import` in a process of its own, on every corpus file (and its usage
    errors): never a traceback, exit 1 for every bad file, 0 for every valid one, and
    for the bad files (run first, so that they all meet the same database) the exact
    messages on stderr."""
    url = process_database
    runs = [{"id": "usage: kind", "argv": ["import", "no-such-kind", "x.csv"]}]
    runs.append(
        {
            "id": "usage: --skip-invalid",
            "argv": ["import", "orgs", str(CORPUS_DIR / "orgs/valid.csv"), "--skip-invalid"],
        }
    )
    runs.append({"id": "missing file", "argv": ["import", "orgs", str(tmp_path / "none.csv")]})
    # The bad files first, so that they all meet the same database; then the valid ones;
    # last those that need more of a world than `build_world()` (or import, being bugs).
    plain = [c for c in BAD if not c.setup and not c.xfail]
    ordered = [*plain, *VALID, *[c for c in BAD if c not in plain]]
    runs += [{"id": c.path, "argv": ["import", c.kind, str(c.file)]} for c in ordered]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps({"runs": runs}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    statuses = dict(re.findall(r"=== (.+)\n(?:.*\n)*?=== status (\d+)", done.stdout))
    stderr = dict((m[0], m[1]) for m in re.findall(r"=== (.+)\n((?:(?!=== ).*\n)*)", done.stderr))
    assert statuses.pop("usage: kind") == "2"
    assert statuses.pop("usage: --skip-invalid") == "2"
    assert statuses.pop("missing file") == "1"
    assert "文件不存在" in stderr["missing file"]
    for case in ordered:
        if case in plain:
            assert (statuses[case.path], masked(stderr[case.path])) == (
                "1",
                expected_stderr(case),
            ), case.path
        elif case.valid:
            assert (statuses[case.path], stderr[case.path]) == ("0", ""), stderr[case.path]
        else:
            assert statuses[case.path] in ("0", "1"), case.path
