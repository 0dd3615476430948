"""Test profile: fast password hashing, 2FA on (tests log in with a verified device)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CTIP_REQUIRE_2FA = True
AXES_FAILURE_LIMIT = 5
WHITENOISE_AUTOREFRESH = True
# The suite calls the API thousands of times a minute with the same users, tokens and address
# (ctip/core/tests/test_fuzz_api.py): the throttles run at rates it never reaches, counting in
# memory so that the query counts pinned on API endpoints stay those of the endpoint. Tests of
# the throttles lower the rates, and use the database cache too (test_api_throttling.py).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "token": "100000/minute",
        "user": "100000/minute",
        "anon": "100000/minute",
    },
}
CACHES = {
    **CACHES,  # noqa: F405
    "api-throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
CTIP_API_THROTTLE_CACHE = "api-throttle"
