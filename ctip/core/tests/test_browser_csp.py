"""In Chromium, under the Content-Security-Policy: the main pages of each role work and break
no rule of the policy.

Every violation is caught twice: Chromium's console message ("... violates the following
Content Security Policy directive ...") and a `securitypolicyviolation` listener that an init
script (csp_listener.js, a file: never inline) adds before any script of the page runs. The
listener also reports htmx refusing to evaluate code (allowEval is off in base.html).
"""

from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LISTENER = Path(__file__).with_name("csp_listener.js")


class Watched:
    """A page whose CSP violations, script errors and server errors are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert response.headers.get("content-security-policy"), f"{path}: no policy"
        self.page.wait_for_load_state("load")

    def open_first(self, selector: str) -> str:
        """Follows the first link matching `selector` on the current page; returns its path."""
        link = self.page.locator(selector).first
        expect(link).to_be_attached()
        href = urljoin(self.page.url, link.get_attribute("href"))
        self.visit(href)
        return href

    def assert_clean(self) -> None:
        # Reports arrive asynchronously from the page; give the last ones a moment.
        self.page.wait_for_timeout(300)
        assert self.problems == []


@pytest.fixture
def watched(browser, live_ctip):
    context = browser.new_context(base_url=live_ctip.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    w = Watched(page)
    context.expose_function("ctipReportProblem", lambda text: w.problems.append(text))
    context.add_init_script(path=str(LISTENER))

    def on_console(message):
        if "content security policy" in message.text.lower():
            w.problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: w.problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda r: r.status >= 500 and w.problems.append(f"{r.status} from {r.url}"),
    )
    yield w
    context.close()


def test_the_watcher_sees_a_violation(watched):
    """The harness is not blind: an inline script injected into a page is refused and reported."""
    watched.visit("/accounts/login/")
    ran = watched.page.evaluate(
        "() => { window.ran = false; const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); return window.ran; }"
    )
    assert ran is False
    watched.page.wait_for_timeout(300)
    assert any("script-src" in p for p in watched.problems if p.startswith("/accounts/login/:"))
    assert any(p.startswith("console:") for p in watched.problems)


def test_public_pages_keep_to_the_policy(watched):
    watched.visit("/accounts/login/")
    watched.visit("/intake/tip/")
    expect(watched.page.locator("main h1")).to_have_text("Send a tip")
    watched.assert_clean()


def test_the_case_workers_pages_keep_to_the_policy_and_htmx_works(watched):
    sign_in(watched.page, "caseworker")
    watched.visit("/")
    watched.visit("/people/")
    watched.open_first("#people-table a[href^='/people/']")
    watched.visit("/cases/")
    watched.open_first("#cases-table a[href^='/cases/']")
    watched.visit("/cases/my-work/")
    watched.visit("/referrals/")
    watched.visit("/shelters/board/")
    watched.visit("/justice/")

    # htmx without inline styles or eval: the village search answers as one types.
    watched.visit("/reference/")
    page = watched.page
    with page.expect_response(
        lambda r: "/reference/villages/" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.fill("#id_q", "Tuol")
    expect(page.locator("#village-results")).to_contain_text("Tuol")
    assert page.url.endswith("/reference/"), "htmx swaps the results in place"
    # Indicator styles come from ctip.css, not from a <style> htmx would inject.
    assert page.locator("head style").count() == 0

    # A select that submits its form on change (ctip.js, no onchange= handler).
    watched.visit("/matching/")
    select = page.locator("select[name=status]")
    options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    choice = next(v for v in options if v != select.input_value())
    with page.expect_navigation():
        select.select_option(choice)
    assert f"status={choice}" in page.url
    expect(page.locator("select[name=status]")).to_have_value(choice)
    watched.assert_clean()


def test_the_hotline_operators_pages_keep_to_the_policy(watched):
    sign_in(watched.page, "hotline")
    watched.visit("/intake/")
    watched.visit("/intake/new/")
    watched.visit("/shelters/board/")
    watched.assert_clean()


def test_the_investigators_pages_keep_to_the_policy_and_the_network_draws(watched):
    sign_in(watched.page, "investigator")
    watched.visit("/operations/")
    watched.open_first("main table a[href^='/operations/']")
    watched.visit("/justice/")
    watched.open_first("main table a[href^='/justice/']")
    watched.visit("/justice/counts/")
    watched.visit("/matching/")
    watched.visit("/networks/")
    watched.open_first("main a[href^='?focus=']")
    # cytoscape.js draws without eval and without adding a <style> element.
    expect(watched.page.locator("#network-graph canvas").first).to_be_attached()
    assert watched.page.locator("style").count() == 0
    watched.assert_clean()


def test_the_shelter_prevention_and_statistics_pages_keep_to_the_policy(watched):
    sign_in(watched.page, "shelter")
    watched.visit("/shelters/")
    watched.open_first(
        "main a[href^='/shelters/'][href$='/']:not([href$='/new/']):not([href$='/board/'])"
    )
    watched.visit("/referrals/")
    watched.page.context.clear_cookies()
    sign_in(watched.page, "prevention")
    watched.visit("/prevention/")
    watched.page.context.clear_cookies()
    sign_in(watched.page, "statistics")
    watched.visit("/statistics/")
    expect(watched.page.locator("svg.stat-map")).to_be_visible()
    watched.visit("/statistics/annual/")
    watched.assert_clean()


def test_the_api_docs_keep_to_the_policy(watched):
    sign_in(watched.page, "supervisor")
    watched.visit("/api/docs/")
    expect(watched.page.locator("#swagger-ui .info .title")).to_contain_text("CTIP API")
    expect(watched.page.locator("#swagger-ui .opblock").first).to_be_visible()
    watched.assert_clean()
