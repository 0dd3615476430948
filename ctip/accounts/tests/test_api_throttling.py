"""API rate limits: per token, per signed-in user, per client address for the anonymous;
429 with Retry-After and CTIP's own message beyond the rate."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import api_token_key, verified_client

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
HIGH = "1000/minute"


def rates(*, token=HIGH, user=HIGH, anon=HIGH):
    from django.conf import settings

    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": token, "user": user, "anon": anon},
        }
    )


@pytest.fixture(autouse=True)
def _fresh_counters():
    # Counters of earlier tests must not count here (in memory, or in the database cache).
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


# The test profile counts in memory; production counts in the database cache ("default").
BOTH_CACHES = pytest.mark.parametrize("counters", ["api-throttle", "default"])


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    detail = response.json()["detail"]
    assert detail.startswith("Too many requests. Retry in ")
    assert "Expected available" not in detail  # not DRF's untranslated sentence


@BOTH_CACHES
def test_a_token_is_throttled_per_token(cast, counters):
    user = cast.a[Role.CASE_WORKER]
    first = Client(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    second = Client(HTTP_AUTHORIZATION=f"Token {api_token_key(user, name='other')}")
    with rates(token="2/minute"), override_settings(CTIP_API_THROTTLE_CACHE=counters):
        assert [first.get(ME).status_code for _ in range(2)] == [200, 200]
        _assert_throttled(first.get(ME))
        assert second.get(ME).status_code == 200  # each token has its own count
        # The owner's browser session is counted apart from their tokens.
        assert verified_client(user).get(ME).status_code == 200


def test_a_session_is_throttled_per_user(cast):
    user = cast.a[Role.CASE_WORKER]
    with rates(user="3/minute"):
        client = verified_client(user)
        assert [client.get(ME).status_code for _ in range(3)] == [200] * 3
        _assert_throttled(client.get(ME))
        _assert_throttled(verified_client(user).get(ME))  # a second session of the same user
        assert verified_client(cast.a[Role.CASE_SUPERVISOR]).get(ME).status_code == 200


@BOTH_CACHES
def test_anonymous_requests_are_throttled_per_client_address(cast, counters):
    webhook = reverse("api-intake-webhook")
    here = Client(REMOTE_ADDR="203.0.113.7")
    with rates(anon="2/minute"), override_settings(CTIP_API_THROTTLE_CACHE=counters):
        assert [here.post(webhook).status_code != 429 for _ in range(2)] == [True, True]
        _assert_throttled(here.post(webhook))
        # A forged X-Forwarded-For does not make a new client (no trusted proxy is set).
        _assert_throttled(here.post(webhook, HTTP_X_FORWARDED_FOR="198.51.100.1"))
        assert Client(REMOTE_ADDR="203.0.113.8").post(webhook).status_code != 429


def test_guessing_tokens_is_throttled_per_client_address(cast):
    # DRF checks throttles after authentication: refused keys are counted by the token check.
    guesser = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Token ctip_guess")
    with rates(anon="3/minute"):
        assert [guesser.get(ME).status_code for _ in range(3)] == [401] * 3
        _assert_throttled(guesser.get(ME))
        # A valid token from the same address is unaffected.
        key = api_token_key(cast.a[Role.CASE_WORKER])
        valid = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Token {key}")
        assert valid.get(ME).status_code == 200


def test_the_throttle_message_is_translated(cast):
    key = api_token_key(cast.a[Role.CASE_WORKER])
    client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="km")
    with rates(token="1/minute"):
        client.get(ME)
        response = client.get(ME)
    assert response.status_code == 429 and response["Retry-After"]
    # Marked for translation: the message is looked up in the request's language.
    from django.utils import translation

    with translation.override("km"):
        from ctip.accounts.throttling import TooManyRequests

        assert response.json()["detail"] == str(
            TooManyRequests(int(response["Retry-After"])).detail
        )
