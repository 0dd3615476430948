"""Anonymised releases for researchers, in the style of the Counter Trafficking Data
Collaborative: one row per survivor, no name, no number, no date; quasi-identifiers banded
(sex, age, region, year) until every combination is shared by at least k rows.

Only cases whose survivor consented to anonymised statistics (and has not withdrawn it) are
considered. Generalisation is global (one level per quasi-identifier for the whole file), chosen
greedily; the few rows still in classes smaller than k are suppressed, within a budget. The
result reports what was generalised, what was suppressed and the information lost.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ctip.core.spreadsheets import CsvDictWriter

from .dimensions import CHILD_BANDS, UNKNOWN, age_band_expression

QUASI_IDENTIFIERS = ("sex", "age", "region", "year")
SUPPRESSED = "*"

# Cambodia's statistical zones (National Institute of Statistics), by NCDD province code.
ZONES = {
    "phnom_penh": ["12"],
    "plains": ["03", "08", "14", "20", "21", "25"],
    "tonle_sap": ["01", "02", "04", "06", "15", "17", "22", "24"],
    "coastal": ["07", "09", "18", "23"],
    "plateau_mountain": ["05", "10", "11", "13", "16", "19"],
}
ZONE_OF = {code: zone for zone, codes in ZONES.items() for code in codes}
ZONE_NAMES = {
    "phnom_penh": "Phnom Penh",
    "plains": "Plains",
    "tonle_sap": "Tonle Sap",
    "coastal": "Coastal",
    "plateau_mountain": "Plateau and mountains",
}
CHILD_AGE_BANDS = set(CHILD_BANDS)


def region_names() -> dict[str, str]:
    """Names of the region values of a release: provinces (by NCDD code) and zones, in English
    as data files are; a value without a name (SUPPRESSED, unknown) stays as it is."""
    from ctip.places.models import Province

    return dict(Province.objects.values_list("code", "name_en")) | ZONE_NAMES


def release_k() -> int:
    """The k of k-anonymity for releases (setting CTIP_RELEASE_K, default 10)."""
    return max(2, int(getattr(settings, "CTIP_RELEASE_K", 10)))


def _age(value: str, level: int) -> str:
    if level == 0 or value == UNKNOWN:
        return value
    if level == 1:
        return "0-17" if value in CHILD_AGE_BANDS else "18+"
    return SUPPRESSED


def _region(value: str, level: int) -> str:
    if level == 0 or value == UNKNOWN:
        return value
    if level == 1:
        return ZONE_OF.get(value, UNKNOWN)
    return SUPPRESSED


def _year(value: str, level: int) -> str:
    if level == 0 or value == UNKNOWN:
        return value
    if level in (1, 2):
        width = 3 if level == 1 else 6
        start = int(value) // width * width
        return f"{start}-{start + width - 1}"
    return SUPPRESSED


def _sex(value: str, level: int) -> str:
    return value if level == 0 else SUPPRESSED


# Each ladder: a function (value, level) → generalised value, and its top level.
LADDERS = {"sex": (_sex, 1), "age": (_age, 2), "region": (_region, 2), "year": (_year, 3)}


def release_records(*, on: date | None = None) -> list[dict]:
    """The rows a release is made from: consented cases, quasi-identifiers at full detail.

    Callers check the permission (`statistics.release`); no name or number is read.
    """
    from ctip.cases.models import Case, Consent, ConsentPurpose

    consented = Consent.objects.filter(
        case=OuterRef("pk"), purpose=ConsentPurpose.STATISTICS, withdrawn_on__isnull=True
    )
    ref = on or timezone.localdate()
    rows = list(
        Case.objects.filter(Exists(consented))
        .annotate(
            age_band=age_band_expression(person="person", age_field="age_when_trafficked", ref=ref)
        )
        .values(
            "pk",
            "person__sex",
            "age_band",
            "person__home_village__commune__district__province_id",
            "opened_on",
            "trafficking_status",
            "exploitation_types",
            "recruiter_relation",
        )
        .order_by("pk")
    )
    countries: dict[int, list[str]] = {}
    through = Case.destination_countries.through
    for case_id, code in (
        through.objects.filter(case_id__in=[r["pk"] for r in rows])
        .order_by("case_id", "country_id")
        .values_list("case_id", "country_id")
    ):
        countries.setdefault(case_id, []).append(code)
    return [
        {
            "sex": r["person__sex"] or "u",
            "age": r["age_band"] or UNKNOWN,
            "region": r["person__home_village__commune__district__province_id"] or UNKNOWN,
            "year": str(r["opened_on"].year) if r["opened_on"] else UNKNOWN,
            "trafficking_status": r["trafficking_status"] or "",
            "exploitation_types": ";".join(sorted(r["exploitation_types"] or [])),
            "recruiter_relation": r["recruiter_relation"] or "",
            "destination_countries": ";".join(countries.get(r["pk"], [])),
        }
        for r in rows
    ]


def _generalise(records: list[dict], levels: dict[str, int]) -> list[dict]:
    out = []
    for record in records:
        row = dict(record)
        for qi, level in levels.items():
            fn, _top = LADDERS[qi]
            row[qi] = fn(record[qi], level)
        out.append(row)
    return out


def _class_sizes(rows: Iterable[dict], qis: Iterable[str] = QUASI_IDENTIFIERS) -> Counter:
    qis = tuple(qis)
    return Counter(tuple(row[q] for q in qis) for row in rows)


def _at_risk(rows: list[dict], k: int) -> int:
    sizes = _class_sizes(rows)
    return sum(n for n in sizes.values() if n < k)


@dataclass
class Release:
    k: int
    levels: dict[str, int]
    rows: list[dict]
    considered: int
    suppressed: int
    columns: list[str] = field(default_factory=list)
    # Names of the region values (release_for fills them from the gazetteer); a value without
    # a name is written as it is.
    region_labels: dict[str, str] = field(default_factory=dict)

    @property
    def smallest_class(self) -> int:
        sizes = _class_sizes(self.rows)
        return min(sizes.values()) if sizes else 0

    @property
    def information_loss(self) -> dict[str, float]:
        """Per quasi-identifier, the share of its generalisation ladder climbed (0 = none)."""
        return {qi: round(self.levels[qi] / LADDERS[qi][1], 2) for qi in QUASI_IDENTIFIERS}

    @property
    def suppression_rate(self) -> float:
        return round(self.suppressed / self.considered, 3) if self.considered else 0.0

    def to_csv(self) -> str:
        """The release as CSV; `region_name` spells out `region` (a province or zone), so a
        reader needs no code list. It is a label of `region`, not another quasi-identifier."""
        columns = list(self.columns)
        if "region" in columns:
            columns.insert(columns.index("region") + 1, "region_name")
        names = self.region_labels
        out = io.StringIO()
        writer = CsvDictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            values = {c: row[c] for c in self.columns}
            if "region" in values:
                values["region_name"] = names.get(values["region"], values["region"])
            writer.writerow(values)
        return out.getvalue()


def anonymise(records: list[dict], *, k: int | None = None, max_suppression: float = 0.05):
    """Generalises `records` until at most `max_suppression` of them sit in classes smaller
    than k, then suppresses those; returns the k-anonymous release and its report."""
    k = release_k() if k is None else k
    levels = dict.fromkeys(QUASI_IDENTIFIERS, 0)
    rows = _generalise(records, levels)
    budget = int(len(records) * max_suppression)
    while _at_risk(rows, k) > budget:
        # Climb the ladder that leaves the fewest rows at risk (ties: the least-used ladder).
        options = []
        for qi in QUASI_IDENTIFIERS:
            if levels[qi] < LADDERS[qi][1]:
                trial = levels | {qi: levels[qi] + 1}
                risk = _at_risk(_generalise(records, trial), k)
                options.append((risk, trial[qi] / LADDERS[qi][1], qi))
        if not options:
            break
        _risk, _share, qi = min(options)
        levels[qi] += 1
        rows = _generalise(records, levels)
    sizes = _class_sizes(rows)
    kept = [row for row in rows if sizes[tuple(row[q] for q in QUASI_IDENTIFIERS)] >= k]
    columns = [
        *QUASI_IDENTIFIERS,
        *[c for c in (records[0] if records else {}) if c not in QUASI_IDENTIFIERS],
    ]
    return Release(
        k=k,
        levels=levels,
        rows=kept,
        considered=len(records),
        suppressed=len(records) - len(kept),
        columns=columns,
    )


@dataclass
class Verification:
    ok: bool
    rows: int
    smallest_class: int
    violations: list[tuple[tuple, int]]


def verify_k_anonymous(text: str, *, k: int, quasi_identifiers=QUASI_IDENTIFIERS) -> Verification:
    """Checks that every combination of quasi-identifiers in a CSV release occurs ≥ k times."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [q for q in quasi_identifiers if q not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"Missing quasi-identifier columns: {', '.join(missing)}")
    rows = list(reader)
    sizes = _class_sizes(rows, quasi_identifiers)
    violations = sorted((key, n) for key, n in sizes.items() if n < k)
    return Verification(
        ok=not violations,
        rows=len(rows),
        smallest_class=min(sizes.values()) if sizes else 0,
        violations=violations,
    )


def has_direct_identifiers(columns: Iterable[str]) -> bool:
    """True when a release would carry a column that names or numbers a person."""
    forbidden = {"name", "given_name", "family_name", "name_km", "number", "uuid", "phone"}
    return bool(forbidden & set(columns)) or any(c.endswith("_on") for c in columns)


def release_for(*, user, k: int | None = None) -> Release:
    """The k-anonymous release of consented cases for a holder of `statistics.release`."""
    from django.core.exceptions import PermissionDenied

    from ctip.access.policy import can
    from ctip.accounts.roles import Perm

    if not can(user, Perm.STATISTICS_RELEASE):
        raise PermissionDenied
    release = anonymise(release_records(), k=k)
    release.region_labels = region_names()
    return release
