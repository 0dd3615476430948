"""Browser tests: Debian's Chromium, driven by Playwright, against a real CTIP server.

The server (see ctip/core/browser_testing.py) runs with the demo data, DEBUG off and 2FA
required. Each test signs in as a different demo user, because the server's database lives for
the whole session.
Deselect with `-m "not browser"`.
"""

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import (
    ARTIFACTS,
    KHMER_SCRIPT,
    assert_no_horizontal_scroll,
    current_code,
    khmer,
    log_in,
    switch_to_khmer,
)
from ctip.core.management.commands.seed_demo import DEMO_PASSWORD, demo_email

# One worker runs them all (pytest -n auto --dist loadgroup), so one server starts.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_new_user_enrols_totp_and_switches_to_khmer(page, live_ctip):
    # A user of its own: the demo users may already have enrolled in other browser tests.
    email = "new.admin@browser.test"
    live_ctip.manage(
        "shell",
        "-c",
        "from ctip.accounts.models import User; "
        f"User.objects.filter(email='{email}').exists() or "
        f"User.objects.create_superuser('{email}', '{DEMO_PASSWORD}', full_name='New Admin')",
    )
    log_in(page, email)
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


def test_five_wrong_passwords_lock_the_account(page, live_ctip):
    # An account of its own: a demo login locked here would stay locked for the other browser
    # tests, which all sign in from the same address.
    email = "locked.out@browser.test"
    live_ctip.manage(
        "shell",
        "-c",
        "from ctip.accounts.models import User; "
        f"User.objects.filter(email='{email}').exists() or "
        f"User.objects.create_superuser('{email}', '{DEMO_PASSWORD}', full_name='Locked Out')",
    )
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
