"""Imports and reads of the reference data sets (CTDC synthetic file, UNODC GLOTIP).

Imports replace one (source, version) whole, in one transaction: a failure half-way leaves the
previous import of that version untouched. Reads go through `ctip.access` (statistics.view).
"""

import csv
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.shared_data import shared_data_dir  # noqa: F401 (kept importable here)

from .models import CtdcRecord, ReferenceDataset, ReferenceSource, UnodcFigure

DATA_DIR = Path(__file__).resolve().parent / "data"
CTDC_FILE = DATA_DIR / "VPsynthetic_condensed.csv"
CTDC_DICTIONARY = DATA_DIR / "VPsynthetic_dict_20221201.xlsx"
CTDC_VERSION = "2022-12-01"
UNODC_FILE = DATA_DIR / "data_glotip.xlsx"
BATCH = 2000

# The file's column → CtdcRecord field.
CTDC_COLUMNS: dict[str, str] = {
    "yearRegister": "year_register",
    "gender": "gender",
    "majorityStatus": "majority_status",
    "isForcedLabour": "is_forced_labour",
    "isSexualExploit": "is_sexual_exploit",
    "UN_COO_Region": "un_coo_region",
    "UN_COE_Region": "un_coe_region",
    "IP_Exploiter": "ip_exploiter",
    "IP_Gender": "ip_gender",
    "IP_ageBroad": "ip_age_broad",
    "IP_citizen_UNRegion": "ip_citizen_un_region",
    "IP_Relation": "ip_relation",
    "IP_PayMoney": "ip_pay_money",
    "IP_RecruiterBroker": "ip_recruiter_broker",
    "IP_TransactionProcess": "ip_transaction_process",
    "IP_ControlAbuseKidnap": "ip_control_abuse_kidnap",
}
UNODC_HEADER = [
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
]

Progress = Callable[[int], None]


