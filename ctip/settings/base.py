"""CTIP settings, read from the environment.

DATABASE_URL  PostgreSQL in production; default: SQLite file var/ctip.sqlite3
SECRET_KEY    required when DEBUG is off
DEBUG         "1"/"true" for local development
CTIP_REQUIRE_2FA  "0" relaxes two-factor authentication, for the local demo only
"""

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path

import csp.constants
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CTIP_VAR_DIR", BASE_DIR / "var"))


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ctip.core",
    "ctip.accounts",
    "ctip.access",
    "ctip.audit",
    "ctip.places",
    "ctip.people",
    "ctip.intake",
    "ctip.operations",
    "ctip.cases",
    "ctip.care",
    "ctip.justice",
    "ctip.evidence",
    "ctip.prevention",
    "ctip.shelters",
    "ctip.referrals",
    "ctip.returns",
    "ctip.matching",
    "ctip.networks",
    "ctip.statistics",
    "ctip.exchange",
    "ctip.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The page policy (CONTENT_SECURITY_POLICY below) on every response.
    "csp.middleware.CSPMiddleware",
    # Pages shrink 3-5x on slow rural links (bench/page_bytes.py). Django pads compressed
    # responses at random, which blunts BREACH against the CSRF token.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside everything below that answers for a signed-in user: no response is cacheable.
    "ctip.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ctip.accounts.middleware.TwoFactorRequiredMiddleware",
    "ctip.core.middleware.LoginRequiredMiddleware",
    "ctip.core.middleware.ApiJsonErrorsMiddleware",
    # A CTIP view's 404 shows CTIP's page under DEBUG=1 too (ctip/core/views.py, error pages).
    "ctip.core.middleware.CtipNotFoundPageMiddleware",
    "ctip.core.middleware.NulQueryRefusedMiddleware",
    "ctip.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ctip.urls"
WSGI_APPLICATION = "ctip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ctip.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ctip.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue instead of failing; IMMEDIATE takes the write lock at BEGIN, so the
        # audit chain head is never read by two writers at once.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process and surviving restarts, on the database CTIP already has
# (SQLite or PostgreSQL): rate limits live here. ctip/core/migrations/0002 creates its table.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ctip_cache",
        # Past MAX_ENTRIES Django deletes a third of the rows: high enough that a flood from
        # many addresses does not wipe the counters that stop it.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout: the session lives 30 minutes after the last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failures (ctip/accounts/security.py). 5 failures lock an account at
# the address they came from, for 30 minutes: a stranger elsewhere can never lock the 24-hour
# hotline out. An address that fails 20 times across accounts in that window is refused for
# every account, except for the accounts that have signed in from it before: password spraying
# stops, and staff behind one office NAT keep working.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = "ctip.accounts.security.lockout_parameters"
CTIP_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("CTIP_LOGIN_FAILURES_PER_ADDRESS", "20"))
# The login form names the email field "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ctip.accounts.security.lockout_username"
AXES_CLIENT_IP_CALLABLE = "ctip.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ctip.accounts.security.lockout_response"
AXES_VERBOSE = False

# Reverse proxies whose X-Forwarded-For is believed (ctip/core/client_ip.py): comma-separated
# addresses or networks, e.g. "10.0.0.5,fd00::/64". Empty: the client is REMOTE_ADDR.
CTIP_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("CTIP_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in CTIP_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CTIP_TRUSTED_PROXIES: {_proxy!r} is not an address.") from exc

