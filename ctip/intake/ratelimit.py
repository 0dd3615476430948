"""A small fixed-window rate limit on Django's cache, keyed by client address.

Limits are read from settings at call time so tests can change them:
`CTIP_TIP_RATE_LIMIT = (count, seconds)` for the public pages (default 10 per hour).
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMIT = (10, 3600)


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and a proxy in front of CTIP sets REMOTE_ADDR through its own configuration.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit() -> tuple[int, int]:
    return tuple(getattr(settings, "CTIP_TIP_RATE_LIMIT", DEFAULT_LIMIT))  # type: ignore[return-value]


def hit(request: HttpRequest, bucket: str) -> bool:
    """Counts one attempt in `bucket` from this address; False once over the limit."""
    count, seconds = limit()
    key = f"ctip-rl:{bucket}:{client_address(request)}"
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
    return used <= count
