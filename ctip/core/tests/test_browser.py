"""Browser tests: Debian's Chromium, driven by Playwright, against a real CTIP server.

The server (see conftest.py) runs with the demo data, DEBUG off and 2FA required. Each test
signs in as a different demo user, because the server's database lives for the whole session.
Deselect with `-m "not browser"`.
"""

import base64
import gettext
import re
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from ctip.core.management.commands.seed_demo import DEMO_PASSWORD, demo_email

# One worker runs them all (pytest -n auto --dist loadgroup), so one server starts.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[3]
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


def test_a_case_worker_enrols_totp_and_switches_to_khmer(page, live_ctip):
    log_in(page, demo_email("caseworker"))
    page.wait_for_url("**/accounts/two-factor/setup/")

    secret = page.inner_text("#totp-secret")
    page.fill("input[name=token]", current_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_ctip.url}/")
    expect(page.locator("main h1")).to_have_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_to_khmer(page)
    dashboard_km = khmer("Dashboard")
    assert KHMER_SCRIPT.search(dashboard_km)
    expect(page.locator("nav a[href='/']")).to_have_text(dashboard_km)
    expect(page.locator("main h1")).to_have_text(dashboard_km)
    expect(page.locator("header")).to_contain_text(khmer("Log out"))

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-km.png"), full_page=True)


def test_five_wrong_passwords_lock_the_account(page):
    email = demo_email("legal")
    for _attempt in range(4):
        log_in(page, email, "not the right password")
        expect(page.locator("main h1")).to_have_text("Log in")
    log_in(page, email, "not the right password")
    expect(page.locator("main h1")).to_have_text("Account locked")

    # Now even the right password is refused until the lock expires.
    log_in(page, email)
    expect(page.locator("main h1")).to_have_text("Account locked")


def test_pages_fit_a_phone_screen(browser, live_ctip):
    context = browser.new_context(
        base_url=live_ctip.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        assert_no_horizontal_scroll(page)
        # A statistics officer sees no identifying data, so needs no second factor.
        log_in(page, demo_email("statistics"))
        page.wait_for_url(f"{live_ctip.url}/")
        for path in ["/", "/accounts/me/", "/accounts/organisations/"]:
            page.goto(path)
            assert_no_horizontal_scroll(page)
        switch_to_khmer(page)
        page.wait_for_load_state()
        assert_no_horizontal_scroll(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-km.png"), full_page=True)
    finally:
        context.close()
