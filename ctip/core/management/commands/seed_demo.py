"""Loads synthetic demo data: organisations, one user per role, people. Safe to run again.

Everything here is invented: the organisations are fictional, and people's names are random
combinations of common Khmer given and family names (ctip/core/data/names.csv). Never real
people. Later issues add their own records to this command.
"""

import csv
import importlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction

from ctip.access.policy import readable_fields
from ctip.accounts.models import Organisation, OrganisationType, User
from ctip.accounts.roles import Role
from ctip.accounts.services import organisation_create, user_create
from ctip.people.models import Person, Sex
from ctip.people.services import person_create
from ctip.places.models import Country, Province, Village

NAMES_CSV = Path(__file__).resolve().parents[2] / "data" / "names.csv"
# One shared password for every demo login, printed at the end. Demo only.
DEMO_PASSWORD = "mekong-demo-2026"  # noqa: S105
DEMO_DOMAIN = "demo.ctip.test"
# The same seed gives the same names on every machine.
SEED = 2026
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


# Domain apps that add demo records, in order: each module has `seed(ctx: DemoContext)`, which
# must be idempotent (create only what is missing) and write through services.
DOMAIN_STEPS = [
    "ctip.intake.demo",
    "ctip.cases.demo",
    "ctip.justice.demo",
    "ctip.prevention.demo",
    "ctip.shelters.demo",
    "ctip.matching.demo",
    "ctip.exchange.demo",  # reference data (CTDC) for the comparison page
    "ctip.interop.demo",
    "ctip.core.demo_queues",  # issue 17: work for the home-page queues (keep last)
]


@dataclass(frozen=True)
class DemoContext:
    stdout: object  # the command's output: ctx.stdout.write("...")
    rng: random.Random
    orgs: dict[str, "Organisation"]  # by demo code, e.g. "pnh-police", "pnh-social"
    users: dict[str, "User"]  # by demo login, e.g. "investigator", "caseworker", "supervisor"


@dataclass(frozen=True)
class DemoOrganisation:
    code: str
    name: str
    name_km: str
    type: str
    provinces: tuple[str, ...]  # NCDD province codes
    people: int = 0  # synthetic people registered by this organisation


# Fictional organisations. Province codes: 01 Banteay Meanchey, 02 Battambang, 08 Kandal,
# 12 Phnom Penh, 14 Prey Veng, 17 Siem Reap, 20 Svay Rieng, 21 Takeo, 22 Oddar Meanchey.
ORGANISATIONS = [
    DemoOrganisation(
        "pnh-police",
        "Phnom Penh Anti-Trafficking Police Office",
        "ការិយាល័យនគរបាលប្រឆាំងការជួញដូរមនុស្ស រាជធានីភ្នំពេញ",
        OrganisationType.POLICE,
        ("12",),
        people=7,
    ),
    DemoOrganisation(
        "pnh-social",
        "Phnom Penh Social Affairs Department",
        "មន្ទីរសង្គមកិច្ច រាជធានីភ្នំពេញ",
        OrganisationType.SOCIAL_AFFAIRS,
        ("12",),
        people=10,
    ),
    DemoOrganisation(
        "srp-social",
        "Siem Reap Social Affairs Department",
        "មន្ទីរសង្គមកិច្ច ខេត្តសៀមរាប",
        OrganisationType.SOCIAL_AFFAIRS,
        ("17",),
        people=8,
    ),
    DemoOrganisation(
        "lantern",
        "Lantern House Aftercare",
        "មណ្ឌលថែទាំផ្ទះចង្កៀង",
        OrganisationType.NGO_SHELTER,
        ("12", "08", "21"),
    ),
    DemoOrganisation(
        "bamboo",
        "Bamboo Bridge Shelter",
        "ជម្រកស្ពានឫស្សី",
        OrganisationType.NGO_SHELTER,
        ("17", "01", "02", "22"),
    ),
    DemoOrganisation(
        "tworivers",
        "Two Rivers Legal Aid",
        "ជំនួយផ្លូវច្បាប់ទន្លេពីរ",
        OrganisationType.LEGAL_AID,
        ("12", "08", "14", "17", "20"),
    ),
    DemoOrganisation(
        "tipline",
        "National Trafficking Tip Line",
        "ខ្សែទូរស័ព្ទជាតិរាយការណ៍ការជួញដូរមនុស្ស",
        OrganisationType.HOTLINE,
        (),  # national: every province, filled in below
        people=5,
    ),
]

