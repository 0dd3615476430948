"""In a real browser: a case worker takes a case from opening to a closure request, and the
supervisor approves it."""

import re

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_case_worker_takes_a_case_to_closure_and_the_supervisor_approves(page):
    sign_in(page, "caseworker")
    # The demo's screening hand-off: accepting it leads straight to opening the case.
    page.goto("/operations/hand-offs/")
    page.locator("main form button", has_text="Accept").first.click()
    expect(page.locator("select[name=source]")).to_have_value("screening")
    expect(page.locator("input[name=source_reference]")).not_to_have_value("")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile(r"PNH-SOCIAL-\d{4}-\d{6}"))

    # An adult survivor consents for herself: no guardian needed.
    page.goto("/people/new/")
    page.fill("input[name=given_name]", "Browser")
    page.fill("input[name=family_name]", "Survivor")
    page.fill("input[name=estimated_age]", "19")
    page.select_option("select[name=age_estimation]", "self")
    page.click("main form button[type=submit]")
    page.click("text=Open a case")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile(r"PNH-SOCIAL-\d{4}-\d{6}"))
    case_url = page.url

    page.click("text=Record consent")
    page.select_option("select[name=purpose]", "services")
    page.select_option("select[name=given_by]", "child")
    page.select_option("select[name=method]", "written")
    page.click("main form button[type=submit]")
    expect(page.locator("#consent")).to_contain_text("Receive services")

    page.click("text=New assessment")
    page.click("text=Child status (needs assessment)")
    for group in page.locator("form.assessment input[type=radio][value='3']").all():
        group.check()
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("assessment was recorded")

    page.goto(case_url)
    expect(page.locator("#assessments svg polyline").first).to_be_attached()
    page.click("text=Write a care plan")
    page.fill("textarea[name=summary]", "Vocational training and a safe place to live.")
    page.click("main form button[type=submit]")
    page.select_option("select[name=domain]", index=7)
    page.fill("textarea[name=description]", "Finishes the tailoring course.")
    page.click("text=Add the goal")
    expect(page.locator(".goal")).to_contain_text("tailoring course")

    page.goto(case_url)
    page.click("text=Record a service")
    page.select_option("select[name=service]", label="Vocational training: tailoring")
    page.fill("input[name=delivered_on]", page.evaluate("new Date().toISOString().slice(0,10)"))
    page.fill("textarea[name=outcome]", "Attends every morning.")
    page.click("main form button[type=submit]")
    expect(page.locator("#services")).to_contain_text("tailoring")

    page.click("a:text('Request closure')")
    page.select_option("select[name=category]", "reintegrated")
    page.fill("textarea[name=reason]", "Moved to independent living; stable.")
    page.click("main form button[type=submit]")
    expect(page.locator(".actions")).to_contain_text("waiting for a supervisor")
    number = page.locator("h1").inner_text().split()[0]

    page.context.clear_cookies()
    sign_in(page, "supervisor")
    page.goto("/cases/my-work/")
    page.click(f"#approvals a:has-text('{number}')")
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=comment]", "Agreed.")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Closed")
