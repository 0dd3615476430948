from datetime import date

import pytest

from ctip.accounts.roles import Role
from ctip.cases.services import case_open
from ctip.justice import services
from ctip.people.services import person_create


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def proceeding(cast, media):
    """An investigation of organisation A represented by B's legal officers: one victim of A,
    one of B, one suspect with a phone, charged under a loaded article."""
    inv_a = cast.a[Role.INVESTIGATOR]
    services.law_articles_load(actor=None)
    inv = services.investigation_create(
        actor=inv_a,
        title="Karaoke ring",
        opened_on=date(2025, 3, 1),
        source="operation",
        exploitation_form="sex_karaoke",
        legal_organisation=cast.org_b,
        summary="confidential summary",
    )
    victim_a = person_create(
        actor=cast.a[Role.CASE_WORKER], given_name="Srey", sex="f", estimated_age=15
    )
    victim_b = person_create(
        actor=cast.b[Role.CASE_WORKER], given_name="Mony", sex="f", estimated_age=16
    )
    # B's case worker follows Mony's case: Mony is "their survivor".
    case_open(actor=cast.b[Role.CASE_WORKER], person=victim_b)
    va = services.victim_add(actor=inv_a, investigation=inv, person=victim_a)
    vb = services.victim_add(actor=cast.b[Role.LEGAL_OFFICER], investigation=inv, person=victim_b)
    suspect_person = person_create(actor=inv_a, given_name="Vanna", sex="m", estimated_age=40)
    suspect = services.suspect_add(
        actor=inv_a, investigation=inv, person=suspect_person, role="establishment"
    )
    services.identifier_add(actor=inv_a, suspect=suspect, kind="phone", value="+855 12 345 678")
    return {"inv": inv, "va": va, "vb": vb, "suspect": suspect}


@pytest.fixture
def outsider(cast):
    """An investigator and a legal officer of organisation C, which has no part in it."""
    from ctip.core.testing import make_organisation, make_user

    org_c = make_organisation("c", name="Organisation C")
    return [make_user(org_c, Role.INVESTIGATOR), make_user(org_c, Role.LEGAL_OFFICER)]