# One user per role, placed where that role works, plus a second case worker in the other
# social-affairs department so that two organisations can be compared.
USERS = [
    ("hotline", Role.HOTLINE_OPERATOR, "tipline"),
    ("investigator", Role.INVESTIGATOR, "pnh-police"),
    ("caseworker", Role.CASE_WORKER, "pnh-social"),
    ("caseworker2", Role.CASE_WORKER, "srp-social"),
    ("supervisor", Role.CASE_SUPERVISOR, "pnh-social"),
    ("shelter", Role.SHELTER_MANAGER, "lantern"),
    ("legal", Role.LEGAL_OFFICER, "tworivers"),
    ("prevention", Role.PREVENTION_OFFICER, "bamboo"),
    ("statistics", Role.STATISTICS_OFFICER, "pnh-social"),
    ("orgadmin", Role.ORG_ADMIN, "pnh-social"),
]


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class Name:
    khmer: str
    romanised: str
    sex: str


def load_names(path: Path = NAMES_CSV) -> tuple[list[Name], list[Name]]:
    """Returns (given, family) names that have both a Khmer spelling and a romanisation."""
    given: list[Name] = []
    family: list[Name] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not (row["khmer"] and row["romanised"]):
                continue
            name = Name(row["khmer"], row["romanised"], row["sex"])
            (given if row["kind"] == "given" else family).append(name)
    return given, family


