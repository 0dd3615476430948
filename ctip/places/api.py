"""Read-only REST endpoints for reference data. Each needs `reference.view`, like the pages."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from ctip.accounts.roles import Perm

from .models import Commune, Country, District, Province, Village
from .selectors import (
    communes_visible_to,
    countries_visible_to,
    districts_visible_to,
    provinces_visible_to,
    villages_visible_to,
)

# --- Output ---------------------------------------------------------------------------------------


class ProvinceOutput(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name_en", "name_km", "iso3166_2", "type", "is_active"]


class DistrictOutput(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province_id", read_only=True)

    class Meta:
        model = District
        fields = ["code", "name_en", "name_km", "province_code", "type", "is_active"]


class CommuneOutput(serializers.ModelSerializer):
    district_code = serializers.CharField(source="district_id", read_only=True)

    class Meta:
        model = Commune
        fields = ["code", "name_en", "name_km", "district_code", "type", "is_active"]


class VillageOutput(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune_id", read_only=True)

    class Meta:
        model = Village
        fields = ["code", "name_en", "name_km", "commune_code", "is_active"]


class CountryOutput(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "alpha3", "name_en", "name_km"]


# --- Input (query parameters) ---------------------------------------------------------------------


class RetiredFilter(serializers.Serializer):
    include_retired = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also list codes that NCDD has retired (is_active false).",
    )


class DistrictFilter(RetiredFilter):
    province = serializers.RegexField(
        r"^[0-9]{2}$", required=False, help_text="Two-digit province code, e.g. 12."
    )


class CommuneFilter(RetiredFilter):
    district = serializers.RegexField(
        r"^[0-9]{4}$", required=False, help_text="Four-digit district code, e.g. 1201."
    )


class VillageFilter(RetiredFilter):
    commune = serializers.RegexField(
        r"^[0-9]{6}$", required=False, help_text="Six-digit commune code, e.g. 120101."
    )
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Part of the Latin or Khmer name, or the start of the code.",
    )


class ReferenceListApi(ListAPIView):
    # A paginated list; `filter_class` parses and checks the query parameters (400 if bad).
    # (A comment, not a docstring: the schema takes each endpoint's docstring as its description.)

    required_permission = Perm.REFERENCE_VIEW
    filter_class: type[serializers.Serializer] = RetiredFilter

    def filters(self) -> dict:
        parsed = self.filter_class(data=self.request.query_params)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data


@extend_schema(summary="Provinces of Cambodia")
class ProvinceListApi(ReferenceListApi):
    """The 25 provinces, in code order."""

    required_permission = Perm.REFERENCE_VIEW
    serializer_class = ProvinceOutput

    def get_queryset(self) -> QuerySet[Province]:
        return provinces_visible_to(user=self.request.user)


@extend_schema(summary="Districts", parameters=[DistrictFilter])
class DistrictListApi(ReferenceListApi):
    """Districts in code order, of one province with `province`."""

    required_permission = Perm.REFERENCE_VIEW
    serializer_class = DistrictOutput
    filter_class = DistrictFilter

    def get_queryset(self) -> QuerySet[District]:
        params = self.filters()
        return districts_visible_to(
            user=self.request.user,
            province_code=params.get("province"),
            include_retired=params["include_retired"],
        )


@extend_schema(summary="Communes", parameters=[CommuneFilter])
class CommuneListApi(ReferenceListApi):
    """Communes in code order, of one district with `district`."""

    required_permission = Perm.REFERENCE_VIEW
    serializer_class = CommuneOutput
    filter_class = CommuneFilter

    def get_queryset(self) -> QuerySet[Commune]:
        params = self.filters()
        return communes_visible_to(
            user=self.request.user,
            district_code=params.get("district"),
            include_retired=params["include_retired"],
        )


@extend_schema(summary="Villages", parameters=[VillageFilter])
class VillageListApi(ReferenceListApi):
    """Villages in code order, of one commune with `commune`, matching `q` when given."""

    required_permission = Perm.REFERENCE_VIEW
    serializer_class = VillageOutput
    filter_class = VillageFilter

    def get_queryset(self) -> QuerySet[Village]:
        params = self.filters()
        return villages_visible_to(
            user=self.request.user,
            commune_code=params.get("commune"),
            query=params.get("q", ""),
            include_retired=params["include_retired"],
        )


@extend_schema(summary="Countries (ISO 3166-1)")
class CountryListApi(ReferenceListApi):
    """ISO 3166-1 countries by Latin name, with Khmer names."""

    required_permission = Perm.REFERENCE_VIEW
    serializer_class = CountryOutput

    def get_queryset(self) -> QuerySet[Country]:
        return countries_visible_to(user=self.request.user)
