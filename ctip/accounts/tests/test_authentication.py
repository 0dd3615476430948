"""Signing in: email and password, lockout, TOTP, idle timeout, session rotation."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import TEST_PASSWORD, give_totp_device, verified_client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def _current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def test_every_staff_page_needs_login():
    client = Client()
    for url in ("/", "/people/", "/accounts/users/", "/audit/", "/reference/", "/accounts/me/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


def test_login_with_email_rotates_the_session_id_and_is_audited(cast):
    user = cast.a[Role.STATISTICS_OFFICER]  # no TOTP needed: lands straight on the dashboard
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    response = _login(client, user.email.upper())  # emails are case-insensitive
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_id=user.pk).exists()


def test_a_wrong_password_is_refused_with_a_message_and_audited(cast):
    response = _login(Client(), cast.a[Role.CASE_WORKER].email, "wrong password 123")
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


def test_five_failures_lock_the_account_even_for_the_right_password(cast, settings):
    user = cast.a[Role.CASE_WORKER]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.email, "wrong password 123")
    response = _login(Client(), user.email)  # right password, fresh client
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in Client().session
    # Another account is not affected.
    assert _login(Client(), cast.a[Role.STATISTICS_OFFICER].email).status_code == 302


def test_the_lockout_ends_after_the_cool_off(cast, settings):
    user = cast.a[Role.STATISTICS_OFFICER]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), user.email, "wrong password 123")
    assert _login(Client(), user.email).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert _login(Client(), user.email).status_code == 302


def test_a_role_that_sees_identifying_data_must_enrol_totp_before_anything(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttle itself is tested below
    user = cast.a[Role.CASE_WORKER]
    client = Client()
    response = _login(client, user.email)
    assert client.get("/").url == reverse("accounts:two_factor_setup")
    assert client.get("/people/").url == reverse("accounts:two_factor_setup")
    assert client.get("/api/v1/people/").status_code == 403

    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    if _current_token(device) != "000000":
        assert "not right" in response.content.decode()
    response = client.post(reverse("accounts:two_factor_setup"), {"token": "12ab"})
    assert "six digits" in response.content.decode()

    response = client.post(reverse("accounts:two_factor_setup"), {"token": _current_token(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/people/").status_code == 200
    assert client.get("/api/v1/people/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED).count() == 1


def test_an_enrolled_user_must_give_a_current_code_at_each_login(cast):
    user = cast.a[Role.CASE_SUPERVISOR]
    device = give_totp_device(user)
    client = Client()
    _login(client, user.email)
    assert client.get("/").url == reverse("accounts:two_factor_verify")
    # Setup cannot be used to enrol a second device past the verify step.
    assert client.get(reverse("accounts:two_factor_setup")).url == reverse(
        "accounts:two_factor_verify"
    )
    wrong = "111111" if _current_token(device) != "111111" else "222222"
    response = client.post(reverse("accounts:two_factor_verify"), {"token": wrong})
    assert response.status_code == 200 and client.get("/").status_code == 302
    # After a failure the device refuses even the right code for a while (throttling).
    response = client.post(reverse("accounts:two_factor_verify"), {"token": _current_token(device)})
    assert response.status_code == 200 and client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("accounts:two_factor_verify"), {"token": _current_token(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_statistics_officer_needs_no_totp(cast):
    client = Client()
    _login(client, cast.a[Role.STATISTICS_OFFICER].email)
    assert client.get("/").status_code == 200


def test_the_demo_setting_relaxes_totp(cast, settings):
    settings.CTIP_REQUIRE_2FA = False
    client = Client()
    _login(client, cast.a[Role.CASE_WORKER].email)
    page = client.get("/")
    assert page.status_code == 200
    assert "two-factor authentication is switched off" in page.content.decode()


def test_an_idle_session_ends_after_30_minutes(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/").status_code == 200  # activity extends the session
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logout_ends_the_session(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    assert client.get(reverse("accounts:logout")).status_code == 405  # no logout by GET link
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_api_tokens_work_only_for_their_owner_and_can_be_revoked(cast):
    user = cast.a[Role.CASE_WORKER]
    client = verified_client(user)
    form = {"name": "script", "access": "read", "lifetime": 30}
    page = client.post(reverse("accounts:api_token"), form)
    key = page.context["new_key"]
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["email"] == user.email
    token = user.api_tokens.get()
    client.post(reverse("accounts:api_token_revoke", args=[token.uuid]))
    assert api.get("/api/v1/me/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/me/").status_code == 401


def test_what_was_typed_in_a_failed_login_is_never_logged(cast):
    _login(Client(), "my secret password typed here", "x" * 12)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.target_id == "unknown"
    assert "secret" not in str(AuditEvent.objects.values_list("target_id", "changes", "reason"))
    _login(Client(), cast.a[Role.CASE_WORKER].email.upper(), "x" * 12)
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("seq")
    assert event.target_id == str(cast.a[Role.CASE_WORKER].uuid)
    assert event.organisation_id == cast.org_a.pk  # so organisation A's admin sees it


def test_the_verify_step_never_redirects_off_site(cast):
    user = cast.a[Role.INVESTIGATOR]
    device = give_totp_device(user)
    client = Client()
    _login(client, user.email)
    url = reverse("accounts:two_factor_verify") + "?next=https://evil.example/steal"
    response = client.post(url, {"token": _current_token(device)})
    assert response.status_code == 302 and response["Location"] == "/"
