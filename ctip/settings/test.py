"""Test profile: fast password hashing, 2FA on (tests log in with a verified device)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CTIP_REQUIRE_2FA = True
AXES_FAILURE_LIMIT = 5
WHITENOISE_AUTOREFRESH = True
