from django.urls import path

from . import api

urlpatterns = [
    path(
        "cases/<uuid:case_uuid>/assessments/",
        api.CaseAssessmentsApi.as_view(),
        name="api-case-assessments",
    ),
    path(
        "cases/<uuid:case_uuid>/care-plans/",
        api.CaseCarePlansApi.as_view(),
        name="api-case-care-plans",
    ),
    path("care-plans/<uuid:plan_uuid>/", api.CarePlanDetailApi.as_view(), name="api-care-plan"),
]
