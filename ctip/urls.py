from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ctip.core.views import healthz

api_patterns = [
    path("", include("ctip.accounts.api_urls")),
    path("", include("ctip.audit.api_urls")),
    path("", include("ctip.places.api_urls")),
    path("", include("ctip.people.api_urls")),
]

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("ctip.core.urls")),
    path("accounts/", include("ctip.accounts.urls")),
    path("audit/", include("ctip.audit.urls")),
    path("people/", include("ctip.people.urls")),
    path("reference/", include("ctip.places.urls")),
]
