"""Work-queue sources of justice (see ctip/core/work_queue.py): hearings this week (and past
hearings whose outcome is not recorded), and arrested suspects not yet charged."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import ROUTINE, URGENT, QueueResult, WorkItem, take

from .models import Arrest, Charge, Hearing, HearingStatus, InvestigationStatus, Suspect

HEARING_HORIZON_DAYS = 7
# A hearing within this many days is urgent: the survivor must be prepared as a witness.
HEARING_URGENT_DAYS = 2


def hearings_this_week(*, user) -> QueueResult:
    """Scheduled hearings in the next seven days, and past ones still without an outcome."""
    now = timezone.now()
    today = timezone.localdate()
    hearings = (
        visible_to(user, Hearing)
        .filter(
            status=HearingStatus.SCHEDULED,
            scheduled_for__lte=now + timedelta(days=HEARING_HORIZON_DAYS),
        )
        .select_related("court_case__investigation")
        .order_by("scheduled_for", "id")
    )

    def make(hearing) -> WorkItem:
        day = timezone.localtime(hearing.scheduled_for).date()
        past = day < today
        return WorkItem(
            kind="hearings",
            title=f"{hearing.get_type_display()} · {hearing.court_case}",
            url=reverse("justice:detail", args=[hearing.court_case.investigation.uuid]),
            urgency=URGENT if past or (day - today).days < HEARING_URGENT_DAYS else ROUTINE,
            due=day,
            created=hearing.created_at,
            detail=_("Outcome to record") if past else _("Hearing this week"),
        )

    return take(hearings, make)


def charges_awaiting(*, user) -> QueueResult:
    """Suspects arrested in open investigations the user sees who have no charge yet."""
    suspects = (
        visible_to(user, Suspect)
        .filter(Exists(Arrest.objects.filter(suspect=OuterRef("pk"))))
        .exclude(Exists(Charge.objects.filter(suspect=OuterRef("pk"))))
        .exclude(investigation__status=InvestigationStatus.CLOSED)
        .select_related("investigation")
        .order_by("created_at", "id")
    )

    def make(suspect) -> WorkItem:
        return WorkItem(
            kind="charges",
            title=_("Investigation %(reference)s") % {"reference": suspect.investigation.reference},
            url=reverse("justice:detail", args=[suspect.investigation.uuid]),
            urgency=ROUTINE,
            created=suspect.created_at,
            detail=_("A suspect is arrested but not charged"),
        )

    return take(suspects, make)
