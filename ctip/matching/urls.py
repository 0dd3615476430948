from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<uuid:candidate_uuid>/", views.detail, name="detail"),
]
