from django.urls import path

from . import views

app_name = "justice"
urlpatterns = [
    path("", views.investigation_list, name="list"),
    path("new/", views.investigation_create, name="create"),
    path("<uuid:investigation_uuid>/", views.investigation_detail, name="detail"),
    path("<uuid:investigation_uuid>/victims/new/", views.victim_add, name="victim_add"),
    path("<uuid:investigation_uuid>/suspects/new/", views.suspect_add, name="suspect_add"),
    path("<uuid:investigation_uuid>/complaints/new/", views.complaint_add, name="complaint_add"),
    path("<uuid:investigation_uuid>/court/new/", views.court_case_add, name="court_case_add"),
    path(
        "suspects/<uuid:suspect_uuid>/identifiers/new/", views.identifier_add, name="identifier_add"
    ),
    path("suspects/<uuid:suspect_uuid>/relations/new/", views.relation_add, name="relation_add"),
    path("suspects/<uuid:suspect_uuid>/arrests/new/", views.arrest_add, name="arrest_add"),
    path("suspects/<uuid:suspect_uuid>/charges/new/", views.charge_add, name="charge_add"),
    path("court/<uuid:court_case_uuid>/hearings/new/", views.hearing_add, name="hearing_add"),
    path("court/<uuid:court_case_uuid>/verdicts/new/", views.verdict_add, name="verdict_add"),
    path("hearings/<uuid:hearing_uuid>/outcome/", views.hearing_outcome, name="hearing_outcome"),
    path("hearings/<uuid:hearing_uuid>/postpone/", views.hearing_postpone, name="hearing_postpone"),
    path(
        "hearings/<uuid:hearing_uuid>/witness/new/",
        views.witness_support_add,
        name="witness_support_add",
    ),
    path("verdicts/<uuid:verdict_uuid>/appeals/new/", views.appeal_add, name="appeal_add"),
    path("identifiers/", views.identifier_search, name="identifier_search"),
    path("identifiers/<uuid:identifier_uuid>/", views.identifier_detail, name="identifier"),
    path("law/", views.law_article_list, name="law_articles"),
    path("law/new/", views.law_article_create, name="law_article_create"),
    path("law/<uuid:article_uuid>/edit/", views.law_article_edit, name="law_article_edit"),
    path("counts/", views.counts, name="counts"),
]
