"""Every demo role's home page opens on a work queue with real items and counts, and reads on
a 360 px phone without sideways scrolling (issue 17)."""

import pytest

from ctip.core.browser_testing import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_ROLES = [
    "hotline",
    "investigator",
    "caseworker",
    "supervisor",
    "shelter",
    "legal",
    "prevention",
    "statistics",
    "orgadmin",
    "admin",
]


@pytest.mark.parametrize("login", DEMO_ROLES)
def test_each_demo_role_opens_on_a_work_queue(page, login):
    sign_in(page, login)
    page.goto("/")
    queue = page.locator("#work-queue")
    assert queue.is_visible()
    counts = queue.locator(".wq-count")
    items = queue.locator(".wq-item")
    assert counts.count() >= 1, f"{login}: no counts on the home page"
    assert items.count() >= 1, f"{login}: an empty work queue"
    assert queue.locator(".wq-empty").count() == 0
    # Every count is a number, and every item links to where the work is done.
    for i in range(counts.count()):
        assert int(counts.nth(i).locator(".wq-count-n").inner_text()) >= 1
    first = items.first.locator("a.wq-title")
    href = first.get_attribute("href")
    assert href and href.startswith("/")
    # The item's link opens (no 404/403 for work the queue offers).
    response = page.request.get(href)
    assert response.status == 200, f"{login}: {href} answered {response.status}"

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-queue-{login}-360.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{login}: the home page scrolls sideways at 360 px ({width})"
