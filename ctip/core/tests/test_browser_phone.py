"""On a cheap phone (360 × 740): every page of every role's menu fits without sideways
scrolling, the menu folds behind a button that opens it, and places are picked by name.

Screenshots go to test-artifacts/phone-<role>-*.png.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH = 360
ROLES = [
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
# Files, not pages: nothing to lay out.
DOWNLOAD = re.compile(
    r"\.(csv|pdf|xlsx|zip|json)(\?|$)|/(download|export|pdf|csv|xlsx)/|[?&]format="
)

# The elements that stick out past the right edge, to say which one breaks the page.
OVERFLOW_JS = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
        ' ' + Math.round(box.right) + ' ' + (el.textContent || '').trim().slice(0, 40));
    }
    if (out.length > 6) break;
  }
  return {scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, out};
}"""


@pytest.fixture
def phone(browser, live_ctip):
    context = browser.new_context(
        base_url=live_ctip.url,
        viewport={"width": WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def overflow(page) -> str | None:
    """Why the page scrolls sideways at 360 px, or None when it does not."""
    found = page.evaluate(OVERFLOW_JS, WIDTH)
    if found["scroll"] <= WIDTH and found["body"] <= WIDTH:
        return None
    return f"{page.url}: scrollWidth {found['scroll']}/{found['body']}; {found['out']}"


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def open_menu(page) -> list[str]:
    """Opens the folded menu with its button; returns the menu's links."""
    toggle = page.locator("header .menu-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.locator("#main-nav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    links = page.locator("#main-nav a")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    return [href for href in hrefs if href and href.startswith("/")]


def first_action_link(page) -> str | None:
    """The page's first button-styled link (e.g. "Record a person"): usually a form."""
    links = page.locator("main a.button[href^='/']")
    for i in range(min(links.count(), 3)):
        href = links.nth(i).get_attribute("href") or ""
        if not DOWNLOAD.search(href):
            return href
    return None


def first_record_link(page) -> str | None:
    """The first link to a record in the page's main table, if it has one."""
    links = page.locator("main table tbody a[href^='/']")
    for i in range(min(links.count(), 5)):
        link = links.nth(i)
        href = link.get_attribute("href") or ""
        if link.get_attribute("download") is None and not DOWNLOAD.search(href):
            return href
    return None


@pytest.mark.parametrize("login", ROLES)
def test_every_page_of_the_menu_fits_a_phone(phone, login):
    page = phone
    sign_in(page, login)
    problems = []
    if reason := overflow(page):
        problems.append(reason)
    hrefs = open_menu(page)
    assert len(hrefs) >= 2, f"{login} has no menu to open"
    shoot(page, f"{login}-menu-open")
    if reason := overflow(page):
        problems.append(f"menu open: {reason}")
    # The menu closes again.
    page.click("header .menu-toggle")
    expect(page.locator("#main-nav")).to_be_hidden()

    visited = set()
    for href in hrefs:
        menu_page_links = []
        for path in (href, "detail", "action"):
            if path == "detail":
                menu_page_links = [first_record_link(page), first_action_link(page)]
                path = menu_page_links[0]
            elif path == "action":
                path = menu_page_links[1]
            if path is None:
                continue
            if path in visited:
                continue
            visited.add(path)
            response = page.goto(path)
            assert response is not None and response.status < 400, f"{login}: {path}"
            if reason := overflow(page):
                problems.append(reason)
                shoot(page, f"{login}-overflow-{slug(path)}")
            # Every page keeps the way to the menu.
            expect(page.locator("header .menu-toggle")).to_be_visible()
            if path == href and hrefs.index(href) < 3:
                shoot(page, f"{login}-{slug(path)}")
    assert not problems, "\n".join(problems)


def test_the_public_tip_form_fits_a_phone(phone):
    page = phone
    page.goto("/intake/tip/")
    assert overflow(page) is None, overflow(page)
    box = page.locator("textarea[name=narrative]").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    page.click("main button[type=submit]")  # empty: the errors must fit too
    assert overflow(page) is None, overflow(page)
    shoot(page, "public-tip")

    # The check itself sees a page that scrolls sideways.
    page.evaluate(
        "() => { const wide = document.createElement('div');"
        " wide.style.width = '600px'; wide.textContent = 'wide';"
        " document.querySelector('main').appendChild(wide); }"
    )
    assert "scrollWidth" in (overflow(page) or "")


def test_the_hotline_console_lists_only_the_districts_of_the_province(phone):
    page = phone
    sign_in(page, "hotline")
    page.goto("/intake/new/")
    assert overflow(page) is None, overflow(page)
    district = page.locator("select[name=district]")
    expect(district.locator("option[value='0102']")).to_have_count(1)  # all, before a province
    page.select_option("select[name=province]", "12")  # Phnom Penh
    expect(district.locator("option[value='0102']")).to_have_count(0)
    expect(district.locator("option[value='1201']")).to_have_count(1)
    narrative = f"Phone console {uuid.uuid4().hex[:6]}: children seen at a karaoke bar."
    page.fill("textarea[name=narrative]", narrative)
    page.select_option("select[name=district]", "1201")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/intake/[0-9a-f-]{36}/$", page.url), page.url
    expect(page.locator("main")).to_contain_text("Chamkar Mon")
    assert overflow(page) is None, overflow(page)


def test_a_caseworker_picks_a_home_village_by_name_on_a_phone(phone):
    page = phone
    sign_in(page, "caseworker")
    name = f"Phone{uuid.uuid4().hex[:6]}"
    page.goto("/people/new/")
    assert overflow(page) is None, overflow(page)
    page.fill("input[name=given_name]", name)
    page.fill("input[name=family_name]", "Sok")

    # Province → only its districts; district → only its communes.
    district = page.locator("select[name=home_village_district]")
    expect(district.locator("option[value='1201']")).to_have_count(1)  # every district at first
    page.select_option("select[name=home_village_province]", "01")  # Banteay Meanchey
    expect(district.locator("option[value='0102']")).to_have_count(1)
    expect(district.locator("option[value='1201']")).to_have_count(0)  # Phnom Penh's is gone
    page.select_option("select[name=home_village_district]", "0102")
    commune = page.locator("select[name=home_village_commune]")
    expect(commune.locator("option[value='010201']")).to_have_count(1)
    expect(commune.locator("option[value='010306']")).to_have_count(0)
    page.select_option("select[name=home_village_commune]", "010201")
    # The commune's villages are offered; typing narrows them by name.
    choices = page.locator("#id_home_village_choices [data-village-pick]")
    expect(choices.first).to_be_visible()
    page.fill("input[name=home_village_q]", "Ou Th")
    expect(choices).to_have_count(1)
    expect(choices.first).to_have_text("Ou Thum")
    assert overflow(page) is None, overflow(page)
    shoot(page, "village-picker")
    choices.first.click()
    expect(page.locator("input[name=home_village]")).to_have_value("01020101")
    expect(page.locator("input[name=home_village_q]")).to_have_value("Ou Thum")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/people/[0-9a-f-]{36}/$", page.url), page.url

    # Reopened, the form shows the village by name, its places chosen, the code hidden.
    page.goto(page.url + "edit/")
    expect(page.locator("input[name=home_village]")).to_have_value("01020101")
    expect(page.locator("input[name=home_village]")).to_be_hidden()
    expect(page.locator("input[name=home_village_q]")).to_have_value("Ou Thum")
    expect(page.locator("select[name=home_village_commune]")).to_have_value("010201")
    expect(page.locator("select[name=home_village_province]")).to_have_value("01")