# Two-factor authentication is required for roles that see identifying data. Only the local demo
# may relax it, and the page shell says so on every page.
CTIP_REQUIRE_2FA = env_flag("CTIP_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "CTIP"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("km", _("Khmer"))]
LOCALE_PATHS = [BASE_DIR / "ctip" / "locale"]
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded files (evidence, photos): kept under var/, never served as static files. They are
# streamed by views that check access and log custody.
MEDIA_ROOT = Path(os.environ.get("CTIP_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/files/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Audit key and checkpoints (docs/operations.md, "The audit key") ----------------------------
# The audit chain is sealed with HMAC keys kept outside the database: "id1:secret1,id2:secret2",
# from CTIP_AUDIT_KEYS or the file named by CTIP_AUDIT_KEYS_FILE. The first seals new events;
# the others verify events sealed before a rotation. Without either, a key derived from
# SECRET_KEY (development, tests, benchmarks): production refuses it.
CTIP_AUDIT_KEYS = os.environ.get("CTIP_AUDIT_KEYS", "").strip()
if not CTIP_AUDIT_KEYS and os.environ.get("CTIP_AUDIT_KEYS_FILE"):
    CTIP_AUDIT_KEYS = Path(os.environ["CTIP_AUDIT_KEYS_FILE"]).read_text(encoding="utf-8").strip()
CTIP_AUDIT_KEYS_DERIVED = not CTIP_AUDIT_KEYS
if CTIP_AUDIT_KEYS_DERIVED:
    from ctip.audit.keys import derived_key

    CTIP_AUDIT_KEYS = f"derived:{derived_key(SECRET_KEY)}"
# Signed checkpoints of the chain's head (`manage.py audit_checkpoint`), outside the database.
CTIP_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("CTIP_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints")
)

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a missing or bad credential answers 401 with WWW-Authenticate.
        # CTIP's own tokens (ctip/accounts/authentication.py): hashed, expiring, scoped.
        "ctip.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ctip.access.api.IsVerifiedUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Per API token, per signed-in user, and per client address for anonymous requests
    # (ctip/accounts/throttling.py); beyond the rate: 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "ctip.accounts.throttling.TokenRateThrottle",
        "ctip.accounts.throttling.UserRateThrottle",
        "ctip.accounts.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("CTIP_API_RATE_TOKEN", "600/minute"),
        "user": os.environ.get("CTIP_API_RATE_USER", "600/minute"),
        "anon": os.environ.get("CTIP_API_RATE_ANON", "60/minute"),
    },
    "EXCEPTION_HANDLER": "ctip.accounts.throttling.api_exception_handler",
}
for _scope, _rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items():
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", _rate):
        raise ImproperlyConfigured(f"CTIP_API_RATE_{_scope.upper()}: not a rate: {_rate!r}")
SPECTACULAR_SETTINGS = {
    "TITLE": "CTIP API",
    "DESCRIPTION": "Counter-trafficking information system. Every endpoint applies the same "
    "access policy as the pages: records of other organisations answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AuditActionEnum": "ctip.audit.models.AuditAction",
        "PersonSexEnum": "ctip.people.models.Sex",
        "CaseStatusEnum": "ctip.cases.models.CaseStatus",
        "CaseSourceEnum": "ctip.cases.models.CaseSource",
        "NoteKindEnum": "ctip.cases.models.NoteKind",
        "ReportSourceEnum": "ctip.intake.models.Source",
        "ReportStatusEnum": "ctip.intake.models.Status",
        "ReportUrgencyEnum": "ctip.intake.models.Urgency",
        "InvestigationSourceEnum": "ctip.justice.models.InvestigationSource",
        "InvestigationStatusEnum": "ctip.justice.models.InvestigationStatus",
        "ImportStatusEnum": "ctip.exchange.models.ImportStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ctip.core.openapi.postprocess_error_responses",
    ],
}

# --- Security headers (production tightens these further) ---------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from this server's static files,
# never inline, never eval. Pages load behaviour from ctip/core/static/ctip/ctip.js (data-
# attributes, no on*= handlers); htmx runs with allowEval off and its indicator styles in
# ctip.css. Only the API's Swagger UI (/api/docs/) relaxes style-src, by decorator (ctip/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.NONE],
        "frame-ancestors": [csp.constants.NONE],
        "form-action": [csp.constants.SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
