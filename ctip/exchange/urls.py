from django.urls import path, re_path

from . import views

app_name = "exchange"
urlpatterns = [
    path("htcds/", views.htcds, name="htcds"),
    path("compare/", views.compare, name="compare"),
    re_path(r"^htcds/export\.(?P<fmt>csv|json)$", views.htcds_download, name="htcds_download"),
]
