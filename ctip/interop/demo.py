"""Demo partner systems of the Phnom Penh Social Affairs Department, with mapped cases.

- "CPIMS+ (MoSVY)", a Primero system run by the social-affairs ministry: two survivors it
  registered first (created through the interop service, as its API calls would), and two of
  CTIP's own cases it now follows (the sharing consent recorded, then linked by `ctip_id`).
- "OSCaR – Lantern House", an OSCaR system run by the Lantern House NGO: one of each.

Synthetic only; idempotent (a system is found by name, a case by its external id).
"""

from datetime import timedelta

from django.utils import timezone

from ctip.accounts.models import Organisation, OrganisationType, User
from ctip.accounts.services import organisation_create
from ctip.cases import services as cases
from ctip.cases.models import Case, CaseStatus, ConsentGiver, ConsentPurpose
from ctip.core.management.commands.seed_demo import ADMIN_EMAIL, NamePicker
from ctip.people.models import FamilyLink
from ctip.places.models import Village

from . import services
from .models import ExternalReference, PartnerKind, PartnerSystem

MINISTRY = ("mosvy", "Ministry of Social Affairs (CPIMS+)", "ក្រសួងសង្គមកិច្ច (CPIMS+)")


def _ministry() -> Organisation:
    code, name, name_km = MINISTRY
    found = Organisation.objects.filter(code=code).first()
    if found:
        return found
    admin = User.objects.get(email=ADMIN_EMAIL)
    return organisation_create(
        actor=admin, name=name, name_km=name_km, code=code, type=OrganisationType.SOCIAL_AFFAIRS
    )


def _system(ctx, name: str, kind: str, recipient: Organisation) -> PartnerSystem:
    org = ctx.orgs["pnh-social"]
    found = PartnerSystem.objects.filter(organisation=org, name=name).first()
    if found:
        return found
    return services.partner_system_create(
        actor=ctx.users["orgadmin"], name=name, kind=kind, recipient=recipient
    )


def _home_village(external_id: str) -> Village | None:
    """A current Phnom Penh village picked from the digits of an external id."""
    villages = Village.objects.filter(
        is_active=True, commune__district__province__code="12"
    ).order_by("code")
    count = villages.count()
    digits = int("".join(c for c in external_id if c.isdigit()) or "0")
    return villages[digits * 7919 % count] if count else None


def _received(ctx, names, system: PartnerSystem, external_id: str, age: int) -> None:
    """A survivor the partner registered first, sent to CTIP through the upsert service."""
    if ExternalReference.objects.filter(system=system, external_id=external_id).exists():
        return
    family, given = names.pick("f")
    today = timezone.localdate()
    born = today.replace(year=today.year - age) - timedelta(days=ctx.rng.randint(1, 300))
    if system.kind == PartnerKind.PRIMERO:
        record = {
            "name_first": given.romanised,
            "name_last": family.romanised,
            "sex": "female",
            "date_of_birth": born,
            "status": "open",
        }
    else:
        record = {
            "given_name": given.romanised,
            "family_name": family.romanised,
            "gender": "female",
            "date_of_birth": born,
            "status": "Active",
        }
    # Partners send the NCDD code of the home village: without it the survivor's province
    # would be "Unknown" in the statistics. Chosen from the external id, not drawn at random,
    # so the names drawn after it stay the same.
    village = _home_village(external_id)
    if village is not None:
        key = "location_current" if system.kind == PartnerKind.PRIMERO else ""
        record[key or "location_current_village_code"] = village  # validated: a Village
    mother = names.pick("f")[1]
    services.interop_case_upsert(
        actor=ctx.users["supervisor"],
        system=system,
        external_id=external_id,
        record=record,
        consent=services.ConsentStatement(
            given_by=ConsentGiver.BOTH if age < 18 else ConsentGiver.CHILD,
            given_on=today - timedelta(days=3),
            method="written",
            guardian_given_name=mother.romanised if age < 18 else "",
            guardian_family_name=family.romanised if age < 18 else "",
            guardian_relationship="mother",
        ),
    )


def _linked(ctx, system: PartnerSystem, case: Case, external_id: str) -> None:
    """One of CTIP's cases the partner follows: consent to share recorded, then linked."""
    if ExternalReference.objects.filter(system=system, case=case).exists():
        return
    supervisor = ctx.users["supervisor"]
    today = timezone.localdate()
    if not cases.consent_given(
        case=case, purpose=ConsentPurpose.SHARING, organisation=system.recipient
    ):
        needed = cases.who_must_consent(case, today) or ConsentGiver.CHILD
        guardian = None
        if needed != ConsentGiver.CHILD:
            link = FamilyLink.objects.filter(person=case.person, is_guardian=True).first()
            if link is None:
                return
            guardian = link.relative
        cases.consent_record(
            actor=supervisor,
            case=case,
            purpose=ConsentPurpose.SHARING,
            partner=system.recipient,
            given_by=needed,
            given_on=today - timedelta(days=1),
            method="written",
            guardian=guardian,
        )
    services.interop_case_upsert(
        actor=supervisor,
        system=system,
        external_id=external_id,
        record={},
        ctip_id=case.uuid,
    )


def seed(ctx) -> None:
    org = ctx.orgs.get("pnh-social")
    if org is None or "supervisor" not in ctx.users:
        return
    names = NamePicker(ctx.rng)
    primero = _system(ctx, "CPIMS+ (MoSVY)", PartnerKind.PRIMERO, _ministry())
    oscar = _system(ctx, "OSCaR – Lantern House", PartnerKind.OSCAR, ctx.orgs["lantern"])
    _received(ctx, names, primero, "cpims-000812", 15)
    _received(ctx, names, primero, "cpims-000827", 19)
    _received(ctx, names, oscar, "oscar-lh-0031", 16)
    # CTIP's own open cases that the partners now follow.
    own = list(
        Case.objects.filter(organisation=org)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(source_reference__contains=":")
        .order_by("number")[:3]
    )
    for case, (system, external_id) in zip(
        own,
        [(primero, "cpims-000415"), (primero, "cpims-000433"), (oscar, "oscar-lh-0007")],
        strict=False,
    ):
        _linked(ctx, system, case, external_id)
    mapped = ExternalReference.objects.filter(system__organisation=org).count()
    ctx.stdout.write(f"Interop: 2 partner systems of {org.name}, {mapped} mapped cases.")
