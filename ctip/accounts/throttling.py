"""API rate limits: per token, per signed-in user, and per client address for the anonymous.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (scopes "token", "user", "anon"; set
from the environment in ctip/settings/base.py). Beyond its rate a caller gets 429 with a
Retry-After header and a translated message (`api_exception_handler`). The counters live in
the cache named by CTIP_API_THROTTLE_CACHE (default: "default", shared by all processes).
"""

import math

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ctip.core.client_ip import client_ip


def client_address(request) -> str:
    # Never DRF's default get_ident: it believes any X-Forwarded-For header the client sends.
    return client_ip(request) or "unknown"


class _RateFromSettings(SimpleRateThrottle):
    @property
    def cache(self):
        return caches[getattr(settings, "CTIP_API_THROTTLE_CACHE", "default")]

    def get_rate(self):
        # DRF copies the rates into a class attribute at import time; reading them at each
        # request lets settings overrides (and tests) change them.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            return super().get_rate()  # raises ImproperlyConfigured, naming the scope

    def key_for(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenRateThrottle(_RateFromSettings):
    """Requests authenticated by an API token, counted per token."""

    scope = "token"  # noqa: S105 (a rate scope, not a secret)

    def get_cache_key(self, request, view):
        from .models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self.key_for(request.auth.pk)


class UserRateThrottle(_RateFromSettings):
    """Requests of a signed-in session (not a token), counted per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request.auth is not None or not request.user.is_authenticated:
            return None
        return self.key_for(request.user.pk)


class AnonRateThrottle(_RateFromSettings):
    """Requests without credentials, counted per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return None
        return self.key_for(self.get_ident(request))

    def get_ident(self, request) -> str:
        return client_address(request)


class _FailedAuthenticationThrottle(AnonRateThrottle):
    # Same bucket as AnonRateThrottle, but never asks request.user: authentication is running.
    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))


def count_failed_authentication(request) -> None:
    """Counts a refused credential against the client address; 429 once over the anon rate."""
    throttle = _FailedAuthenticationThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())


class TooManyRequests(exceptions.Throttled):
    def __init__(self, wait: float | None):
        if wait is None:
            detail = _("Too many requests. Wait a moment, then retry.")
        else:
            seconds = max(1, math.ceil(wait))
            detail = ngettext(
                "Too many requests. Retry in %(seconds)d second.",
                "Too many requests. Retry in %(seconds)d seconds.",
                seconds,
            ) % {"seconds": seconds}
        # Not Throttled.__init__: it would append DRF's own English sentence.
        exceptions.APIException.__init__(self, detail)
        self.wait = None if wait is None else max(1, math.ceil(wait))


def api_exception_handler(exc, context):
    """DRF's handler, with CTIP's translated 429 (DRF's sets Retry-After from `wait`)."""
    # Imported here: rest_framework.views imports the authentication classes, which import us.
    from rest_framework.views import exception_handler

    if isinstance(exc, exceptions.Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(exc.wait)
    return exception_handler(exc, context)
