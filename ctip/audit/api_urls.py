from django.urls import path

from . import api

urlpatterns = [
    path("audit-events/", api.AuditEventListApi.as_view(), name="api-audit-events"),
    path("audit-events/<int:seq>/", api.AuditEventDetailApi.as_view(), name="api-audit-event"),
]
