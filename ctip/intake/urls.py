from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.report_queue, name="queue"),
    path("new/", views.report_console, name="console"),
    path("tip/", views.tip_form, name="tip"),
    path("tip/status/", views.tip_status, name="tip_status"),
    path("<uuid:report_uuid>/", views.report_detail, name="detail"),
    path("<uuid:report_uuid>/triage/", views.report_triage_view, name="triage"),
    path("<uuid:report_uuid>/dispatch/", views.report_dispatch_view, name="dispatch"),
    path("<uuid:report_uuid>/accept/", views.report_accept_view, name="accept"),
    path("<uuid:report_uuid>/decline/", views.report_decline_view, name="decline"),
    path("<uuid:report_uuid>/close/", views.report_close_view, name="close"),
    path("<uuid:report_uuid>/link/", views.report_link_view, name="link"),
]
