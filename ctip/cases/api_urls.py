from django.urls import path

from . import api

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-cases"),
    path("cases/search/", api.CaseSearchApi.as_view(), name="api-cases-search"),
    path("cases/<uuid:case_uuid>/", api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<uuid:case_uuid>/notes/", api.CaseNotesApi.as_view(), name="api-case-notes"),
    path("cases/<uuid:case_uuid>/tasks/", api.CaseTasksApi.as_view(), name="api-case-tasks"),
    path("tasks/<uuid:task_uuid>/done/", api.TaskDoneApi.as_view(), name="api-task-done"),
]
