"""Statistics pages: aggregates only, small cells hidden, never a person.

Every page needs `statistics.view`; the downloads of the annual report need
`statistics.export` and are audited.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.pdf import render_pdf

from . import charts, selectors
from . import indicators as ind
from .annual import annual_report, annual_report_xlsx
from .dimensions import DIMENSION_LABELS
from .protection import Cell, legend

FIRST_YEAR = 2000


def _year(request: HttpRequest) -> int:
    """The year asked for, else this year; nonsense falls back to this year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 8, -1))


def _map_cells(result: selectors.Breakdown) -> dict[str, tuple[str, Cell]]:
    from ctip.places.models import Province

    iso = dict(Province.objects.values_list("code", "iso3166_2"))
    return {iso[r.key]: (r.label, r.cell) for r in result.rows if r.key in iso}


@permission_required(Perm.STATISTICS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline figures of every indicator for a year, and a map shaded by one of them."""
    year = _year(request)
    start, end = selectors.year_bounds(year)
    figures = selectors.headlines(user=request.user, start=start, end=end)
    groups: dict[str, list] = {}
    for headline in figures:
        groups.setdefault(str(headline.indicator.group), []).append(headline)
    mappable = [i for i in ind.INDICATORS if "province" in i.dimensions]
    map_code = request.GET.get("map", "victims_identified")
    if map_code not in {i.code for i in mappable}:
        map_code = "victims_identified"
    by_province = selectors.breakdown(
        user=request.user, code=map_code, start=start, end=end, by="province"
    )
    title = _("%(indicator)s by province, %(year)s") % {
        "indicator": by_province.indicator.name,
        "year": year,
    }
    times_by = request.GET.get("times", "urgency")
    if times_by not in selectors.RESPONSE_TIME_DIMENSIONS:
        times_by = "urgency"
    times = selectors.response_times(user=request.user, start=start, end=end, by=times_by)
    return render(
        request,
        "statistics/dashboard.html",
        {
            "year": year,
            "years": _years(),
            "groups": groups,
            "mappable": mappable,
            "map_code": map_code,
            "map_title": title,
            "map_svg": charts.province_map(_map_cells(by_province), title=title),
            "map_rows": by_province.rows,
            "map_total": by_province.total,
            "times": times,
            "times_by": times_by,
            "times_dimensions": [
                (d, DIMENSION_LABELS[d]) for d in selectors.RESPONSE_TIME_DIMENSIONS
            ],
            "legend": legend(),
        },
    )


@permission_required(Perm.STATISTICS_VIEW)
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator for a year, by a dimension, drilled down by filters; chart, table, map."""
    if code not in ind.BY_CODE:
        raise Http404
    indicator = ind.BY_CODE[code]
    year = _year(request)
    start, end = selectors.year_bounds(year)
    dimensions = list(indicator.dimensions)
    by = request.GET.get("by") or dimensions[0]
    if by not in indicator.dimensions:
        by = dimensions[0]
    filters = {
        d: request.GET[f"f_{d}"] for d in dimensions if request.GET.get(f"f_{d}") and d != by
    }
    result = selectors.breakdown(
        user=request.user, code=code, start=start, end=end, by=by, filters=filters
    )
    filter_labels = []
    for dimension, value in result.filters.items():
        labels = selectors.dimension_labels(dimension, [value])
        key = int(value) if dimension == "month" else value
        remaining = {f"f_{d}": v for d, v in result.filters.items() if d != dimension}
        filter_labels.append(
            {
                "dimension": DIMENSION_LABELS[dimension],
                "value": labels.get(key, value),
                "remove": "?" + urlencode({"year": year, "by": by, **remaining}),
            }
        )
    # Drill-down: a shown, non-zero row opens the next dimension, filtered to that row.
    next_dims = [d for d in dimensions if d != by and d not in result.filters]
    base = {"year": year, **{f"f_{d}": v for d, v in result.filters.items()}}
    rows = []
    for row in result.rows:
        link = ""
        if next_dims and row.cell.shown and row.cell.value and not result.withheld:
            link = "?" + urlencode({**base, "by": next_dims[0], f"f_{by}": row.key})
        rows.append({"row": row, "link": link})
    title = _("%(indicator)s by %(dimension)s, %(year)s") % {
        "indicator": indicator.name,
        "dimension": str(DIMENSION_LABELS[by]).lower(),
        "year": year,
    }
    chart_rows = [(r.label, r.cell) for r in result.rows]
    return render(
        request,
        "statistics/indicator.html",
        {
            "indicator": indicator,
            "year": year,
            "years": _years(),
            "by": by,
            "by_label": DIMENSION_LABELS[by],
            "dimensions": [(d, DIMENSION_LABELS[d]) for d in dimensions],
            "result": result,
            "rows": rows,
            "filters": filter_labels,
            "filter_inputs": result.filters,
            "title": title,
            "chart": charts.bar_chart(chart_rows, title=title),
            "map_svg": (
                charts.province_map(_map_cells(result), title=title) if by == "province" else ""
            ),
            "legend": legend(result.threshold),
        },
    )


@permission_required(Perm.STATISTICS_VIEW)
def definitions(request: HttpRequest) -> HttpResponse:
    """What each indicator counts, from which records, and by which dimensions."""
    rows = [
        {
            "indicator": i,
            "dimensions": [DIMENSION_LABELS[d] for d in i.dimensions],
            "url": reverse("statistics:indicator", args=[i.code]),
        }
        for i in ind.INDICATORS
    ]
    return render(request, "statistics/definitions.html", {"rows": rows, "legend": legend()})


@permission_required(Perm.STATISTICS_VIEW)
def annual(request: HttpRequest) -> HttpResponse:
    """The annual government report for a year, on a page, with its downloads."""
    year = _year(request)
    report = annual_report(user=request.user, year=year)
    return render(
        request,
        "statistics/annual.html",
        {"report": report, "year": year, "years": _years()},
    )


def _audit_export(request: HttpRequest, *, year: int, fmt: str, language: str) -> None:
    audit_record(
        actor=request.user,
        action=AuditAction.STATISTICS_EXPORTED,
        target_type="statistics.annual_report",
        target_id=str(year),
        changes={"format": fmt, "language": language},
    )


@permission_required(Perm.STATISTICS_EXPORT)
def annual_xlsx(request: HttpRequest) -> HttpResponse:
    """The annual report as an XLSX workbook for publication (small cells hidden)."""
    year = _year(request)
    language = translation.get_language() or "en"
    report = annual_report(user=request.user, year=year)
    content = annual_report_xlsx(report)
    _audit_export(request, year=year, fmt="xlsx", language=language)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ctip-annual-report-{year}.xlsx"'
    return response


@permission_required(Perm.STATISTICS_EXPORT)
def annual_pdf(request: HttpRequest) -> HttpResponse:
    """The annual report as a PDF, in the user's language, or in English or Khmer (?lang=)."""
    year = _year(request)
    asked = request.GET.get("lang") or translation.get_language() or "en"
    language = "km" if asked == "km" else "en"
    with translation.override(language):
        report = annual_report(user=request.user, year=year)
        content = render_pdf("statistics/annual_pdf.html", {"report": report, "year": year})
    _audit_export(request, year=year, fmt="pdf", language=language)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ctip-annual-report-{year}-{language}.pdf"'
    )
    return response


def _k(request: HttpRequest) -> int:
    from .release import release_k

    try:
        k = int(request.POST.get("k") or request.GET.get("k") or release_k())
    except (TypeError, ValueError):
        return release_k()
    return min(max(k, 2), 100)


@permission_required(Perm.STATISTICS_RELEASE)
def release(request: HttpRequest) -> HttpResponse:
    """An anonymised release: its report on the page, the CSV on POST (audited)."""
    from .release import release_for

    k = _k(request)
    result = release_for(user=request.user, k=k)
    if request.method == "POST":
        audit_record(
            actor=request.user,
            action=AuditAction.STATISTICS_EXPORTED,
            target_type="statistics.release",
            target_id=f"k={k}",
            changes={
                "format": "csv",
                "k": k,
                "rows": len(result.rows),
                "suppressed": result.suppressed,
                "levels": result.levels,
            },
        )
        response = HttpResponse(result.to_csv(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="ctip-release-k{k}-{stamp}.csv"'
        return response
    return render(request, "statistics/release.html", {"result": result, "k": k})
