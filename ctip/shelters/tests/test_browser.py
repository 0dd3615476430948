"""In a real browser: a case worker refers a case with consent and the shelter accepts it and
admits the child, and the capacity board changes; a referral without consent is refused."""

import re

import pytest
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIND = """
from ctip.cases.models import Case, Consent
from ctip.referrals.models import Referral
lantern = '{org}'
with_consent = Consent.objects.filter(purpose='sharing', partner__code=lantern,
                                      withdrawn_on__isnull=True).values('case_id')
cases = Case.objects.filter(organisation__code='pnh-social').exclude(status='closed')
if {consent}:
    cases = cases.filter(pk__in=with_consent)
else:
    cases = cases.exclude(pk__in=Consent.objects.filter(purpose='sharing').values('case_id'))
cases = cases.exclude(pk__in=Referral.objects.values('case_id')).order_by('number')
print('CASE=' + str(cases.first().uuid))
"""


def find_case(live_ctip, *, consent: bool) -> str:
    out = live_ctip.manage("shell", "-c", FIND.format(org="lantern", consent=consent))
    return re.search(r"CASE=([0-9a-f-]{36})", out).group(1)


def free_places(page, facility: str) -> int:
    page.goto("/shelters/board/")
    row = page.locator("#board tr", has_text=facility).first
    return int(row.locator("td.free").inner_text())


def test_a_referral_with_consent_is_accepted_and_the_child_admitted(page, live_ctip):
    case_uuid = find_case(live_ctip, consent=True)
    sign_in(page, "caseworker")
    page.goto(f"/referrals/case/{case_uuid}/new/")
    page.select_option("select[name=to_organisation]", label="Lantern House Aftercare")
    page.check("input[name=kind][value=service]")
    page.select_option("select[name=service]", "shelter")
    page.select_option("select[name=urgency]", "urgent")
    page.fill("textarea[name=reason]", "Needs a safe place while the family is assessed.")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Pending")
    number = page.locator("h1").inner_text().split("·")[1].split()[0]

    page.context.clear_cookies()
    sign_in(page, "shelter")
    before = free_places(page, "Lantern House Girls' Home")
    page.goto("/referrals/")
    page.click(f"#referrals tr:has-text('{number}') a")
    expect(page.locator("#shared")).to_contain_text("Nothing yet")
    page.click("text=Accept the referral")
    expect(page.locator("h1")).to_contain_text("Accepted")
    expect(page.locator("#identity")).to_be_visible()
    expect(page.locator("#notes")).to_have_count(0)

    page.goto("/shelters/")
    page.click("text=Lantern House Girls' Home")
    page.click("text=Admit a child")
    page.select_option("select[name=case]", label=number)
    page.click("main form button[type=submit]")
    expect(page.locator("#placements")).to_contain_text(number)
    assert free_places(page, "Lantern House Girls' Home") == before - 1
    # The board names no child.
    expect(page.locator("#board")).not_to_contain_text(number)


def test_a_referral_without_consent_is_refused(page, live_ctip):
    case_uuid = find_case(live_ctip, consent=False)
    sign_in(page, "caseworker")
    page.goto(f"/referrals/case/{case_uuid}/new/")
    page.select_option("select[name=to_organisation]", label="Lantern House Aftercare")
    page.fill("textarea[name=reason]", "Counselling.")
    page.click("main form button[type=submit]")
    expect(page.locator("main form")).to_contain_text("There is no consent to share")
    expect(page.locator("h1")).to_contain_text("Refer case")
