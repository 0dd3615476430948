"""Every write to facilities and placements: keyword-only, with an actor, in a transaction,
audited. Admissions are counted against the band's places under a row lock, so two admissions
at the same moment cannot both take the last place.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.models import User
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import Case, CaseStatus
from ctip.core.services import lock_and_check_version
from ctip.operations.models import HandOff, HandOffStatus
from ctip.operations.services import handoff_decide

from .models import (
    BandSex,
    CapacityBand,
    DischargeReason,
    Facility,
    FacilityType,
    Placement,
)


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied


def _today() -> date:
    return timezone.localdate()


def _require_own_facility(actor, facility: Facility) -> None:
    if facility.organisation_id != actor.organisation_id:
        raise PermissionDenied


@transaction.atomic
def facility_create(
    *,
    actor: User,
    name: str,
    type: str,
    bands: Iterable[tuple[str, int, int, int]],
    name_km: str = "",
    province=None,
    address: str = "",
    services: str = "",
) -> Facility:
    """Creates a facility of the actor's organisation with its capacity bands, given as
    (sex, age_min, age_max, places)."""
    _require(actor, Perm.SHELTERS_MANAGE)
    if not actor.organisation_id:
        raise PermissionDenied
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the facility a name.")
    if type not in FacilityType.values:
        errors["type"] = _("Choose the type of facility.")
    bands = list(bands)
    if not bands:
        errors["bands"] = _("Give at least one band of places.")
    for sex, age_min, age_max, places in bands:
        if sex not in BandSex.values or age_min > age_max or places < 0:
            errors["bands"] = _("Each band needs a sex, ages from low to high, and places.")
    if errors:
        raise ValidationError(errors)
    facility = Facility.objects.create(
        organisation_id=actor.organisation_id,
        name=name.strip(),
        name_km=name_km.strip(),
        type=type,
        province=province,
        address=address.strip(),
        services=services.strip(),
        created_by=actor,
    )
    CapacityBand.objects.bulk_create(
        [
            CapacityBand(facility=facility, sex=s, age_min=lo, age_max=hi, places=n)
            for s, lo, hi, n in bands
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=facility,
        changes={
            "name": [None, facility.name],
            "type": [None, type],
            "bands": [None, [list(b) for b in bands]],
            "address": None,
        },
        sensitive_fields=sensitive_fields(Facility),
    )
    return facility


def band_for(facility: Facility, case: Case, on: date) -> CapacityBand:
    """The facility's band for the survivor's sex and age; ValidationError when none fits."""
    return _band_for_person(facility, case.person, on)


def _band_for_person(facility: Facility, person, on: date) -> CapacityBand:
    age = person.age_on(on)
    for band in facility.bands.all():
        if band.fits(person.sex, age):
            return band
    raise ValidationError(
        {"facility": _("This facility has no places for a child of this sex and age.")}
    )


def occupancy(band: CapacityBand) -> int:
    return band.placements.filter(discharged_on__isnull=True).count()


def _admit(
    *,
    actor: User,
    case: Case | None,
    facility: Facility,
    admitted_on: date,
    override_reason: str,
    transferred_from: Placement | None = None,
    handoff: HandOff | None = None,
) -> Placement:
    if not facility.is_active:
        raise ValidationError({"facility": _("This facility is closed.")})
    person = case.person if case is not None else handoff.person
    band = CapacityBand.objects.select_for_update().get(
        pk=_band_for_person(facility, person, admitted_on).pk
    )
    full = occupancy(band) >= band.places
    if full:
        if not override_reason.strip():
            raise ValidationError(
                {
                    "facility": _(
                        "No place is free for a child of this sex and age (%(places)s places, "
                        "all taken). A manager may admit past capacity, giving a reason."
                    )
                    % {"places": band.places}
                }
            )
        if not can(actor, Perm.PLACEMENTS_OVERRIDE):
            raise ValidationError({"override_reason": _("Only a manager may admit past capacity.")})
    placement = Placement.objects.create(
        case=case,
        handoff=handoff,
        facility=facility,
        band=band,
        admitted_on=admitted_on,
        over_capacity_reason=override_reason.strip() if full else "",
        transferred_from=transferred_from,
        created_by=actor,
    )
    if full:
        audit_record(
            actor=actor,
            action=AuditAction.CAPACITY_OVERRIDDEN,
            target=placement,
            changes={"band": [None, str(band)], "occupied": [None, band.places]},
            reason=override_reason.strip(),
        )
    return placement


def _check_admission(actor: User, case: Case | None, facility: Facility, admitted_on: date) -> None:
    _require(actor, Perm.PLACEMENTS_MANAGE)
    _require_own_facility(actor, facility)
    # The facility's staff admit a child whose case they see: their own, or one referred to
    # them and accepted. (A child admitted on a hand-off has no case yet: see
    # placement_admit_from_handoff.)
    if case is not None and not visible_to(actor, Case).filter(pk=case.pk).exists():
        raise PermissionDenied
    if case is not None and case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if admitted_on > _today():
        raise ValidationError({"admitted_on": _("An admission cannot be in the future.")})


@transaction.atomic
def placement_admit(
    *,
    actor: User,
    case: Case,
    facility: Facility,
    admitted_on: date | None = None,
    override_reason: str = "",
) -> Placement:
    """Admits a case to a facility of the actor's organisation, in the band of the survivor's
    sex and age. Refused past capacity unless the actor holds placements.override and gives a
    reason, and refused while the case is placed elsewhere (transfer instead)."""
    admitted_on = admitted_on or _today()
    _check_admission(actor, case, facility, admitted_on)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if _placed_now(case.person_id):
        raise ValidationError(
            _("This child is already placed in a facility. Transfer or discharge them first.")
        )
    placement = _admit(
        actor=actor,
        case=case,
        facility=facility,
        admitted_on=admitted_on,
        override_reason=override_reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_ADMITTED,
        target=placement,
        changes={
            "case": [None, case.number],
            "facility": [None, str(facility.uuid)],
            "admitted_on": [None, admitted_on],
        },
    )
    return placement


def _placed_now(person_id: int) -> bool:
    """True when the person holds a bed now, on a case or on a hand-off."""
    return (
        Placement.objects.filter(discharged_on__isnull=True)
        .filter(Q(case__person_id=person_id) | Q(handoff__person_id=person_id))
        .exists()
    )


@transaction.atomic
def placement_admit_from_handoff(
    *,
    actor: User,
    handoff: HandOff,
    facility: Facility,
    admitted_on: date | None = None,
    override_reason: str = "",
    expected_version: int | None = None,
) -> Placement:
    """Admits a child whom the police handed on to the actor's organisation after a rescue,
    before any case is open: a pending hand-off is accepted, dated the day of admission, and
    the child takes a place in the band of their sex and age, under the same capacity rules
    as any admission."""
    admitted_on = admitted_on or _today()
    _check_admission(actor, None, facility, admitted_on)
    if handoff.to_organisation_id != actor.organisation_id:
        raise PermissionDenied
    if admitted_on < timezone.localdate(handoff.created_at):
        raise ValidationError(
            {"admitted_on": _("An admission cannot be before the child was handed on.")}
        )
    if handoff.status == HandOffStatus.PENDING:
        handoff = handoff_decide(
            actor=actor,
            handoff=handoff,
            expected_version=expected_version,
            accept=True,
            decided_on=admitted_on,
        )
    elif handoff.status != HandOffStatus.ACCEPTED:
        raise ValidationError(_("This hand-off was declined."))
    if _placed_now(handoff.person_id):
        raise ValidationError(
            _("This child is already placed in a facility. Transfer or discharge them first.")
        )
    placement = _admit(
        actor=actor,
        case=None,
        handoff=handoff,
        facility=facility,
        admitted_on=admitted_on,
        override_reason=override_reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_ADMITTED,
        target=placement,
        changes={
            "handoff": [None, str(handoff.uuid)],
            "facility": [None, str(facility.uuid)],
            "admitted_on": [None, admitted_on],
        },
    )
    return placement


def _end(placement: Placement, on: date, reason: str, notes: str) -> None:
    if on < placement.admitted_on:
        raise ValidationError({"discharged_on": _("The discharge cannot be before admission.")})
    if on > _today():
        raise ValidationError({"discharged_on": _("A discharge cannot be in the future.")})
    placement.discharged_on = on
    placement.discharge_reason = reason
    placement.discharge_notes = notes.strip()
    placement.version += 1
    placement.save()


@transaction.atomic
def placement_discharge(
    *,
    actor: User,
    placement: Placement,
    reason: str,
    discharged_on: date | None = None,
    notes: str = "",
    expected_version: int | None = None,
) -> Placement:
    """Discharges a child from a facility of the actor's organisation, with a reason."""
    _require(actor, Perm.PLACEMENTS_MANAGE)
    _require_own_facility(actor, placement.facility)
    if reason not in DischargeReason.values:
        raise ValidationError({"reason": _("Choose why the child leaves.")})
    current = lock_and_check_version(placement, expected_version)
    if current.discharged_on:
        raise ValidationError(_("This placement has already ended."))
    _end(current, discharged_on or _today(), reason, notes)
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_DISCHARGED,
        target=current,
        changes={
            "discharged_on": [None, current.discharged_on],
            "discharge_reason": [None, reason],
            "discharge_notes": None,
        },
    )
    return current


