"""Writes of reference data: loading the NCDD gazetteer from CSV and ISO 3166-1 countries."""

import csv
import gettext
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from ctip.access.policy import can
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .models import Commune, Country, District, Province, Village

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
RETIRED_FILE = "retired_codes_ncdd2020.csv"
BATCH_SIZE = 2000
# Deactivation filters on `code IN (...)`; stay well below SQLite's bound-parameter limit.
_IN_CHUNK = 500

ZERO_WIDTH_SPACE = "\u200b"

Progress = Callable[[str], None]

# The keys of the counts that `reference_data_load` returns, in report order.
COUNT_KEYS = (
    "provinces",
    "districts",
    "communes",
    "villages",
    "retired_districts",
    "retired_communes",
    "retired_villages",
    "retired_skipped",
    "countries",
    "created",
    "updated",
    "deactivated",
)


def clean_name(value: str | None) -> str:
    """Removes zero-width spaces, outer whitespace and repeated spaces; keeps the rest as given."""
    if not value:
        return ""
    return " ".join(value.replace(ZERO_WIDTH_SPACE, "").split())


@dataclass(frozen=True)
class _Level:
    """One level of the gazetteer below the province: its file, model and parent."""

    key: str  # counts key and progress label: "districts"
    retired_level: str  # value of `level` in the retired-codes file: "district"
    model: type[models.Model]
    parent_model: type[models.Model]
    file: str
    parent_column: str  # CSV column holding the parent code
    parent_field: str  # the model's foreign-key attribute
    has_type: bool


_LEVELS = (
    _Level(
        "districts", "district", District, Province, "districts.csv", "province_code",
        "province_id", has_type=True,
    ),
    _Level(
        "communes", "commune", Commune, District, "communes.csv", "district_code",
        "district_id", has_type=True,
    ),
    _Level(
        "villages", "village", Village, Commune, "villages.csv", "commune_code",
        "commune_id", has_type=False,
    ),
)  # fmt: skip


def _read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of text (codes keep their leading zeros)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(required) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        return list(reader)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _SyncResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0


def _sync(
    model: type[models.Model],
    rows: list[dict],
    *,
    fields: list[str],
    in_scope: Callable[[str], bool],
) -> _SyncResult:
    """Upserts `rows` (keyed by code) and deactivates in-scope rows that the data no longer has.

    Only new and changed rows are written, so a re-run with the same data writes nothing.
    """
    existing = {
        code: values for code, *values in model._default_manager.values_list("code", *fields)
    }
    result = _SyncResult()
    to_write = []
    for row in rows:
        old = existing.get(row["code"])
        if old is None:
            result.created += 1
        elif old != [row[name] for name in fields]:
            result.updated += 1
        else:
            continue
        to_write.append(model(**row))
    # update_conflicts: an upsert (INSERT ... ON CONFLICT DO UPDATE) on SQLite and PostgreSQL.
    model._default_manager.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
    )
    loaded = {row["code"] for row in rows}
    active_at = fields.index("is_active")
    stale = sorted(
        code
        for code, values in existing.items()
        if values[active_at] and code not in loaded and in_scope(code)
    )
    for chunk in _chunks(stale, _IN_CHUNK):
        result.deactivated += model._default_manager.filter(code__in=chunk).update(is_active=False)
    return result


def _country_rows() -> list[dict]:
    """ISO 3166-1 countries, with Khmer names from pycountry's gettext catalogue."""
    try:
        khmer = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["km"])
    except OSError:  # pragma: no cover - pycountry ships the catalogue; guards a trimmed install
        khmer = gettext.NullTranslations()
    rows = []
    for country in pycountry.countries:
        # The common name where ISO's is formal: "Laos", "Vietnam", "South Korea", "Taiwan".
        name_en = getattr(country, "common_name", None) or country.name
        name_km = ""
        for msgid in (name_en, country.name):
            translated = khmer.gettext(msgid)
            if translated != msgid:
                name_km = translated
                break
        rows.append(
            {
                "code": country.alpha_2,
                "alpha3": country.alpha_3,
                "name_en": clean_name(name_en),
                "name_km": clean_name(name_km or name_en),
                "is_active": True,
            }
        )
    return rows


