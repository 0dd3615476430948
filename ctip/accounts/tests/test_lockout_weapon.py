"""The lockout cannot be turned into a weapon: failures lock an account only at the address
they came from, and an address that sprays many accounts is stopped for all of them, except
for accounts that have signed in from it before."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
STRANGER = "203.0.113.66"
HOTLINE = "198.51.100.10"
PROXY = "10.0.0.5"


def _login(address: str, email: str, password: str = TEST_PASSWORD, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(LOGIN, {"username": email, "password": password})
    return response, client


def _signs_in(address: str, email: str, **headers) -> bool:
    response, client = _login(address, email, **headers)
    return response.status_code == 302 and "_auth_user_id" in client.session


def _status(address: str, email: str, password: str = TEST_PASSWORD, **headers) -> int:
    return _login(address, email, password, **headers)[0].status_code


def _spray(address: str, emails: list[str], times: int = 1) -> None:
    for email in emails:
        for _ in range(times):
            assert _status(address, email, "wrong password 123") in (200, 429)


def test_a_strangers_failures_elsewhere_never_lock_the_hotline_out(cast, settings):
    operator = cast.a[Role.HOTLINE_OPERATOR]
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _login(STRANGER, operator.email, "wrong password 123")
    assert _status(STRANGER, operator.email) == 429  # locked, but only where the guesses came from

    assert _signs_in(HOTLINE, operator.email)
    # Her sign-in clears her own failures at her address, not the stranger's lock.
    assert _status(STRANGER, operator.email) == 429


def test_the_same_account_at_the_same_address_is_locked_even_for_the_right_password(cast, settings):
    operator = cast.a[Role.HOTLINE_OPERATOR]
    statuses = [
        _status(STRANGER, operator.email, "wrong password 123")
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    response, client = _login(STRANGER, operator.email)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Account locked" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOCKED_OUT, target_id=str(operator.uuid)
    ).exists()


def test_an_address_spraying_many_accounts_is_blocked_for_every_account(cast, settings):
    limit = settings.CTIP_LOGIN_FAILURES_PER_ADDRESS
    assert limit == 20
    victims = [u.email for u in cast.a.values()][:5]  # 5 accounts x 2 guesses = 10
    unknown = [f"guess{i}@a.test" for i in range(8)]  # guessed emails count too: 8 more
    _spray(STRANGER, victims, times=2)
    _spray(STRANGER, unknown)
    bystander = cast.b[Role.STATISTICS_OFFICER].email
    assert _status(STRANGER, bystander, "wrong password 123") == 200  # the 19th failure
    assert _status(STRANGER, bystander, "wrong password 123") == 429  # the 20th: blocked

    # Now every account is refused from that address, even with the right password...
    untouched = cast.b[Role.CASE_WORKER].email
    response, client = _login(STRANGER, untouched)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Sign-in paused" in response.content.decode()
    assert _status(STRANGER, f"another{limit}@a.test", "wrong password 123") == 429
    # ...and nowhere else.
    assert _signs_in(HOTLINE, untouched)
    assert _signs_in(HOTLINE, bystander)


def test_one_address_below_the_limit_is_not_blocked(cast, settings):
    _spray(STRANGER, [u.email for u in cast.a.values()][:9], times=2)  # 18 failures
    assert _signs_in(STRANGER, cast.b[Role.STATISTICS_OFFICER].email)


def test_a_colleague_retrying_a_locked_account_does_not_block_the_office(cast, settings):
    """Each account counts towards the address limit only up to its own limit."""
    _spray(HOTLINE, [cast.a[Role.CASE_WORKER].email], times=settings.AXES_FAILURE_LIMIT * 8)
    assert _status(HOTLINE, cast.a[Role.CASE_WORKER].email) == 429
    assert _signs_in(HOTLINE, cast.a[Role.HOTLINE_OPERATOR].email)


def test_staff_who_signed_in_from_the_address_before_are_not_blocked_by_a_spray_there(cast):
    """A stranger behind the hotline's own NAT sprays accounts: the operators keep working."""
    operator = cast.a[Role.HOTLINE_OPERATOR].email
    assert _signs_in(HOTLINE, operator)
    _spray(HOTLINE, [f"guess{i}@a.test" for i in range(25)])

    assert _signs_in(HOTLINE, operator)
    assert _status(HOTLINE, cast.a[Role.CASE_WORKER].email) == 429  # never signed in here


def test_the_address_block_ends_after_the_cool_off(cast, settings):
    _spray(STRANGER, [f"guess{i}@a.test" for i in range(20)])
    statistics = cast.a[Role.STATISTICS_OFFICER].email
    assert _status(STRANGER, statistics) == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        assert _signs_in(STRANGER, statistics)


def test_behind_a_trusted_proxy_the_lockout_counts_each_visitors_own_address(cast, settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    operator = cast.a[Role.HOTLINE_OPERATOR].email
    # The stranger even claims to be the hotline: the proxy appends the real peer on the right.
    spoofed = {"HTTP_X_FORWARDED_FOR": f"{HOTLINE}, {STRANGER}"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(PROXY, operator, "wrong password 123", **spoofed)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    assert _status(PROXY, operator, **spoofed) == 429

    assert _signs_in(PROXY, operator, HTTP_X_FORWARDED_FOR=HOTLINE)
