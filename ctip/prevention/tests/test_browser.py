"""Browser test: a prevention officer takes a club's attendance on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import ARTIFACTS, assert_no_horizontal_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_ctip):
    context = browser.new_context(base_url=live_ctip.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_prevention_officer_takes_attendance_for_a_club_session_on_a_phone(phone):
    page = phone
    sign_in(page, "prevention")
    page.goto("/prevention/")
    page.click("text=Children's clubs against unsafe migration")
    page.click("text=Sunrise club")
    # Today's meeting, seeded without attendance.
    page.click("text=Where to get help: the hotline")
    expect(page.locator("main h1")).to_have_text("Where to get help: the hotline")
    assert_no_horizontal_scroll(page)

    ticks = page.locator(".ticks input[type=checkbox]")
    members = ticks.count()
    assert members >= 10
    # Not yet taken: everyone is ticked, and a tap on a row unticks an absent child.
    expect(page.locator(".ticks input:checked")).to_have_count(members)
    for i in range(3):
        page.locator(".ticks label").nth(i).click()  # the whole row is the target
    expect(page.locator(".ticks input:checked")).to_have_count(members - 3)

    page.click("text=Add walk-ins")
    page.fill("input[name=walkin-0-name]", "Sophy (walk-in)")
    page.select_option("select[name=walkin-0-sex]", "f")
    page.fill("input[name=walkin-0-birth_year]", "2014")
    page.fill("input[name=girls]", "2")
    assert_no_horizontal_scroll(page)
    page.click("button.save-attendance")

    expect(page.locator(".messages")).to_contain_text("Attendance saved.")
    expect(page.locator("main")).to_contain_text(
        f"{members - 3 + 1} registered present, 2 counted without"
    )
    # The walk-in is now a member of the club, ticked.
    expect(page.locator(".ticks li", has_text="Sophy (walk-in)").locator("input")).to_be_checked()
    assert_no_horizontal_scroll(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "prevention-attendance-phone.png"), full_page=True)
