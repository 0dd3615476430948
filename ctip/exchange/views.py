"""Data exchange pages: the HTCDS mapping, and the export of consented cases (audited)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .htcds import MAPPING, NOT_FILLED, htcds_export


@permission_required(Perm.EXCHANGE_EXPORT)
def htcds(request: HttpRequest) -> HttpResponse:
    """The documented mapping of CTIP to HTCDS 2.0, and what the export would hold."""
    export = htcds_export(user=request.user)
    return render(
        request,
        "exchange/htcds.html",
        {
            "mapping": MAPPING,
            "not_filled": sorted(NOT_FILLED.items()),
            "records": len(export.rows),
            "dropped": export.dropped,
        },
    )


@permission_required(Perm.EXCHANGE_EXPORT)
def htcds_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The export as CSV or JSON; every download is audited."""
    export = htcds_export(user=request.user)
    audit_record(
        actor=request.user,
        action=AuditAction.HTCDS_EXPORTED,
        target_type="exchange.htcds_export",
        target_id=fmt,
        changes={"format": fmt, "records": len(export.rows), "dropped": export.dropped},
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(export.to_json(), content_type="application/json")
    else:
        response = HttpResponse(export.to_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ctip-htcds-{stamp}.{fmt}"'
    return response


@permission_required(Perm.STATISTICS_VIEW)
def compare(request: HttpRequest) -> HttpResponse:
    """National figures beside the reference data: UNODC's for Cambodia, South-eastern Asia and
    the world by year (default), or CTDC's synthetic records by profile (?source=ctdc)."""
    from .models import ReferenceSource
    from .reference import SPAN, comparison, latest_dataset, measures, years_from

    if request.GET.get("source") == ReferenceSource.CTDC:
        return _compare_ctdc(request)

    measure = request.GET.get("measure", "victims")
    if measure not in {m.key for m in measures()}:
        measure = "victims"
    years = years_from(request.GET.get("first"), today=timezone.localdate())
    chosen, rows = comparison(request.user, measure=measure, years=years)
    return render(
        request,
        "exchange/compare.html",
        {
            "measures": measures(),
            "chosen": chosen,
            "rows": rows,
            "years": years,
            "span": SPAN,
            "earlier": years[0] - SPAN,
            "later": years[0] + SPAN,
            "dataset": latest_dataset(request.user, ReferenceSource.UNODC),
        },
    )


def _compare_ctdc(request: HttpRequest) -> HttpResponse:
    """CTIP's victims referred to protection in a year beside the CTDC synthetic records."""
    from .reference import CTDC_REGIONS, ctdc_comparison

    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year:
        year = this_year
    result = ctdc_comparison(request.user, year=year, region=request.GET.get("region", ""))
    return render(
        request,
        "exchange/compare_ctdc.html",
        {
            "result": result,
            "regions": CTDC_REGIONS,
            "years": list(range(this_year, this_year - 8, -1)),
        },
    )
