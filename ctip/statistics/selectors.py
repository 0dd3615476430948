"""Reads of national statistics: numbers only, never a record, always small-cell protected.

These are the one place that counts records across every organisation without the
per-record scope of `ctip.access`: they are open to holders of `statistics.view` only, they
return aggregates (a count or a sum per cell), and every cell passes through
`protection.protect` before anyone sees it.

The one exception to "the database counts" is `response_times`: a median and a percentile are
not portable SQL (SQLite has neither), so it reads two timestamps and a dimension value per
report, never anything that names a person, and works them out here.
"""

import calendar
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import can
from ctip.accounts.roles import Perm

from . import indicators as ind
from .dimensions import AGE_BANDS, SENTENCE_BANDS, UNKNOWN
from .protection import TOTAL, Cell, Grid, protect, small_cell_threshold


def check_statistics(user) -> None:
    """Raises PermissionDenied unless the user may read national statistics."""
    if not can(user, Perm.STATISTICS_VIEW):
        raise PermissionDenied


def year_bounds(year: int) -> tuple[date, date]:
    """The period [1 January, 1 January of the next year)."""
    return date(year, 1, 1), date(year + 1, 1, 1)


@dataclass
class Row:
    key: Hashable
    label: str
    cell: Cell


@dataclass
class Breakdown:
    """An indicator's figures for a period, overall and by one dimension, protected."""

    indicator: ind.Indicator
    start: date
    end: date
    dimension: str | None
    rows: list[Row]
    total: Cell
    filters: dict[str, str] = field(default_factory=dict)
    threshold: int = 5
    withheld: bool = False  # the drill-down itself would reveal a suppressed figure


def _key(value: Hashable) -> Hashable:
    """A dimension value as tables list it: a missing one is "unknown"."""
    return value if value not in (None, "") else UNKNOWN


def _base(indicator: ind.Indicator, start: date, end: date) -> QuerySet:
    return (
        indicator.queryset()
        .filter(indicator.period_q(start, end))
        .filter(ind.where_of(indicator))
        .order_by()
    )


def _filtered(indicator: ind.Indicator, qs: QuerySet, filters: dict[str, str], ref: date):
    for i, (dimension, value) in enumerate(filters.items()):
        if indicator.is_list(dimension):
            qs = qs.filter(indicator.list_q(dimension, value))
            continue
        alias = f"f{i}"
        qs = qs.annotate(**{alias: indicator.expression(dimension, ref)})
        qs = qs.filter(**{alias: int(value) if dimension == "month" else value})
    return qs


def _clean_filters(indicator: ind.Indicator, filters: dict[str, str] | None) -> dict[str, str]:
    clean = {}
    for dimension, value in (filters or {}).items():
        if dimension in indicator.dimensions and value not in ("", None):
            if dimension == "month" and not str(value).isdigit():
                continue
            clean[dimension] = str(value)
    return clean


def _figures(
    indicator: ind.Indicator, start: date, end: date, by: str | None, filters: dict[str, str]
) -> tuple[dict, dict, dict]:
    """Raw (unprotected) values and weights by key, and the totals. Two queries at most."""
    ref = end - timedelta(days=1)
    qs = _filtered(indicator, _base(indicator, start, end), filters, ref)
    if by and indicator.is_list(by):
        return _list_figures(indicator, qs, by)
    totals = qs.aggregate(**indicator.measures())
    values: dict = {}
    weights: dict = {}
    if by:
        grouped = (
            qs.annotate(k=indicator.expression(by, ref))
            .values("k")
            .annotate(**indicator.measures())
            .order_by("k")
        )
        for row in grouped:
            key = _key(row["k"])
            values[key] = (values.get(key) or 0) + (row["value"] or 0)
            weights[key] = weights.get(key, 0) + row["n"]
    return values, weights, {"value": totals["value"] or 0, "n": totals["n"] or 0}


def _list_keys(indicator: ind.Indicator, dimension: str) -> list[str]:
    return [*indicator.dimensions[dimension].values(), UNKNOWN]


def _list_figures(indicator: ind.Indicator, qs: QuerySet, by: str) -> tuple[dict, dict, dict]:
    """`_figures` by a list dimension: one query of conditional counts, one pair per value."""
    keys = _list_keys(indicator, by)
    columns = {}
    for i, key in enumerate(keys):
        columns |= indicator.measures(indicator.list_q(by, key), suffix=str(i))
    row = qs.aggregate(**indicator.measures(), **columns)
    values = {k: row[f"value{i}"] or 0 for i, k in enumerate(keys) if row[f"n{i}"]}
    weights = {k: row[f"n{i}"] for i, k in enumerate(keys) if row[f"n{i}"]}
    return values, weights, {"value": row["value"] or 0, "n": row["n"] or 0}