class ReferenceImportError(ValueError):
    """The file is not the data set it claims to be; nothing was imported."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def _replace(
    *,
    source: str,
    version: str,
    path: Path,
    model,
    objects: Iterable,
    actor=None,
    progress: Progress | None = None,
) -> ReferenceDataset:
    """Deletes (source, version) and stores `objects` under a new dataset, all or nothing."""
    ReferenceDataset.objects.filter(source=source, version=version).delete()
    dataset = ReferenceDataset.objects.create(
        source=source,
        version=version,
        file_name=path.name,
        sha256=sha256_of(path),
        imported_by=actor,
    )
    total = 0
    for batch in _batched(objects, BATCH):
        for obj in batch:
            obj.dataset = dataset
        model.objects.bulk_create(batch)
        total += len(batch)
        if progress:
            progress(total)
    dataset.rows = total
    dataset.save(update_fields=["rows"])
    audit_record(
        actor=actor,
        action=AuditAction.REFERENCE_IMPORTED,
        target=dataset,
        changes={"source": source, "version": version, "rows": total, "sha256": dataset.sha256},
    )
    return dataset


# --- CTDC -------------------------------------------------------------------------------------


def _ctdc_rows(path: Path) -> Iterator[CtdcRecord]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(CTDC_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise ReferenceImportError(
                _("Not the CTDC synthetic file: columns missing: %(cols)s")
                % {"cols": ", ".join(sorted(missing))}
            )
        for number, row in enumerate(reader, start=1):
            yield CtdcRecord(
                row=number,
                **{field: (row[col] or "").strip() for col, field in CTDC_COLUMNS.items()},
            )


def import_ctdc(
    *, path: Path = CTDC_FILE, version: str = CTDC_VERSION, actor=None, progress=None
) -> ReferenceDataset:
    """Loads the CTDC victim–perpetrator synthetic CSV, replacing that version whole."""
    return _replace(
        source=ReferenceSource.CTDC,
        version=version,
        path=Path(path),
        model=CtdcRecord,
        objects=_ctdc_rows(Path(path)),
        actor=actor,
        progress=progress,
    )


@dataclass(frozen=True)
class FrequencyRow:
    value: str  # "" for missing
    freq: int
    percent: Decimal
    valid: Decimal | None  # valid percent; None for the missing row
    cum: Decimal | None


@dataclass(frozen=True)
class FrequencyTable:
    variable: str
    label: str
    rows: list[FrequencyRow]  # valid values, sorted as Stata sorts them
    valid_total: int
    missing: int
    total: int
    valid_percent: Decimal | None = None  # valid values as a share of all rows
    missing_percent: Decimal | None = None


def _pct(part: int, whole: int) -> Decimal:
    # Stata's `tab` shows two decimals, rounding half away from zero.
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _sort_key(value: str):
    # Stata sorts a numeric variable by number, a string one by string; banded years are strings
    # ("2005-2013") mixed with plain years, and sort as strings either way.
    return value


def frequency_table(
    counts: dict[str, int], *, variable: str, label: str = "", total: int
) -> FrequencyTable:
    """A Stata-style one-way table from value → count ("" = missing)."""
    missing = counts.get("", 0)
    valid_total = total - missing
    rows: list[FrequencyRow] = []
    running = 0
    for value in sorted((v for v in counts if v), key=_sort_key):
        running += counts[value]
        rows.append(
            FrequencyRow(
                value=value,
                freq=counts[value],
                percent=_pct(counts[value], total),
                valid=_pct(counts[value], valid_total),
                cum=_pct(running, valid_total),
            )
        )
    return FrequencyTable(
        variable,
        label,
        rows,
        valid_total,
        missing,
        total,
        valid_percent=_pct(valid_total, total),
        missing_percent=_pct(missing, total),
    )


def ctdc_records(user, dataset: ReferenceDataset | None = None) -> QuerySet:
    """The CTDC rows of one dataset (the latest by default) that `user` may read."""
    datasets = visible_to(user, ReferenceDataset).filter(source=ReferenceSource.CTDC)
    dataset = dataset or datasets.order_by("-version").first()
    qs = visible_to(user, CtdcRecord)
    return qs.filter(dataset=dataset) if dataset else qs.none()


def ctdc_frequencies(
    user, variable: str, dataset: ReferenceDataset | None = None
) -> FrequencyTable:
    """The frequency table of one CTDC column (its file name, e.g. 'gender'), from the store."""
    field = CTDC_COLUMNS[variable]
    qs = ctdc_records(user, dataset)
    counts = {r[field]: r["n"] for r in qs.values(field).annotate(n=Count("id")).order_by()}
    return frequency_table(counts, variable=variable, total=sum(counts.values()))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def read_tabstat(path: Path = CTDC_DICTIONARY) -> dict[str, FrequencyTable]:
    """The official frequency tables of the dictionary's `TabStat` sheet, by variable.

    A block starts with (variable, label), then a header row (Freq., Percent, Valid, Cum.),
    'Valid' rows (value, freq, percent, valid, cum) ending with a 'Total' row, then a 'Missing'
    row (value blank or '.') and the grand 'Total'.
    """
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook["TabStat"]
        tables: dict[str, FrequencyTable] = {}
        current: dict | None = None
        section = ""
        for raw in sheet.iter_rows(values_only=True):
            cells = list(raw) + [None] * (6 - len(raw))
            head, value, freq, percent, valid, cum = cells[:6]
            if head and head not in ("Valid", "Missing", "Total") and freq is None:
                current = {"variable": str(head), "label": _cell(value), "rows": []}
                current.update(valid_total=0, missing=0, total=0)
                current.update(valid_percent=None, missing_percent=None)
                section = ""
                continue
            if current is None or freq in (None, "Freq."):
                continue
            if head in ("Valid", "Missing"):
                section = head
            if head == "Total" and value is None:
                current["total"] = int(freq)
                tables[current["variable"]] = FrequencyTable(
                    current["variable"],
                    current["label"],
                    current["rows"],
                    current["valid_total"] or current["total"] - current["missing"],
                    current["missing"],
                    current["total"],
                    # Binary variables print no 'Valid Total' row: None, not a guess.
                    valid_percent=current["valid_percent"],
                    missing_percent=current["missing_percent"],
                )
                current = None
            elif section == "Missing":
                current["missing"] = int(freq)
                current["missing_percent"] = _decimal(percent)
            elif _cell(value) == "Total":
                current["valid_total"] = int(freq)
                current["valid_percent"] = _decimal(percent)
            else:
                current["rows"].append(
                    FrequencyRow(
                        _cell(value), int(freq), _decimal(percent), _decimal(valid), _decimal(cum)
                    )
                )
        return tables
    finally:
        workbook.close()


# --- UNODC GLOTIP ------------------------------------------------------------------------------

_SUPPRESSED = re.compile(r"^<\s*(\d+)$")
_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None
    suppressed: bool = False
    below: int | None = None


def parse_glotip_value(raw) -> ParsedValue:
    """'1,282' → 1282; '<5' → suppressed below 5 (a small count, not zero); blank → no value.

    Raises ValueError for anything else, so that a changed file format is noticed, not guessed.
    """
    if raw is None:
        return ParsedValue(None)
    if isinstance(raw, int | float):
        return ParsedValue(Decimal(str(raw)))
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "..", "-"):
        return ParsedValue(None)
    match = _SUPPRESSED.match(text)
    if match:
        return ParsedValue(None, suppressed=True, below=int(match.group(1)))
    if _NUMBER.match(text):
        return ParsedValue(Decimal(text.replace(",", "")))
    raise ValueError(f"Unreadable GLOTIP value {raw!r}")


def _unodc_rows(sheet) -> Iterator[UnodcFigure]:
    header_seen = False
    for number, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [None if c is None else c for c in raw]
        if not header_seen:
            if [_cell(c) for c in cells[: len(UNODC_HEADER)]] == UNODC_HEADER:
                header_seen = True
            elif number > 20:
                break
            continue
        if not any(c is not None for c in cells):
            continue
        (iso3, country, region, subregion, indicator, dimension, category, sex, age, year, unit,
         txt, source) = (list(cells) + [None] * 13)[:13]  # fmt: skip
        try:
            parsed = parse_glotip_value(txt)
            year_number = int(year)
        except (TypeError, ValueError) as exc:
            raise ReferenceImportError(
                _("Row %(row)s: %(error)s") % {"row": number, "error": exc}
            ) from exc
        yield UnodcFigure(
            iso3=_cell(iso3),
            country=_cell(country),
            region=_cell(region),
            subregion=_cell(subregion),
            indicator=_cell(indicator),
            dimension=_cell(dimension),
            category=_cell(category),
            sex=_cell(sex),
            age=_cell(age),
            year=year_number,
            unit=_cell(unit),
            raw_value=_cell(txt),
            value=parsed.value,
            suppressed=parsed.suppressed,
            below=parsed.below,
            source=_cell(source),
        )
    if not header_seen:
        raise ReferenceImportError(_("Not the UNODC GLOTIP file: its header row was not found."))


def unodc_version(sheet) -> str:
    """The file's date (cell A2, dd/mm/yyyy) as yyyy-mm-dd, or 'unknown'."""
    for raw in sheet.iter_rows(min_row=2, max_row=2, values_only=True):
        text = _cell(raw[0] if raw else None)
        match = re.match(r"^(\d{2})/(\d{2})/(\d{4})$", text)
        if match:
            return f"{match.group(3)}-{match.group(2)}-{match.group(1)}"
        if hasattr(raw[0], "isoformat"):
            return raw[0].isoformat()[:10]
    return "unknown"