@transaction.atomic
def placement_end_on_reintegration(*, actor: User, case: Case, ended_on: date) -> Placement | None:
    """Ends the case's current placement because the child was reintegrated (issue 17).

    Called by the reintegration service (ctip/returns), which has already checked that the
    actor's organisation owns the case and may manage its returns: the owner decides the
    reintegration, even when the facility belongs to another organisation. Returns the ended
    placement, or None when the child was not placed. Refused when the date is before the
    admission or in the future.
    """
    current = (
        Placement.objects.select_for_update()
        .filter(case=case, discharged_on__isnull=True)
        .select_related("facility")
        .first()
    )
    if current is None:
        return None
    if ended_on < current.admitted_on:
        raise ValidationError(
            {
                "reintegrated_on": _(
                    "The child was admitted to %(facility)s on %(day)s: the placement cannot end "
                    "before it started."
                )
                % {"facility": current.facility.name, "day": current.admitted_on.isoformat()}
            }
        )
    _end(current, ended_on, DischargeReason.REINTEGRATED, "")
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_DISCHARGED,
        target=current,
        changes={
            "discharged_on": [None, current.discharged_on],
            "discharge_reason": [None, DischargeReason.REINTEGRATED],
        },
        organisation=case.organisation,
    )
    return current


@transaction.atomic
def placement_transfer(
    *,
    actor: User,
    placement: Placement,
    to_facility: Facility,
    transferred_on: date | None = None,
    notes: str = "",
    override_reason: str = "",
    expected_version: int | None = None,
) -> Placement:
    """Moves a child between two facilities of the actor's organisation: the current placement
    ends (reason: transferred) and a new one starts the same day, under the same capacity
    rules as an admission."""
    transferred_on = transferred_on or _today()
    _check_admission(actor, placement.case, to_facility, transferred_on)
    _require_own_facility(actor, placement.facility)
    if to_facility.pk == placement.facility_id:
        raise ValidationError({"to_facility": _("Choose another facility.")})
    current = lock_and_check_version(placement, expected_version)
    if current.discharged_on:
        raise ValidationError(_("This placement has already ended."))
    _end(current, transferred_on, DischargeReason.TRANSFERRED, notes)
    new = _admit(
        actor=actor,
        case=current.case,
        handoff=current.handoff,
        facility=to_facility,
        admitted_on=transferred_on,
        override_reason=override_reason,
        transferred_from=current,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_TRANSFERRED,
        target=new,
        changes={
            "from_facility": [None, str(current.facility.uuid)],
            "to_facility": [None, str(to_facility.uuid)],
            "on": [None, transferred_on],
        },
    )
    return new
