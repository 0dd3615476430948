from django.urls import path

from . import api

urlpatterns = [
    path(
        "investigations/<uuid:investigation_uuid>/evidence/",
        api.EvidenceListApi.as_view(),
        name="api-evidence",
    ),
]
