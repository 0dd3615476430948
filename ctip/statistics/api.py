"""National statistics over REST: indicator definitions and protected figures, never a record.

Hidden cells come back as the same marks the pages show ("<5", "x"), never as numbers.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.accounts.roles import Perm

from . import indicators as ind
from . import selectors
from .protection import small_cell_threshold


class IndicatorOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    counts = serializers.CharField(help_text="What is counted")
    source = serializers.CharField(help_text="The records counted (app.Model)")
    unit = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())


def _indicator_data(indicator: ind.Indicator) -> dict:
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "description": str(indicator.description),
        "counts": str(indicator.counts),
        "source": indicator.source,
        "unit": str(indicator.unit),
        "dimensions": list(indicator.dimensions),
    }


class IndicatorListApi(GenericAPIView):
    """The indicators and what each counts."""

    required_permission = Perm.STATISTICS_VIEW
    serializer_class = IndicatorOutput
    pagination_class = None

    @extend_schema(responses=IndicatorOutput(many=True))
    def get(self, request):
        return Response([_indicator_data(i) for i in ind.INDICATORS])


class FigureQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    by = serializers.CharField(required=False, allow_blank=True)


class FigureRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text='A number, or "<5" / "x" when hidden')


class FiguresOutput(serializers.Serializer):
    indicator = IndicatorOutput()
    year = serializers.IntegerField()
    by = serializers.CharField(allow_null=True)
    threshold = serializers.IntegerField()
    total = serializers.JSONField()
    withheld = serializers.BooleanField()
    rows = FigureRow(many=True)


class IndicatorFiguresApi(GenericAPIView):
    """One indicator's figures for a year, by a dimension, small cells hidden.

    Filters: `f_<dimension>=<value>` (e.g. `f_province=12`) to drill down.
    """

    required_permission = Perm.STATISTICS_VIEW
    serializer_class = FiguresOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("by", str, description="A dimension of the indicator"),
        ],
        responses=FiguresOutput,
    )
    def get(self, request, code: str):
        if code not in ind.BY_CODE:
            raise NotFound
        indicator = ind.BY_CODE[code]
        query = FigureQuery(data=request.GET)
        query.is_valid(raise_exception=True)
        by = query.validated_data.get("by") or None
        if by is not None and by not in indicator.dimensions:
            raise serializers.ValidationError({"by": [f"Not a dimension of {code}."]})
        year = query.validated_data["year"]
        start, end = selectors.year_bounds(year)
        filters = {
            d: request.GET[f"f_{d}"] for d in indicator.dimensions if request.GET.get(f"f_{d}")
        }
        result = selectors.breakdown(
            user=request.user, code=code, start=start, end=end, by=by, filters=filters
        )
        return Response(
            {
                "indicator": _indicator_data(indicator),
                "year": year,
                "by": by,
                "threshold": small_cell_threshold(),
                "total": result.total.as_json(),
                "withheld": result.withheld,
                "rows": [
                    {"key": str(r.key), "label": r.label, "value": r.cell.as_json()}
                    for r in result.rows
                ],
            }
        )


class ResponseTimeQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    by = serializers.ChoiceField(choices=selectors.RESPONSE_TIME_DIMENSIONS, default="urgency")


class ResponseTimeRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    acted = serializers.JSONField(help_text='Reports acted on: a number, or "<5" / "x"')
    median_minutes = serializers.JSONField(help_text='Minutes; "x" when hidden; null: no report')
    p90_minutes = serializers.JSONField(help_text='Minutes; "x" when hidden; null: no report')


class ResponseTimesOutput(serializers.Serializer):
    year = serializers.IntegerField()
    by = serializers.CharField()
    threshold = serializers.IntegerField()
    total = ResponseTimeRow()
    rows = ResponseTimeRow(many=True)


def _time_row(row: selectors.ResponseTimeRow) -> dict:
    return {
        "key": str(row.key),
        "label": row.label,
        "acted": row.acted.as_json(),
        "median_minutes": row.median.as_json(),
        "p90_minutes": row.p90.as_json(),
    }


class ResponseTimesApi(GenericAPIView):
    """Time from receiving a report to its first action: median and 90th percentile, in minutes,
    overall and by urgency, province, source or month; hidden where too few reports lie behind."""

    required_permission = Perm.STATISTICS_VIEW
    serializer_class = ResponseTimesOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("by", str, enum=list(selectors.RESPONSE_TIME_DIMENSIONS)),
        ],
        responses=ResponseTimesOutput,
    )
    def get(self, request):
        query = ResponseTimeQuery(data=request.GET)
        query.is_valid(raise_exception=True)
        year, by = query.validated_data["year"], query.validated_data["by"]
        start, end = selectors.year_bounds(year)
        times = selectors.response_times(user=request.user, start=start, end=end, by=by)
        return Response(
            {
                "year": year,
                "by": by,
                "threshold": times.threshold,
                "total": _time_row(times.total),
                "rows": [_time_row(row) for row in times.rows],
            }
        )