def import_unodc(
    *, path: Path = UNODC_FILE, version: str | None = None, actor=None, progress=None
) -> ReferenceDataset:
    """Loads the GLOTIP workbook (read-only, streamed), replacing that version whole."""
    import openpyxl

    path = Path(path)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return _replace(
            source=ReferenceSource.UNODC,
            version=version or unodc_version(sheet),
            path=path,
            model=UnodcFigure,
            objects=_unodc_rows(sheet),
            actor=actor,
            progress=progress,
        )
    finally:
        workbook.close()


def unodc_figures(user, dataset: ReferenceDataset | None = None) -> QuerySet:
    """The GLOTIP figures of one dataset (the latest by default) that `user` may read."""
    datasets = visible_to(user, ReferenceDataset).filter(source=ReferenceSource.UNODC)
    dataset = dataset or datasets.order_by("-version").first()
    qs = visible_to(user, UnodcFigure)
    return qs.filter(dataset=dataset) if dataset else qs.none()


# --- National figures beside UNODC's ---------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unodc: str  # GLOTIP indicator
    ctip: str  # ctip.statistics indicator code


def measures() -> list[Measure]:
    return [
        Measure(
            "victims", _("Detected victims"), "Detected trafficking victims", "victims_identified"
        ),
        Measure("prosecuted", _("Persons prosecuted"), "Persons prosecuted", "prosecutions"),
        Measure("convicted", _("Persons convicted"), "Persons convicted", "convictions"),
    ]


@dataclass
class Aggregate:
    """A sum over reporting countries; suppressed ('<5') figures are counted apart, not as 0."""

    total: Decimal = Decimal(0)
    countries: int = 0
    suppressed: int = 0

    @property
    def shown(self) -> bool:
        return self.countries > 0


