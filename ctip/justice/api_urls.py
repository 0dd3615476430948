from django.urls import path

from . import api

urlpatterns = [
    path("investigations/", api.InvestigationListApi.as_view(), name="api-investigations"),
    path(
        "investigations/search/",
        api.InvestigationSearchApi.as_view(),
        name="api-investigations-search",
    ),
    path(
        "investigations/<uuid:investigation_uuid>/",
        api.InvestigationDetailApi.as_view(),
        name="api-investigation",
    ),
    path("law-articles/", api.LawArticleListApi.as_view(), name="api-law-articles"),
    path("justice/counts/", api.CountsApi.as_view(), name="api-justice-counts"),
]
