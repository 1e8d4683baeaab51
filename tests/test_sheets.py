"""The one xlsx writer and the one CSV writer (dangjian/lib/sheets.py): text from the data is
never a formula, and what the CSV writer neutralises the import reads back exactly."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from dangjian.imports.readers import open_table
from dangjian.lib import sheets

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text made of the characters that matter here, so that the cases are found.
tricky = st.text(st.sampled_from("'=+-@\t\r a1,\"\n长"), max_size=8) | st.text(max_size=8)


@given(tricky)
def test_csv_quote_neutralises_and_csv_unquote_gives_it_back(text):
    quoted = sheets.csv_quote(text)
    assert not quoted.startswith(FORMULA_START)
    assert sheets.csv_unquote(quoted) == text


@given(st.lists(tricky, min_size=1, max_size=5))
def test_the_import_reads_back_exactly_what_the_csv_writer_wrote(tmp_path_factory, row):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    sheets.write_csv(path, ["a"] * len(row), [row])
    with open_table(path) as table:
        assert [cells for _n, cells in table.rows()] == [row]


def test_legitimate_values_are_left_alone():
    for text in ("2024-01-31", "12", "0.5", "芙蓉区书法协会", "'", "'abc", "'1", "X-1", ""):
        assert sheets.csv_quote(text) == text
        assert sheets.csv_unquote(text) == text
    assert sheets.csv_quote(None) == "" and sheets.csv_quote(7) == "7"
    assert sheets.csv_quote("-3") == "'-3"  # no import column takes a negative number


def test_an_xlsx_cell_holds_text_as_text(tmp_path: Path):
    book = sheets.workbook(write_only=True)
    sheet = book.create_sheet("数据")
    values = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "#N/A", "名称", 3, dt.date(2024, 1, 31), None]
    sheets.append(sheet, values)
    path = tmp_path / "x.xlsx"
    sheets.save(book, path)
    cells = load_workbook(path).worksheets[0][1]
    assert [c.value for c in cells[:7]] == values[:7]
    assert [c.data_type for c in cells[:6]] == ["s"] * 6
    assert [c.quotePrefix for c in cells[:6]] == [True] * 4 + [False] * 2  # Excel keeps it text
    assert cells[7].is_date and cells[7].number_format == "yyyy-mm-dd"


def test_saving_turns_a_stray_formula_into_text_and_gives_the_same_bytes(tmp_path: Path):
    def make() -> bytes:
        book = sheets.workbook()
        sheet = book.active
        assert sheet is not None
        sheet["A1"] = "=1+1"  # past the helpers: openpyxl makes it a formula
        sheets.set_cell(sheet, 2, 1, "=2+2")
        out = io.BytesIO()
        sheets.save(book, out)
        return out.getvalue()

    data = make()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=1+1")
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "=2+2")
    assert make() == data
