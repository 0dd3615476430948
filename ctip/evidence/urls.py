from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("investigation/<uuid:investigation_uuid>/new/", views.upload, name="upload"),
    path("investigation/<uuid:investigation_uuid>/medical/", views.medical, name="medical"),
    path("investigation/<uuid:investigation_uuid>/bundle/", views.bundle, name="bundle"),
    path("<uuid:item_uuid>/", views.detail, name="detail"),
    path("<uuid:item_uuid>/file/", views.download, name="download"),
    path("<uuid:item_uuid>/correct/", views.correct, name="correct"),
    path("<uuid:item_uuid>/custody/", views.custody_add, name="custody_add"),
]
