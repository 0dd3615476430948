"""Browser test: a statistics officer opens the national dashboard on a phone and downloads the
annual report."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ctip.core.browser_testing import ARTIFACTS, assert_no_horizontal_scroll, sign_in
from ctip.statistics.annual import TABLES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_ctip):
    context = browser.new_context(
        base_url=live_ctip.url, viewport=PHONE, is_mobile=True, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_statistics_officer_reads_the_national_dashboard_and_downloads_the_report(phone):
    page = phone
    year = timezone.localdate().year
    sign_in(page, "statistics")
    page.goto(f"/statistics/?year={year}")
    expect(page.locator("main h1")).to_contain_text(str(year))
    expect(page.locator("svg.stat-map path[data-iso]")).to_have_count(25)
    expect(page.locator("#response-times table tr.total")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "statistics-dashboard-phone.png"), full_page=True)

    page.click("#figure-cases_opened")
    expect(page.locator("svg.stat-chart")).to_be_visible()
    expect(page.locator("table.stat-table tr.total")).to_be_visible()

    page.goto(f"/statistics/annual/?year={year}")
    expect(page.locator(".stat-annual-table")).to_have_count(len(TABLES))
    with page.expect_download() as download:
        page.click("#download-xlsx")
    assert download.value.suggested_filename == f"ctip-annual-report-{year}.xlsx"


def test_a_statistics_officer_compares_national_figures_with_ctdcs_on_a_phone(phone):
    page = phone
    sign_in(page, "statistics")
    page.goto("/exchange/compare/?source=ctdc")
    # seed_demo loads the CTDC synthetic records: the page compares, it does not ask for them.
    expect(page.locator("#ctdc-1")).to_be_visible()
    expect(page.locator("#ctdc-missing")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "statistics-ctdc-phone.png"), full_page=True)