@dataclass
class ComparisonRow:
    year: int
    national: object = None  # a protected statistics Cell, or None without CTIP data
    cambodia: str = ""  # the figure as UNODC published it ('<5' stays '<5')
    cambodia_parts: list[tuple[str, str]] = None  # by form of exploitation, when no total
    abroad: Aggregate = None  # Cambodian citizens detected in other countries
    subregion: Aggregate = None
    world: Aggregate = None

    @property
    def aggregates(self) -> list[Aggregate]:
        return [self.abroad, self.subregion, self.world]


CAMBODIA = "KHM"
SUBREGION = "South-eastern Asia"
_TOTALS = {"sex": "Total", "age": "Total"}


def _aggregate(rows: Iterable[dict]) -> Aggregate:
    agg = Aggregate()
    for row in rows:
        agg.total += row["total"] or 0
        agg.countries += row["n"]
        agg.suppressed += row["suppressed"]
    return agg


def comparison(user, *, measure: str, years: list[int]) -> tuple[Measure, list[ComparisonRow]]:
    """CTIP's national figure beside UNODC's for Cambodia, the subregion and the world, by year.

    National figures come from `ctip.statistics` (small-cell protected); UNODC's are read from
    the latest GLOTIP import, through `unodc_figures` (statistics.view). A constant number of
    queries for the UNODC side, whatever the size of the store.
    """
    from django.core.exceptions import PermissionDenied
    from django.db.models import Q, Sum

    from ctip.statistics import selectors as stats

    stats.check_statistics(user)
    chosen = next((m for m in measures() if m.key == measure), None)
    if chosen is None:
        raise PermissionDenied  # only the listed measures are offered
    figures = unodc_figures(user).filter(indicator=chosen.unodc, year__in=years, **_TOTALS)
    per_row = {"n": Count("id"), "suppressed": Count("id", filter=Q(suppressed=True))}
    totals = figures.filter(dimension="Total", category="Total").exclude(country="")

    cambodia: dict[int, str] = {}
    parts: dict[int, list[tuple[str, str]]] = {}
    own = figures.filter(iso3=CAMBODIA).filter(
        Q(dimension="Total", category="Total") | Q(dimension="by form of exploitation")
    )
    for f in own.order_by("year", "category").values("year", "dimension", "category", "raw_value"):
        if f["dimension"] == "Total":
            cambodia[f["year"]] = f["raw_value"]
        else:
            parts.setdefault(f["year"], []).append((f["category"], f["raw_value"]))

    def by_year(qs) -> dict[int, Aggregate]:
        grouped: dict[int, list[dict]] = {}
        for row in qs.values("year").annotate(total=Sum("value"), **per_row).order_by():
            grouped.setdefault(row["year"], []).append(row)
        return {year: _aggregate(rows) for year, rows in grouped.items()}

    subregion = by_year(totals.filter(subregion=SUBREGION))
    world = by_year(totals)
    abroad = by_year(
        figures.filter(dimension="by citizenship", category="Cambodia").exclude(iso3=CAMBODIA)
    )

    rows = []
    for year in years:
        start, end = stats.year_bounds(year)
        national = stats.breakdown(user=user, code=chosen.ctip, start=start, end=end).total
        rows.append(
            ComparisonRow(
                year=year,
                national=national,
                cambodia=cambodia.get(year, ""),
                cambodia_parts=[] if year in cambodia else parts.get(year, []),
                abroad=abroad.get(year, Aggregate()),
                subregion=subregion.get(year, Aggregate()),
                world=world.get(year, Aggregate()),
            )
        )
    return chosen, rows


SPAN = 8  # years shown at once: a table that stays readable on a phone
FIRST_YEAR = 2003  # GLOTIP's first year


def years_from(first: str | None, *, today) -> list[int]:
    """SPAN years from `first` (clamped to [2003, this year]); by default ending this year."""
    last_start = today.year - SPAN + 1
    try:
        start = int(first) if first else last_start
    except ValueError:
        start = last_start
    start = max(FIRST_YEAR, min(start, last_start))
    return list(range(start, start + SPAN))


def latest_dataset(user, source: str) -> ReferenceDataset | None:
    """The latest imported version of a source that `user` may see."""
    return visible_to(user, ReferenceDataset).filter(source=source).order_by("-version").first()


# --- National figures beside CTDC's -----------------------------------------------------------

CTDC_REGIONS = ["Asia", "Europe", "Africa", "Americas/Oceania"]


@dataclass
class ProfileLine:
    """One category of a profile: CTIP's protected count and share beside CTDC's."""

    label: str
    national: object  # a protected statistics Cell
    national_share: Decimal | None  # None: not shown (too few, or a hidden figure nearby)
    region: int
    region_share: Decimal | None
    world: int
    world_share: Decimal | None


