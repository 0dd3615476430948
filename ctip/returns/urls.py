from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.return_list, name="list"),
    path("flags/", views.flag_list, name="flags"),
    path("flags/<uuid:flag_uuid>/review/", views.flag_review_view, name="flag_review"),
    path("case/<uuid:case_uuid>/", views.case_aftercare, name="case"),
    path("case/<uuid:case_uuid>/new/", views.return_create_view, name="create"),
    path("case/<uuid:case_uuid>/reintegration/new/", views.plan_create_view, name="plan_create"),
    path("<uuid:return_uuid>/edit/", views.return_edit_view, name="edit"),
    path("reintegration/<uuid:plan_uuid>/", views.plan_detail, name="plan"),
    path("reintegration/<uuid:plan_uuid>/done/", views.plan_complete_view, name="plan_complete"),
    path("visits/<uuid:visit_uuid>/", views.visit_record_view, name="visit"),
]
