from django.urls import path

from . import api

urlpatterns = [
    path("shelters/capacity/", api.CapacityBoardApi.as_view(), name="api-capacity"),
]
