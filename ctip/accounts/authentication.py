"""API authentication by CTIP's own tokens (`Authorization: Token ctip_...`).

A token is found by the SHA-256 hash of the presented key; the key itself is stored nowhere.
Expired, revoked and unknown tokens answer 401; a token used beyond its scopes answers 403.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from .models import ApiScope, ApiToken
from .selectors import api_token_for_key
from .throttling import count_failed_authentication

# last_used_at is written at most once a minute per token, not at every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _presented_token(request) -> tuple[ApiToken | None, str]:
    """The token named by the Authorization header and why it is refused ("" if it is not).

    (None, "") when the header names no token at all: another authentication may apply.
    """
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != ApiTokenAuthentication.keyword.lower().encode():
        return None, ""
    if len(parts) != 2:
        return None, _("Invalid token header: give one token, without spaces.")
    try:
        key = parts[1].decode("ascii")
    except UnicodeError:
        return None, _("Invalid token header: the token has invalid characters.")
    token = api_token_for_key(key)
    if token is None:
        return None, _("Invalid token.")
    if token.revoked_at is not None:
        return token, _("This API token was revoked.")
    if token.expires_at <= timezone.now():
        return token, _("This API token has expired.")
    if not token.user.is_active:
        return token, _("This account is deactivated.")
    return token, ""


def _scope_needed(request) -> str:
    return ApiScope.READ if request.method in SAFE_METHODS else ApiScope.WRITE


def api_token_user(request):
    """The user whose valid token the request carries, for code outside DRF's views (the
    idempotency middleware); None otherwise. No side effect: the view authenticates again."""
    token, refusal = _presented_token(request)
    if token is None or refusal or _scope_needed(request) not in token.scopes:
        return None
    return token.user


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        token, refusal = _presented_token(request)
        if refusal:
            # Refused keys count against the client address's anonymous rate (429 beyond it):
            # DRF checks throttles only after authentication, so guessing would go unslowed.
            count_failed_authentication(request)
            raise exceptions.AuthenticationFailed(refusal)
        if token is None:
            return None
        # The scope is checked here, for every view, so that a view with its own permission
        # classes cannot forget it (fail closed).
        needed = _scope_needed(request)
        if needed not in token.scopes:
            raise exceptions.PermissionDenied(
                _("This API token may not do that: it lacks the %(scope)s scope.")
                % {"scope": needed}
            )
        self._touch(token, timezone.now())
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword

    @staticmethod
    def _touch(token: ApiToken, now) -> None:
        # A queryset update: no full save, no version bump, at most one write a minute.
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token to the OpenAPI schema (`Authorization: Token <key>`)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=ApiTokenAuthentication.keyword
        )
