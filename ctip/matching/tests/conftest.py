from datetime import date

import pytest

from ctip.accounts.roles import Role
from ctip.matching.services import person_keys_refresh
from ctip.people.services import person_create


@pytest.fixture
def twins(cast):
    """The same girl recorded by A (twice: once with the names swapped) and by B."""
    a, b = cast.a[Role.CASE_WORKER], cast.b[Role.CASE_WORKER]
    first = person_create(
        actor=a,
        given_name="Sophal",
        family_name="Chan",
        name_km="ចាន់ សុផល",
        sex="f",
        date_of_birth=date(2010, 3, 14),
        phone="012 456 789",
    )
    swapped = person_create(
        actor=a,
        given_name="Chan",
        family_name="Sophall",
        sex="f",
        date_of_birth=date(2010, 3, 14),
    )
    other_org = person_create(
        actor=b,
        given_name="Sophol",
        family_name="Chann",
        sex="f",
        estimated_age=16,
        phone="+855 12 456 789",
    )
    stranger = person_create(
        actor=a, given_name="Vuthy", family_name="Heng", sex="m", estimated_age=40
    )
    # What the matcher does after each person's transaction commits (not run inside tests).
    for person in (first, swapped, other_org, stranger):
        person_keys_refresh(person=person)
    return {"first": first, "swapped": swapped, "other_org": other_org, "stranger": stranger}


@pytest.fixture
def agreement(cast):
    """Records a data-sharing agreement between A and B revealing `level` (in force today)."""
    from django.utils import timezone

    from ctip.referrals.services import agreement_record

    def make(level: str, **values):
        admin = cast.a[Role.SYSTEM_ADMIN]
        return agreement_record(
            actor=admin,
            organisation_a=cast.org_a,
            organisation_b=cast.org_b,
            reveal_matches=level,
            valid_from=values.pop("valid_from", timezone.localdate()),
            contact_a=values.pop("contact_a", "Sophea, case unit, 012 000 111"),
            contact_b=values.pop("contact_b", "Rithy, referrals desk, 017 000 222"),
            **values,
        )

    return make
