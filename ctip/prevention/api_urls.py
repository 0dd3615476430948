from django.urls import path

from . import api

urlpatterns = [
    path(
        "prevention/programmes/", api.ProgrammeListApi.as_view(), name="api-prevention-programmes"
    ),
    path(
        "prevention/sessions/<uuid:session_uuid>/attendance/",
        api.SessionAttendanceApi.as_view(),
        name="api-prevention-attendance",
    ),
    path("prevention/reach/", api.ReachApi.as_view(), name="api-prevention-reach"),
    path(
        "prevention/trainings/", api.TrainingSummaryApi.as_view(), name="api-prevention-trainings"
    ),
]
