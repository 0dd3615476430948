"""Returns by country and year over REST: counts only, for the statistics issue."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ctip.accounts.roles import Perm

from .selectors import returns_by_country_year


class ReturnCountOutput(serializers.Serializer):
    country = serializers.CharField()
    country_name = serializers.CharField()
    year = serializers.IntegerField()
    direction = serializers.CharField()
    count = serializers.IntegerField()


class ReturnsTableApi(APIView):
    required_permission = (Perm.RETURNS_VIEW, Perm.STATISTICS_VIEW)

    @extend_schema(
        parameters=[OpenApiParameter("direction", str, description="to_kh or from_kh")],
        responses=ReturnCountOutput(many=True),
    )
    def get(self, request):
        rows = returns_by_country_year(
            user=request.user, direction=request.GET.get("direction", "")[:10]
        )
        return Response(ReturnCountOutput(rows, many=True).data)
