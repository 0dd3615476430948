from django.urls import path

from . import api

urlpatterns = [
    path("people/", api.PersonListApi.as_view(), name="api-people"),
    path("people/search/", api.PersonSearchApi.as_view(), name="api-people-search"),
    path("people/<uuid:person_uuid>/", api.PersonDetailApi.as_view(), name="api-person"),
]
