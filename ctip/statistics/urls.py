from django.urls import path

from . import views

app_name = "statistics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/", views.definitions, name="definitions"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("annual/", views.annual, name="annual"),
    path("annual/report.xlsx", views.annual_xlsx, name="annual_xlsx"),
    path("annual/report.pdf", views.annual_pdf, name="annual_pdf"),
    path("release/", views.release, name="release"),
]