@transaction.atomic
def reference_data_load(
    *,
    data_dir: Path,
    province_codes: set[str] | None = None,
    actor=None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Loads the gazetteer CSVs in `data_dir` and the ISO countries; returns the counts.

    Upserts provinces, districts, communes and villages, then NCDD's retired codes as inactive
    rows where their parent exists (others are counted in `retired_skipped`). Current rows that
    the data no longer lists are deactivated, never deleted: records may point at them.
    `province_codes` limits the gazetteer to those provinces and everything under them.
    Idempotent: a re-run with the same data creates and changes nothing. `actor` None means the
    system (the management command); a user must hold `reference.manage`.
    """
    if actor is not None and not can(actor, Perm.REFERENCE_MANAGE):
        raise PermissionDenied
    report = progress or (lambda message: None)
    data_dir = Path(data_dir)
    counts: dict[str, int] = {}
    total = _SyncResult()

    def add(result: _SyncResult) -> None:
        total.created += result.created
        total.updated += result.updated
        total.deactivated += result.deactivated

    def describe(result: _SyncResult) -> str:
        return f"{result.created} new, {result.updated} changed, {result.deactivated} deactivated"

    province_file = _read_csv(
        data_dir / "provinces.csv", ["code", "name_en", "name_km", "type", "iso3166_2"]
    )
    known = {row["code"] for row in province_file}
    if province_codes is not None:
        province_codes = {code.strip() for code in province_codes}
        unknown = province_codes - known
        if unknown:
            raise ValueError(f"Unknown province codes: {', '.join(sorted(unknown))}")

    def in_slice(code: str) -> bool:
        return province_codes is None or code[:2] in province_codes

    provinces = [
        {
            "code": row["code"],
            "name_en": clean_name(row["name_en"]),
            "name_km": clean_name(row["name_km"]),
            "name_ungegn": clean_name(row.get("name_ungegn")),
            "type": clean_name(row["type"]),
            "iso3166_2": row["iso3166_2"].strip(),
            "is_active": True,
        }
        for row in province_file
        if in_slice(row["code"])
    ]
    result = _sync(
        Province,
        provinces,
        fields=["name_en", "name_km", "name_ungegn", "type", "iso3166_2", "is_active"],
        in_scope=in_slice,
    )
    add(result)
    counts["provinces"] = len(provinces)
    report(f"Provinces: {len(provinces)} ({describe(result)})")

    retired_file = _read_csv(
        data_dir / RETIRED_FILE, ["level", "code", "parent_code", "name_en", "name_km", "type_km"]
    )
    counts["retired_skipped"] = 0
    for level in _LEVELS:
        columns = ["code", level.parent_column, "name_en", "name_km"]
        if level.has_type:
            columns += ["type", "type_km"]
        level_file = _read_csv(data_dir / level.file, columns)
        parents = set(level.parent_model._default_manager.values_list("code", flat=True))
        # Retired rows give their type only in Khmer; the current file pairs it with the Latin.
        latin_type = {row["type_km"]: row["type"] for row in level_file} if level.has_type else {}

        rows = []
        for row in level_file:
            if not in_slice(row["code"]):
                continue
            if row[level.parent_column] not in parents:
                raise ValueError(
                    f"{level.file}: {row['code']} names parent {row[level.parent_column]}, "
                    "which is not loaded"
                )
            rows.append(
                {
                    "code": row["code"],
                    level.parent_field: row[level.parent_column],
                    "name_en": clean_name(row["name_en"]),
                    "name_km": clean_name(row["name_km"]),
                    "is_active": True,
                }
                | ({"type": clean_name(row["type"])} if level.has_type else {})
            )
        current_codes = {row["code"] for row in rows}
        retired = 0
        for row in retired_file:
            if row["level"] != level.retired_level or not in_slice(row["code"]):
                continue
            if row["code"] in current_codes:
                continue  # back in the current list, which wins
            if row["parent_code"] not in parents:
                counts["retired_skipped"] += 1
                continue
            retired += 1
            rows.append(
                {
                    "code": row["code"],
                    level.parent_field: row["parent_code"],
                    "name_en": clean_name(row["name_en"]),
                    "name_km": clean_name(row["name_km"]),
                    "is_active": False,
                }
                | ({"type": latin_type.get(row["type_km"], "")} if level.has_type else {})
            )
        fields = [level.parent_field, "name_en", "name_km", "is_active"]
        if level.has_type:
            fields.append("type")
        result = _sync(level.model, rows, fields=fields, in_scope=in_slice)
        add(result)
        counts[level.key] = len(current_codes)
        counts[f"retired_{level.key}"] = retired
        report(
            f"{level.key.capitalize()}: {len(current_codes)} current, {retired} retired "
            f"({describe(result)})"
        )
    if counts["retired_skipped"]:
        report(f"Retired codes skipped, their parent is missing: {counts['retired_skipped']}")

    countries = _country_rows()
    result = _sync(
        Country,
        countries,
        fields=["alpha3", "name_en", "name_km", "is_active"],
        in_scope=lambda code: True,
    )
    add(result)
    counts["countries"] = len(countries)
    report(f"Countries: {len(countries)} ({describe(result)})")

    counts |= {"created": total.created, "updated": total.updated, "deactivated": total.deactivated}
    counts = {key: counts[key] for key in COUNT_KEYS}
    scope = "all" if province_codes is None else sorted(province_codes)
    audit_record(
        actor=actor,
        action=AuditAction.REFERENCE_LOADED,
        target_type="places",
        target_id="gazetteer",
        changes=counts | {"province_codes": scope},
    )
    return counts
