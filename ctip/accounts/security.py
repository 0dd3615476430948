"""The login lockout's rules, plugged into django-axes (settings: AXES_*).

Failures are counted per account AND address: five wrong passwords lock an account only at the
address they came from, so a stranger cannot lock the 24-hour hotline out from elsewhere. An
address that fails too often across accounts (password spraying) is refused for every account,
except for the accounts that have signed in from it before: one office behind NAT shares an
address, and a stranger there must not stop its staff working.
"""

from datetime import timedelta

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessBase, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from ctip.core.client_ip import client_ip

ACCOUNT_AT_ADDRESS = ["username", "ip_address"]
# How long a successful sign-in makes an address "known" for that account.
KNOWN_ADDRESS_DAYS = 90


def lockout_username(request, credentials) -> str | None:
    """The account an attempt is counted against: its email, case-folded, so that
    "Dara@x.org" and "dara@x.org" share one failure count."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: failures count per account at its address, and per address
    alone once the address is over CTIP_LOGIN_FAILURES_PER_ADDRESS. (Axes compares one failure
    limit with the largest count among the parameters, so the larger per-address limit cannot
    simply be a second parameter: [["username", "ip_address"], "ip_address"] would block an
    address after 5 failures, whatever the accounts.)"""
    if isinstance(request_or_attempt, AccessBase) or not address_blocked(
        request_or_attempt, credentials
    ):
        return [ACCOUNT_AT_ADDRESS]
    return ["ip_address"]


def address_blocked(request, credentials=None) -> bool:
    """True when this address failed too often across accounts in the cool-off window and the
    account being tried has not signed in from it before."""
    address = _address(request)
    if address is None:
        return False
    if failures_from_address(request, address) < settings.CTIP_LOGIN_FAILURES_PER_ADDRESS:
        return False
    username = lockout_username(request, credentials)
    return not (username and _signed_in_from(username, address))


def failures_from_address(request, address: str) -> int:
    """Failures from `address` in the window, each account counted up to its own limit: a
    colleague who keeps retrying a locked account does not block the whole office."""
    per_account = get_failure_limit(request, None)
    # The same window axes uses: from the time of this attempt back one cool-off.
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    counts = (
        AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=now - get_cool_off(request)
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .values_list("failures", flat=True)
    )
    return sum(min(failures, per_account) for failures in counts)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page says whether the account or the address is held."""
    return render(
        request,
        "accounts/locked_out.html",
        {"address_blocked": address_blocked(request, credentials)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def _address(request) -> str | None:
    # Axes stores the address it computed on the request; outside axes, compute the same.
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def _signed_in_from(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username__iexact=username, ip_address=address, attempt_time__gte=since
    ).exists()
