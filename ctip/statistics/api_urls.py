from django.urls import path

from . import api

urlpatterns = [
    path(
        "statistics/indicators/",
        api.IndicatorListApi.as_view(),
        name="api-statistics-indicators",
    ),
    path(
        "statistics/indicators/<slug:code>/",
        api.IndicatorFiguresApi.as_view(),
        name="api-statistics-indicator",
    ),
    path(
        "statistics/response-times/",
        api.ResponseTimesApi.as_view(),
        name="api-statistics-response-times",
    ),
]
