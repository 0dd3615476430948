"""Public tips and the gateway webhook: no login, abuse protection, signature check."""

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ctip.audit.models import AuditAction, AuditEvent
from ctip.intake.api import SECRET_ENV, sign
from ctip.intake.models import Report, Source

pytestmark = pytest.mark.django_db

TIP = {"narrative": "Young girls in a guesthouse with foreign men", "flag_child": "on"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_anyone_can_send_a_tip_and_gets_a_code_and_secret():
    response = Client().post(reverse("intake:tip"), TIP)
    assert response.status_code == 200
    content = response.content.decode()
    report = Report.objects.get()
    assert report.source == Source.WEB and report.tip_code in content
    assert 'id="tip-secret"' in content
    # No signed-in shell on the public pages.
    assert "Log out" not in content and "Dashboard" not in content
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_RECEIVED).count() == 1


def test_the_tip_pages_show_in_khmer_on_request():
    response = Client().get(reverse("intake:tip") + "?lang=km")
    assert 'lang="km"' in response.content.decode()


def test_a_filled_honeypot_looks_accepted_but_records_nothing():
    response = Client().post(reverse("intake:tip"), TIP | {"website": "http://spam"})
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_tips_are_rate_limited_per_address(settings):
    settings.CTIP_TIP_RATE_LIMIT = (2, 60)
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert client.post(reverse("intake:tip"), TIP).status_code == 200
    assert client.post(reverse("intake:tip"), TIP).status_code == 200
    assert client.post(reverse("intake:tip"), TIP).status_code == 429
    assert Report.objects.count() == 2
    # Another address is not affected.
    assert Client(REMOTE_ADDR="10.0.0.2").post(reverse("intake:tip"), TIP).status_code == 200


def test_an_oversized_tip_is_refused_with_a_message():
    response = Client().post(reverse("intake:tip"), {"narrative": "x" * 3001})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Report.objects.exists()


def test_the_sender_checks_the_status_and_adds_information_without_seeing_details(cast):
    from ctip.intake.services import tip_submit

    report, code, secret = tip_submit(narrative="Children at a kiln, very young")
    client = Client()
    response = client.post(reverse("intake:tip_status"), {"code": code, "secret": secret})
    content = response.content.decode()
    assert "waiting to be read" in content
    assert "Children at a kiln" not in content
    response = client.post(
        reverse("intake:tip_status"),
        {"code": code, "secret": secret, "text": "The truck comes at 5 am."},
    )
    assert report.additions.get().text == "The truck comes at 5 am."
    wrong = client.post(reverse("intake:tip_status"), {"code": code, "secret": "AAAAAAAAAA"})
    assert "No tip matches" in wrong.content.decode()


def test_status_lookups_are_rate_limited(settings):
    settings.CTIP_TIP_RATE_LIMIT = (3, 60)
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(3):
        client.post(reverse("intake:tip_status"), {"code": "AAAA-AAAA", "secret": "B"})
    assert (
        client.post(reverse("intake:tip_status"), {"code": "AAAA-AAAA", "secret": "B"}).status_code
        == 429
    )


# --- webhook ----------------------------------------------------------------------------------

SECRET = "test-gateway-secret"  # noqa: S105


def _post(client, payload, *, secret=SECRET, timestamp=None, signature=None):
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_CTIP_TIMESTAMP": timestamp,
        "HTTP_X_CTIP_SIGNATURE": signature or sign(secret, timestamp, body),
    }
    return client.post(
        reverse("api-intake-webhook"), body, content_type="application/json", **headers
    )


MESSAGE = {"message_id": "gw-42", "from": "+855 12 345 678", "text": "girl 13 sold pls help"}


def test_a_signed_message_creates_a_report_once(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    client = Client()
    first = _post(client, MESSAGE)
    assert first.status_code == 201, first.content
    again = _post(client, MESSAGE)
    assert again.status_code == 200 and again.json() == first.json() | {"created": False}
    report = Report.objects.get()
    assert report.source == Source.SMS and report.caller_phone == "+855 12 345 678"


def test_a_bad_or_missing_signature_is_refused(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    client = Client()
    assert _post(client, MESSAGE, secret="wrong").status_code == 401
    assert _post(client, MESSAGE, signature="sha256=00").status_code == 401
    old = int(time.time()) - 3600
    assert _post(client, MESSAGE, timestamp=old).status_code == 401
    assert (
        client.post(
            reverse("api-intake-webhook"), MESSAGE, content_type="application/json"
        ).status_code
        == 401
    )
    assert not Report.objects.exists()


def test_the_webhook_is_closed_when_no_secret_is_configured(monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert _post(Client(), MESSAGE, secret="").status_code == 503
    assert not Report.objects.exists()


def test_a_signed_but_malformed_message_is_refused(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    response = _post(Client(), {"message_id": "gw-1"})
    assert response.status_code == 400 and "text" in response.json()
    assert not Report.objects.exists()
