"""Work-queue sources of operations (see ctip/core/work_queue.py): hand-offs and screenings."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import IMMEDIATE, URGENT, QueueResult, WorkItem, take

from .models import FoundPerson, ScreeningResult
from .selectors import handoffs_pending_for


def handoffs_waiting(*, user) -> QueueResult:
    """Hand-offs waiting for the user's organisation to open a case or decline: a child
    identified as a victim waits on this, so it is the most urgent work there is."""
    pending = handoffs_pending_for(user=user).order_by("created_at", "id")
    url = reverse("operations:handoffs")

    def make(handoff) -> WorkItem:
        identified = handoff.screening.result == ScreeningResult.IDENTIFIED
        return WorkItem(
            kind="handoffs",
            title=_("Hand-off from %(organisation)s") % {"organisation": handoff.from_organisation},
            url=url,
            urgency=IMMEDIATE if identified else URGENT,
            due=timezone.localdate(handoff.created_at),
            created=handoff.created_at,
            detail=handoff.screening.get_result_display(),
        )

    return take(pending, make)


def screenings_to_do(*, user) -> QueueResult:
    """People found in the user's organisation's operations who have no screening yet."""
    found = (
        visible_to(user, FoundPerson)
        .filter(screenings__isnull=True)
        .select_related("operation", "person")
        .order_by("created_at", "id")
    )

    def make(row) -> WorkItem:
        return WorkItem(
            kind="screenings",
            title=_("Screening to do · operation %(reference)s")
            % {"reference": row.operation.reference},
            url=reverse("operations:screen", args=[row.person.uuid]),
            urgency=URGENT,
            due=timezone.localdate(row.created_at),
            created=row.created_at,
            detail=_("Person found %(date)s")
            % {"date": timezone.localdate(row.created_at).isoformat()},
        )

    return take(found, make)
