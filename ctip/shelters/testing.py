"""Shared test state for the aftercare apps (shelters, referrals, returns): a survivor with a
case in organisation A, consent to share with B, a third organisation C, and case records."""

import pytest
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.care.models import Instrument
from ctip.care.services import assessment_record, care_plan_create
from ctip.cases.models import ConsentPurpose
from ctip.cases.services import case_open, consent_record, note_add
from ctip.core.testing import make_organisation, make_user
from ctip.people.services import person_create


@pytest.fixture
def survivor(cast):
    return person_create(
        actor=cast.a[Role.CASE_WORKER],
        given_name="Srey",
        family_name="Chan",
        name_km="ចាន់ ស្រី",
        sex="f",
        estimated_age=19,
        age_estimation="self",
    )


@pytest.fixture
def case(cast, survivor):
    return case_open(
        actor=cast.a[Role.CASE_WORKER],
        person=survivor,
        supervisor=cast.a[Role.CASE_SUPERVISOR],
        opened_on=timezone.localdate(),
    )


@pytest.fixture
def org_c(db):
    org = make_organisation("c", name="Organisation C")
    for role in (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.SHELTER_MANAGER):
        make_user(org, role)
    return org


def c_user(org_c, role):
    return org_c.users.get(role_assignments__role=role)


@pytest.fixture
def consent_to_b(cast, case):
    return consent_record(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=cast.org_b,
        given_by="child",
        given_on=timezone.localdate(),
        method="written",
    )


@pytest.fixture
def records(cast, case):
    """An assessment, a care plan and a note on the case, written by organisation A."""
    worker = cast.a[Role.CASE_WORKER]
    instrument = Instrument.objects.get(code="child-status")
    assessment = assessment_record(
        actor=worker,
        case=case,
        instrument=instrument,
        assessed_on=timezone.localdate(),
        scores={d.code: 2 for d in instrument.domains.all()},
    )
    plan = care_plan_create(
        actor=worker, case=case, starts_on=timezone.localdate(), review_every_days=90
    )
    note = note_add(
        actor=worker,
        case=case,
        kind="visit",
        happened_on=timezone.localdate(),
        text="Uncle visited; the family is worried about debts.",
    )
    return {"assessment": assessment, "plan": plan, "note": note}
