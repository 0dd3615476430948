"""Browser tests: an operator records a call and dispatches it; a member of the public sends a
tip on a phone and checks its status with the code."""

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import ARTIFACTS, assert_no_horizontal_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_operator_records_a_call_and_dispatches_it(page):
    sign_in(page, "hotline")
    page.goto("/intake/")
    page.click("text=Record a call")
    # The narrative has the focus: the operator types while the caller talks.
    page.keyboard.type("A girl of about 13 is kept in a house in Tuol Kork and sold to men.")
    page.check("input[name=flag_child]")
    page.check("input[name=flag_sexual_exploitation]")
    page.check("input[name=flag_held_now]")
    page.select_option("select[name=province]", "12")
    page.fill("input[name=location_text]", "House behind the pagoda, Tuol Kork")
    page.fill("input[name=children_count]", "1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake-console.png"), full_page=True)
    page.click("text=Save report")

    expect(page.locator(".messages")).to_contain_text("recorded")
    expect(page.locator("main h1")).to_contain_text("Immediate danger to a child")
    expect(page.locator("main")).to_contain_text("A child under 18 and sexual exploitation")

    page.select_option(
        "select[name=organisation]", label="Phnom Penh Anti-Trafficking Police Office"
    )
    page.click("form[action$='/dispatch/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Dispatched")
    expect(page.locator("main")).to_contain_text("Phnom Penh Anti-Trafficking Police Office")
    page.screenshot(path=str(ARTIFACTS / "intake-dispatched.png"), full_page=True)
    page.goto("/intake/")
    page.screenshot(path=str(ARTIFACTS / "intake-queue.png"), full_page=True)


@pytest.fixture
def phone(browser, live_ctip):
    context = browser.new_context(
        base_url=live_ctip.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_member_of_the_public_sends_a_tip_and_checks_its_status(phone):
    page = phone
    page.goto("/intake/tip/")
    expect(page.locator("main h1")).to_have_text("Send a tip")
    assert "Log out" not in page.content()
    assert_no_horizontal_scroll(page)
    page.fill("textarea[name=narrative]", "Children carry bricks at night at a kiln in Kandal.")
    page.check("input[name=flag_child]")
    page.click("main button[type=submit]")

    code = page.inner_text("#tip-code")
    secret = page.inner_text("#tip-secret")
    assert code and secret
    page.click("text=Check a tip")
    page.fill("input[name=code]", code)
    page.fill("input[name=secret]", secret)
    page.click("main button[type=submit]")
    expect(page.locator("#tip-status")).to_contain_text("Received")
    # The sender learns nothing about the people in it.
    expect(page.locator("main")).not_to_contain_text("bricks")
    page.fill("textarea[name=text]", "A blue truck comes at 5 in the morning.")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Your information was added")
    assert_no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake-tip-status-phone.png"), full_page=True)


def test_an_investigator_sees_the_screening_of_a_child_found(page):
    sign_in(page, "investigator")
    page.goto("/operations/")
    page.locator("main table a").first.click()
    page.locator("main table a", has_text="Identified victim").first.click()
    expect(page.locator("#screening-result")).to_have_text("Identified victim")
    expect(page.locator("main")).to_contain_text("Provisional instrument")
    expect(page.locator("main")).to_contain_text("regardless of means")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operations-screening.png"), full_page=True)
