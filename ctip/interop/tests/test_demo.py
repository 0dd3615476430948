"""The demo partner systems: written through the services, idempotent."""

import random
from datetime import date
from io import StringIO

from ctip.accounts.models import Organisation
from ctip.accounts.roles import Role
from ctip.cases.models import ConsentPurpose
from ctip.cases.services import case_open, consent_given
from ctip.core.management.commands.seed_demo import ADMIN_EMAIL, DemoContext
from ctip.core.testing import make_user
from ctip.interop import demo
from ctip.interop.models import ExternalReference, PartnerSystem
from ctip.people.services import person_create


def test_the_demo_registers_two_systems_and_maps_cases_once(cast):
    make_user(cast.org_a, Role.SYSTEM_ADMIN, email=ADMIN_EMAIL)
    supervisor = cast.a[Role.CASE_SUPERVISOR]
    adult = person_create(
        actor=supervisor, given_name="Sophea", family_name="Keo", date_of_birth=date(1998, 5, 1)
    )
    own = case_open(actor=supervisor, person=adult)
    ctx = DemoContext(
        stdout=StringIO(),
        rng=random.Random(1),
        orgs={"pnh-social": cast.org_a, "lantern": cast.org_b},
        users={"orgadmin": cast.a[Role.ORG_ADMIN], "supervisor": supervisor},
    )
    demo.seed(ctx)
    first = sorted(ExternalReference.objects.values_list("system__name", "external_id"))
    demo.seed(ctx)
    assert sorted(ExternalReference.objects.values_list("system__name", "external_id")) == first
    assert set(PartnerSystem.objects.values_list("kind", flat=True)) == {"primero", "oscar"}
    assert len(first) == 4  # three received, one of CTIP's own linked
    ministry = Organisation.objects.get(code="mosvy")
    assert ExternalReference.objects.filter(case=own).exists()
    assert consent_given(case=own, purpose=ConsentPurpose.SHARING, organisation=ministry)
