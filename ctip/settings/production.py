"""Production profile: HTTPS only, secure cookies, HSTS. Passes `manage.py check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

from ctip.audit.keys import MIN_SECRET_LENGTH, AuditKeyError, parse_keys

from .base import *  # noqa: F403
from .base import CTIP_AUDIT_KEYS, CTIP_AUDIT_KEYS_DERIVED, CTIP_REQUIRE_2FA, DEBUG, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
if not CTIP_REQUIRE_2FA:
    raise ImproperlyConfigured("Two-factor authentication cannot be relaxed in production.")
# The audit key must live outside the database and apart from SECRET_KEY: a key derived from
# SECRET_KEY, or equal to it, is as exposed as the settings are.
if CTIP_AUDIT_KEYS_DERIVED:
    raise ImproperlyConfigured(
        "Set CTIP_AUDIT_KEYS (or CTIP_AUDIT_KEYS_FILE) in production: see docs/operations.md."
    )
try:
    _audit_keys = parse_keys(CTIP_AUDIT_KEYS)
except AuditKeyError as exc:
    raise ImproperlyConfigured(str(exc)) from None
for _key_id, _secret in _audit_keys.items():
    if len(_secret) < MIN_SECRET_LENGTH or len(set(_secret)) < 5 or _secret == SECRET_KEY.encode():
        raise ImproperlyConfigured(
            f"Audit key {_key_id!r} must be at least {MIN_SECRET_LENGTH} random characters, "
            "and not SECRET_KEY."
        )

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") != "0"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WHITENOISE_USE_FINDERS = False
# Hashed file names (after `collectstatic`) so phones may keep CSS and JS for a year.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
