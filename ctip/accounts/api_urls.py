from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("organisations/", api.OrganisationListApi.as_view(), name="api-organisations"),
    path("users/", api.UserListApi.as_view(), name="api-users"),
    path("users/<uuid:user_uuid>/", api.UserDetailApi.as_view(), name="api-user"),
]
