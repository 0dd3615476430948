"""Demo possible duplicates and a small trafficking network across provinces and a border.

Idempotent: people are found by name in their organisation, investigations by title; all
written through services. Everything is invented.

- Duplicates: the same girl recorded by Phnom Penh and Siem Reap social affairs with different
  spellings ("Chan Sophal" / "Chann Sophol"), and twice within Phnom Penh with the family name
  written last ("Sok Dara" / "Dara Sokh"): the review queue of the case workers shows both; the
  Phnom Penh case worker sees only that a match exists in Siem Reap.
- Network: one broker's phone turns up in investigations in Phnom Penh, Siem Reap and Banteay
  Meanchey, with a karaoke bar and a Thai number: the network page reveals one network
  spanning three provinces and crossing into Thailand.
"""

from datetime import date, timedelta

from django.utils import timezone

from ctip.justice import services as justice
from ctip.justice.models import Investigation
from ctip.people.models import Person, Sex
from ctip.people.services import person_create
from ctip.places.models import Province

from .services import person_match

# (login, given, family, khmer, sex, date of birth, estimated age, phone)
DUPLICATES = [
    ("caseworker", "Sophal", "Chan", "ចាន់ សុផល", Sex.FEMALE, date(2010, 3, 14), None, "012 456 789"),
    ("caseworker2", "Sophol", "Chann", "", Sex.FEMALE, None, 16, "+855 12 456 789"),
    ("caseworker", "Dara", "Sok", "សុខ ដារា", Sex.MALE, date(2009, 7, 2), None, ""),
    ("caseworker", "Sokh", "Dara", "សុខ ដារ៉ា", Sex.MALE, date(2009, 7, 2), None, ""),
]

BROKER_PHONE = "+855 97 555 0142"
THAI_PHONE = "+66 81 234 5678"
# (title, province code, form, suspects: (given, family, role, identifiers: (kind, value)))
NETWORK = [
    (
        "Girls recruited for a karaoke bar, Tuol Kouk",
        "12",
        "sex_karaoke",
        [
            ("Vuthy", "Heng", "recruiter", [("phone", BROKER_PHONE)]),
            ("Sreymom", "Keo", "establishment", [("establishment", "Golden Star Karaoke")]),
        ],
    ),
    (
        "Promise of restaurant work, Siem Reap",
        "17",
        "sex_massage",
        [("Vuthy", "Heng", "recruiter", [("phone", "097 555 0142"), ("handle", "@vuthy.jobs")])],
    ),
    (
        "Border crossing at Poipet to Thai fishing boats",
        "01",
        "labour_fishing",
        [
            (
                "Rithy",
                "Mao",
                "broker_transporter",
                [("phone", "0975550142"), ("phone", THAI_PHONE)],
            ),
            ("Chenda", "Ouk", "broker_transporter", [("vehicle", "BMC 2A-4471")]),
        ],
    ),
]


def _person(actor, given, family, **fields) -> Person:
    existing = Person.objects.filter(
        organisation=actor.organisation, given_name=given, family_name=family
    ).first()
    return existing or person_create(actor=actor, given_name=given, family_name=family, **fields)


def seed(ctx) -> None:
    _agreement(ctx)
    people = []
    for login, given, family, khmer, sex, dob, age, phone in DUPLICATES:
        actor = ctx.users[login]
        fields = {"name_km": khmer, "sex": sex, "phone": phone}
        fields |= {"date_of_birth": dob} if dob else {"estimated_age": age}
        people.append(_person(actor, given, family, **fields))
    found = sum(len(person_match(person=p)) for p in people)
    ctx.stdout.write(f"Matching: {found} possible duplicates queued for the demo people.")
    _network(ctx)


def _agreement(ctx) -> None:
    """The two social-affairs departments agree to tell each other who holds a possible
    duplicate and whom to call, so the demo queue shows the cross-organisation pair."""
    from ctip.accounts.models import User
    from ctip.core.management.commands.seed_demo import ADMIN_EMAIL
    from ctip.referrals.models import DataSharingAgreement, MatchReveal
    from ctip.referrals.services import agreement_record

    pnh, srp = ctx.orgs["pnh-social"], ctx.orgs["srp-social"]
    if DataSharingAgreement.objects.filter(
        organisation_a__in=[pnh, srp], organisation_b__in=[pnh, srp]
    ).exists():
        return
    admin = User.objects.get(email=ADMIN_EMAIL)
    agreement_record(
        actor=admin,
        organisation_a=pnh,
        organisation_b=srp,
        reveal_matches=MatchReveal.CONTACT,
        valid_from=timezone.localdate() - timedelta(days=365),
        reference="DSA-DEMO-2025-01",
        contact_a="Case management unit, +855 23 000 101",
        contact_b="Case management unit, +855 63 000 202",
    )
    ctx.stdout.write("Matching: a demo data-sharing agreement (who holds a duplicate, contact).")


def _network(ctx) -> None:
    investigator = ctx.users["investigator"]
    today = timezone.localdate()
    provinces = {p.code: p for p in Province.objects.filter(code__in=["01", "12", "17"])}
    suspects_by_name = {}
    for n, (title, province, form, suspects) in enumerate(NETWORK):
        if Investigation.objects.filter(title=title).exists():
            ctx.stdout.write(f"Network: {title} exists.")
            continue
        inv = justice.investigation_create(
            actor=investigator,
            title=title,
            opened_on=today - timedelta(days=200 - 40 * n),
            source="report",
            exploitation_form=form,
            province=provinces.get(province),
            summary="Synthetic demo investigation (network).",
        )
        victim_person = _person(
            investigator,
            ["Bopha", "Kunthea", "Sothea"][n],
            ["Pen", "Lim", "Chea"][n],
            sex=Sex.FEMALE,
            estimated_age=15 + n,
        )
        victim = justice.victim_add(
            actor=investigator, investigation=inv, person=victim_person, age_at_exploitation=15
        )
        for given, family, role, identifiers in suspects:
            person = suspects_by_name.get((given, family)) or _person(
                investigator, given, family, sex=Sex.MALE, estimated_age=38
            )
            suspects_by_name[(given, family)] = person
            suspect = justice.suspect_add(
                actor=investigator, investigation=inv, person=person, role=role
            )
            for kind, value in identifiers:
                justice.identifier_add(actor=investigator, suspect=suspect, kind=kind, value=value)
            justice.relation_set(
                actor=investigator, suspect=suspect, victim=victim, relation="broker"
            )
        ctx.stdout.write(f"Network: created {inv.reference} {title}.")
