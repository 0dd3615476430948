from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ctip.access.api import IsVerifiedUser
from ctip.core.views import healthz

api_patterns = [
    path("", include("ctip.accounts.api_urls")),
    path("", include("ctip.audit.api_urls")),
    path("", include("ctip.places.api_urls")),
    path("", include("ctip.people.api_urls")),
    path("", include("ctip.intake.api_urls")),
    path("", include("ctip.operations.api_urls")),
    path("", include("ctip.cases.api_urls")),
    path("", include("ctip.care.api_urls")),
    path("", include("ctip.justice.api_urls")),
    path("", include("ctip.evidence.api_urls")),
    path("", include("ctip.prevention.api_urls")),
    path("", include("ctip.shelters.api_urls")),
    path("", include("ctip.referrals.api_urls")),
    path("", include("ctip.returns.api_urls")),
    path("", include("ctip.matching.api_urls")),
    path("", include("ctip.networks.api_urls")),
    path("", include("ctip.statistics.api_urls")),
    path("", include("ctip.exchange.api_urls")),
    path("", include("ctip.interop.api_urls")),
]

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_patterns)),
    # The schema maps every endpoint and field: for verified users only, like the API itself.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsVerifiedUser]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        login_required(
            # The split view serves Swagger UI's start-up script from its own URL (?script),
            # and core/swagger_ui.html has no inline <style>: no exception to the page policy.
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema",
                permission_classes=[IsVerifiedUser],
                template_name="core/swagger_ui.html",
            )
        ),
        name="api-docs",
    ),
    path("", include("ctip.core.urls")),
    path("accounts/", include("ctip.accounts.urls")),
    path("audit/", include("ctip.audit.urls")),
    path("people/", include("ctip.people.urls")),
    path("reference/", include("ctip.places.urls")),
    path("intake/", include("ctip.intake.urls")),
    path("operations/", include("ctip.operations.urls")),
    path("cases/", include("ctip.cases.urls")),
    path("care/", include("ctip.care.urls")),
    path("justice/", include("ctip.justice.urls")),
    path("evidence/", include("ctip.evidence.urls")),
    path("prevention/", include("ctip.prevention.urls")),
    path("shelters/", include("ctip.shelters.urls")),
    path("referrals/", include("ctip.referrals.urls")),
    path("returns/", include("ctip.returns.urls")),
    path("matching/", include("ctip.matching.urls")),
    path("networks/", include("ctip.networks.urls")),
    path("statistics/", include("ctip.statistics.urls")),
    path("exchange/", include("ctip.exchange.urls")),
    path("interop/", include("ctip.interop.urls")),
]

# CTIP's own error pages in the user's language, with DEBUG on or off (ctip/core/views.py).
handler403 = "ctip.core.views.permission_denied"
handler404 = "ctip.core.views.page_not_found"
handler500 = "ctip.core.views.server_error"
