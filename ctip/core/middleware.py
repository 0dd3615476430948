from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# The API authenticates by token as well as session, so DRF decides there (ctip.access.api).
_SELF_AUTHENTICATING_PREFIXES = ("/api/", "/static/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs login unless its view is marked `login_not_required`."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(_SELF_AUTHENTICATING_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApiJsonErrorsMiddleware:
    """An unknown URL under /api/ answers JSON like the API's own 404s, not the HTML page.

    Django's resolver answers before DRF is reached (e.g. a path parameter that is not a
    UUID); API clients, and the schema that documents 404 as JSON, expect `{"detail": ...}`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/v1/")
            and response.status_code in (404, 500)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            detail = _("Not found.") if response.status_code == 404 else _("Server error.")
            return JsonResponse({"detail": str(detail)}, status=response.status_code)
        return response


class NoStoreMiddleware:
    """Keeps the pages and API answers of CTIP out of browser and proxy caches.

    A shared phone or office computer must not keep a survivor's record on disk, nor show it
    through the back button after sign-out. Every response that passes through Django (static
    files are served by WhiteNoise before this runs) gets `no-store, private`, whether or not the
    user was signed in: error pages and the login form carry nothing worth caching either. A
    view that sets its own Cache-Control keeps it if it says no-store, or if nobody is signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # already the strictest; the view chose its words
        # request.user is also set by DRF's token authentication once the view has run.
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or not response.has_header("Cache-Control"):
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response


class NulQueryRefusedMiddleware:
    """A query string with a NUL character is refused (400) before any view reads it.

    No CTIP parameter can contain NUL, and PostgreSQL refuses it in text values: views that
    filter on a query parameter would otherwise answer 500 (found by the API fuzzing test).
    Form and JSON fields are already refused by their validators.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            detail = _("Query parameters must not contain NUL characters.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(detail)}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class CtipNotFoundPageMiddleware:
    """With DEBUG=1, a 404 raised by a CTIP view still shows CTIP's page, as in production.

    Django answers every Http404 with its technical page under DEBUG, which would hide what a
    user is really shown (and how "not yours" looks the same as "does not exist"). An unknown
    URL never reaches a view, so it keeps the technical page in development: it lists the URL
    patterns. With DEBUG off Django already calls handler404 (ctip.core.views.page_not_found).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.conf import settings
        from django.http import Http404

        if settings.DEBUG and isinstance(exception, Http404):
            from .views import page_not_found

            return page_not_found(request, exception)
        return None
