from django.urls import path

from . import api

urlpatterns = [
    path("interop/cases/", api.InteropCaseListApi.as_view(), name="api-interop-cases"),
    path(
        "interop/cases/<uuid:system_uuid>/<str:external_id>/",
        api.InteropCaseApi.as_view(),
        name="api-interop-case",
    ),
]
