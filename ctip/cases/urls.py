from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("my-work/", views.dashboard, name="dashboard"),
    path("open/", views.case_open_view, name="open"),
    path("settings/", views.settings_view, name="settings"),
    path("<uuid:case_uuid>/", views.case_detail, name="detail"),
    path("<uuid:case_uuid>/profile/", views.case_edit_view, name="edit"),
    path("<uuid:case_uuid>/status/", views.case_status_view, name="status"),
    path("<uuid:case_uuid>/closure/", views.closure_request_view, name="closure"),
    path("<uuid:case_uuid>/reopen/", views.reopen_view, name="reopen"),
    path("<uuid:case_uuid>/consent/new/", views.consent_add_view, name="consent_add"),
    path("<uuid:case_uuid>/notes/new/", views.note_add_view, name="note_add"),
    path("<uuid:case_uuid>/tasks/new/", views.task_add_view, name="task_add"),
    path("<uuid:case_uuid>/events/new/", views.event_add_view, name="event_add"),
    path("<uuid:case_uuid>/summary.pdf", views.case_pdf, name="pdf"),
    path("approvals/<uuid:approval_uuid>/", views.approval_view, name="approval"),
    path(
        "consent/<uuid:consent_uuid>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("tasks/<uuid:task_uuid>/done/", views.task_done_view, name="task_done"),
]
