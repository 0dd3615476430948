"""A small fixed-window rate limit for the public pages, keyed by client address.

The counts live in the default cache, the database cache (settings.CACHES): shared by every
server process and kept across restarts. The address comes from ctip.core.client_ip, which
believes X-Forwarded-For only from the proxies in CTIP_TRUSTED_PROXIES.

Limits are read from settings at call time so tests can change them:
`CTIP_TIP_RATE_LIMIT = (count, seconds)` for the public pages (default 10 per hour).
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from ctip.core.client_ip import client_ip

DEFAULT_LIMIT = (10, 3600)


def client_key(request: HttpRequest) -> str:
    """The address an attempt is counted against. An IPv6 client usually holds a whole /64 and
    can change address inside it at will, so IPv6 is counted by its /64."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


def limit() -> tuple[int, int]:
    return tuple(getattr(settings, "CTIP_TIP_RATE_LIMIT", DEFAULT_LIMIT))  # type: ignore[return-value]


def hit(request: HttpRequest, bucket: str) -> bool:
    """Counts one attempt in `bucket` from this address; False once over the limit."""
    count, seconds = limit()
    window = int(time.time() // seconds)
    prefix = f"ctip-rl:{bucket}:{client_key(request)}:{window}"
    # Each allowed attempt claims its own numbered slot with cache.add, an INSERT that only one
    # request can win, so parallel requests cannot share a slot and a window admits exactly
    # `count`. (A get-then-set counter loses updates under concurrency, and the database
    # cache's incr() would also reset the key's timeout.) `next` only saves queries.
    start = cache.get(f"{prefix}:next", 0)
    for slot in range(start, count):
        if cache.add(f"{prefix}:{slot}", 1, timeout=seconds):
            cache.set(f"{prefix}:next", slot + 1, timeout=seconds)
            return True
    return False
