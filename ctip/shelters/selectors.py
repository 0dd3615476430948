"""Reads of facilities and placements, always through the access policy.

The capacity board counts placements per band and returns numbers only: no case, no person,
no placement ever leaves this module through it.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ctip.access.policy import get_visible_or_404, readable_fields, visible_to
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import Case, CaseStatus
from ctip.operations.models import HandOff, HandOffStatus

from .models import CapacityBand, Facility, Placement


def facilities_visible_to(*, user) -> QuerySet[Facility]:
    """Facilities the user's organisation runs."""
    return (
        visible_to(user, Facility)
        .filter(organisation_id=user.organisation_id)
        .select_related("province")
        .prefetch_related("bands")
    )


def facility_get_for_user(*, user, facility_uuid) -> Facility:
    """One facility of the user's organisation (404 otherwise)."""
    return get_visible_or_404(
        user,
        visible_to(user, Facility).filter(organisation_id=user.organisation_id),
        uuid=facility_uuid,
    )


def current_placements(*, user, facility: Facility) -> QuerySet[Placement]:
    return (
        visible_to(user, Placement)
        .filter(facility=facility, discharged_on__isnull=True)
        .select_related("case", "case__person", "handoff", "band")
        .order_by("admitted_on")
    )


def past_placements(*, user, facility: Facility) -> QuerySet[Placement]:
    return (
        visible_to(user, Placement)
        .filter(facility=facility, discharged_on__isnull=False)
        .select_related("case", "handoff")
        .order_by("-discharged_on")
    )


def placement_get_for_user(*, user, placement_uuid) -> Placement:
    return get_visible_or_404(
        user,
        visible_to(user, Placement).select_related("facility", "case", "band"),
        uuid=placement_uuid,
    )


def placements_for_case(*, user, case: Case) -> QuerySet[Placement]:
    """The case's placements, with the one its survivor was admitted to on the hand-off the
    case was opened from (before the case existed)."""
    on_handoff = Q(
        case__isnull=True,
        handoff__person_id=case.person_id,
        handoff__uuid__in=[case.source_reference] if _is_uuid(case.source_reference) else [],
    )
    return (
        visible_to(user, Placement)
        .filter(Q(case=case) | on_handoff)
        .select_related("facility", "band")
        .order_by("-admitted_on")
    )


def admittable_cases(*, user) -> QuerySet[Case]:
    """Open cases the user sees (own, or referred and accepted) that are placed nowhere."""
    current = Placement.objects.filter(discharged_on__isnull=True)
    return (
        visible_to(user, Case)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(pk__in=current.filter(case__isnull=False).values("case_id"))
        .exclude(person_id__in=current.filter(handoff__isnull=False).values("handoff__person_id"))
        .select_related("person")
        .order_by("number")
    )


def handoffs_to_admit(*, user) -> QuerySet[HandOff]:
    """Children handed on to the user's organisation, waiting for a decision or accepted, who
    hold no bed yet: oldest first. Each carries the hand-off's own summary (name, age, sex,
    languages, urgent needs, the sender's note); the person's record stays closed until the
    hand-off is accepted (access/rules/foundation.py)."""
    if not user.organisation_id:
        return HandOff.objects.none()
    placed = Placement.objects.filter(handoff__isnull=False).values("handoff_id")
    return (
        visible_to(user, HandOff)
        .filter(
            to_organisation_id=user.organisation_id,
            status__in=[HandOffStatus.PENDING, HandOffStatus.ACCEPTED],
        )
        .exclude(pk__in=placed)
        # An accepted hand-off that led to a case is the case's business, not a bed to find.
        .exclude(
            status=HandOffStatus.ACCEPTED,
            person_id__in=Case.objects.filter(organisation_id=user.organisation_id)
            .exclude(status=CaseStatus.CLOSED)
            .values("person_id"),
        )
        .select_related("from_organisation", "screening")
        .order_by("created_at", "id")
    )


def handoff_to_admit_get(*, user, handoff_uuid) -> HandOff:
    """One hand-off the user's organisation may admit (404 otherwise); reading its summary
    is logged."""
    handoff = get_visible_or_404(user, handoffs_to_admit(user=user), uuid=handoff_uuid)
    audit_record(
        actor=user,
        action=AuditAction.READ,
        target=handoff,
        changes={"shown": sorted(set(readable_fields(user, HandOff)) & SUMMARY_FIELDS)},
    )
    return handoff


SUMMARY_FIELDS = {"child_name", "urgent_needs", "note"}


def shelter_handoffs_dashboard(*, user) -> dict:
    """The home-page panel of a shelter: children handed on to it, waiting for a bed, with
    their summary and the free places of its facilities. Shown only to an organisation that
    runs an open facility; three queries."""
    facilities = facilities_visible_to(user=user).filter(is_active=True)
    if not facilities.exists():
        return {"handoffs": [], "runs_facilities": False}
    readable = set(readable_fields(user, HandOff))
    return {
        "handoffs": list(handoffs_to_admit(user=user)[:20]),
        "runs_facilities": True,
        "show_confidential": readable >= SUMMARY_FIELDS,
    }


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class BoardRow:
    organisation: str
    facility: str
    facility_type: str
    province: str
    sex: str
    ages: str
    places: int
    occupied: int

    @property
    def free(self) -> int:
        return max(self.places - self.occupied, 0)


def capacity_board(*, user, province: str = "", sex: str = "") -> list[BoardRow]:
    """Free places by facility, sex and age band across every open facility: numbers only.
    One query, whatever the number of facilities."""
    bands = (
        visible_to(user, CapacityBand)
        .filter(facility__is_active=True)
        .select_related("facility", "facility__organisation", "facility__province")
        .annotate(occupied=Count("placements", filter=Q(placements__discharged_on__isnull=True)))
        .order_by("facility__province__code", "facility__name", "sex", "age_min")
    )
    if province:
        bands = bands.filter(facility__province__code=province)
    if sex:
        bands = bands.filter(sex__in=[sex, "any"])
    return [
        BoardRow(
            organisation=b.facility.organisation.name,
            facility=b.facility.name,
            facility_type=b.facility.get_type_display(),
            province=str(b.facility.province or ""),
            sex=b.get_sex_display(),
            ages=f"{b.age_min}–{b.age_max}",
            places=b.places,
            occupied=b.occupied,
        )
        for b in bands
    ]
