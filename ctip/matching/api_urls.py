from django.urls import path

from . import api

urlpatterns = [
    path("matching/candidates/", api.CandidateListApi.as_view(), name="api-match-candidates"),
    path(
        "matching/candidates/<uuid:candidate_uuid>/",
        api.CandidateDecisionApi.as_view(),
        name="api-match-candidate",
    ),
]
