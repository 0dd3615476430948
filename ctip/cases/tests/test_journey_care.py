"""Issue 17, stories 4 and 5, in a real browser.

4. A case worker registers a child, opens the case, records the guardian inline, records
   consent that names the guardian, assesses, writes a care plan and records a service;
   implausible input (a birth date and an age that disagree, consent given tomorrow, a service
   delivered in the future) is refused with a clear message and nothing changes.
5. The case worker refers the child, with consent, to Two Rivers Legal Aid sharing only the
   legal section. The legal officer sees nothing of the case before accepting, then exactly
   the legal section (never the child's name, the assessments, the care plan or the notes),
   and records the legal support given, which the case worker then sees. Other organisations
   get 404 on the referral; the legal officer gets 403/404 on the case's own pages. Withdrawing
   asks for a date and a confirmation, and ends the legal officer's view.
"""

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SUBMIT = "main form button[type=submit]"


def _unique() -> str:
    return uuid.uuid4().hex[:6]


def _server_today(page) -> date:
    """The server's today (Asia/Phnom_Penh), as the consent form prefills it."""
    return date.fromisoformat(page.locator("input[name=given_on]").input_value())


def _years_ago(years: int) -> str:
    today = datetime.now(tz=ZoneInfo("Asia/Phnom_Penh")).date()  # the server's day
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def _register_child_with_guardian(page, tag: str) -> tuple[str, str, str]:
    """As the case worker: a ten-year-old, her case, her mother recorded inline as guardian.
    Returns (case URL, person URL, the guardian's name)."""
    page.goto("/people/new/")
    page.fill("input[name=given_name]", f"Sreyneang{tag}")
    page.fill("input[name=family_name]", "Journey")
    page.fill("input[name=date_of_birth]", _years_ago(10))
    # A stated age that contradicts the birth date: refused, nothing recorded.
    page.fill("input[name=estimated_age]", "16")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("The date of birth gives 10 years")
    expect(page.locator("main")).to_contain_text("estimated age is 16")
    page.fill("input[name=estimated_age]", "")
    page.click(SUBMIT)
    expect(page.locator("h1")).to_contain_text(f"Sreyneang{tag}")
    person_url = page.url

    page.click("text=Open a case")
    page.click(SUBMIT)
    expect(page.locator("h1")).to_contain_text(re.compile(r"PNH-SOCIAL-\d{4}-\d{6}"))
    case_url = page.url

    # The guardian, recorded inline from the family-link form (no 403, no detour).
    page.click(f"text=Sreyneang{tag}")
    page.click("text=Link a family member or guardian")
    # Neither a person chosen nor a name: a clear message.
    page.select_option("select[name=relationship]", "mother")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("give the new one's name")
    guardian = f"Journey Bopha{tag}"
    page.fill("#family-new input[name=given_name]", f"Bopha{tag}")
    page.fill("#family-new input[name=family_name]", "Journey")
    page.fill("#family-new input[name=name_km]", "ជើនី បុប្ផា")
    page.select_option("#family-new select[name=sex]", "f")
    page.fill("#family-new input[name=phone]", "012 555 017")
    page.select_option("select[name=relationship]", "mother")
    page.check("input[name=is_guardian]")
    page.click(SUBMIT)
    expect(page.locator(".messages")).to_contain_text("family member was linked")
    expect(page.locator("main")).to_contain_text(guardian)
    expect(page.locator("main li", has_text=guardian)).to_contain_text("Guardian")
    return case_url, person_url, guardian


def _record_consent(page, case_url: str, guardian: str, purpose: str, partner: str = "") -> None:
    page.goto(case_url)
    page.click("#consent >> text=Record consent")
    page.select_option("select[name=purpose]", purpose)
    if partner:
        page.select_option("select[name=partner]", label=partner)
    page.select_option("select[name=given_by]", "guardian")
    page.select_option("select[name=guardian]", label=guardian)
    page.select_option("select[name=method]", "thumbprint")
    page.click(SUBMIT)
    expect(page.locator("#consent")).to_contain_text(guardian)


