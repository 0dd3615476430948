"""The annual government report: the tables governments send each year to the US Trafficking in
Persons report and the UNODC Global Report, computed for one year, small cells suppressed.

One `AnnualReport` feeds the page, the XLSX workbook and the PDF alike, so the three always
carry the same figures.
"""

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ctip.core.spreadsheets import append_row, safe_cell

from . import selectors
from .protection import Cell, legend, small_cell_threshold


@dataclass
class Table:
    number: int
    title: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)  # {"label", "cells", "is_total"}
    note: str = ""


@dataclass
class AnnualReport:
    year: int
    threshold: int
    tables: list[Table]

    @property
    def legend(self) -> str:
        return legend(self.threshold)


def _from_breakdown(number: int, title: str, result: selectors.Breakdown, note: str = "") -> Table:
    unit = str(result.indicator.unit).capitalize()
    rows = [{"label": r.label, "cells": [r.cell], "is_total": False} for r in result.rows]
    rows.append({"label": _("Total"), "cells": [result.total], "is_total": True})
    return Table(number, title, [unit], rows, note)


def _from_crosstab(number: int, title: str, table: selectors.Crosstab, note: str = "") -> Table:
    return Table(number, title, [label for _k, label in table.columns], table.table(), note)


# (title, indicator, rows dimension, columns dimension or None, note)
TABLES = [
    (
        gettext_noop("Investigations opened, by form of trafficking"),
        "investigations",
        "kind",
        None,
        gettext_noop("Forced begging counts as labour trafficking."),
    ),
    (
        gettext_noop("People prosecuted, by form of trafficking and sex"),
        "prosecutions",
        "kind",
        "sex",
        gettext_noop("A person prosecuted in several court cases in the year counts once."),
    ),
    (
        gettext_noop("People convicted, by form of trafficking and sex"),
        "convictions",
        "kind",
        "sex",
        gettext_noop("A person convicted in several verdicts in the year counts once."),
    ),
    (gettext_noop("Sentences of convictions, by length"), "sentences", "sentence", None, ""),
    (
        gettext_noop("Compensation ordered to victims (riel)"),
        "compensation_ordered",
        "kind",
        None,
        "",
    ),
    (gettext_noop("Compensation paid to victims (riel)"), "compensation_paid", "kind", None, ""),
    (
        gettext_noop("Victims identified by screening, by sex and age"),
        "victims_identified",
        "sex",
        "age_group",
        gettext_noop("Age on 31 December of the year."),
    ),
    (
        gettext_noop("Victims in investigations, by form of exploitation and sex"),
        "investigation_victims",
        "form",
        "sex",
        "",
    ),
    (
        gettext_noop("Victims in investigations, by age and sex"),
        "investigation_victims",
        "age_band",
        "sex",
        gettext_noop("Age at exploitation where recorded, else age on 31 December."),
    ),
    (
        gettext_noop("Victims referred to protection services (cases opened), by sex and age"),
        "cases_opened",
        "sex",
        "age_group",
        "",
    ),
    (
        gettext_noop("Services delivered to victims, by category"),
        "services_delivered",
        "category",
        None,
        "",
    ),
    (
        gettext_noop("Cases opened, by country of exploitation"),
        "cases_opened",
        "country",
        None,
        gettext_noop(
            "A case with several destination countries appears under each; "
            "the total counts it once."
        ),
    ),
    (
        gettext_noop("Cross-border returns of victims, by country"),
        "returns",
        "country",
        "direction",
        "",
    ),
    (
        gettext_noop("Officials trained, by institution"),
        "officials_trained",
        "institution",
        None,
        "",
    ),
    # Added later: appended so that the numbers of earlier tables stay as published.
    (
        gettext_noop("Victims identified by screening, by age band and sex"),
        "victims_identified",
        "age_band",
        "sex",
        gettext_noop("Age on 31 December of the year."),
    ),
    (
        gettext_noop("Victims referred to protection services, by form of exploitation and sex"),
        "cases_opened",
        "exploitation",
        "sex",
        gettext_noop(
            "A case recording several forms of exploitation appears under each; the totals "
            "count it once."
        ),
    ),
    (
        gettext_noop("Victims referred to protection services, by form of exploitation and age"),
        "cases_opened",
        "exploitation",
        "age_group",
        gettext_noop("Age when trafficked where recorded, else age on 31 December."),
    ),
    (
        gettext_noop("Victims referred to protection services, by province of origin and sex"),
        "cases_opened",
        "province",
        "sex",
        gettext_noop("Province of the survivor's home village."),
    ),
    (
        gettext_noop("Investigations opened, by province"),
        "investigations",
        "province",
        None,
        "",
    ),
]


def annual_report(*, user, year: int, threshold: int | None = None) -> AnnualReport:
    """Every table of the report for `year`, protected (statistics.view needed)."""
    selectors.check_statistics(user)
    limit = small_cell_threshold() if threshold is None else threshold
    start, end = selectors.year_bounds(year)
    tables = []
    for number, (title, code, rows, columns, note) in enumerate(TABLES, start=1):
        if columns:
            table = selectors.crosstab(
                user=user,
                code=code,
                start=start,
                end=end,
                rows=rows,
                columns=columns,
                threshold=limit,
            )
            tables.append(_from_crosstab(number, _(title), table, _(note) if note else ""))
        else:
            result = selectors.breakdown(
                user=user, code=code, start=start, end=end, by=rows, threshold=limit
            )
            tables.append(_from_breakdown(number, _(title), result, _(note) if note else ""))
    return AnnualReport(year=year, threshold=limit, tables=tables)


def _xlsx_value(cell: Cell) -> int | str:
    return cell.as_json()


def annual_report_xlsx(report: AnnualReport) -> bytes:
    """The report as an XLSX workbook: an "About" sheet, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    about = book.active
    about.title = _("About")[:31]
    # Every text goes through safe_cell/append_row: openpyxl stores a text that starts with
    # "=" as a formula, and labels (place and organisation names) are typed by people.
    about["A1"] = safe_cell(
        _("Annual report on trafficking in persons, %(year)s") % {"year": report.year}
    )
    about["A1"].font = Font(bold=True, size=14)
    about["A3"] = safe_cell(report.legend)
    about["A4"] = safe_cell(_("Source: CTIP, the national counter-trafficking information system."))
    about["A3"].alignment = Alignment(wrap_text=True)
    about.column_dimensions["A"].width = 100
    for table in report.tables:
        sheet = book.create_sheet(f"T{table.number}")
        sheet["A1"] = safe_cell(f"{table.number}. {table.title}")
        sheet["A1"].font = Font(bold=True)
        sheet.append([])
        append_row(sheet, ["", *[str(c) for c in table.columns]])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            append_row(sheet, [str(row["label"]), *[_xlsx_value(c) for c in row["cells"]]])
            if row.get("is_total"):
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        sheet.append([])
        if table.note:
            append_row(sheet, [table.note])
        append_row(sheet, [report.legend])
        sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