def breakdown(
    *,
    user,
    code: str,
    start: date,
    end: date,
    by: str | None = None,
    filters: dict[str, str] | None = None,
    threshold: int | None = None,
) -> Breakdown:
    """An indicator in [start, end), by one dimension, with `filters` (dimension → value) applied.

    Cells are protected; a drill-down into a cell that its parent table hid is withheld whole,
    since its total would give the hidden figure away.
    """
    check_statistics(user)
    indicator = ind.get(code)
    limit = small_cell_threshold() if threshold is None else threshold
    if by is not None and by not in indicator.dimensions:
        raise ValueError(f"Unknown dimension {by!r} for {code}")
    clean = _clean_filters(indicator, filters)

    withheld = False
    # Drilling into a cell: the parent table (broken down by the filtered dimension) must show it.
    for dimension, value in clean.items():
        others = {d: v for d, v in clean.items() if d != dimension}
        p_values, p_weights, p_totals = _figures(indicator, start, end, dimension, others)
        p_keys = dimension_keys(dimension, p_weights)
        grid = protect(
            {(k, TOTAL): p_weights.get(k, 0) for k in p_keys},
            rows=p_keys,
            totals={(TOTAL, TOTAL): p_totals["n"]},
            threshold=limit,
        )
        key: Hashable = int(value) if dimension == "month" else value
        if key not in grid.rows or not grid.get(key).shown:
            withheld = True

    values, weights, totals = _figures(indicator, start, end, by, clean)
    keys = dimension_keys(by, weights) if by else []
    grid = protect(
        {(k, TOTAL): weights.get(k, 0) for k in keys},
        rows=keys,
        totals={(TOTAL, TOTAL): totals["n"]},
        threshold=limit,
    )
    if withheld:
        grid = _withhold(grid)
    labels = dimension_labels(by, keys) if by else {}
    rows = [
        Row(k, labels.get(k, str(k)), _cell(grid.get(k), values.get(k, 0), indicator)) for k in keys
    ]
    return Breakdown(
        indicator=indicator,
        start=start,
        end=end,
        dimension=by,
        rows=rows,
        total=_cell(grid.total, totals["value"], indicator),
        filters=clean,
        threshold=limit,
        withheld=withheld,
    )


def _cell(protected: Cell, value: int, indicator: ind.Indicator) -> Cell:
    """The published cell: an amount where the indicator sums one, hidden where its count is."""
    if not protected.shown:
        # "<5" beside an amount would read as "under 5 riel": an amount is only ever "x".
        return Cell(None, "secondary", protected.threshold) if indicator.amount else protected
    return Cell(int(value or 0) if indicator.amount else protected.value, "", protected.threshold)


def _withhold(grid: Grid) -> Grid:
    for key, cell in grid.cells.items():
        if cell.shown and cell.value:
            grid.cells[key] = Cell(None, "secondary", grid.threshold)
    return grid


@dataclass
class Crosstab:
    indicator: ind.Indicator
    rows: list[tuple[Hashable, str]]
    columns: list[tuple[Hashable, str]]
    grid: Grid

    def cell(self, row: Hashable, column: Hashable) -> Cell:
        return self.grid.get(row, column)

    def table(self) -> list[dict]:
        """Rows for templates: label, then the cells in column order, then the row total."""
        out = [
            {"label": label, "cells": [self.grid.get(k, c) for c, _l in self.columns]}
            for k, label in self.rows
        ]
        out.append(
            {
                "label": _("Total"),
                "cells": [self.grid.get(TOTAL, c) for c, _l in self.columns],
                "is_total": True,
            }
        )
        return out