def test_story_4_case_worker_records_consent_with_the_guardian_and_the_care(page):
    tag = _unique()
    sign_in(page, "caseworker")
    case_url, _person_url, guardian = _register_child_with_guardian(page, tag)

    # Consent given tomorrow is refused, with the message, and nothing is recorded.
    page.goto(case_url)
    page.click("#consent >> text=Record consent")
    tomorrow = _server_today(page) + timedelta(days=1)
    page.select_option("select[name=purpose]", "services")
    page.select_option("select[name=given_by]", "guardian")
    page.select_option("select[name=guardian]", label=guardian)
    page.select_option("select[name=method]", "thumbprint")
    page.fill("input[name=given_on]", tomorrow.isoformat())
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("Consent cannot be given in the future.")
    # The guardian's name is what the form offers: the local record, by name.
    page.fill("input[name=given_on]", (tomorrow - timedelta(days=1)).isoformat())
    page.click(SUBMIT)
    expect(page.locator("#consent")).to_contain_text("Receive services")
    expect(page.locator("#consent")).to_contain_text(f"Guardian ({guardian})")

    # Assessment, care plan, a service (one dated in the future first: refused).
    page.click("text=New assessment")
    page.click("text=Child status (needs assessment)")
    for group in page.locator("form.assessment input[type=radio][value='2']").all():
        group.check()
    page.click(SUBMIT)
    expect(page.locator(".messages")).to_contain_text("assessment was recorded")

    page.goto(case_url)
    page.click("text=Write a care plan")
    page.fill("textarea[name=summary]", f"Safe at home with her mother {tag}.")
    page.click(SUBMIT)
    page.select_option("select[name=domain]", index=1)
    page.fill("textarea[name=description]", "Back in school by the new term.")
    page.click("text=Add the goal")
    expect(page.locator(".goal")).to_contain_text("Back in school")

    page.goto(case_url)
    page.click("text=Record a service")
    page.select_option("select[name=service]", label="Vocational training: tailoring")
    page.fill("input[name=delivered_on]", (tomorrow + timedelta(days=1)).isoformat())
    page.fill("textarea[name=outcome]", "Started the course.")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("This date is in the future.")
    page.fill("input[name=delivered_on]", (tomorrow - timedelta(days=1)).isoformat())
    page.click(SUBMIT)
    expect(page.locator("#services")).to_contain_text("tailoring")

    # Withdrawing consent asks for a date and a confirmation.
    page.click("#consent >> text=Withdraw")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("Tick the box to confirm the withdrawal.")
    page.check("input[name=confirm]")
    page.click(SUBMIT)
    expect(page.locator("#consent")).to_contain_text("Withdrawn")

    # Another organisation's case worker gets 404 on the case and on the child.
    page.context.clear_cookies()
    sign_in(page, "caseworker2")
    assert page.goto(case_url).status == 404


