"""Reading and validating HTCDS 2.0 files, row by row, without writing anything.

The standard's fields (data/htcds_field_standards_2.0.csv), the recognition of a file's type by
content, its header matched to HTCDS columns, and each row checked and converted to CTIP values
(`parse_row`), every problem naming its column. ctip/exchange/importer.py writes what is valid.

Columns are HTCDS field names in the spreadsheet's spelling or a toolkit's variant
(`htcds.VARIANT_SPELLINGS`), matched without regard to case. Value names are matched without
regard to case, spaces or punctuation ("Debt Bondage" is DebtBondage). Multi-select values are
separated by ';', ',' or spaces (the XLSForm's select_multiple uses spaces).
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.core.spreadsheets import unquote_cell

from .htcds import VARIANT_SPELLINGS, canonical_column

STANDARD_FILE = Path(__file__).parent / "data" / "htcds_field_standards_2.0.csv"

# Not HTCDS fields: another system's case identifier, kept so that the same case sent again in
# another file is recognised (at most one import per organisation and identifier).
EXTERNAL_ID_COLUMNS = ("cas_CaseNumber", "cas_Id")

IMPORTED_COLUMNS = (
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_RelationshipToTrafficker",
    "vic_AgeWhenTrafficked",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "hte_Country",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_IncomingReferralDate",
    "con_Consent",
)

# Where a service's error about a CTIP field is reported: the HTCDS column it came from.
FIELD_COLUMN = {
    "given_name": "prs_FirstName",
    "family_name": "prs_SecondName",
    "date_of_birth": "prs_Birthdate",
    "sex": "prs_Gender",
    "citizenship": "prs_Citizenship",
    "opened_on": "cas_IncomingReferralDate",
    "trafficking_status": "vic_TraffickingStatus",
    "recruiter_relation": "vic_RelationshipToTrafficker",
    "age_when_trafficked": "vic_AgeWhenTrafficked",
    "recruitment_methods": "vic_MethodOfRecruitment",
    "means_of_control": "vic_MethodsOfControl",
    "exploitation_types": "vic_TypeOfExploitation",
    "forced_labour_industry": "vic_ForcedLabourIndustry",
    "sexual_exploitation_types": "vic_TypeOfSexExploitation",
    "destination_countries": "hte_Country",
    "status": "cas_Status",
    "reason": "cas_ReasonForCaseClosure",
}

GENDER_IN = {
    "Feminine": "f",
    "Masculine": "m",
    "TransgenderFeminine": "x",
    "TransgenderMasculine": "x",
    "NonConforming": "x",
    "NonSpecifiedUnknown": "u",
}
# HTCDS's three relations are coarser than CTIP's: "Acquainted" becomes the broadest
# acquaintance CTIP knows. "Unaquainted" is HTCDS's spelling; the correct one is accepted too.
RELATION_IN = {
    "Familial": "family",
    "Acquainted": "neighbour",
    "Unaquainted": "stranger",
    "Unacquainted": "stranger",
}
# The steps a new case takes to reach the HTCDS status (closing asks for an approval).
STATUS_STEPS = {
    "Active": ("active",),
    "FollowUp": ("active", "reintegration", "follow_up"),
    "Closed": ("active",),
    "ClosedReferred": ("active",),
}
CLOSED_STATUSES = ("Closed", "ClosedReferred")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%Y")


class FileError(Exception):
    """The file as a whole cannot be imported (unreadable, no recognised column)."""


# --- the standard -------------------------------------------------------------------------------


@cache
def standard_fields() -> dict[str, dict]:
    """HTCDS 2.0 fields by name: {"label": ..., "values": [value names]} (field_standards)."""
    with STANDARD_FILE.open(encoding="utf-8") as f:
        return {
            r["Field Name including Prefix"]: {
                "label": r["Field Label"].strip(),
                "values": [v.strip() for v in r["Value Names (if picklist)"].split("\n") if v],
            }
            for r in csv.DictReader(f)
            if r["Field Name including Prefix"]
        }


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@cache
def _column_names() -> dict[str, str]:
    """Every accepted spelling of a column, folded, to the spreadsheet's name."""
    names = {_key(n): n for n in [*standard_fields(), *EXTERNAL_ID_COLUMNS]}
    names |= {_key(variant): name for variant, name in VARIANT_SPELLINGS.items()}
    return names


