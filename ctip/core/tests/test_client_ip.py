"""The client's address: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from ctip.core.client_ip import client_ip

ROOT = Path(__file__).resolve().parents[3]
PROXY = "10.0.0.5"


def _request(remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_with_no_trusted_proxy_the_header_is_never_read(settings):
    settings.CTIP_TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_appended(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "203.0.113.9")) == "203.0.113.9"
    # The client sent its own header; the proxy appended the real peer on the right.
    assert client_ip(_request(PROXY, "1.1.1.1, 6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    assert client_ip(_request("198.51.100.7", PROXY)) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_given_as_a_network_is_walked_from_the_right(settings):
    settings.CTIP_TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/64"]
    chain = "6.6.6.6, 203.0.113.9, fd00::7, 10.0.0.8"
    assert client_ip(_request("10.0.0.5", chain)) == "203.0.113.9"
    # All hops trusted (a health check from inside): the furthest one is the client.
    assert client_ip(_request("10.0.0.5", "10.0.0.9, 10.0.0.8")) == "10.0.0.9"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"


def test_ports_brackets_and_ipv4_mapped_addresses_are_read_as_the_address(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "203.0.113.9:51234")) == "203.0.113.9"
    assert client_ip(_request(PROXY, "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(_request("::ffff:10.0.0.5", "::ffff:203.0.113.9")) == "203.0.113.9"


def test_garbage_from_a_trusted_hop_stops_the_walk_at_the_proxy(settings):
    """Counting such a request as the proxy is the safe mistake: it limits sooner, never later."""
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "203.0.113.9, unknown")) == PROXY
    assert client_ip(_request(PROXY, "")) == PROXY


def test_no_usable_remote_address_is_none(settings):
    settings.CTIP_TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request("", "203.0.113.9")) is None


@pytest.mark.parametrize("value", ["10.0.0.5, not-an-address", "10.0.0.0/33"])
def test_a_wrong_trusted_proxy_setting_stops_the_server_from_starting(value):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.base",
        "DEBUG": "1",
        "CTIP_TRUSTED_PROXIES": value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "CTIP_TRUSTED_PROXIES" in result.stderr
