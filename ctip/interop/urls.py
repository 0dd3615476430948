from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path("", views.system_list, name="list"),
    path("<uuid:system_uuid>/active/", views.system_set_active, name="set_active"),
]
