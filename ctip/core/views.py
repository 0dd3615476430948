from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .dashboard import dashboard_widgets
from .navigation import dashboard_panels


def home(request: HttpRequest) -> HttpResponse:
    """The role dashboard: live widgets, then one panel per role the user holds."""
    return render(
        request,
        "core/home.html",
        {"widgets": dashboard_widgets(request), "panels": dashboard_panels(request.user)},
    )


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; says nothing about any record."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
