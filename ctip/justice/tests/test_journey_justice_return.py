"""Issue 17, stories 6-8 in a real browser: a proceeding followed from the suspect's arrest to
the verdict, seen on the survivor's case; a child returned from Thailand; reintegration ending
the placement, follow-ups on the home page, a re-trafficking flag as a task."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ctip.core.browser_testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A survivor found in an operation, screened by the police and handed off to Phnom Penh Social
# Affairs, whose case worker opens the case; an investigation naming them as a victim.
SURVIVOR = """
from datetime import timedelta
from django.utils import timezone
from ctip.accounts.models import Organisation, User
from ctip.cases.services import case_open
from ctip.operations import services as ops
from ctip.operations.models import EstablishmentType
from ctip.people.services import person_create
inv = User.objects.get(email__startswith='investigator@')
cw = User.objects.get(email__startswith='caseworker@')
social = Organisation.objects.get(code='pnh-social')
from ctip.places.models import Province
op = ops.operation_create(actor=inv, planned_for=timezone.now(), location_text='{tag} op',
    province=Province.objects.order_by('code').first(),
    establishment_type=EstablishmentType.KARAOKE, agencies='Police')
found = ops.found_person_record(actor=inv, operation=op, given_name='Sokha {tag}', sex='f',
    estimated_age=15)
screening = ops.screening_record(actor=inv, person=found.person, found_person=found,
    is_child=True, commercial_sexual_exploitation=True, instrument=ops.instrument_current())
handoff = ops.screening_hand_off(actor=inv, screening=screening, to_organisation=social)
ops.handoff_decide(actor=cw, handoff=handoff, expected_version=None, accept=True)
case = case_open(actor=cw, person=found.person, source='screening',
    source_reference=str(handoff.uuid))
print('CASE=' + str(case.uuid))
print('NUMBER=' + case.number)
print('PERSON=' + str(found.person.uuid))
"""

PROCEEDING = """
from datetime import timedelta
from django.utils import timezone
from ctip.accounts.models import Organisation, User
from ctip.justice import services as justice
from ctip.people.models import Person
from ctip.people.services import person_create
inv = User.objects.get(email__startswith='investigator@')
victim = Person.objects.get(uuid='{person}')
investigation = justice.investigation_create(actor=inv, title='{tag} karaoke',
    opened_on=timezone.localdate() - timedelta(days=60), source='operation',
    exploitation_form='sex_karaoke', legal_organisation=Organisation.objects.get(code='tworivers'))
justice.victim_add(actor=inv, investigation=investigation, person=victim)
suspect_person = person_create(actor=inv, given_name='Rithy {tag}', sex='m', estimated_age=41)
suspect = justice.suspect_add(actor=inv, investigation=investigation, person=suspect_person,
    role='establishment')
print('INV=' + str(investigation.uuid))
print('SUSPECT=' + str(suspect.uuid))
"""

COURT = """
from ctip.justice.models import CourtCase
print('COURT=' + str(CourtCase.objects.get(case_number='{number}').uuid))
"""

PLACED = """
from datetime import timedelta
from django.utils import timezone
from ctip.accounts.models import User
from ctip.cases.models import Case
from ctip.shelters.models import CapacityBand, Facility
from ctip.shelters.services import facility_create, placement_admit
cw = User.objects.get(email__startswith='caseworker@')
sup = User.objects.get(email__startswith='supervisor@')
case = Case.objects.get(uuid='{case}')
# Set-up only: a small home of the case's own organisation (no demo login may create one).
facility = Facility.objects.create(organisation=cw.organisation, name='Home {tag}',
    type='aftercare_home')
CapacityBand.objects.create(facility=facility, sex='f', age_min=8, age_max=24, places=2)
placement_admit(actor=sup, case=case, facility=facility,
    admitted_on=timezone.localdate() - timedelta(days=90), override_reason='Journey test')
print('FACILITY=' + str(facility.uuid))
"""

FLAG = """
from ctip.cases.models import Case
from ctip.returns.services import retrafficking_flag
case = Case.objects.get(uuid='{case}')
print('FLAGS=' + str(len(retrafficking_flag(person=case.person, source='Hotline call {tag}',
    actor=None))))
