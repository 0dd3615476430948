from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from .dashboard import dashboard_widgets
from .navigation import dashboard_panels
from .work_queue import work_queue_for


def home(request: HttpRequest) -> HttpResponse:
    """The role dashboard: the user's work queue, live widgets, then one panel per role."""
    return render(
        request,
        "core/home.html",
        {
            "queue": work_queue_for(user=request.user),
            "widgets": dashboard_widgets(request),
            "panels": dashboard_panels(request.user),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; says nothing about any record."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- Error pages (ctip/urls.py names them handler403, handler404, handler500) ------------------
# The same pages with DEBUG on or off: a 403 or 404 raised by a CTIP view shows CTIP's page in
# development too (ctip.core.middleware.CtipNotFoundPageMiddleware); only an unknown URL under
# DEBUG=1 gets Django's technical 404, which lists the URL patterns for the developer.


def _back_url(request: HttpRequest) -> str | None:
    """The page the user came from, when it is a page of this site other than this one."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header: no link rather than a second error
        return None
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return None
    if referer.split("#")[0] == request.build_absolute_uri():
        return None
    return referer


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403: what is missing (a role, consent, an active organisation), never which record.

    The refusal's own message when it has one (ctip/access/refusals.py and the services'
    PermissionDenied messages); else what refusals.py says for this user."""
    from ctip.access.refusals import refusal_message

    reason = str(exception.args[0]) if exception is not None and exception.args else ""
    if not reason:
        try:
            reason = refusal_message(getattr(request, "user", None))
        except Exception:  # refused before the user was fully set up (e.g. in a middleware)
            reason = ""  # the template's general words
    body = loader.render_to_string(
        "403.html", {"reason": reason, "back_url": _back_url(request)}, request=request
    )
    return HttpResponseForbidden(body)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the same words for a page that does not exist and a record that is not yours
    (STYLE.md rule 4); never the path or the exception's text."""
    body = loader.render_to_string("404.html", {"back_url": _back_url(request)}, request=request)
    return HttpResponseNotFound(body)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a static page in the user's language when it can be, with a link home.

    It must render when the database, the session or the URLconf is what failed: no request
    context (no context processors, no user, no menu), no database, and a bare page if even
    the template fails."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.urls import reverse

    try:
        home = reverse("core:home")
    except Exception:  # a broken URLconf: the site's root
        home = "/"
    try:
        # With hashed names (production) a missing manifest raises: then the page goes unstyled.
        css = staticfiles_storage.url("ctip/ctip.css")
    except Exception:
        css = None
    try:
        body = loader.get_template("500.html").render({"home_url": home, "css_url": css})
    except Exception:
        body = (
            "<!doctype html><title>Server error</title><h1>Server error</h1>"
            f'<p><a href="{home}">CTIP</a></p>'
        )
    return HttpResponseServerError(body)
