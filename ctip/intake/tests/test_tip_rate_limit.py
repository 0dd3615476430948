"""The public tip form's rate limit: shared by every process and kept across restarts (the
database cache), and counted per real visitor behind a trusted reverse proxy."""

from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from ctip.intake import ratelimit
from ctip.intake.models import Report

pytestmark = pytest.mark.django_db

TIP = {"narrative": "Young girls in a guesthouse with foreign men", "flag_child": "on"}
PROXY = "10.0.0.5"
TOO_MANY = (
    "Too many attempts from your connection. Please try again in an hour, or call the hotline."
)


@pytest.fixture(autouse=True)
def _mid_window():
    """Windows are fixed hours: start in the middle of one so that no test straddles two."""
    with time_machine.travel(datetime(2026, 11, 22, 3, 30, tzinfo=UTC), tick=True):
        yield


def _tip(client: Client, query: str = ""):
    return client.post(reverse("intake:tip") + query, TIP)


def _restart_the_server():
    """What a restart loses: every cache object of this process and whatever it kept in memory."""
    from django.core.cache.backends import locmem

    locmem._caches.clear()
    locmem._expire_info.clear()
    caches.close_all()
    for alias in django_settings.CACHES:
        with suppress(AttributeError):
            delattr(caches._connections, alias)


def test_the_limit_survives_a_restart_because_it_lives_in_the_database(settings):
    settings.CTIP_TIP_RATE_LIMIT = (2, 3600)
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    assert [_tip(visitor).status_code for _ in range(2)] == [200, 200]
    _restart_the_server()
    assert _tip(visitor).status_code == 429
    assert Report.objects.count() == 2
    # The counters are rows of the cache table, which `migrate` created.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM ctip_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("ctip-rl:tip:198.51.100.7:" in key for key in keys)


def test_the_window_ends_and_the_visitor_may_send_again(settings):
    settings.CTIP_TIP_RATE_LIMIT = (1, 3600)
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    assert _tip(visitor).status_code == 200
    assert _tip(visitor).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert _tip(visitor).status_code == 200


def test_two_visitors_behind_a_trusted_proxy_are_counted_apart(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    settings.CTIP_TIP_RATE_LIMIT = (1, 3600)
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert _tip(first).status_code == 200
    assert _tip(first).status_code == 429
    assert _tip(second).status_code == 200
    assert Report.objects.count() == 2


def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    settings.CTIP_TIP_RATE_LIMIT = (2, 3600)
    # Straight to the server, not through the proxy: the header is the client's own invention.
    for i in range(2):
        spoofed = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}")
        assert _tip(spoofed).status_code == 200
    spoofed = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.1.1.99")
    assert _tip(spoofed).status_code == 429
    # Through the proxy: what the client sent is left of the proxy's entry and ignored.
    via_proxy = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.1")
    assert [_tip(via_proxy).status_code for _ in range(3)] == [200, 200, 429]
    again = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.2, 203.0.113.1")
    assert _tip(again).status_code == 429
    assert Report.objects.count() == 4


def test_over_the_limit_a_visitor_gets_a_translated_message_and_no_report(settings):
    settings.CTIP_TIP_RATE_LIMIT = (1, 3600)
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    assert _tip(visitor).status_code == 200
    for lang in ("en", "km"):
        response = _tip(visitor, f"?lang={lang}")
        assert response.status_code == 429
        content = response.content.decode()
        assert f'lang="{lang}"' in content
        with override(lang):
            assert gettext(TOO_MANY) in content
    assert Report.objects.count() == 1


def test_an_ipv6_visitor_is_counted_by_its_slash_64(settings):
    """An IPv6 client holds a /64 and may change address inside it at every request."""
    settings.CTIP_TIP_RATE_LIMIT = (1, 3600)
    assert _tip(Client(REMOTE_ADDR="2001:db8:1:2::1")).status_code == 200
    assert _tip(Client(REMOTE_ADDR="2001:db8:1:2::ffff")).status_code == 429
    assert _tip(Client(REMOTE_ADDR="2001:db8:1:3::1")).status_code == 200


def test_each_attempt_claims_its_own_slot_so_a_stale_hint_admits_no_extra(settings, rf):
    """Parallel requests cannot share a slot: cache.add is an INSERT only one of them wins."""
    settings.CTIP_TIP_RATE_LIMIT = (3, 3600)
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    assert [ratelimit.hit(request, "tip") for _ in range(4)] == [True, True, True, False]
    # As if a slower request had written an old hint back: the slots still say no.
    cache = caches["default"]
    window = int(timezone.now().timestamp() // 3600)
    cache.set(f"ctip-rl:tip:198.51.100.7:{window}:next", 0)
    assert ratelimit.hit(request, "tip") is False


def test_the_migration_creates_the_cache_table_on_a_database_without_it():
    import importlib

    migration = importlib.import_module("ctip.core.migrations.0002_cache_table")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE ctip_cache")
    assert "ctip_cache" not in connection.introspection.table_names()

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.create_cache_table(None, editor)
    migration.create_cache_table(None, editor)  # and again: nothing happens
    assert "ctip_cache" in connection.introspection.table_names()
    assert caches["default"].add("k", 1) and caches["default"].get("k") == 1