def crosstab(
    *,
    user,
    code: str,
    start: date,
    end: date,
    rows: str,
    columns: str,
    threshold: int | None = None,
) -> Crosstab:
    """An indicator by two dimensions, with margins, protected (one query)."""
    check_statistics(user)
    indicator = ind.get(code)
    if rows not in indicator.dimensions or columns not in indicator.dimensions:
        raise ValueError(f"Unknown dimension for {code}")
    ref = end - timedelta(days=1)
    if indicator.is_list(rows) or indicator.is_list(columns):
        counts, row_seen, col_seen, totals = _list_crosstab_counts(
            indicator, _base(indicator, start, end), rows, columns, ref
        )
    else:
        grouped = (
            _base(indicator, start, end)
            .annotate(r=indicator.expression(rows, ref), c=indicator.expression(columns, ref))
            .values("r", "c")
            .annotate(n=indicator.weight())
            .order_by("r", "c")
        )
        counts, row_seen, col_seen, totals = {}, {}, {}, None
        for row in grouped:
            r, c = _key(row["r"]), _key(row["c"])
            counts[(r, c)] = counts.get((r, c), 0) + row["n"]
            row_seen[r] = col_seen[c] = 1
    row_keys = dimension_keys(rows, row_seen)
    col_keys = dimension_keys(columns, col_seen)
    grid = protect(counts, rows=row_keys, columns=col_keys, totals=totals, threshold=threshold)
    row_labels = dimension_labels(rows, row_keys)
    col_labels = dimension_labels(columns, col_keys)
    return Crosstab(
        indicator=indicator,
        rows=[(k, row_labels.get(k, str(k))) for k in row_keys],
        columns=[(k, col_labels.get(k, str(k))) for k in col_keys] + [(TOTAL, str(_("Total")))],
        grid=grid,
    )


def _list_crosstab_counts(
    indicator: ind.Indicator, qs: QuerySet, rows: str, columns: str, ref: date
) -> tuple[dict, dict, dict, dict]:
    """Crosstab counts where one dimension is a list one (one query).

    A record listing two values counts in both of their lines, so the margins along the list
    dimension are counted directly (distinct records), not summed from the cells.
    """
    if indicator.is_list(rows) and indicator.is_list(columns):
        raise ValueError("Two list dimensions cannot be crossed")
    listed, other = (rows, columns) if indicator.is_list(rows) else (columns, rows)
    keys = _list_keys(indicator, listed)
    conditional = {
        f"n{i}": indicator.weight(filter=indicator.list_q(listed, k)) for i, k in enumerate(keys)
    }
    grouped = (
        qs.annotate(o=indicator.expression(other, ref))
        .values("o")
        .annotate(n=indicator.weight(), **conditional)
        .order_by("o")
    )
    counts: dict = {}
    list_seen: dict = {}
    other_seen: dict = {}
    margin: dict = {}
    for row in grouped:
        o = _key(row["o"])
        other_seen[o] = 1
        margin[o] = margin.get(o, 0) + row["n"]
        for i, k in enumerate(keys):
            if row[f"n{i}"]:
                list_seen[k] = 1
                cell = (k, o) if listed == rows else (o, k)
                counts[cell] = counts.get(cell, 0) + row[f"n{i}"]
    # The margin along the other dimension (one cell per value of it) and the grand total.
    totals = {((TOTAL, o) if listed == rows else (o, TOTAL)): n for o, n in margin.items()}
    totals[(TOTAL, TOTAL)] = sum(margin.values())
    if listed == rows:
        return counts, list_seen, other_seen, totals
    return counts, other_seen, list_seen, totals


@dataclass
class Headline:
    indicator: ind.Indicator
    total: Cell


def headlines(
    *, user, start: date, end: date, codes: list[str] | None = None, threshold: int | None = None
) -> list[Headline]:
    """Every indicator's (or those of `codes`) total for the period, one query each, protected."""
    check_statistics(user)
    limit = small_cell_threshold() if threshold is None else threshold
    out = []
    for indicator in ind.INDICATORS:
        if codes is not None and indicator.code not in codes:
            continue
        totals = _base(indicator, start, end).aggregate(**indicator.measures())
        grid = protect({}, rows=[], totals={(TOTAL, TOTAL): totals["n"] or 0}, threshold=limit)
        out.append(Headline(indicator, _cell(grid.total, totals["value"] or 0, indicator)))
    return out


# --- dimension values and their labels ---------------------------------------------------------


def _static_keys(dimension: str) -> list | None:
    from ctip.care.models import ServiceCategory
    from ctip.cases.models import CaseSource, CaseStatus, ClosureCategory
    from ctip.cases.vocabulary import ExploitationType
    from ctip.intake.models import Source, Urgency
    from ctip.justice.models import ExploitationForm, TraffickingKind
    from ctip.operations.models import ScreeningResult
    from ctip.people.models import Sex
    from ctip.prevention.models import Institution

    static = {
        "sex": Sex.values,
        "age_group": ["child", "adult"],
        "age_band": [b for b, _lo, _hi in AGE_BANDS],
        "kind": TraffickingKind.values,
        "form": ExploitationForm.values,
        "sentence": [b for b, _lo, _hi in SENTENCE_BANDS] + ["none"],
        "month": list(range(1, 13)),
        "source": None,
        "urgency": Urgency.values,
        "result": ScreeningResult.values,
        "status": CaseStatus.values,
        "category": ServiceCategory.values,
        "institution": Institution.values,
        "exploitation": ExploitationType.values,
        "closure": ClosureCategory.values,
    }
    from ctip.referrals.models import ReferralStatus
    from ctip.referrals.models import ServiceCategory as ReferralService
    from ctip.returns.models import ReintegrationOption, ReturnDirection
    from ctip.shelters.models import FacilityType

    static |= {
        "facility_type": FacilityType.values,
        "referral_service": ReferralService.values,
        "referral_status": ReferralStatus.values,
        "direction": ReturnDirection.values,
        "option": ReintegrationOption.values,
        "living_as_planned": [True, False],
    }
    if dimension == "source":
        return list(dict.fromkeys([*Source.values, *CaseSource.values]))
    return static.get(dimension)


