"""Brute force: a thousand password guesses against one account are locked out, the right
password is refused while locked, an unknown account answers exactly like a known one, and
nothing that was typed is logged or stored."""

import logging
import os
import re

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# Past the lockout every guess is refused before the password is looked at, so a few hundred
# prove what a thousand do; CTIP_GUESSES=1000 runs the full thousand (about 20 s).
GUESSES = int(os.environ.get("CTIP_GUESSES", "250"))
# The CSRF token, in the form and in the htmx headers: 64 letters and digits.
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _guess(email: str, password: str):
    return Client().post(LOGIN, {"username": email, "password": password})


def _normalised(response, typed_email: str) -> str:
    """The page with the CSRF token and the echoed email (what this client typed) blanked."""
    body = response.content.decode()
    return CSRF.sub("CSRF", body).replace(typed_email, "EMAIL")


def _everything_stored() -> str:
    audit = list(AuditEvent.objects.values_list("target_id", "target_type", "changes", "reason"))
    attempts = list(AccessAttempt.objects.values_list("username", "get_data", "post_data"))
    logs = list(AccessLog.objects.values_list("username"))
    return repr((audit, attempts, logs))


def test_a_thousand_guesses_are_locked_out_and_then_even_the_right_password_is_refused(
    cast, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    victim = cast.a[Role.CASE_WORKER]
    statuses = [_guess(victim.email, f"guess-{i:04d}-wrong").status_code for i in range(GUESSES)]

    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its message
    assert set(statuses[limit:]) == {429}  # locked: never another check of the password
    assert statuses.count(200) <= limit

    right = _guess(victim.email, TEST_PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in right.wsgi_request.session
    assert "Account locked" in right.content.decode()

    # Each refusal is in the audit log, counted against the account, not what was typed.
    refused = AuditEvent.objects.filter(
        action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOCKED_OUT], target_id=str(victim.uuid)
    )
    assert refused.count() == GUESSES + 1
    assert refused.filter(action=AuditAction.LOCKED_OUT).count() >= GUESSES - limit

    # No guess appears anywhere: logs, audit events, the lockout tables.
    stored = _everything_stored() + caplog.text
    assert "guess-" not in stored and TEST_PASSWORD not in stored


def test_an_unknown_account_answers_exactly_like_a_wrong_password_before_and_after_lockout(
    cast, settings
):
    known = cast.a[Role.CASE_WORKER].email
    unknown = "nobody-here@a.test"
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit + 2):
        a = _guess(known, "wrong password 123")
        b = _guess(unknown, "wrong password 123")
        assert a.status_code == b.status_code, attempt
        assert _normalised(a, known) == _normalised(b, unknown), attempt
        assert sorted(a.headers) == sorted(b.headers)
    assert a.status_code == 429  # both are locked out in the end, alike


def test_a_password_typed_in_the_email_box_is_stored_and_logged_nowhere(cast, caplog):
    """People type their password in the email box. The box takes only an email address, so
    such a value never reaches the lockout counter, the audit log or the logs."""
    caplog.set_level(logging.DEBUG)
    typed = "MyS3cret-Passphrase typed in the wrong box"
    for _ in range(3):
        response = _guess(typed, "x" * 12)
        assert response.status_code == 200
    stored = _everything_stored() + caplog.text
    assert typed.lower() not in stored.lower()
    assert "passphrase" not in stored.lower()


def test_the_lockout_counts_an_account_whatever_the_case_of_its_email(cast, settings):
    victim = cast.a[Role.CASE_WORKER]
    for i in range(settings.AXES_FAILURE_LIMIT):
        email = victim.email.upper() if i % 2 else victim.email
        _guess(email, "wrong password 123")
    assert _guess(victim.email.title(), TEST_PASSWORD).status_code == 429
