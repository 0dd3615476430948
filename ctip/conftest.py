import pytest

from ctip.core.testing import Cast, make_cast


@pytest.fixture
def cast(db) -> Cast:
    """Organisations A and B with one user per role each (see ctip/core/testing.py)."""
    return make_cast()


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, tmp_path):
    """Each test has its own audit checkpoint directory: the demo's, or another test's, must
    not be checked against this test's database. (As a subprocess given CTIP_VAR_DIR=tmp_path.)"""
    settings.CTIP_AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts and ends in the default language: LocaleMiddleware (and the public
    pages' ?lang=) activate a language for the thread and never deactivate it, so a request in
    Khmer would otherwise turn the messages of the next test in the same worker into Khmer."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """The suite is offline: any attempt to reach beyond loopback fails loudly."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1")
            and not (host.startswith("127.") or host.startswith("/"))
        ):
            raise RuntimeError(f"Tests must not reach the network ({host})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


# The browser-test fixtures, for every app's browser tests.
from ctip.core.browser_testing import browser, live_ctip, page  # noqa: E402, F401