def test_story_5_legal_officer_sees_exactly_the_legal_section_and_works_on_it(page):
    tag = _unique()
    sign_in(page, "caseworker")
    case_url, person_url, guardian = _register_child_with_guardian(page, tag)
    _record_consent(page, case_url, guardian, "sharing", partner="Two Rivers Legal Aid")

    # Facts a lawyer needs, an assessment and a note the legal officer must not see.
    page.goto(case_url)
    page.click("text=Edit the profile")
    page.check("input[name=exploitation_types][value=ForcedBegging]")
    page.click(SUBMIT)
    page.goto(case_url)
    page.click("text=New assessment")
    page.click("text=Child status (needs assessment)")
    for group in page.locator("form.assessment input[type=radio][value='3']").all():
        group.check()
    page.click(SUBMIT)
    assessment_url = page.url
    page.goto(case_url)
    page.click("text=Add a case note")
    page.fill("textarea[name=text]", f"Home visit {tag}: the mother is supportive.")
    page.click(SUBMIT)

    # The referral starts from the case's consent to share: prefilled with the case and the
    # partner; only the legal section shared.
    page.goto(case_url)
    number = page.locator("h1").inner_text().split()[0]
    page.click("#consent a.refer-partner:has-text('Two Rivers Legal Aid')")
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("select[name=to_organisation] option:checked")).to_have_text(
        "Two Rivers Legal Aid"
    )
    page.select_option("select[name=service]", "legal")
    page.uncheck("input[name=sections][value=identity]")
    page.check("input[name=sections][value=legal]")
    page.fill("textarea[name=reason]", f"Complaint against the recruiter {tag}.")
    page.click(SUBMIT)
    expect(page.locator("#sections")).to_have_text(re.compile(r"^\s*Legal support\s*$"))
    referral_url = page.url

    # The legal officer: nothing of the case before accepting.
    page.context.clear_cookies()
    sign_in(page, "legal")
    page.goto(referral_url)
    expect(page.locator("#shared")).to_contain_text("Nothing yet")
    expect(page.locator("#legal")).to_have_count(0)
    page.click("text=Accept the referral")
    expect(page.locator(".messages")).to_contain_text("You accepted the referral.")

    # Exactly the legal section: the facts, and nothing else of the case.
    legal = page.locator("#legal")
    expect(legal).to_contain_text("Forced begging")
    for hidden in ("#identity", "#profile", "#assessments", "#care-plan", "#services", "#notes"):
        expect(page.locator(hidden)).to_have_count(0)
    main = page.locator("main")
    expect(main).not_to_contain_text(f"Sreyneang{tag}")
    expect(main).not_to_contain_text(guardian)
    expect(main).not_to_contain_text(f"Home visit {tag}")
    expect(main).not_to_contain_text("Open the case")

    # The legal officer works on it: the legal support given, dated, never in the future.
    page.click("#record-service-link")
    options = page.locator("select[name=service] option").all_inner_texts()
    assert [o for o in options if o.strip() not in ("", "---------")] == ["Legal aid"]
    page.select_option("select[name=service]", label="Legal aid")
    today = date.fromisoformat(page.locator("input[name=delivered_on]").input_value())
    page.fill("input[name=delivered_on]", (today + timedelta(days=1)).isoformat())
    page.fill("textarea[name=outcome]", f"Complaint drafted with the guardian {tag}.")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("This date is in the future.")
    page.fill("input[name=delivered_on]", today.isoformat())
    page.click(SUBMIT)
    expect(page.locator(".messages")).to_contain_text("The service was recorded.")
    expect(page.locator("#legal-services")).to_contain_text(
        f"Complaint drafted with the guardian {tag}"
    )

    # Never the case's own pages, the child, or the care records.
    assert page.goto(case_url).status == 403  # the role reads no case at all
    assert page.goto(assessment_url).status == 403
    assert page.goto(person_url).status == 404  # identity was not shared

    # Other organisations never see the referral.
    for login in ("caseworker2", "shelter"):
        page.context.clear_cookies()
        sign_in(page, login)
        assert page.goto(referral_url).status == 404

    # The case worker sees the legal support among the case's services, then withdraws the
    # referral: a date and a confirmation are asked for.
    page.context.clear_cookies()
    sign_in(page, "caseworker")
    page.goto(case_url)
    expect(page.locator("#services")).to_contain_text("Two Rivers Legal Aid")
    expect(page.locator("#services")).to_contain_text(f"Complaint drafted with the guardian {tag}")
    page.goto(referral_url)
    page.click("#withdraw-link")
    page.fill("textarea[name=reason]", "The family chose another lawyer.")
    page.click(SUBMIT)
    expect(page.locator("main")).to_contain_text("Tick the box to confirm the withdrawal.")
    expect(page.locator("input[name=withdrawn_on]")).not_to_have_value("")
    page.check("input[name=confirm]")
    page.click(SUBMIT)
    expect(page.locator("h1")).to_contain_text("Withdrawn")

    # The legal officer's view ends with the referral.
    page.context.clear_cookies()
    sign_in(page, "legal")
    page.goto(referral_url)
    expect(page.locator("#legal")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Forced begging")
