"""Issue 17, the rescue journey across three organisations, in a real browser.

1. A hotline operator takes a call about a girl held in a karaoke bar, triages it urgent and
   dispatches it to the anti-trafficking police; the investigator sees it at the top of their
   home page at once.
2. The investigator plans an operation from that report (prefilled: place, establishment,
   people described), records the children found, screens each with the ILO indicators and
   hands two of them to a shelter.
3. The shelter manager sees the hand-off on their home page with name, age, sex, language,
   urgent needs and the investigator's note, admits the child to a bed; the capacity board
   changes.

Each step also checks what the others must not see: another organisation gets 404 on the
record, a role without the right never gets the page or the section.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ctip.core.browser_testing import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

POLICE = "Phnom Penh Anti-Trafficking Police Office"
SHELTER = "Lantern House Aftercare"
HOME = "Lantern House Girls' Home"


@pytest.fixture
def desk(browser, live_ctip):
    """Opens a signed-in page for a demo login, each in its own browser (own cookies)."""
    contexts = []

    def open_as(login: str):
        context = browser.new_context(
            base_url=live_ctip.url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, login)
        return page

    yield open_as
    for context in contexts:
        context.close()


def status_of(page, url: str) -> int:
    return page.goto(url).status


def free_places(page, facility: str) -> int:
    page.goto("/shelters/board/")
    return int(page.locator("#board tr", has_text=facility).first.locator("td.free").inner_text())


def test_a_call_about_a_girl_in_a_karaoke_bar_ends_with_her_in_a_bed(desk):
    tag = str(random.randint(10_000, 99_999))  # noqa: S311 (a name for this run, not a secret)
    place = f"Golden Lotus karaoke {tag}, Tuol Kork"
    hotline, investigator = desk("hotline"), desk("investigator")
    outsider = desk("caseworker2")  # Siem Reap Social Affairs: another organisation

    report_url, reference = story_1_the_hotline_dispatches_the_call(
        hotline, investigator, outsider, place
    )
    children = story_2_the_investigator_rescues_and_hands_on(
        investigator, outsider, report_url, reference, place, tag
    )
    story_3_the_shelter_admits_them(desk("shelter"), investigator, children)


def story_1_the_hotline_dispatches_the_call(hotline, investigator, outsider, place):
    page = hotline
    page.goto("/intake/new/")
    # The establishment is blank until the operator chooses, never "Brothel" by default.
    expect(page.locator("select[name=establishment_type]")).to_have_value("")
    page.fill(
        "textarea[name=narrative]",
        f"A girl of about 15 is kept at {place}; the owner will not let her go home.",
    )
    page.check("input[name=flag_child]")
    page.select_option("select[name=province]", "12")
    page.fill("input[name=location_text]", place)
    page.select_option("select[name=establishment_type]", "karaoke")
    page.fill("input[name=children_count]", "1")
    page.fill("input[name=ages_described]", "about 15")
    page.select_option("select[name=sex_described]", "f")
    page.select_option("select[name=urgency]", "urgent")
    page.click("text=Save report")
    expect(page.locator(".messages")).to_contain_text("recorded")
    expect(page.locator("main h1")).to_contain_text("Urgent")
    reference = page.locator("main h1").inner_text().split()[0]
    report_url = page.url.split("?")[0]

    # Before dispatch the police do not see it; nobody outside the queue does.
    assert status_of(investigator, report_url) == 404

    # Only organisations that act on reports are offered: never the system administrators,
    # the hotline itself, a shelter or a legal-aid team.
    options = page.locator("select[name=organisation] option").all_inner_texts()
    assert POLICE in options
    for never in (
        "CTIP system administration",
        "National Trafficking Tip Line",
        SHELTER,
        "Two Rivers Legal Aid",
    ):
        assert never not in options, never
    page.select_option("select[name=organisation]", label=POLICE)
    page.click("form[action$='/dispatch/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Dispatched")

    # At once, at the top of the investigator's home page: the work queue comes first.
    investigator.goto("/")
    first = investigator.locator("main > section").first
    expect(first).to_have_id("work-queue")
    expect(first).to_contain_text(reference)
    # Another organisation's case worker gets "not found", as for a report that never was.
    assert status_of(outsider, report_url) == 404
    outsider.goto("/")
    expect(outsider.locator("main")).not_to_contain_text(reference)
    return report_url, reference


def story_2_the_investigator_rescues_and_hands_on(
    investigator, outsider, report_url, reference, place, tag
):
    page = investigator
    page.goto("/")
    page.click(f"#work-queue a:has-text('{reference}')")
    page.click("form[action$='/accept/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Accepted")
    page.click("text=Plan an operation from this report")

    # The operation starts from the report: place, establishment, people described.
    expect(page.locator("select[name=province]")).to_have_value("12")
    expect(page.locator("input[name=location_text]")).to_have_value(place)
    expect(page.locator("select[name=establishment_type]")).to_have_value("karaoke")
    expect(page.locator("textarea[name=notes]")).to_contain_text("about 15")
    expect(page.locator("input[name=reports]:checked")).to_have_count(1)
    done = timezone.localtime() - timedelta(hours=2)
    page.fill("input[name=planned_for]", done.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=agencies]", "Anti-trafficking police; social affairs")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("recorded")
    operation_url = page.url
    page.select_option("select[name=status]", "carried_out")
    page.click("form[action$='/status/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Carried out")
    # A case worker holds no right to operations: the page is refused, whatever the record.
    assert status_of(outsider, operation_url) == 403

    children = [
        # given name, sex, age, language, handed to the shelter?
        (f"Sophea {tag}", "f", 15, "Khmer", True),
        (f"Linh {tag}", "f", 13, "Vietnamese", True),
        (f"Vuthy {tag}", "m", 17, "Khmer", False),
    ]
    for given, sex, age, language, _handed in children:
        page.goto(operation_url)
        page.click("text=Record a person found")
        page.fill("input[name=given_name]", given)
        page.fill("input[name=family_name]", "Keo")
        page.select_option("select[name=sex]", sex)
        page.fill("input[name=estimated_age]", str(age))
        page.fill("input[name=languages]", language)
        page.fill("input[name=circumstances]", "Back room of the karaoke bar")
        page.click("main form button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("Person found recorded")
        if given.startswith("Sophea"):
            # Back, then save again (or a double click): still one Sophea.
            page.go_back()
            page.click("main form button[type=submit]")
            expect(page.locator(".messages")).to_contain_text("already been submitted")
    page.goto(operation_url)
    expect(page.locator("main tbody tr", has_text=f"Sophea {tag}")).to_have_count(1)

    for given, _sex, _age, _language, handed in children:
        page.goto(operation_url)
        page.locator("main tbody tr", has_text=given).locator("text=Screen").click()
        # ILO indicators: the girls in commercial sexual exploitation; the boy kept by debt.
        if handed:
            page.check("input[name=commercial_sexual_exploitation]")
        page.locator("details[open] input[name=indicator_codes]").first.check()
        page.click("text=Save screening")
        expect(page.locator(".messages")).to_contain_text("Screening recorded")
        if not handed:
            continue
        expect(page.locator("#screening-result")).to_contain_text("Identified victim")
        options = page.locator("select[name=to_organisation] option").all_inner_texts()
        assert SHELTER in options
        for never in ("CTIP system administration", "Two Rivers Legal Aid", POLICE):
            assert never not in options, never
        page.select_option("select[name=to_organisation]", label=SHELTER)
        page.fill("textarea[name=urgent_needs]", f"Medical check for {given}; clothes")
        page.fill("textarea[name=note]", "Frightened; the two girls want to stay together.")
        page.click("main form button:has-text('Hand on')")
        expect(page.locator(".messages")).to_contain_text("Handed on")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-rescue-operation.png"), full_page=True)
    return children


def story_3_the_shelter_admits_them(shelter, investigator, children):
    page = shelter
    before = free_places(page, HOME)
    page.goto("/")
    panel = page.locator("#handoffs-to-admit")
    for given, _sex, age, language, handed in children:
        card = panel.locator("article", has_text=given)
        if not handed:
            # The boy was not handed on: the shelter never learns of him.
            expect(card).to_have_count(0)
            continue
        expect(card).to_contain_text(f"Keo {given}")
        expect(card).to_contain_text(str(age))
        expect(card).to_contain_text("Female")
        expect(card).to_contain_text(language)
        expect(card).to_contain_text(f"Medical check for {given}; clothes")
        expect(card).to_contain_text("the two girls want to stay together")
        expect(card).to_contain_text(POLICE)
    page.screenshot(path=str(ARTIFACTS / "journey-rescue-shelter-home.png"), full_page=True)

    for given, *_rest, handed in children:
        if not handed:
            continue
        page.goto("/")
        page.locator("#handoffs-to-admit article", has_text=given).locator(
            "text=Admit to a bed"
        ).click()
        page.select_option("select[name=facility]", label=HOME)
        page.click("main form button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("The child was admitted")
        expect(page.locator("#placements")).to_contain_text(given)
        expect(page.locator("#placements tr", has_text=given)).to_contain_text("No case yet")

    # Two beds fewer on the board; nobody waits any more.
    assert free_places(page, HOME) == before - 2
    page.goto("/")
    for given, *_rest in children:
        expect(page.locator("#handoffs-to-admit")).not_to_contain_text(given)
    page.screenshot(path=str(ARTIFACTS / "journey-rescue-board.png"), full_page=True)

    # The police see that the hand-offs were accepted; never the shelter's facility pages.
    investigator.goto("/operations/hand-offs/")
    expect(investigator.locator("main")).to_contain_text(f"{SHELTER}")
    expect(investigator.locator("main")).to_contain_text("Accepted")
    expect(investigator.locator("#handoffs-to-admit")).to_have_count(0)
    assert status_of(investigator, "/shelters/") == 403
