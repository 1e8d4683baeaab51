"""The errors file of an import shows identity numbers masked, as everywhere else (issue 12,
item 11): in the 公民身份号码 column, in the reasons, and wherever else one was put; the row
number leads back to the source file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from dangjian.imports.service import import_file
from dangjian.lib.codes import mask_id_number
from tests import factories, importing

pytestmark = pytest.mark.django_db

VALID = factories.id_number_for(901, birth="19800101")
ELSEWHERE = factories.id_number_for(902, birth="19900202")  # in a column with no name
IN_NAME = factories.id_number_for(903, birth="19700303")  # typed into 姓名
IN_DATE = factories.id_number_for(904, birth="19600404")  # typed into a date column
TYPO = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")  # a wrong check digit


def _read(path: Path) -> tuple[str, list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig")
    return text, list(csv.reader(io.StringIO(text)))


def _assert_masked(text: str, *numbers: str) -> None:
    for number in numbers:
        assert number not in text
        assert mask_id_number(number) in text


def test_a_people_errors_file_shows_identity_numbers_masked(areas, tmp_path):
    header = importing.header("people")
    rows = [
        # A valid number, a bad 政治面貌, and the number of someone else in a cell with no
        # column name (named in the reason too).
        [IN_NAME, VALID, "", "", "", "", "外星人", *[""] * (len(header) - 7), ELSEWHERE],
        # A number with a wrong check digit: still a person's number, still masked.
        ["李四", TYPO, "", "", "", "", "群众", "", "", ""],
        # A number typed into a date column (入职日期).
        ["王五", IN_DATE, "", "", IN_DATE, "", "群众", "", "", ""],
    ]
    path = importing.write_csv(tmp_path / "people.csv", [header, *rows])
    errors = tmp_path / "errors.csv"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "people", str(path), "--errors", str(errors), stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    assert mask_id_number(ELSEWHERE) in printed  # the printed reasons too
    assert not any(n in printed for n in (VALID, ELSEWHERE, IN_NAME, TYPO, IN_DATE))
    text, table = _read(errors)
    _assert_masked(text, VALID, ELSEWHERE, IN_NAME, TYPO, IN_DATE)
    assert [row[0] for row in table[1:]] == ["2", "3", "4"]  # the row numbers lead back
    assert table[1][3] == mask_id_number(VALID) and table[2][3] == mask_id_number(TYPO)
    assert "政治面貌「外星人」" in table[1][1]

    skipped = tmp_path / "skipped.csv"
    import_file("people", path, skip_invalid=True, errors_path=skipped)
    _assert_masked(_read(skipped)[0], VALID, ELSEWHERE, IN_NAME, TYPO, IN_DATE)


def test_committees_and_instructors_errors_files_show_identity_numbers_masked(areas, tmp_path):
    factories.person("王五", id_number=VALID)
    committees = importing.write_csv(
        tmp_path / "committees.csv", [["NOPE", VALID, "书记", "2020-01-01", "", "否"]],
        kind="committees",
    )  # fmt: skip
    instructors = importing.write_csv(
        tmp_path / "instructors.csv",
        [["王五", VALID, "离退休干部", "51430102MJJ00010X", "2020-01-01", ""]],
        kind="instructors",
    )
    for kind, path in (("committees", committees), ("instructors", instructors)):
        errors = tmp_path / f"{kind}-errors.csv"
        result = import_file(kind, path, errors_path=errors)
        assert not result.ok
        text, table = _read(errors)
        _assert_masked(text, VALID)
        assert table[1][0] == "2" and mask_id_number(VALID) in table[1]
