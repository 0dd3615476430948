from django.urls import path

from . import api

urlpatterns = [
    path("returns/by-country-year/", api.ReturnsTableApi.as_view(), name="api-returns-table"),
]
