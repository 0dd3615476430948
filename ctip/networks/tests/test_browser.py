"""In a real browser: the investigator finds the demo's broker network across provinces and
draws it; the case worker reviews the demo's possible duplicates."""

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_investigator_sees_the_broker_network_drawn_across_provinces(page):
    sign_in(page, "investigator")
    page.goto("/networks/")
    spanning = page.locator("main table").nth(1)
    expect(spanning).to_contain_text("Siem Reap")
    page.locator("main a", has_text="97 555 0142").first.click()
    # cytoscape.js, served from the project, draws on canvases inside the graph box.
    expect(page.locator("#network-graph canvas").first).to_be_attached()
    expect(page.locator("main")).to_contain_text("Banteay Meanchey")
    expect(page.locator("main")).to_contain_text("Golden Star Karaoke")


def test_the_case_worker_reviews_possible_duplicates_without_seeing_another_organisation(page):
    sign_in(page, "caseworker")
    page.goto("/matching/")
    queue = page.locator("main table")
    expect(queue).to_contain_text("Siem Reap Social Affairs Department")
    expect(queue).not_to_contain_text("Sophol")
    page.locator("main a", has_text="Review").first.click()
    expect(page.locator("h1")).to_contain_text("Possible duplicate")