"""


def shell(live_ctip, code: str, **values) -> dict[str, str]:
    out = live_ctip.manage("shell", "-c", code.format(**values))
    return dict(re.findall(r"^([A-Z]+)=(.*)$", out, re.M))


def switch(page, login: str) -> None:
    page.context.clear_cookies()
    sign_in(page, login)


def submit(page) -> None:
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def new_survivor(live_ctip) -> tuple[dict, str]:
    tag = uuid.uuid4().hex[:6]
    return shell(live_ctip, SURVIVOR, tag=tag), tag


def test_story_6_a_proceeding_from_arrest_to_verdict_shows_on_the_childs_case(page, live_ctip):
    survivor, tag = new_survivor(live_ctip)
    ids = shell(live_ctip, PROCEEDING, person=survivor["PERSON"], tag=tag)
    case_url = f"/cases/{survivor['CASE']}/"

    # The investigator records the arrest: a date tomorrow is refused, nothing changes.
    sign_in(page, "investigator")
    page.goto(f"/justice/suspects/{ids['SUSPECT']}/arrests/new/")
    page.fill("input[name=arrested_on]", days(1))
    page.fill("input[name=agency]", "Anti-Human Trafficking Police")
    page.fill("input[name=place]", "Chbar Ampov")
    submit(page)
    expect(page.locator("main")).to_contain_text("This date cannot be in the future.")
    page.fill("input[name=arrested_on]", days(-20))
    submit(page)
    expect(page.locator("main")).to_contain_text("Rithy")
    page.goto(f"/justice/suspects/{ids['SUSPECT']}/charges/new/")
    page.select_option("select[name=article]", index=1)
    page.fill("input[name=charged_on]", days(-18))
    submit(page)

    # Meanwhile the case worker sees the stage on the child's case, never the suspect.
    switch(page, "caseworker")
    page.goto(case_url)
    expect(page.locator("#proceedings")).to_contain_text("Suspect charged")
    expect(page.locator("main")).not_to_contain_text("Rithy")
    assert page.goto(f"/evidence/investigation/{ids['INV']}/new/").status in (403, 404)

    # The legal officer takes it to court; a hearing before the charge is refused.
    switch(page, "legal")
    number = f"{tag}/26"
    page.goto(f"/justice/{ids['INV']}/court/new/")
    page.fill("input[name=court]", "Phnom Penh Municipal Court")
    page.fill("input[name=case_number]", number)
    page.fill("input[name=filed_on]", days(-10))
    page.check("input[name=defendants]")
    submit(page)
    court = shell(live_ctip, COURT, number=number)["COURT"]
    page.goto(f"/justice/court/{court}/hearings/new/")
    page.fill("input[name=scheduled_for]", days(-19) + "T09:00")
    submit(page)
    expect(page.locator("main")).to_contain_text("before the court case was filed")
    page.fill("input[name=scheduled_for]", days(12) + "T09:00")
    submit(page)

    switch(page, "caseworker")
    page.goto(case_url)
    expect(page.locator("#proceedings .stage")).to_have_text("In court")
    expect(page.locator("#proceedings .next-hearing")).to_contain_text(days(12))

    # The verdict is final: without confirmation, or dated next month, it is refused.
    switch(page, "legal")
    page.goto(f"/justice/court/{court}/verdicts/new/")
    page.select_option("select[name=defendant]", index=1)
    page.select_option("select[name=outcome]", "convicted")
    page.fill("input[name=decided_on]", days(30))
    page.fill("input[name=sentence_months]", "84")
    page.fill("input[name=compensation_ordered_riel]", "8000000")
    submit(page)
    expect(page.locator("main")).to_contain_text("Confirm the verdict before recording it.")
    page.check("input[name=confirm]")
    submit(page)
    expect(page.locator("main")).to_contain_text("This date cannot be in the future.")
    page.fill("input[name=decided_on]", days(0))
    page.check("input[name=confirm]")
    submit(page)
    expect(page.locator("body")).to_contain_text("The verdict was recorded.")
    expect(page.locator("main")).to_contain_text("Convicted (" + days(0) + ") · 84 months")

    switch(page, "caseworker")
    page.goto(case_url)
    expect(page.locator("#proceedings .stage")).to_have_text("Verdict given")
    expect(page.locator("#proceedings .verdict")).to_have_text("Convicted")
    expect(page.locator("main")).not_to_contain_text("Rithy")
    # Another organisation's case worker: 404 on the case, and on the proceeding.
    switch(page, "caseworker2")
    assert page.goto(case_url).status == 404
    assert page.goto(f"/justice/{ids['INV']}/").status == 404


def test_story_7_a_child_returned_from_thailand(page, live_ctip):
    survivor, tag = new_survivor(live_ctip)
    case = survivor["CASE"]
    sign_in(page, "caseworker")
    page.goto(f"/returns/case/{case}/new/")
    page.select_option("select[name=direction]", "to_kh")
    page.select_option("select[name=country]", label="Thailand")
    page.fill("input[name=sending_authority]", f"Thai social development {tag}")
    page.fill("input[name=crossing_point]", "Poipet")
    page.fill("input[name=planned_on]", days(-3))
    page.select_option("select[name=status]", "returned")
    page.fill("input[name=returned_on]", days(1))
    submit(page)
    # A return that already happened tomorrow, without the family traced: refused, nothing saved.
    expect(page.locator("main")).to_contain_text("The actual date cannot be in the future.")
    page.goto(f"/returns/case/{case}/")
    expect(page.locator("#returns")).to_contain_text("No return.")

    page.goto(f"/returns/case/{case}/new/")
    page.select_option("select[name=direction]", "to_kh")
    page.select_option("select[name=country]", label="Thailand")
    page.fill("input[name=sending_authority]", f"Thai social development {tag}")
    page.fill("input[name=crossing_point]", "Poipet")
    page.fill("input[name=planned_on]", days(-3))
    page.check("input[name=family_traced]")
    page.fill("input[name=home_assessed_on]", days(-5))
    page.fill("textarea[name=home_assessment]", "Mother and aunt ready; safe home.")
    page.select_option("select[name=status]", "returned")
    page.fill("input[name=returned_on]", days(-1))
    submit(page)
    expect(page.locator("#returns")).to_contain_text("Returned")
    expect(page.locator("#returns")).to_contain_text("Poipet")

    # The receiving organisation's supervisor sees the child arrive; another organisation not.
    switch(page, "supervisor")
    page.goto("/returns/")
    expect(page.locator("main")).to_contain_text(survivor["NUMBER"])
    switch(page, "caseworker2")
    page.goto("/returns/")
    expect(page.locator("main")).not_to_contain_text(survivor["NUMBER"])
    assert page.goto(f"/returns/case/{case}/").status == 404


def test_story_8_reintegration_ends_the_placement_and_follow_ups_are_due(page, live_ctip):
    survivor, tag = new_survivor(live_ctip)
    case, number = survivor["CASE"], survivor["NUMBER"]
    facility = shell(live_ctip, PLACED, case=case, tag=tag)["FACILITY"]
    sign_in(page, "caseworker")
    page.goto(f"/returns/case/{case}/")
    expect(page.locator("#placements")).to_contain_text("placed now")
    page.goto(f"/returns/case/{case}/reintegration/new/")
    page.select_option("select[name=option]", "family")
    page.fill("[name=destination]", f"Grandmother's house {tag}")
    page.select_option("select[name=family_readiness]", "3")
    page.select_option("select[name=community_readiness]", "4")
    page.fill("input[name=assessed_on]", days(-120))
    submit(page)
    page.click("#reintegration-decision")
    # Before the admission: the placement would end before it started. Refused.
    page.fill("input[name=reintegrated_on]", days(-100))
    page.check("input[name=confirm]")
    submit(page)
    expect(page.locator("main")).to_contain_text("cannot end before it started")
    # Without confirmation: refused.
    page.fill("input[name=reintegrated_on]", days(-25))
    page.uncheck("input[name=confirm]")
    submit(page)
    expect(page.locator("main")).to_contain_text("Confirm the reintegration decision.")
    page.check("input[name=confirm]")
    submit(page)
    expect(page.locator("body")).to_contain_text("follow-up visits are scheduled")
    expect(page.locator("#visits tbody tr")).to_have_count(7)

    # The child no longer shows as placed, here or in the facility.
    page.goto(f"/returns/case/{case}/")
    expect(page.locator("#placements")).not_to_contain_text("placed now")
    page.goto(f"/shelters/{facility}/")
    expect(page.locator("main")).to_contain_text("Nobody is placed here.")
    expect(page.locator("main")).to_contain_text(
        f"{number} · {days(-90)}–{days(-25)} · Reintegrated with family or community"
    )
    # The 1-month visit falls due within days: it shows on the case owner's home page.
    page.goto("/")
    expect(page.locator("#due-follow-ups")).to_contain_text(number)

    # A re-trafficking flag raises a task for the case owner.
    assert shell(live_ctip, FLAG, case=case, tag=tag)["FLAGS"] == "1"
    page.goto(f"/cases/{case}/")
    expect(page.locator("#tasks")).to_contain_text("Re-trafficking flag")
    page.goto("/")
    expect(page.locator("#retrafficking-flags")).to_contain_text(number)
    # Another organisation sees none of it.
    switch(page, "caseworker2")
    page.goto("/")
    expect(page.locator("main")).not_to_contain_text(number)
