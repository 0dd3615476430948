from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("", views.operation_list, name="list"),
    path("new/", views.operation_create_view, name="create"),
    path("<uuid:operation_uuid>/", views.operation_detail, name="detail"),
    path("<uuid:operation_uuid>/status/", views.operation_status_view, name="status"),
    path("<uuid:operation_uuid>/found/", views.found_person_add, name="found_add"),
    path("screen/<uuid:person_uuid>/", views.screening_create_view, name="screen"),
    path("screenings/<uuid:screening_uuid>/", views.screening_detail, name="screening"),
    path(
        "screenings/<uuid:screening_uuid>/revise/",
        views.screening_revise_view,
        name="screening_revise",
    ),
    path(
        "screenings/<uuid:screening_uuid>/hand-off/",
        views.screening_hand_off_view,
        name="screening_hand_off",
    ),
    path("hand-offs/", views.handoff_list, name="handoffs"),
    path("hand-offs/<uuid:handoff_uuid>/decide/", views.handoff_decide_view, name="handoff_decide"),
    path("instrument/", views.instrument_view, name="instrument"),
]
