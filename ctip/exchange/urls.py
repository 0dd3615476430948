from django.urls import path, re_path

from . import import_views, views

app_name = "exchange"
urlpatterns = [
    path("htcds/", views.htcds, name="htcds"),
    path("compare/", views.compare, name="compare"),
    re_path(r"^htcds/export\.(?P<fmt>csv|json)$", views.htcds_download, name="htcds_download"),
    path("import/", import_views.import_home, name="import"),
    path("import/<uuid:batch_uuid>/", import_views.import_batch, name="import_batch"),
    path("import/<uuid:batch_uuid>/advance/", import_views.import_advance, name="import_advance"),
    path(
        "import/<uuid:batch_uuid>/errors.csv",
        import_views.import_errors_csv,
        name="import_errors",
    ),
]
