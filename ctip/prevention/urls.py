from django.urls import path

from . import views

app_name = "prevention"
urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/new/", views.programme_create_view, name="programme_create"),
    path("programmes/<uuid:programme_uuid>/", views.programme_detail, name="programme"),
    path(
        "programmes/<uuid:programme_uuid>/edit/", views.programme_edit_view, name="programme_edit"
    ),
    path(
        "programmes/<uuid:programme_uuid>/groups/new/",
        views.group_create_view,
        name="group_create",
    ),
    path(
        "programmes/<uuid:programme_uuid>/sessions/new/",
        views.session_create_view,
        name="session_create",
    ),
    path("groups/<uuid:group_uuid>/", views.group_detail, name="group"),
    path(
        "groups/<uuid:group_uuid>/members/<uuid:member_uuid>/leave/",
        views.member_leave_view,
        name="member_leave",
    ),
    path("sessions/<uuid:session_uuid>/", views.session_detail, name="session"),
    path("reach/", views.reach_view, name="reach"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_create_view, name="assessment_create"),
    path("assessments/<uuid:assessment_uuid>/", views.assessment_detail, name="assessment"),
    path("trainings/", views.training_list, name="trainings"),
    path("trainings/new/", views.training_create_view, name="training_create"),
    path("trainings/<uuid:training_uuid>/", views.training_detail, name="training"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
]