@cache
def _labels() -> frozenset[str]:
    return frozenset(_key(f["label"]) for f in standard_fields().values())


def _picklist(values: Iterable[str]) -> dict[str, str]:
    return {_key(v): v for v in values}


@cache
def _choices() -> dict[str, dict[str, str]]:
    from ctip.cases import vocabulary as v

    return {
        "vic_TraffickingStatus": _picklist(v.TraffickingStatus.values),
        "vic_MethodOfRecruitment": _picklist(v.RecruitmentMethod.values),
        "vic_MethodsOfControl": _picklist(v.MeansOfControl.values),
        "vic_TypeOfExploitation": _picklist(v.ExploitationType.values),
        "vic_ForcedLabourIndustry": _picklist(v.LabourIndustry.values),
        "vic_TypeOfSexExploitation": _picklist(v.SexualExploitationType.values),
        "prs_Gender": _picklist(GENDER_IN),
        "vic_RelationshipToTrafficker": _picklist(RELATION_IN),
        "cas_Status": _picklist(STATUS_STEPS),
    }


# --- reading files ------------------------------------------------------------------------------


def sniff_format(content: bytes) -> str | None:
    """ "xlsx" or "csv" judged by content (a workbook zip, or UTF-8 text); None otherwise."""
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return "xlsx" if "xl/workbook.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    head = content[:65536]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 4:
            return None
    return "csv"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # A text CTIP quoted on export ("'=SUM(A1)") reads back as it was stored.
    return unquote_cell(str(value)).strip()


@dataclass
class Table:
    """A file's header and a way to read its data rows (numbered as the spreadsheet shows)."""

    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]


def _csv_table(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is not UTF-8 text: save it as “CSV UTF-8”.")) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)

    def reader() -> Iterator[list[str]]:
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    try:
        header = next(reader(), None)
    except csv.Error:
        header = None
    if not header:
        raise FileError(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[str]]]:
        records = reader()
        next(records)
        try:
            for number, values in enumerate(records, start=2):
                yield number, [_text(v) for v in values]
        except csv.Error as exc:
            raise FileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc

    return Table([_text(h) for h in header], rows)


def _find_header(book) -> tuple[int, int, list[str]]:
    """(sheet index, row, header) of the first sheet with HTCDS columns in its first rows."""
    names = _column_names()
    for sheet_index, sheet in enumerate(book.worksheets):
        rows = sheet.iter_rows(max_row=5, values_only=True)
        for header_row, values in enumerate(rows, start=1):
            header = [_text(v) for v in values]
            if any(_key(canonical_column(h)) in names for h in header if h):
                return sheet_index, header_row, header
    raise FileError(_("No sheet of the workbook has HTCDS column names in its first rows."))


def _xlsx_table(content: bytes) -> Table:
    import openpyxl

    def open_book():
        try:
            return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise FileError(_("The XLSX file cannot be read.")) from exc

    book = open_book()
    try:
        sheet_index, header_row, header = _find_header(book)
        sheet = book.worksheets[sheet_index]
        # The HTCDS template repeats the labels ("First Name") under the names: skip them.
        first = header_row + 1
        following = next(sheet.iter_rows(min_row=first, max_row=first, values_only=True), ())
        cells = [_key(_text(v)) for v in following if _text(v)]
        if cells and sum(c in _labels() for c in cells) * 2 > len(cells):
            first += 1
    finally:
        book.close()

    def rows() -> Iterator[tuple[int, list[str]]]:
        book = open_book()
        try:
            sheet = book.worksheets[sheet_index]
            for number, values in enumerate(
                sheet.iter_rows(min_row=first, values_only=True), start=first
            ):
                yield number, [_text(v) for v in values]
        finally:
            book.close()

    return Table(header, rows)


def read_table(content: bytes, file_format: str) -> Table:
    """The header and rows of an HTCDS file; FileError when it cannot be read."""
    return _xlsx_table(content) if file_format == "xlsx" else _csv_table(content)


@dataclass
class Columns:
    """Where each recognised column stands in the header, and what was said about the rest."""

    index: dict[str, int] = field(default_factory=dict)
    external_id: int | None = None
    warnings: list[dict] = field(default_factory=list)