def dimension_keys(dimension: str | None, seen: dict) -> list:
    """The values a dimension's table lists: all known values (zeros too), then any others."""
    if dimension is None:
        return []
    if dimension == "province":
        from ctip.places.models import Province

        base = list(
            Province.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
        )
    else:
        base = list(_static_keys(dimension) or [])
    extra = sorted((k for k in seen if k not in base and k != UNKNOWN), key=str)
    keys = base + extra
    if UNKNOWN in seen and UNKNOWN not in keys:
        keys.append(UNKNOWN)
    if dimension == "source":  # reports and cases share the name: keep only what was seen
        keys = [k for k in keys if k in seen]
    return keys


def _choice_labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def dimension_labels(dimension: str | None, keys: list) -> dict:
    """Labels of a dimension's values in the active language (one query for places, orgs)."""
    from ctip.care.models import ServiceCategory, ServiceType
    from ctip.cases.models import CaseSource, CaseStatus, ClosureCategory
    from ctip.cases.vocabulary import ExploitationType
    from ctip.intake.models import Source, Urgency
    from ctip.justice.models import ExploitationForm, TraffickingKind
    from ctip.operations.models import ScreeningResult
    from ctip.people.models import Sex
    from ctip.prevention.models import Institution
    from ctip.referrals.models import ReferralStatus
    from ctip.referrals.models import ServiceCategory as ReferralService
    from ctip.returns.models import ReintegrationOption, ReturnDirection
    from ctip.shelters.models import FacilityType

    labels: dict = {UNKNOWN: str(_("Unknown"))}
    if dimension == "province":
        from ctip.places.models import Province

        labels |= {p.code: p.display_name for p in Province.objects.filter(code__in=keys)}
    elif dimension == "country":
        from ctip.places.models import Country

        labels |= {c.code: c.display_name for c in Country.objects.filter(code__in=keys)}
    elif dimension == "organisation":
        from ctip.accounts.models import Organisation

        labels |= dict(Organisation.objects.filter(code__in=keys).values_list("code", "name"))
    elif dimension == "service":
        labels |= dict(ServiceType.objects.filter(code__in=keys).values_list("code", "name"))
    elif dimension == "month":
        labels |= {m: str(_(calendar.month_name[m])) for m in range(1, 13)}
    elif dimension == "age_group":
        labels |= {"child": str(_("Children (under 18)")), "adult": str(_("Adults (18 and over)"))}
    elif dimension == "age_band":
        labels |= {b: b.replace("-", "–") for b, _lo, _hi in AGE_BANDS}
    elif dimension == "living_as_planned":
        labels |= {True: str(_("Yes")), False: str(_("No"))}
    elif dimension == "sentence":
        labels |= SENTENCE_LABELS_TEXT()
    else:
        choices = {
            "sex": Sex.choices,
            "kind": TraffickingKind.choices,
            "form": ExploitationForm.choices,
            "exploitation": ExploitationType.choices,
            "source": Source.choices + CaseSource.choices,
            "urgency": Urgency.choices,
            "result": ScreeningResult.choices,
            "status": CaseStatus.choices,
            "category": ServiceCategory.choices,
            "institution": Institution.choices,
            "facility_type": FacilityType.choices,
            "referral_service": ReferralService.choices,
            "referral_status": ReferralStatus.choices,
            "direction": ReturnDirection.choices,
            "option": ReintegrationOption.choices,
            "closure": ClosureCategory.choices,
        }.get(dimension or "", [])
        labels |= _choice_labels(choices)
    return labels


SENTENCE_LABELS: dict[str, Promise] = {
    "under_1y": _("Under 1 year"),
    "1_to_5y": _("1 to 5 years"),
    "5_to_10y": _("5 to 10 years"),
    "10_to_15y": _("10 to 15 years"),
    "15y_plus": _("15 years or more"),
    "none": _("No prison sentence"),
}


