"""Reads of operations, people found, screenings, instruments and hand-offs, through access."""

from django.db.models import Count, Prefetch, QuerySet

from ctip.access.policy import (
    get_visible_or_404,
    readable_fields,
    reads_sensitive,
    sensitive_fields,
    visible_to,
)
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.intake.models import OPEN_STATUSES, Report

from .models import (
    FoundPerson,
    HandOff,
    HandOffStatus,
    Indicator,
    Instrument,
    InstrumentStatus,
    Operation,
    Screening,
)


def _audit_read(user, model, obj) -> None:
    if reads_sensitive(user, model):
        shown = sorted(set(readable_fields(user, model)) & sensitive_fields(model))
        audit_record(actor=user, action=AuditAction.READ, target=obj, changes={"shown": shown})


def operations_visible_to(*, user) -> QuerySet[Operation]:
    """Operations of the user's organisation, newest first, with how many people were found."""
    return (
        visible_to(user, Operation)
        .select_related("province", "district")
        .annotate(found_count=Count("found", distinct=True))
        .order_by("-planned_for", "-id")
    )


def operation_get_for_user(*, user, operation_uuid) -> Operation:
    """One operation the user may see (404 otherwise); reading its notes is logged."""
    operation = get_visible_or_404(
        user,
        visible_to(user, Operation).select_related("province", "district", "organisation"),
        uuid=operation_uuid,
    )
    _audit_read(user, Operation, operation)
    return operation


def found_people_of(*, user, operation: Operation) -> QuerySet[FoundPerson]:
    """The people found in an operation, each with their screenings (newest first)."""
    return (
        visible_to(user, FoundPerson)
        .filter(operation=operation)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "screenings",
                queryset=visible_to(user, Screening).order_by("-created_at"),
                to_attr="visible_screenings",
            )
        )
    )


def found_person_get_for_user(*, user, found_uuid) -> FoundPerson:
    return get_visible_or_404(
        user, visible_to(user, FoundPerson).select_related("person", "operation"), uuid=found_uuid
    )


def reports_for_operations(*, user) -> QuerySet[Report]:
    """Open reports the user can see, to name the ones that led to an operation."""
    return visible_to(user, Report).filter(status__in=OPEN_STATUSES).order_by("-received_at")


def screening_get_for_user(*, user, screening_uuid) -> Screening:
    """One screening the user may see (404 otherwise); reading its indicators is logged."""
    screening = get_visible_or_404(
        user,
        visible_to(user, Screening).select_related(
            "person", "instrument", "found_person__operation", "created_by"
        ),
        uuid=screening_uuid,
    )
    _audit_read(user, Screening, screening)
    return screening


def instruments_visible_to(*, user) -> QuerySet[Instrument]:
    return visible_to(user, Instrument).select_related("validated_by").order_by("-created_at")


def instrument_for_display(*, user) -> Instrument | None:
    """The instrument screenings use now: the validated one, else the newest provisional."""
    instruments = visible_to(user, Instrument)
    return (
        instruments.filter(status=InstrumentStatus.VALIDATED).first()
        or instruments.filter(status=InstrumentStatus.PROVISIONAL).first()
    )


def indicators_of(*, user, instrument: Instrument, list_code: str | None = None):
    indicators = visible_to(user, Indicator).filter(instrument=instrument)
    if list_code:
        indicators = indicators.filter(list_code=list_code)
    return indicators.order_by("position")


def handoffs_visible_to(*, user) -> QuerySet[HandOff]:
    """Hand-offs the user's organisation sent or received, newest first."""
    return visible_to(user, HandOff).select_related(
        "from_organisation", "to_organisation", "screening", "person"
    )


def handoffs_pending_for(*, user) -> QuerySet[HandOff]:
    """Hand-offs waiting for the user's organisation to open a case (or decline)."""
    return handoffs_visible_to(user=user).filter(
        to_organisation_id=user.organisation_id, status=HandOffStatus.PENDING
    )


def handoff_get_for_user(*, user, handoff_uuid) -> HandOff:
    return get_visible_or_404(user, handoffs_visible_to(user=user), uuid=handoff_uuid)


def handoffs_accepted_without_case(*, user) -> list[HandOff]:
    """Hand-offs the user's organisation accepted and has not yet opened a case for (a case
    opened from a screening names its hand-off's uuid as `source_reference`). Two queries."""
    from django.apps import apps

    accepted = handoffs_visible_to(user=user).filter(
        to_organisation_id=user.organisation_id, status=HandOffStatus.ACCEPTED
    )
    # Only to leave out hand-offs already followed by a case; no case data is shown here.
    case_model = apps.get_model("cases", "Case")
    opened = set(
        case_model.objects.filter(
            organisation_id=user.organisation_id, source="screening"
        ).values_list("source_reference", flat=True)
    )
    return [h for h in accepted.order_by("-decided_at")[:200] if str(h.uuid) not in opened]