@dataclass
class ProfileSection:
    title: str
    lines: list[ProfileLine]
    note: str = ""


@dataclass
class CtdcComparison:
    year: int
    region: str
    dataset: ReferenceDataset | None
    sections: list[ProfileSection]


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ctdc_counts(user, region: str, dataset: ReferenceDataset | None) -> dict[str, int]:
    """Every CTDC count the comparison needs, for all regions and for `region`, in one query."""
    from django.db.models import Q

    categories = {
        "female": Q(gender="Female"),
        "male": Q(gender="Male"),
        "sex_known": ~Q(gender=""),
        "minor": Q(majority_status="Minor"),
        "adult": Q(majority_status="Adult"),
        "age_known": ~Q(majority_status=""),
        "sexual": Q(is_sexual_exploit="1"),
        "labour": Q(is_forced_labour="1"),
        "form_known": Q(is_sexual_exploit="1") | Q(is_forced_labour="1"),
        "all": Q(),
    }
    in_region = Q(un_coe_region=region)
    counts = {}
    for key, q in categories.items():
        counts[f"world_{key}"] = Count("id", filter=q) if key != "all" else Count("id")
        counts[f"region_{key}"] = Count("id", filter=q & in_region)
    if dataset is None:
        return dict.fromkeys(counts, 0)
    row = ctdc_records(user, dataset).aggregate(**counts)
    return {k: v or 0 for k, v in row.items()}


def ctdc_comparison(user, *, year: int, region: str = "Asia") -> CtdcComparison:
    """CTIP's victims referred to protection (cases opened in `year`) beside the CTDC synthetic
    records (all years), by sex, child or adult, and form of exploitation, as counts and shares.

    National figures come from `ctip.statistics`, small-cell protected; a national share is shown
    only when every figure of its section is, since a share and a total would give a hidden
    figure away. CTDC figures are published synthetic data and are shown as published.
    """
    from ctip.statistics import selectors as stats

    stats.check_statistics(user)
    if region not in CTDC_REGIONS:
        region = CTDC_REGIONS[0]
    start, end = stats.year_bounds(year)
    dataset = latest_dataset(user, ReferenceSource.CTDC)
    ctdc = _ctdc_counts(user, region, dataset)

    def section(title: str, by: str, pairs: list, known: str, note: str = "") -> ProfileSection:
        result = stats.breakdown(user=user, code="cases_opened", start=start, end=end, by=by)
        cells = {row.key: row.cell for row in result.rows}
        every_shown = result.total.shown and all(c.shown for c in cells.values())
        unknown = cells.get("unknown")
        national_known = (result.total.value or 0) - (unknown.value or 0 if unknown else 0)
        if by == "sex" and "u" in cells:
            national_known -= cells["u"].value or 0
        lines = []
        for label, key, ctdc_key in pairs:
            cell = cells.get(key)
            lines.append(
                ProfileLine(
                    label=label,
                    national=cell,
                    national_share=(
                        _share(cell.value or 0, national_known) if every_shown and cell else None
                    ),
                    region=ctdc[f"region_{ctdc_key}"],
                    region_share=_share(ctdc[f"region_{ctdc_key}"], ctdc[f"region_{known}"]),
                    world=ctdc[f"world_{ctdc_key}"],
                    world_share=_share(ctdc[f"world_{ctdc_key}"], ctdc[f"world_{known}"]),
                )
            )
        return ProfileSection(title, lines, note)

    sections = [
        section(
            _("Sex"), "sex", [(_("Female"), "f", "female"), (_("Male"), "m", "male")], "sex_known"
        ),
        section(
            _("Child or adult"),
            "age_group",
            [
                (_("Children (under 18)"), "child", "minor"),
                (_("Adults (18 and over)"), "adult", "adult"),
            ],
            "age_known",
            _("CTIP: age when trafficked where recorded, else age on 31 December."),
        ),
        section(
            _("Form of exploitation"),
            "exploitation",
            [
                (_("Sexual exploitation"), "SexualExploitation", "sexual"),
                (_("Forced labour"), "ForcedLabour", "labour"),
            ],
            "form_known",
            _(
                "A record may show both forms, so shares can add up to more than 100%. CTIP "
                "records child labour, servitude, begging and forced criminality apart from "
                "forced labour; CTDC may count them as forced labour."
            ),
        ),
    ]
    return CtdcComparison(year=year, region=region, dataset=dataset, sections=sections)
