from django.urls import path

from . import api

urlpatterns = [
    path("provinces/", api.ProvinceListApi.as_view(), name="api-provinces"),
    path("districts/", api.DistrictListApi.as_view(), name="api-districts"),
    path("communes/", api.CommuneListApi.as_view(), name="api-communes"),
    path("villages/", api.VillageListApi.as_view(), name="api-villages"),
    path("countries/", api.CountryListApi.as_view(), name="api-countries"),
]