def resolve_columns(header: list[str]) -> Columns:
    """Matches the header to HTCDS fields; FileError when no column can be imported.

    An unknown column and a recognised column CTIP does not import are each reported once as
    a warning (row 1); their values are ignored.
    """
    names = _column_names()
    found = Columns()
    for position, raw in enumerate(header):
        if not raw:
            continue
        name = names.get(_key(canonical_column(raw)))
        if name is None:
            found.warnings.append(
                _warning(
                    1, raw, _("Unknown column: not an HTCDS 2.0 field; its values are ignored.")
                )
            )
        elif name in found.index or (name in EXTERNAL_ID_COLUMNS and found.external_id is not None):
            found.warnings.append(
                _warning(1, raw, _("This column appears twice; only the first one is read."))
            )
        elif name in EXTERNAL_ID_COLUMNS:
            found.external_id = position
        else:
            found.index[name] = position
            if name not in IMPORTED_COLUMNS:
                found.warnings.append(
                    _warning(
                        1, raw, _("An HTCDS field CTIP does not import: its values are ignored.")
                    )
                )
    if not set(found.index) & set(IMPORTED_COLUMNS):
        raise FileError(
            _(
                "No HTCDS 2.0 column that CTIP imports was found in the first row (for example "
                "prs_FirstName, prs_Gender, vic_TypeOfExploitation)."
            )
        )
    return found


