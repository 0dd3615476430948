"""The capacity board over REST, for partners: numbers by facility, sex and age, no identity."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ctip.accounts.roles import Perm

from .selectors import capacity_board


class BoardRowOutput(serializers.Serializer):
    organisation = serializers.CharField()
    facility = serializers.CharField()
    facility_type = serializers.CharField()
    province = serializers.CharField()
    sex = serializers.CharField()
    ages = serializers.CharField()
    places = serializers.IntegerField()
    occupied = serializers.IntegerField()
    free = serializers.IntegerField()


class CapacityBoardApi(APIView):
    required_permission = Perm.CAPACITY_VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("province", str, description="NCDD province code"),
            OpenApiParameter("sex", str, description="f or m"),
        ],
        responses=BoardRowOutput(many=True),
    )
    def get(self, request):
        sex = request.GET.get("sex", "")
        rows = capacity_board(
            user=request.user,
            province=request.GET.get("province", "")[:4],
            sex=sex if sex in ("f", "m") else "",
        )
        return Response(BoardRowOutput(rows, many=True).data)
