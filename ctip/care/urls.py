from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("cases/<uuid:case_uuid>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<uuid:assessment_uuid>/", views.assessment_detail, name="assessment"),
    path("cases/<uuid:case_uuid>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/<uuid:plan_uuid>/", views.plan_detail, name="plan"),
    path("plans/<uuid:plan_uuid>/goals/new/", views.goal_add, name="goal_add"),
    path("plans/<uuid:plan_uuid>/reviews/new/", views.review_add, name="review_add"),
    path("plans/<uuid:plan_uuid>/submit/", views.plan_submit, name="plan_submit"),
    path("goals/<uuid:goal_uuid>/actions/new/", views.action_add, name="action_add"),
    path("actions/<uuid:action_uuid>/done/", views.action_done, name="action_done"),
    path("cases/<uuid:case_uuid>/services/new/", views.service_new, name="service_new"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/<uuid:delivery_uuid>/", views.request_respond, name="respond"),
]
