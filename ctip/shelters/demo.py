"""Demo aftercare: facilities, the partner directory, consent-gated referrals, placements,
cross-border returns, reintegration and follow-up visits (issue 5). Written through services.

Synthetic only. Idempotent: nothing is added once Lantern House has a facility. Runs after the
cases step (seed_demo's DOMAIN_STEPS), so it builds on the demo cases of Phnom Penh.
"""

from datetime import timedelta

from django.utils import timezone

from ctip.care.models import Instrument
from ctip.cases.models import Case, CaseStatus, ConsentPurpose
from ctip.cases.services import consent_record
from ctip.people.models import Sex
from ctip.places.models import Country, Province
from ctip.referrals import services as referrals
from ctip.referrals.models import ReferralKind, Section, ServiceCategory
from ctip.returns import services as returns
from ctip.returns.models import ReintegrationOption, ReturnDirection, ReturnStatus

from . import services
from .models import BandSex, Facility, FacilityType

FACILITIES = [
    # org, name, name_km, type, province, address, services, bands
    (
        "lantern",
        "Lantern House Girls' Home",
        "ផ្ទះចង្កៀងសម្រាប់កុមារី",
        FacilityType.AFTERCARE_HOME,
        "12",
        "Street 000, Sangkat Demo, Phnom Penh (fictional)",
        "Counselling, schooling, vocational training, medical check-ups",
        [(BandSex.FEMALE, 8, 18, 56)],
    ),
    (
        "lantern",
        "Lantern House Pod, Kandal",
        "ផ្ទះតូចចង្កៀង កណ្ដាល",
        FacilityType.GROUP_POD,
        "08",
        "Village Demo, Kandal (fictional)",
        "Independent-living skills, counselling",
        [(BandSex.FEMALE, 14, 18, 3)],
    ),
    (
        "bamboo",
        "Bamboo Bridge Assessment Centre",
        "មជ្ឈមណ្ឌលវាយតម្លៃស្ពានឫស្សី",
        FacilityType.ASSESSMENT_CENTRE,
        "17",
        "Road Demo, Siem Reap (fictional)",
        "Short-term protection, medical and needs assessment",
        [(BandSex.FEMALE, 6, 17, 20), (BandSex.MALE, 6, 17, 10)],
    ),
    (
        "pnh-social",
        "Phnom Penh Transit Centre",
        "មជ្ឈមណ្ឌលឆ្លងកាត់ភ្នំពេញ",
        FacilityType.TRANSIT_CENTRE,
        "12",
        "Transit road, Phnom Penh (fictional)",
        "Overnight stay for returnees, family tracing",
        [(BandSex.ANY, 0, 17, 12)],
    ),
]

DIRECTORY = [
    ("lantern", ServiceCategory.SHELTER, "Medium-term aftercare for girls", ("12", "08", "21")),
    ("lantern", ServiceCategory.COUNSELLING, "Trauma counselling", ("12", "08")),
    ("bamboo", ServiceCategory.SHELTER, "Short-term assessment centre", ("17", "01", "02", "22")),
    ("bamboo", ServiceCategory.VOCATIONAL, "Tailoring and hairdressing", ("17",)),
    ("tworivers", ServiceCategory.LEGAL, "Legal aid for survivors", ("12", "08", "14", "17")),
    ("pnh-social", ServiceCategory.FAMILY, "Family tracing and home assessment", ("12",)),
    ("pnh-social", ServiceCategory.REPATRIATION, "Repatriation from Thailand", ("12",)),
]

