"""Reads of facilities and placements, always through the access policy.

The capacity board counts placements per band and returns numbers only: no case, no person,
no placement ever leaves this module through it.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ctip.access.policy import get_visible_or_404, visible_to
from ctip.cases.models import Case, CaseStatus

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
        .select_related("case", "case__person", "band")
        .order_by("admitted_on")
    )


def past_placements(*, user, facility: Facility) -> QuerySet[Placement]:
    return (
        visible_to(user, Placement)
        .filter(facility=facility, discharged_on__isnull=False)
        .select_related("case")
        .order_by("-discharged_on")
    )


def placement_get_for_user(*, user, placement_uuid) -> Placement:
    return get_visible_or_404(
        user,
        visible_to(user, Placement).select_related("facility", "case", "band"),
        uuid=placement_uuid,
    )


def placements_for_case(*, user, case: Case) -> QuerySet[Placement]:
    return (
        visible_to(user, Placement)
        .filter(case=case)
        .select_related("facility", "band")
        .order_by("-admitted_on")
    )


def admittable_cases(*, user) -> QuerySet[Case]:
    """Open cases the user sees (own, or referred and accepted) that are placed nowhere."""
    return (
        visible_to(user, Case)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(pk__in=Placement.objects.filter(discharged_on__isnull=True).values("case_id"))
        .select_related("person")
        .order_by("number")
    )


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
