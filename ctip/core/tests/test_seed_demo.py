import csv
from io import StringIO

import pytest
from django.core.management import call_command

from ctip.accounts.models import Organisation, OrganisationType, User, UserRole
from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.core.management.commands.seed_demo import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    NAMES_CSV,
    ORGANISATIONS,
)
from ctip.people.models import Person
from ctip.places.models import Commune, Country, District, Province, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer_slice():
    """A few provinces with one village each: seed_demo finds them and loads nothing more."""
    Country.objects.create(code="KH", alpha3="KHM", name_en="Cambodia", name_km="កម្ពុជា")
    codes = {spec_code for spec in ORGANISATIONS for spec_code in spec.provinces}
    for code in sorted(codes):
        province = Province.objects.create(
            code=code, iso3166_2=f"KH-{int(code)}", name_en=f"Province {code}"
        )
        district = District.objects.create(
            code=f"{code}01", province=province, name_en=f"District {code}01"
        )
        commune = Commune.objects.create(
            code=f"{code}0101", district=district, name_en=f"Commune {code}0101"
        )
        for n in (1, 2):
            Village.objects.create(
                code=f"{code}01010{n}", commune=commune, name_en=f"Village {code}-{n}"
            )


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_users():
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


def snapshot() -> dict:
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return {
        "organisations": list(Organisation.objects.order_by("code").values_list("code", "version")),
        "users": list(User.objects.order_by("email").values_list("email", "version")),
        "roles": UserRole.objects.count(),
        "people": list(Person.objects.order_by("pk").values_list("pk", "version")),
        "audit_head": head,
    }


def test_it_creates_one_user_per_role(gazetteer_slice):
    seed()
    held = set(UserRole.objects.filter(user__in=demo_users()).values_list("role", flat=True))
    assert held == set(Role.values)


def test_it_places_a_second_case_worker_in_another_social_affairs_department(gazetteer_slice):
    seed()
    orgs = {u.organisation for u in demo_users().filter(role_assignments__role=Role.CASE_WORKER)}
    assert len(orgs) == 2
    assert {o.type for o in orgs} == {OrganisationType.SOCIAL_AFFAIRS}


def test_it_creates_the_organisations_the_demo_needs(gazetteer_slice):
    seed()
    types = list(Organisation.objects.values_list("type", flat=True))
    assert types.count(OrganisationType.POLICE) >= 1
    assert types.count(OrganisationType.SOCIAL_AFFAIRS) >= 2
    assert types.count(OrganisationType.NGO_SHELTER) >= 2
    assert types.count(OrganisationType.LEGAL_AID) >= 1
    assert types.count(OrganisationType.HOTLINE) >= 1
    for spec in ORGANISATIONS:
        org = Organisation.objects.get(code=spec.code)
        assert org.provinces.exists(), f"{org} covers no province"


def test_demo_users_log_in_with_the_printed_password(gazetteer_slice):
    output = seed()
    assert DEMO_PASSWORD in output
    assert len(DEMO_PASSWORD) >= 12
    for user in demo_users():
        assert user.email in output
        assert user.check_password(DEMO_PASSWORD), user.email


def test_it_creates_people_spread_over_organisations(gazetteer_slice):
    seed()
    people = Person.objects.all()
    # About thirty of the foundation's own, plus those the domain steps add (survivors, kin...).
    assert people.count() >= 25
    assert people.values("organisation").distinct().count() >= 3
    assert {p.sex for p in people} == {"f", "m"}
    assert Person.objects.filter(home_village__isnull=False).exists()


def test_it_is_idempotent(gazetteer_slice):
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "created" not in output.replace("0 created", "")


def test_it_draws_names_from_names_csv(gazetteer_slice):
    seed()
    with NAMES_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pairs = {(r["kind"], r["romanised"], r["khmer"]) for r in rows}
    named = [(u.full_name, u.full_name_km) for u in demo_users()]
    # The foundation's own people come first; domain steps add others (e.g. matching plants
    # misspelt duplicates on purpose), which this test leaves to their apps.
    foundation_people = Person.objects.order_by("id")[: sum(o.people for o in ORGANISATIONS)]
    named += [(f"{p.family_name} {p.given_name}", p.name_km) for p in foundation_people]
    for latin, khmer in named:
        family, given = latin.split(" ", 1)
        family_km, given_km = khmer.split(" ", 1)
        assert ("family", family, family_km) in pairs, latin
        assert ("given", given, given_km) in pairs, latin