# Returns by country: (ISO code, direction, crossing point, authority over there), counts.
RETURNS = [
    (
        "TH",
        ReturnDirection.TO_CAMBODIA,
        "Poipet–Aranyaprathet",
        "Thai Ministry of Social Development",
    ),
    (
        "TH",
        ReturnDirection.TO_CAMBODIA,
        "Poipet–Aranyaprathet",
        "Thai Ministry of Social Development",
    ),
    ("TH", ReturnDirection.TO_CAMBODIA, "Cham Yeam–Hat Lek", "Thai Ministry of Social Development"),
    ("VN", ReturnDirection.TO_CAMBODIA, "Bavet–Moc Bai", "Viet Nam Ministry of Labour"),
    ("VN", ReturnDirection.FROM_CAMBODIA, "Bavet–Moc Bai", "Viet Nam Ministry of Labour"),
    ("CN", ReturnDirection.TO_CAMBODIA, "Phnom Penh International Airport", "Chinese police"),
    ("LA", ReturnDirection.TO_CAMBODIA, "Trapeang Kriel–Nong Nok Khiene", "Lao social welfare"),
]


def seed(ctx) -> None:
    lantern = ctx.orgs["lantern"]
    if Facility.objects.filter(organisation=lantern).exists():
        ctx.stdout.write("Aftercare: demo facilities already exist.")
        return
    managers = {
        "lantern": ctx.users["shelter"],
        "bamboo": None,
    }
    facilities = {}
    provinces = {p.code: p for p in Province.objects.all()}
    for org, name, name_km, ftype, prov, address, offered, bands in FACILITIES:
        actor = managers.get(org) or _stand_in(ctx, org)
        if actor is None:
            continue
        facilities[name] = services.facility_create(
            actor=actor,
            name=name,
            name_km=name_km,
            type=ftype,
            province=provinces.get(prov),
            address=address,
            services=offered,
            bands=bands,
        )
    _directory(ctx, provinces)
    worker = ctx.users["caseworker"]
    shelter = ctx.users["shelter"]
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(organisation=ctx.orgs["pnh-social"], case_worker=worker)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("person")
        .order_by("number")
    )
    girls = [
        c for c in cases if c.person.sex == Sex.FEMALE and 8 <= (c.person.age_on(today) or 0) <= 18
    ]
    # Two girls referred to Lantern House with consent, accepted and admitted: the capacity
    # board shows them as occupied places, never who they are.
    home = facilities.get("Lantern House Girls' Home")
    for case in girls[:2]:
        _consent(worker, case, lantern, today)
        referral = referrals.referral_create(
            actor=worker,
            case=case,
            to_organisation=lantern,
            kind=ReferralKind.SERVICE,
            service=ServiceCategory.SHELTER,
            urgency="urgent",
            reason="Needs a safe place to stay while the family is assessed.",
            sections=[Section.IDENTITY, Section.ASSESSMENTS, Section.CARE_PLAN],
        )
        referrals.referral_accept(actor=shelter, referral=referral, reason="Place available.")
        if home is not None:
            services.placement_admit(
                actor=shelter, case=case, facility=home, admitted_on=today - timedelta(days=20)
            )
    # One girl with consent to share with Lantern House but no referral yet (for the demo of
    # referring), one pending referral waiting for Lantern House's answer.
    for case in girls[2:3]:
        _consent(worker, case, lantern, today)
    for case in girls[3:4]:
        _consent(worker, case, lantern, today)
        referrals.referral_create(
            actor=worker,
            case=case,
            to_organisation=lantern,
            kind=ReferralKind.SERVICE,
            service=ServiceCategory.COUNSELLING,
            urgency="routine",
            reason="Counselling after return from Thailand.",
            sections=[Section.IDENTITY, Section.ASSESSMENTS],
        )
    _returns(ctx, worker, cases, today)
    _reintegration(ctx, worker, cases, today)
    ctx.stdout.write(
        f"Aftercare: {len(facilities)} facilities, referrals, placements, returns, follow-ups."
    )


def _stand_in(ctx, org_code):
    """A demo organisation without a shelter-manager login: its facility is recorded by an
    active user of it who may, else skipped."""
    from ctip.accounts.models import User
    from ctip.accounts.roles import Role

    return User.objects.filter(
        organisation=ctx.orgs[org_code],
        role_assignments__role__in=[Role.SHELTER_MANAGER],
        is_active=True,
    ).first()