def SENTENCE_LABELS_TEXT() -> dict:  # noqa: N802 (a lazy table)
    return {k: str(v) for k, v in SENTENCE_LABELS.items()}


def dashboard_widget(*, user) -> dict:
    """The statistics officer's home-page panel: this year's headline figures, protected."""
    today = timezone.localdate()
    start, end = year_bounds(today.year)
    shown = ["reports_received", "victims_identified", "cases_opened", "convictions"]
    return {"year": today.year, "figures": headlines(user=user, start=start, end=end, codes=shown)}


# --- time from report to first action ----------------------------------------------------------

RESPONSE_TIME_DIMENSIONS = ("urgency", "province", "source", "month")


@dataclass(frozen=True)
class Duration:
    """A published median or percentile, in minutes; hidden when too few reports lie behind it.

    A duration is not a count, so a hidden one reads "x" (never "<5", which would read as
    "under five minutes").
    """

    minutes: float | None
    hidden: bool = False  # too few reports; None minutes without it: no report to time

    @property
    def shown(self) -> bool:
        return self.minutes is not None

    def __str__(self) -> str:
        if self.minutes is not None:
            return format_minutes(self.minutes)
        return "x" if self.hidden else "—"

    def as_json(self) -> float | str | None:
        if self.minutes is not None:
            return round(self.minutes, 1)
        return "x" if self.hidden else None


def format_minutes(minutes: float) -> str:
    """A waiting time for people: '45 min', '3 h 05 min', '2 d 4 h'."""
    whole = round(minutes)
    if whole < 60:
        return _("%(m)s min") % {"m": whole}
    hours, mins = divmod(whole, 60)
    if hours < 48:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": mins}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count) of sorted values."""
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def percentile(values: list[float], p: int) -> float | None:
    """The nearest-rank p-th percentile of sorted values: the smallest value with at least p% of
    the values at or below it."""
    if not values:
        return None
    rank = max(1, -(-len(values) * p // 100))  # ceil(n * p / 100)
    return values[rank - 1]


@dataclass
class ResponseTimeRow:
    key: Hashable
    label: str
    acted: Cell  # reports acted on: a protected count
    median: Duration
    p90: Duration


@dataclass
class ResponseTimes:
    """Time from receiving a report to its first action, for reports received in [start, end)."""

    start: date
    end: date
    dimension: str
    rows: list[ResponseTimeRow]
    total: ResponseTimeRow
    threshold: int


def response_times(
    *, user, start: date, end: date, by: str = "urgency", threshold: int | None = None
) -> ResponseTimes:
    """Median and 90th percentile of the time to first action, overall and by `by` (one query).

    Only reports acted on count (a report still waiting has no time yet; the in-target
    indicator counts those that waited too long). Small-cell rule: where the number of reports
    acted on is hidden, so are its median and 90th percentile.
    """
    check_statistics(user)
    if by not in RESPONSE_TIME_DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r} for response times")
    limit = small_cell_threshold() if threshold is None else threshold
    indicator = ind.get("reports_received")
    ref = end - timedelta(days=1)
    # Two timestamps and a key per report: nothing that names anyone is read.
    rows = (
        _base(indicator, start, end)
        .filter(first_action_at__isnull=False)
        .annotate(k=indicator.expression(by, ref))
        .values_list("k", "received_at", "first_action_at")
    )
    waits: dict = {}
    everyone: list[float] = []
    for key, received, first in rows:
        minutes = max((first - received).total_seconds() / 60, 0.0)
        waits.setdefault(_key(key), []).append(minutes)
        everyone.append(minutes)
    keys = dimension_keys(by, waits)
    grid = protect(
        {(k, TOTAL): len(waits.get(k, [])) for k in keys},
        rows=keys,
        totals={(TOTAL, TOTAL): len(everyone)},
        threshold=limit,
    )
    labels = dimension_labels(by, keys)

    def row(key: Hashable, label: str, cell: Cell, minutes: list[float]) -> ResponseTimeRow:
        minutes = sorted(minutes)
        if not cell.shown:
            return ResponseTimeRow(key, label, cell, Duration(None, True), Duration(None, True))
        return ResponseTimeRow(
            key, label, cell, Duration(median(minutes)), Duration(percentile(minutes, 90))
        )

    return ResponseTimes(
        start=start,
        end=end,
        dimension=by,
        rows=[row(k, labels.get(k, str(k)), grid.get(k), waits.get(k, [])) for k in keys],
        total=row(TOTAL, str(_("All reports")), grid.total, everyone),
        threshold=limit,
    )
