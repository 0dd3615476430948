from django.urls import path

from . import views

app_name = "networks"
urlpatterns = [
    path("", views.home, name="home"),
    path("export.graphml", views.export_graphml, name="graphml"),
]