class NamePicker:
    """Draws (family, given) pairs deterministically from names.csv."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.given, self.family = load_names()

    def pick(self, sex: str | None = None) -> tuple[Name, Name]:
        pool = self.given
        if sex in (Sex.FEMALE, Sex.MALE):
            # A name a source gives for this sex, or for either.
            pool = [n for n in self.given if n.sex in (sex, "u")]
        return self.rng.choice(self.family), self.rng.choice(pool)


class Command(BaseCommand):
    help = "Loads synthetic demo organisations, users (one per role) and people. Idempotent."

    def handle(self, *args, **options) -> None:
        self.rng = random.Random(SEED)
        self.names = NamePicker(self.rng)
        self.villages: dict[int, list[str]] = {}  # village codes by organisation
        self.load_reference_data()
        self.cambodia = Country.objects.filter(code="KH").first()
        with transaction.atomic():
            admin = self.ensure_admin()
            orgs = self.ensure_organisations(admin)
            self.ensure_users(admin, orgs)
            self.ensure_people(orgs)
        self.run_domain_steps(orgs)
        self.print_logins()

    # --- steps ----------------------------------------------------------------------------------

    def run_domain_steps(self, orgs: dict[str, Organisation]) -> None:
        """Each domain app adds its own demo records in `ctip/<app>/demo.py` (see DemoContext)."""
        users = {local: User.objects.get(email=demo_email(local)) for local, _r, _o in USERS}
        for module_name in DOMAIN_STEPS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            with transaction.atomic():
                module.seed(
                    DemoContext(
                        stdout=self.stdout,
                        # One generator per step: a step's records do not change when another
                        # step draws more or fewer numbers.
                        rng=random.Random(f"{SEED}:{module_name}"),
                        orgs=orgs,
                        users=users,
                    )
                )

    def load_reference_data(self) -> None:
        if Village.objects.exists():
            self.stdout.write(
                "Reference data: already loaded (run `manage.py load_reference_data` to update)."
            )
            return
        if "load_reference_data" not in get_commands():
            self.stdout.write(
                self.style.WARNING(
                    "Reference data: the load_reference_data command is not available yet; "
                    "organisations get no provinces and people no home village."
                )
            )
            return
        self.stdout.write("Reference data: loading the gazetteer and countries…")
        call_command("load_reference_data", stdout=self.stdout, stderr=self.stderr)

    def ensure_admin(self) -> User:
        admin = User.objects.filter(email=ADMIN_EMAIL).first()
        family, given = self.names.pick()
        if admin is not None:
            self.stdout.write(f"System admin: {ADMIN_EMAIL} exists.")
            return admin
        admin = User.objects.create_superuser(
            ADMIN_EMAIL,
            DEMO_PASSWORD,
            full_name=f"{family.romanised} {given.romanised}",
            full_name_km=f"{family.khmer} {given.khmer}",
        )
        self.stdout.write(f"System admin: created {ADMIN_EMAIL}.")
        return admin

    def ensure_organisations(self, admin: User) -> dict[str, Organisation]:
        orgs: dict[str, Organisation] = {}
        all_provinces = list(Province.objects.order_by("code"))
        for spec in ORGANISATIONS:
            org = Organisation.objects.filter(code=spec.code).first()
            if org is None:
                provinces = (
                    all_provinces
                    if spec.type == OrganisationType.HOTLINE
                    else [p for p in all_provinces if p.code in spec.provinces]
                )
                org = organisation_create(
                    actor=admin,
                    name=spec.name,
                    name_km=spec.name_km,
                    code=spec.code,
                    type=spec.type,
                    provinces=provinces,
                    provides_legal_aid=spec.type == OrganisationType.LEGAL_AID,
                )
                self.stdout.write(f"Organisation: created {org.name} ({len(provinces)} provinces).")
            else:
                self.stdout.write(f"Organisation: {org.name} exists.")
            orgs[spec.code] = org
        return orgs

    def ensure_users(self, admin: User, orgs: dict[str, Organisation]) -> None:
        for local, role, org_code in USERS:
            # Draw a name even for an existing user, so the sequence stays the same.
            family, given = self.names.pick()
            email = demo_email(local)
            if User.objects.filter(email=email).exists():
                self.stdout.write(f"User: {email} exists.")
                continue
            user_create(
                actor=admin,
                organisation=orgs[org_code],
                email=email,
                full_name=f"{family.romanised} {given.romanised}",
                full_name_km=f"{family.khmer} {given.khmer}",
                password=DEMO_PASSWORD,
                roles={role},
            )
            self.stdout.write(f"User: created {email} ({role.label}, {orgs[org_code].name}).")

    def ensure_people(self, orgs: dict[str, Organisation]) -> None:
        # Plans every person first (same seed, same people), then creates only those missing.
        creators = self.people_creators()
        plan = {
            spec.code: [
                self.plan_person(orgs[spec.code], creators[spec.code]) for _ in range(spec.people)
            ]
            for spec in ORGANISATIONS
        }
        for code, people in plan.items():
            org = orgs[code]
            existing = Person.objects.filter(organisation=org).count()
            missing = people[existing:]
            for fields in missing:
                person_create(actor=creators[code], organisation=org, **fields)
            if people:
                self.stdout.write(
                    f"People: {org.name}: {len(missing)} created, {existing} already there."
                )

    def people_creators(self) -> dict[str, User]:
        """The demo user who registers each organisation's people."""
        creators = {}
        for local, role, org_code in USERS:
            if role in (Role.CASE_WORKER, Role.INVESTIGATOR, Role.HOTLINE_OPERATOR):
                creators.setdefault(org_code, User.objects.get(email=demo_email(local)))
        return creators

    def plan_person(self, org: Organisation, creator: User) -> dict:
        """Draws one plausible person; only fields the creator's roles may write are kept."""
        rng = self.rng
        sex = rng.choices([Sex.FEMALE, Sex.MALE], weights=[7, 3])[0]
        family, given = self.names.pick(sex)
        # Mostly children and young people (survivors), some adults (family, witnesses).
        band = rng.choices([(9, 17), (18, 24), (28, 60)], weights=[5, 3, 2])[0]
        age = rng.randint(*band)
        # Birth dates are anchored to a fixed day, so a re-run plans the same people.
        birth = date(2026, 1, 1) - timedelta(days=age * 365 + rng.randint(0, 364))
        known_birth = rng.random() < 0.5
        village = self.pick_village(org)
        writable = set(readable_fields(creator, Person))
        fields: dict = {
            "given_name": given.romanised,
            "family_name": family.romanised,
            "name_km": f"{family.khmer} {given.khmer}",
            "sex": sex,
            "nationality": self.cambodia,
        }
        if known_birth and "date_of_birth" in writable:
            fields["date_of_birth"] = birth
        else:
            fields["estimated_age"] = age
        if village is not None and "home_village" in writable:
            fields["home_village"] = village
        return {name: value for name, value in fields.items() if name in writable}

    def pick_village(self, org: Organisation) -> Village | None:
        """A current village in one of the organisation's provinces; None without a gazetteer."""
        if org.pk not in self.villages:
            self.villages[org.pk] = list(
                Village.objects.filter(
                    is_active=True, commune__district__province__in=org.provinces.all()
                )
                .order_by("code")
                .values_list("code", flat=True)
            )
        codes = self.villages[org.pk]
        index = self.rng.randrange(len(codes)) if codes else None
        return Village.objects.get(code=codes[index]) if index is not None else None

    def print_logins(self) -> None:
        emails = [ADMIN_EMAIL] + [demo_email(local) for local, _role, _org in USERS]
        users = {
            u.email: u for u in User.objects.filter(email__in=emails).select_related("organisation")
        }
        rows = [
            (u.email, ", ".join(str(Role(r).label) for r in sorted(u.roles)), u.organisation.name)
            for u in (users.get(e) for e in emails)
            if u is not None
        ]
        header = ("email", "role", "organisation")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]

        def line(row: tuple[str, str, str]) -> str:
            return "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (synthetic data only):"))
        self.stdout.write(line(header))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
