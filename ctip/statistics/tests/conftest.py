"""Hand-built records with known answers for the indicator tests.

The statistics app only counts what other apps wrote; these rows are leaf data created with
the ORM so that every expected figure below can be checked by reading this file.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.places.models import Commune, Country, District, Province, Village

YEAR = 2025
REF = date(YEAR, 12, 31)


def born(age: int) -> date:
    """A date of birth giving `age` on 31 December of YEAR."""
    return date(YEAR - age, 6, 1)


def at(month: int, day: int = 10, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


@dataclass
class World:
    cast: object
    provinces: dict[str, Province]
    villages: dict[str, Village]
    countries: dict[str, Country]
    people: list = field(default_factory=list)


def make_places() -> tuple[dict, dict, dict]:
    provinces, villages = {}, {}
    for pcode, name in (("12", "Phnom Penh"), ("17", "Siem Reap"), ("01", "Banteay Meanchey")):
        province = Province.objects.create(code=pcode, iso3166_2=f"KH-{pcode}", name_en=name)
        district = District.objects.create(code=f"{pcode}01", province=province, name_en="D")
        commune = Commune.objects.create(code=f"{pcode}0101", district=district, name_en="C")
        provinces[pcode] = province
        villages[pcode] = Village.objects.create(
            code=f"{pcode}010101", commune=commune, name_en=f"Phum {pcode}"
        )
    countries = {}
    for code, a3, name in (("TH", "THA", "Thailand"), ("MY", "MYS", "Malaysia")):
        countries[code] = Country.objects.get_or_create(
            code=code, defaults={"alpha3": a3, "name_en": name}
        )[0]
    return provinces, villages, countries


def make_person(
    world: World,
    *,
    sex: str,
    age: int | None = None,
    estimated: int | None = None,
    village: str | None = None,
    org=None,
):
    from ctip.people.models import Person

    person = Person.objects.create(
        organisation=org or world.cast.org_a,
        given_name="Test",
        family_name=f"P{len(world.people)}",
        sex=sex,
        date_of_birth=born(age) if age is not None else None,
        estimated_age=estimated,
        home_village=world.villages[village] if village else None,
    )
    world.people.append(person)
    return person


@pytest.fixture
def world(cast) -> World:
    provinces, villages, countries = make_places()
    return World(cast=cast, provinces=provinces, villages=villages, countries=countries)


@pytest.fixture
def statistician(cast):
    return cast.a[Role.STATISTICS_OFFICER]
