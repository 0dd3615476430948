from django.urls import path

from . import api

urlpatterns = [
    path("operations/", api.OperationListApi.as_view(), name="api-operations"),
    path("operations/hand-offs/", api.PendingHandOffListApi.as_view(), name="api-handoffs-pending"),
]
