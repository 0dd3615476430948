import pytest
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.services import case_open
from ctip.people.services import person_create


@pytest.fixture
def survivor(cast):
    return person_create(
        actor=cast.a[Role.CASE_WORKER],
        given_name="Srey",
        family_name="Chan",
        name_km="ចាន់ ស្រី",
        sex="f",
        estimated_age=15,
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