def _directory(ctx, provinces) -> None:
    from ctip.access.policy import can
    from ctip.accounts.models import User
    from ctip.accounts.roles import Perm

    for org_code, category, description, codes in DIRECTORY:
        actor = next(
            (
                u
                for u in User.objects.filter(organisation=ctx.orgs[org_code], is_active=True)
                if can(u, Perm.DIRECTORY_MANAGE)
            ),
            None,
        )
        if actor is None:
            continue
        referrals.partner_service_add(
            actor=actor,
            category=category,
            description=description,
            provinces=[provinces[c] for c in codes if c in provinces],
            contact="+855 00 000 000 (demo)",
        )


def _consent(worker, case, partner, today) -> None:
    age = case.person.age_on(today) or 18
    consent_record(
        actor=worker,
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=partner,
        given_by="child" if age >= 18 else "both" if age >= 12 else "guardian",
        guardian=None if age >= 18 else _guardian(case),
        given_on=today - timedelta(days=25),
        method="written",
    )


def _guardian(case):
    from ctip.people.models import FamilyLink

    link = FamilyLink.objects.filter(person=case.person, is_guardian=True).first()
    return link.relative if link else None


def _returns(ctx, worker, cases, today) -> None:
    countries = {c.code: c for c in Country.objects.filter(code__in=[r[0] for r in RETURNS])}
    for n, (code, direction, crossing, authority) in enumerate(RETURNS):
        if code not in countries or not cases:
            continue
        case = cases[n % len(cases)]
        returned_on = today - timedelta(days=60 + 200 * n)
        done = n != 1  # one return still planned
        to_kh = direction == ReturnDirection.TO_CAMBODIA
        returns.return_record(
            actor=worker,
            case=case,
            direction=direction,
            country=countries[code],
            crossing_point=crossing,
            planned_on=returned_on - timedelta(days=7) if done else today + timedelta(days=10),
            returned_on=returned_on if done else None,
            sending_authority=authority if to_kh else "Ministry of Social Affairs, Cambodia",
            receiving_authority="Ministry of Social Affairs, Cambodia" if to_kh else authority,
            receiving_organisation="Phnom Penh Social Affairs Department" if to_kh else "",
            documents="Travel document issued by the consulate",
            escort="Social worker and police officer",
            family_traced=True,
            home_assessed_on=returned_on - timedelta(days=14) if done else None,
            home_assessment="Family able and willing to receive the child." if done else "",
            status=ReturnStatus.RETURNED if done else ReturnStatus.PLANNED,
        )


def _reintegration(ctx, worker, cases, today) -> None:
    """A reintegration eight months ago: visits at 1 and 3 months done with outcome scores,
    the 6-month visit overdue (it shows on the case worker's dashboard)."""
    follow_up = [c for c in cases if c.status in (CaseStatus.REINTEGRATION, CaseStatus.FOLLOW_UP)]
    instrument = Instrument.objects.filter(code="child-status").first()
    if not follow_up or instrument is None:
        return
    domains = list(instrument.domains.all())
    for n, case in enumerate(follow_up[:2]):
        reintegrated = today - timedelta(days=245 + 30 * n)
        plan = returns.reintegration_plan_create(
            actor=worker,
            case=case,
            option=[ReintegrationOption.FAMILY, ReintegrationOption.KINSHIP_FOSTER][n % 2],
            destination="Home village with mother (fictional)",
            caregiver="Mother",
            family_readiness=3,
            community_readiness=3,
            readiness_notes="Mother attended parenting sessions; village chief supportive.",
            assessed_on=reintegrated - timedelta(days=20),
        )
        plan = returns.reintegration_complete(actor=worker, plan=plan, reintegrated_on=reintegrated)
        for k, visit in enumerate(plan.visits.order_by("due_on")[:2]):
            returns.follow_up_record(
                actor=worker,
                visit=visit,
                visited_on=visit.due_on,
                instrument=instrument,
                scores={d.code: min(4, 2 + k) for d in domains},
                notes="Living with mother; back in school.",
                living_where_planned=True,
                in_school_or_work=True,
            )
