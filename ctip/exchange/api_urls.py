from django.urls import path

from . import api

urlpatterns: list = [
    path("exchange/htcds/", api.HtcdsExportApi.as_view(), name="api-exchange-htcds"),
    path("exchange/imports/", api.ImportListApi.as_view(), name="api-exchange-imports"),
    path(
        "exchange/imports/<uuid:batch_uuid>/",
        api.ImportDetailApi.as_view(),
        name="api-exchange-import",
    ),
    path(
        "exchange/imports/<uuid:batch_uuid>/advance/",
        api.ImportAdvanceApi.as_view(),
        name="api-exchange-import-advance",
    ),
]
