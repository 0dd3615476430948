"""The records the access matrix exercises, built through services.

Three sides, seen from organisation A's users:

- ``own``: records of organisation A whose case is assigned to A's case worker of the cast;
- ``other_cw``: records of organisation A whose case is assigned to a second case worker of A
  (organisation A restricts case workers to their assigned cases, switched on after seeding);
- ``other_org``: records of organisation B.

Every record carries unique markers (``MARK_*``) in a normal, a confidential and a restricted
field, so a page or API answer can be searched for what it must not show.

Besides the three sides, ``World.shared`` holds cases of organisation A referred to a legal-aid
organisation L, one per referral state (``SHARE_STATES``), each sharing ``SHARED_SECTIONS`` and
not the others; and ``World.unconsented`` a case of A that its partner system knows by an id but
whose consent to share was withdrawn.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.core.testing import Cast, make_cast, make_organisation, make_user

SIDES = ("own", "other_cw", "other_org")
# Referrals from A to the legal-aid organisation L, by state: what L sees of the case.
SHARE_STATES = ("pending", "accepted", "declined", "withdrawn", "completed")
SHARED_SECTIONS = ("identity", "assessments", "notes")  # not: profile, care_plan, services
# Roles of L that read a referred case; users of other organisations that must see nothing.
LEGAL_AID_ROLES = (Role.LEGAL_OFFICER, Role.CASE_WORKER, Role.CASE_SUPERVISOR)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def marker(side: str, what: str) -> str:
    """A string that appears nowhere but in the one field it was seeded into."""
    return f"ZQ{what.upper()}{side.replace('_', '').upper()}QZ"


class Absent:
    """A record that exists nowhere: its identifiers must answer 404."""

    uuid = "00000000-0000-4000-8000-00000000dead"
    seq = 999_999_999


@dataclass
class World:
    cast: Cast
    org_c: Organisation
    cw2: User  # the second case worker of organisation A
    records: dict[str, dict[str, object]] = field(default_factory=dict)  # side → key → record
    org_l: Organisation | None = None  # a legal-aid organisation A refers cases to
    legal_aid: dict[str, User] = field(default_factory=dict)  # role → user of L
    shared: dict[str, dict[str, object]] = field(default_factory=dict)  # state → key → record
    unconsented: dict[str, object] = field(default_factory=dict)

    def org(self, side: str) -> Organisation:
        return self.cast.org_b if side == "other_org" else self.cast.org_a

    def users(self, side: str) -> dict[str, User]:
        return self.cast.b if side == "other_org" else self.cast.a

    def case_worker(self, side: str) -> User:
        return {
            "own": self.cast.a[Role.CASE_WORKER],
            "other_cw": self.cw2,
            "other_org": self.cast.b[Role.CASE_WORKER],
        }[side]


def _reference_data():
    from ctip.places.models import Commune, Country, District, Province, Village

    province = Province.objects.get_or_create(code="12", defaults={"name_en": "Phnom Penh"})[0]
    district = District.objects.get_or_create(
        code="1201", defaults={"province": province, "name_en": "Chamkar Mon"}
    )[0]
    commune = Commune.objects.get_or_create(
        code="120101", defaults={"district": district, "name_en": "Tonle Basak"}
    )[0]
    village = Village.objects.get_or_create(
        code="12010101", defaults={"commune": commune, "name_en": "Phum 1"}
    )[0]
    thailand = Country.objects.get_or_create(code="TH", defaults={"name_en": "Thailand"})[0]
    return province, village, thailand


def _seed_side(world: World, side: str, today: date, reference, instrument) -> dict[str, object]:
    from ctip.care import services as care
    from ctip.care.models import Instrument as CareInstrument
    from ctip.care.models import ServiceType
    from ctip.cases import services as cases
    from ctip.cases.models import Approval, ConsentPurpose
    from ctip.evidence import services as evidence
    from ctip.intake import services as intake
    from ctip.intake.models import EstablishmentType
    from ctip.justice import services as justice
    from ctip.matching.services import _record_candidate
    from ctip.operations import services as operations
    from ctip.people.services import person_create
    from ctip.prevention import services as prevention
    from ctip.prevention.models import Indicator
    from ctip.referrals import services as referrals
    from ctip.returns import services as returns
    from ctip.shelters import services as shelters

    province, village, thailand = reference
    users = world.users(side)
    cw = world.case_worker(side)
    sup = users[Role.CASE_SUPERVISOR]
    inv = users[Role.INVESTIGATOR]
    mark = lambda what: marker(side, what)  # noqa: E731
    r: dict[str, object] = {}

    # Restricted fields are written by the supervisor: a case worker may not write them.
    person = person_create(
        actor=sup,
        given_name=mark("name"),
        family_name="Chan",
        sex="f",
        estimated_age=19,  # an adult consents alone
        phone=mark("phone"),
        protection_notes=mark("protection"),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ctip.people.services import person_update

    person = person_update(
        actor=sup,
        person=person,
        expected_version=None,
        photo=SimpleUploadedFile("face.png", PNG, content_type="image/png"),
    )
    r["person"] = person
    case = cases.case_open(
        actor=cw,
        person=person,
        case_worker=cw,
        supervisor=sup if side != "other_cw" else None,
        opened_on=today,
    )
    case = cases.case_update(
        actor=sup,
        case=case,
        expected_version=None,
        abuse_narrative=mark("narrative"),
        recruiter_relation="broker",
    )
    r["case"] = case
    r["consent"] = cases.consent_record(
        actor=cw,
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=world.org_c,
        given_by="child",
        given_on=today,
        method="written",
    )
    r["note"] = cases.note_add(
        actor=cw, case=case, kind="visit", happened_on=today, text=mark("note")
    )
    r["task"] = cases.task_add(actor=cw, case=case, title=mark("task"), due_on=today)
    child_status = CareInstrument.objects.get(code="child-status")
    r["assessment"] = care.assessment_record(
        actor=cw,
        case=case,
        instrument=child_status,
        assessed_on=today,
        scores={d.code: 2 for d in child_status.domains.all()},
        summary=mark("assessment"),
    )
    plan = care.care_plan_create(actor=cw, case=case, starts_on=today, summary=mark("plan"))
    r["care_plan"] = plan
    goal = care.goal_add(
        actor=cw, plan=plan, domain=child_status.domains.first(), description=mark("goal")
    )
    r["goal"] = goal
    r["action"] = care.action_add(actor=cw, goal=goal, description=mark("action"))
    if plan.status == "draft":
        care.care_plan_submit(actor=cw, plan=plan)
    approval = Approval.objects.filter(case=case).first() or cases.approval_request(
        actor=cw, case=case, kind="care_plan", subject_uuid=plan.uuid
    )
    r["approval"] = approval
    r["delivery"] = care.service_record(
        actor=cw,
        case=case,
        service=ServiceType.objects.first(),
        delivered_on=today,
        outcome=mark("outcome"),
    )

    # Intake: a report of the national queue dispatched to the side's organisation.
    hotline = world.cast.a[Role.HOTLINE_OPERATOR]
    report = intake.report_create(actor=hotline, narrative=mark("report"))
    report = intake.report_dispatch(
        actor=hotline, report=report, expected_version=None, organisation=world.org(side)
    )
    r["report"] = report
    operation = operations.operation_create(
        actor=inv,
        planned_for=timezone.now(),
        province=province,
        location_text=mark("operation"),
        establishment_type=EstablishmentType.KARAOKE,
        agencies="Police",
    )
    r["operation"] = operation
    found = operations.found_person_record(
        actor=inv, operation=operation, given_name=mark("found"), sex="f", estimated_age=14
    )
    screening = operations.screening_record(
        actor=inv,
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
        instrument=instrument,
    )
    r["screening"] = screening
    r["found_person"] = found.person
    r["handoff"] = operations.screening_hand_off(
        actor=inv, screening=screening, to_organisation=world.org_c
    )

    # Justice: the side's investigation; the case's survivor is a victim in it.
    investigation = justice.investigation_create(
        actor=inv,
        title=mark("investigation"),
        opened_on=today - timedelta(days=30),
        source="operation",
        exploitation_form="sex_karaoke",
        summary=mark("summary"),
    )
    r["investigation"] = investigation
    justice.victim_add(actor=inv, investigation=investigation, person=person)
    suspect_person = person_create(actor=inv, given_name=mark("suspect"), sex="m", estimated_age=40)
    suspect = justice.suspect_add(
        actor=inv, investigation=investigation, person=suspect_person, role="establishment"
    )
    r["suspect"] = suspect
    justice.identifier_add(
        actor=inv,
        suspect=suspect,
        kind="phone",
        value=f"+855 12 {abs(hash(side)) % 900000 + 100000}",
    )
    from ctip.justice.models import Identifier, LawArticle

    r["identifier"] = Identifier.objects.filter(uses__suspect=suspect).first()
    r["law_article"] = LawArticle.objects.order_by("pk").first()
    court = justice.court_case_create(
        actor=inv,
        investigation=investigation,
        court="PP Court",
        case_number=mark("court"),
        filed_on=today - timedelta(days=20),
        defendants=[suspect],
    )
    r["court_case"] = court
    r["hearing"] = justice.hearing_schedule(
        actor=inv, court_case=court, scheduled_for=timezone.now(), type="trial"
    )
    r["verdict"] = justice.verdict_record(
        actor=inv,
        court_case=court,
        defendant=suspect,
        outcome="convicted",
        decided_on=today - timedelta(days=1),
        sentence_months=12,
    )
    r["evidence"] = evidence.item_create(
        actor=inv,
        investigation=investigation,
        kind="document",
        title=mark("evidence"),
        collected_on=today - timedelta(days=10),
        upload=b"%PDF-1.4\n%matrix\n",
        original_name="ledger.pdf",
    )

    # Prevention, by the side's prevention officer.
    officer = users[Role.PREVENTION_OFFICER]
    programme = prevention.programme_create(
        actor=officer,
        name=mark("programme"),
        kind="childrens_club",
        target_group="children",
        provinces=[province],
    )
    r["programme"] = programme
    group = prevention.group_create(
        actor=officer, programme=programme, name=mark("group"), village=village
    )
    r["group"] = group
    r["member"] = prevention.member_add(
        actor=officer, group=group, name=mark("member"), sex="f", birth_year=today.year - 12
    )
    r["session"] = prevention.session_create(
        actor=officer, programme=programme, group=group, topic=mark("session"), date=today
    )
    r["vulnerability"] = prevention.vulnerability_assess(
        actor=officer,
        subject="household",
        subject_name=mark("household"),
        village=village,
        assessed_on=today,
        indicators=list(Indicator.objects.all()[:2]),
        notes=mark("hivnote"),
    )
    r["training"] = prevention.training_create(
        actor=officer,
        title=mark("training"),
        topics="Indicators",
        start_date=today - timedelta(days=5),
        end_date=today - timedelta(days=4),
        province=province,
    )

    # Aftercare: a facility of the side's organisation, the case placed in it, a referral to C.
    manager = users[Role.SHELTER_MANAGER]
    facility = shelters.facility_create(
        actor=manager,
        name=mark("facility"),
        type="aftercare_home",
        address=mark("address"),
        bands=[("f", 8, 24, 5)],
    )
    r["facility"] = facility
    # Admitted before the reintegration below, which ends the placement.
    r["placement"] = shelters.placement_admit(
        actor=manager, case=case, facility=facility, admitted_on=today - timedelta(days=320)
    )
    r["referral"] = referrals.referral_create(
        actor=cw,
        case=case,
        to_organisation=world.org_c,
        kind="service",
        reason=mark("referral"),
        urgency="urgent",
        sections=["identity"],
    )
    r["return"] = returns.return_record(
        actor=cw,
        case=case,
        direction="to_kh",
        country=thailand,
        crossing_point=mark("crossing"),
        planned_on=today,
    )
    reint = returns.reintegration_plan_create(
        actor=cw,
        case=case,
        option="family",
        destination=mark("destination"),
        family_readiness=3,
        community_readiness=4,
        assessed_on=today - timedelta(days=400),
    )
    reint = returns.reintegration_complete(
        actor=cw, plan=reint, reintegrated_on=today - timedelta(days=300)
    )
    r["reintegration"] = reint
    r["visit"] = reint.visits.order_by("due_on").first()
    flags = returns.retrafficking_flag(person=person, source=mark("flagsource"), actor=None)
    r["flag"] = flags[0] if flags else None

    # Matching: two records of the same girl in the side's organisation.
    twin = person_create(actor=cw, given_name=mark("name"), family_name="Chan", sex="f")
    r["candidate"], _new = _record_candidate(person, twin, 0.99, {}, None)

    # Exchange: an HTCDS file the side's organisation uploaded (not yet imported).
    from ctip.exchange.importer import batch_create

    content = f"prs_FirstName,prs_SecondName,prs_Gender\n{mark('batchrow')},Chan,Feminine\n"
    r["import_batch"], _created = batch_create(
        actor=sup, file_name=f"{mark('batchfile')}.csv", content=content.encode()
    )
    # Interop: the organisation's partner system (run by C, whom the consent above names) and
    # the partner's id for the side's case. Organisation A has one system for both its sides.
    from ctip.interop.models import PartnerSystem
    from ctip.interop.services import _link, partner_system_create

    system = PartnerSystem.objects.filter(organisation=world.org(side)).first()
    system = system or partner_system_create(
        actor=sup, name="Primero", kind="primero", recipient=world.org_c
    )
    r["partner_system"] = system
    r["external_ref"] = _link(sup, system, f"ext-{side}", case.uuid)

    # A data-sharing agreement between the side's organisation and C, revealing nothing, so
    # the matching expectations stay those of no agreement. Organisation A has one.
    from ctip.referrals.models import DataSharingAgreement, MatchReveal

    agreement = DataSharingAgreement.objects.filter(organisation_a=world.org(side)).first()
    r["agreement"] = agreement or referrals.agreement_record(
        actor=users[Role.SYSTEM_ADMIN],
        organisation_a=world.org(side),
        organisation_b=world.org_c,
        reveal_matches=MatchReveal.NONE,
        valid_from=today,
        reference=mark("agreement"),
    )

    r["absent"] = Absent()
    r["user"] = cw
    r["organisation"] = world.org(side)
    r["audit_event"] = (
        AuditEvent.objects.filter(organisation=world.org(side)).order_by("seq").last()
    )
    return r


def _seed_case(world: World, tag: str, partner: Organisation, today: date) -> dict[str, object]:
    """A case of organisation A (the own case worker's) with a marker in every section, and
    the survivor's consent to share with `partner`."""
    from ctip.care import services as care
    from ctip.care.models import Instrument, ServiceType
    from ctip.cases import services as cases
    from ctip.cases.models import ConsentPurpose
    from ctip.people.services import person_create

    cw, sup = world.cast.a[Role.CASE_WORKER], world.cast.a[Role.CASE_SUPERVISOR]
    mark = lambda what: marker(tag, what)  # noqa: E731
    r: dict[str, object] = {}
    r["person"] = person_create(
        actor=sup,
        given_name=mark("name"),
        family_name="Chan",
        sex="f",
        estimated_age=19,
        phone=mark("phone"),
        protection_notes=mark("protection"),
    )
    case = cases.case_open(
        actor=cw, person=r["person"], case_worker=cw, supervisor=sup, opened_on=today
    )
    r["case"] = cases.case_update(
        actor=sup, case=case, expected_version=None, abuse_narrative=mark("narrative")
    )
    r["consent"] = cases.consent_record(
        actor=cw,
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=partner,
        given_by="child",
        given_on=today,
        method="written",
    )
    r["note"] = cases.note_add(
        actor=cw, case=case, kind="visit", happened_on=today, text=mark("note")
    )
    child_status = Instrument.objects.get(code="child-status")
    r["assessment"] = care.assessment_record(
        actor=cw,
        case=case,
        instrument=child_status,
        assessed_on=today,
        scores={d.code: 2 for d in child_status.domains.all()},
        summary=mark("assessment"),
    )
    r["care_plan"] = care.care_plan_create(
        actor=cw, case=case, starts_on=today, summary=mark("plan")
    )
    r["delivery"] = care.service_record(
        actor=cw,
        case=case,
        service=ServiceType.objects.first(),
        delivered_on=today,
        outcome=mark("outcome"),
    )
    return r


def _seed_shared(world: World, today: date) -> None:
    """One case of A per referral state, referred to the legal-aid organisation L."""
    from ctip.referrals import services as referrals

    cw = world.cast.a[Role.CASE_WORKER]
    answer = world.legal_aid[Role.LEGAL_OFFICER]
    for state in SHARE_STATES:
        r = _seed_case(world, f"share{state}", world.org_l, today)
        referral = referrals.referral_create(
            actor=cw,
            case=r["case"],
            to_organisation=world.org_l,
            kind="service",
            reason=marker(f"share{state}", "referral"),
            urgency="urgent",
            sections=list(SHARED_SECTIONS),
        )
        if state == "declined":
            referral = referrals.referral_decline(
                actor=answer, referral=referral, reason="No lawyer free."
            )
        elif state != "pending":
            referral = referrals.referral_accept(actor=answer, referral=referral)
        if state == "withdrawn":
            referral = referrals.referral_withdraw(
                actor=cw, referral=referral, reason="Family found a lawyer."
            )
        elif state == "completed":
            referral = referrals.referral_complete(actor=answer, referral=referral)
        assert referral.status == state, (referral.status, state)
        r["referral"] = referral
        world.shared[state] = r


def _seed_unconsented(world: World, today: date) -> None:
    """A case of A its partner system knows by id, whose consent to share was then withdrawn."""
    from ctip.cases.services import consent_withdraw
    from ctip.interop.services import _link

    r = _seed_case(world, "unconsented", world.org_c, today)
    system = world.records["own"]["partner_system"]
    r["external_ref"] = _link(
        world.cast.a[Role.CASE_SUPERVISOR], system, "ext-withdrawn", r["case"].uuid
    )
    consent_withdraw(
        actor=world.cast.a[Role.CASE_WORKER],
        consent=r["consent"],
        withdrawn_on=today,
        reason="The survivor no longer agrees.",
    )
    world.unconsented = r


def build_world() -> World:
    """Builds the cast, a third organisation C, a second case worker of A, and the records."""
    from ctip.cases.services import case_settings_update, settings_for
    from ctip.justice.services import law_articles_load
    from ctip.operations import services as operations
    from ctip.operations.screening import read_indicator_csv

    cast = make_cast()
    org_c = make_organisation("c", name="Organisation C")
    for role in (Role.CASE_WORKER, Role.SHELTER_MANAGER):
        make_user(org_c, role)
    cw2 = make_user(cast.org_a, Role.CASE_WORKER, email="case_worker2@a.test")
    world = World(cast=cast, org_c=org_c, cw2=cw2)
    law_articles_load(actor=None)
    instrument = operations.instrument_import(
        actor=None, version_label="matrix-1", rows=read_indicator_csv()
    )
    reference = _reference_data()
    today = timezone.localdate()
    for side in SIDES:
        world.records[side] = _seed_side(world, side, today, reference, instrument)
    from ctip.accounts.models import OrganisationType

    world.org_l = make_organisation("l", name="Legal Aid L", type=OrganisationType.LEGAL_AID)
    world.legal_aid = {role: make_user(world.org_l, role) for role in LEGAL_AID_ROLES}
    _seed_shared(world, today)
    _seed_unconsented(world, today)
    # Organisation A restricts case workers to their assigned cases (after seeding, so that
    # every role could build its records).
    admin = cast.a[Role.CASE_SUPERVISOR]
    case_settings_update(
        actor=admin,
        organisation=cast.org_a,
        expected_version=settings_for(cast.org_a).version,
        restrict_to_assigned=True,
    )
    return world
