"""The client's address, the one way CTIP reads it: for the public tip form's rate limit, for the
login lockout (django-axes, AXES_CLIENT_IP_CALLABLE) and for the API throttles.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as it was
written by a proxy listed in CTIP_TRUSTED_PROXIES. A proxy appends the address of the peer it
received the request from, so the header is walked from the right: each trusted proxy vouches
for the entry to its left, and the first address that is not a trusted proxy is the client.
Anything left of that was written by the client and is ignored. With no trusted proxies (the
default) the header is never read and the client is REMOTE_ADDR.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the request carries no usable address."""
    remote = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = trusted_networks(tuple(getattr(settings, "CTIP_TRUSTED_PROXIES", ())))
    client = remote
    if _is_trusted(client, trusted):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = parse_ip(hop)
            if address is None:
                # A trusted proxy writes addresses only: stop at the proxy that passed this on.
                break
            client = address
            if not _is_trusted(address, trusted):
                break
    return str(client)


def parse_ip(value: str) -> IPAddress | None:
    """An address from REMOTE_ADDR or one X-Forwarded-For entry ("1.2.3.4", "1.2.3.4:5678",
    "[2001:db8::1]:443"); IPv4-mapped IPv6 becomes plain IPv4. None if it is not an address."""
    value = value.strip()
    if value.startswith("["):  # [IPv6]:port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4:port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: IPAddress, trusted) -> bool:
    return any(address in network for network in trusted)
