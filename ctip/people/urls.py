from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create_view, name="create"),
    path("<uuid:person_uuid>/", views.person_detail, name="detail"),
    path("<uuid:person_uuid>/edit/", views.person_edit_view, name="edit"),
    path("<uuid:person_uuid>/family/new/", views.family_link_add_view, name="family_add"),
    path("<uuid:person_uuid>/documents/", views.documents_view, name="documents"),
    path("<uuid:person_uuid>/photo/", views.photo_view, name="photo"),
]
