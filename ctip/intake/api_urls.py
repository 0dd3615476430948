from django.urls import path

from . import api

urlpatterns = [
    path("intake/reports/", api.ReportListApi.as_view(), name="api-reports"),
    path("intake/reports/<uuid:report_uuid>/", api.ReportDetailApi.as_view(), name="api-report"),
    path(
        "intake/reports/<uuid:report_uuid>/triage/",
        api.ReportTriageApi.as_view(),
        name="api-report-triage",
    ),
    path(
        "intake/reports/<uuid:report_uuid>/dispatch/",
        api.ReportDispatchApi.as_view(),
        name="api-report-dispatch",
    ),
    path("intake/webhook/", api.SmsWebhookApi.as_view(), name="api-intake-webhook"),
]