def _warning(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": str(message), "level": "warning"}


def data_rows(table: Table, columns: Columns) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every row with a value in a recognised column."""
    positions = list(columns.index.items())
    if columns.external_id is not None:
        positions.append(("_external_id", columns.external_id))
    for number, values in table.rows():
        row = {name: values[i] if i < len(values) else "" for name, i in positions}
        if any(row.values()):
            yield number, row


# --- validating a row ---------------------------------------------------------------------------


@dataclass
class ParsedRow:
    person: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    status: str = ""
    closure_reason: str = ""
    opened_on: date | None = None
    external_id: str = ""
    errors: list[dict] = field(default_factory=list)

    def error(self, column: str, message) -> None:
        self.errors.append({"column": column, "message": str(message)})

    def warn(self, column: str, message) -> None:
        self.errors.append({"column": column, "message": str(message), "level": "warning"})

    @property
    def has_errors(self) -> bool:
        return any(e.get("level") != "warning" for e in self.errors)


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?", text):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
    return None


def _split(text: str) -> list[str]:
    return [v for v in re.split(r"[;,\s]+", text) if v]


def _pick(parsed: ParsedRow, column: str, text: str) -> str | None:
    value = _choices()[column].get(_key(text))
    if value is None:
        parsed.error(column, _unknown(column, text))
    return value


def _unknown(column: str, text: str) -> str:
    return _("Unknown value “%(value)s”: use one of the HTCDS value names for %(column)s.") % {
        "value": text[:60],
        "column": column,
    }


def _countries(parsed: ParsedRow, column: str, text: str, countries: dict) -> list:
    found, unknown = [], []
    for code in _split(text):
        country = countries.get(code.upper())
        if country is None:
            unknown.append(code[:10])
        elif country not in found:
            found.append(country)
    if unknown:
        parsed.error(
            column,
            _("Unknown country code “%(codes)s”: use ISO 3166 two-letter codes, e.g. KH, TH.")
            % {"codes": ", ".join(unknown)},
        )
    return found


def row_key(values: dict[str, str]) -> str:
    """A row's identity when the file gives none: the digest of its values, so the same row
    brought again (a corrected file uploaded whole) is recognised and not imported twice."""
    text = "\x1f".join(f"{k}={v}" for k, v in sorted(values.items()) if v)
    return "row:" + hashlib.sha256(text.encode()).hexdigest()


def parse_row(values: dict[str, str], countries: dict) -> ParsedRow:
    """Validates one row and converts it to CTIP values; every problem names its column."""
    parsed = ParsedRow(external_id=values.get("_external_id", "")[:100] or row_key(values))
    get = values.get
    today = timezone.localdate()

    for column, name in (("prs_FirstName", "given_name"), ("prs_SecondName", "family_name")):
        text = get(column, "")
        if len(text) > 100:
            parsed.error(column, _("Too long: 100 characters at most."))
        elif text:
            parsed.person[name] = text
    if not (get("prs_FirstName") or get("prs_SecondName")):
        parsed.error(
            "prs_FirstName", _("Required: give a first name (prs_FirstName) or a second name.")
        )

    if text := get("prs_Birthdate", ""):
        day = _parse_date(text)
        if day is None:
            parsed.error("prs_Birthdate", _("Not a date: write it as YYYY-MM-DD or DD/MM/YYYY."))
        elif day > today:
            parsed.error("prs_Birthdate", _("The date of birth cannot be in the future."))
        elif day < date(1900, 1, 1):
            parsed.error("prs_Birthdate", _("The date of birth is too far in the past."))
        else:
            parsed.person["date_of_birth"] = day

    if (text := get("prs_Gender", "")) and (value := _pick(parsed, "prs_Gender", text)):
        parsed.person["sex"] = GENDER_IN[value]
    if text := get("prs_Citizenship", ""):
        parsed.person["citizenship"] = _countries(parsed, "prs_Citizenship", text, countries)

    if (text := get("vic_TraffickingStatus", "")) and (
        value := _pick(parsed, "vic_TraffickingStatus", text)
    ):
        parsed.profile["trafficking_status"] = value
    if (text := get("vic_RelationshipToTrafficker", "")) and (
        value := _pick(parsed, "vic_RelationshipToTrafficker", text)
    ):
        parsed.profile["recruiter_relation"] = RELATION_IN[value]
    if text := get("vic_AgeWhenTrafficked", ""):
        try:
            age = float(text)
        except ValueError:
            age = -1.0
        if not age.is_integer() or not 0 <= age <= 100:
            parsed.error("vic_AgeWhenTrafficked", _("Give the age in whole years, 0 to 100."))
        else:
            parsed.profile["age_when_trafficked"] = int(age)

    multi = (
        ("vic_MethodOfRecruitment", "recruitment_methods"),
        ("vic_MethodsOfControl", "means_of_control"),
        ("vic_TypeOfExploitation", "exploitation_types"),
        ("vic_TypeOfSexExploitation", "sexual_exploitation_types"),
    )
    for column, name in multi:
        if text := get(column, ""):
            chosen = []
            for item in _split(text):
                value = _pick(parsed, column, item)
                if value and value not in chosen:
                    chosen.append(value)
            parsed.profile[name] = chosen

    if text := get("vic_ForcedLabourIndustry", ""):
        value = _choices()["vic_ForcedLabourIndustry"].get(_key(text))
        htcds = _picklist(standard_fields()["vic_ForcedLabourIndustry"]["values"])
        if value:
            parsed.profile["forced_labour_industry"] = value
        elif _key(text) in htcds:
            parsed.warn(
                "vic_ForcedLabourIndustry",
                _("CTIP does not record this industry (“%(value)s”): left empty.")
                % {"value": htcds[_key(text)]},
            )
        else:
            parsed.error("vic_ForcedLabourIndustry", _unknown("vic_ForcedLabourIndustry", text))

    if text := get("hte_Country", ""):
        parsed.profile["destination_countries"] = _countries(parsed, "hte_Country", text, countries)

    if (text := get("cas_Status", "")) and (value := _pick(parsed, "cas_Status", text)):
        parsed.status = value
    parsed.closure_reason = get("cas_ReasonForCaseClosure", "")
    if text := get("cas_IncomingReferralDate", ""):
        day = _parse_date(text)
        if day is None:
            parsed.error(
                "cas_IncomingReferralDate", _("Not a date: write it as YYYY-MM-DD or DD/MM/YYYY.")
            )
        elif day > today:
            parsed.error("cas_IncomingReferralDate", _("This date is in the future."))
        else:
            parsed.opened_on = day

    if text := get("con_Consent", ""):
        word = text.strip().casefold()
        if word in FALSE_WORDS:
            parsed.error(
                "con_Consent",
                _("The person did not consent (con_Consent is false): CTIP does not import them."),
            )
        elif word not in TRUE_WORDS:
            parsed.error("con_Consent", _("Write TRUE or FALSE."))
    return parsed


def service_errors(exc: ValidationError) -> list[dict]:
    """A service's ValidationError as [{column, message}], its fields named by HTCDS column."""
    if hasattr(exc, "error_dict"):
        return [
            {"column": FIELD_COLUMN.get(name, ""), "message": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"column": "", "message": str(m)} for m in exc.messages]
