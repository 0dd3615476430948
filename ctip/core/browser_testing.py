"""Browser tests: a real CTIP server on a database of its own, Debian's Chromium, helpers.

Fixtures `live_ctip`, `browser` and `page` are available to every test module (ctip/conftest.py
imports them). Mark browser tests with
    pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
so that one xdist worker runs them all and one server starts. Sign in with `sign_in(page, "login")`
(a demo login such as "caseworker": it enrols or verifies TOTP as needed).


pytest-django's live_server cannot be used: it empties the database between tests, and the
audit table refuses DELETE. So one server per session: a fresh database (a temporary SQLite
file, or a separate PostgreSQL database when DATABASE_URL points at PostgreSQL), `migrate`,
`seed_demo`, then `runserver` with production-like settings (DEBUG off, 2FA required).
"""

import base64
import gettext
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from ctip.core.management.commands.seed_demo import DEMO_PASSWORD, demo_email

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 60  # seconds for /healthz to answer once runserver has started


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        """Runs a management command against the server's database; returns its output."""
        return _manage(self.env, *args)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def _postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """Creates a separate database on the server of `url`; returns its URL and a dropper."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = f"ctip_browser_{os.getpid()}"
    connect = {
        "dbname": config["NAME"] or "postgres",
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"] or None,
    }
    connect = {k: v for k, v in connect.items() if v not in (None, "")}

    def execute(statement: sql.Composed) -> None:
        with psycopg.connect(**connect, autocommit=True) as conn:
            conn.execute(statement)

    execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Swap the database name in the URL: the path is the last component.
    base, _, _old = url.split("?")[0].rpartition("/")
    query = "?" + url.split("?", 1)[1] if "?" in url else ""
    new_url = f"{base}/{name}{query}"

    def drop() -> None:
        execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return new_url, drop


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"runserver exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"runserver did not answer /healthz:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_ctip() -> Iterator[LiveServer]:
    """A CTIP server with the demo data, serving at LiveServer.url until the session ends."""
    tmp = Path(tempfile.mkdtemp(prefix="ctip-browser-"))
    drop_database = None
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key != "CTIP_VAR_DIR"
    }
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        database_url, drop_database = _postgres_database(database_url)
    else:
        database_url = f"sqlite:///{tmp / 'browser.sqlite3'}"
    port = _free_port()
    env.update(
        DJANGO_SETTINGS_MODULE="ctip.settings.base",
        DATABASE_URL=database_url,
        CTIP_VAR_DIR=str(tmp),
        DEBUG="0",
        SECRET_KEY="browser-tests-only-" + "k" * 40,
        CTIP_REQUIRE_2FA="1",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
        # Every browser of the suite signs in from 127.0.0.1: the tests' deliberate wrong
        # passwords must not pause that one address for the demo logins not yet used from it
        # (the per-address pause is tested in accounts/tests/test_lockout_weapon.py).
        CTIP_LOGIN_FAILURES_PER_ADDRESS="100000",
    )
    process = None
    log = tmp / "runserver.log"
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        with log.open("w") as log_file:
            process = subprocess.Popen(  # noqa: S603 (our own manage.py)
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "runserver",
                    f"127.0.0.1:{port}",
                    "--noreload",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, process, log)
        yield LiveServer(url=url, env=env)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if drop_database is not None:
            drop_database()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser.

    Module-scoped: Playwright's sync API runs an event loop, and Django refuses database
    access from a thread with a running loop, so it must be closed before other tests run.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_ctip):
    """A fresh browser context (no cookies) per test, at a desktop size."""
    context = browser.new_context(base_url=live_ctip.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# --- helpers ------------------------------------------------------------------------------------

ARTIFACTS = ROOT / "test-artifacts"
KHMER_MO = ROOT / "ctip" / "locale" / "km" / "LC_MESSAGES" / "django.mo"
KHMER_SCRIPT = re.compile("[\u1780-\u17ff]")


def khmer(msgid: str) -> str:
    """The Khmer translation of `msgid` from the compiled catalogue the server uses."""
    assert KHMER_MO.exists(), f"{KHMER_MO.relative_to(ROOT)} is missing: compilemessages"
    with KHMER_MO.open("rb") as fh:
        translated = gettext.GNUTranslations(fh).gettext(msgid)
    assert translated != msgid, f"no Khmer translation for {msgid!r} in the km catalogue"
    return translated


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Submits the login form and waits until the server has answered it."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("main form button[type=submit]")
    page.wait_for_load_state()


def switch_to_khmer(page) -> None:
    page.click("form.lang button[value=km]")
    expect(page.locator("html")).to_have_attribute("lang", "km")


def current_code(secret: str) -> str:
    """The code an authenticator app would show for the base32 key shown on the setup page."""
    raw = re.sub(r"\s+", "", secret).upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{TOTP(key).token():06d}"


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " view: window.innerWidth})"
    )
    assert widths["doc"] <= widths["view"], f"{page.url} scrolls sideways: {widths}"
    assert widths["body"] <= widths["view"], f"{page.url} scrolls sideways: {widths}"


# The TOTP keys that demo users enrolled during this session, by email. Codes cannot be reused,
# so a second sign-in in the same 30-second step waits for the next one.
_enrolled: dict[str, str] = {}
_last_step: dict[str, int] = {}


def sign_in(page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Signs a demo user in (e.g. "caseworker"), enrolling or verifying TOTP as needed."""
    email = demo_email(login)
    log_in(page, email, password)
    if "/two-factor/setup/" in page.url:
        _enrolled[email] = page.inner_text("#totp-secret")
    elif "/two-factor/verify/" not in page.url:
        return
    secret = _enrolled[email]
    step = int(time.time()) // 30
    if _last_step.get(email) == step:
        time.sleep(30 - time.time() % 30 + 0.5)
        step += 1
    _last_step[email] = step
    page.fill("input[name=token]", current_code(secret))
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/two-factor/" not in page.url, f"TOTP refused for {email}"
