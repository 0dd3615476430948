"""Work-queue sources of data exchange (see ctip/core/work_queue.py): HTCDS imports of the
user's organisation that are unfinished, stopped, or finished with rows in error."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import ROUTINE, URGENT, QueueResult, WorkItem, take

from .models import ImportBatch, ImportStatus

# A finished import with rows in error stays in the queue this long: fix them and re-upload.
ERRORS_SHOWN_DAYS = 30


def imports_waiting(*, user) -> QueueResult:
    """Imports to continue (pending, running), that stopped, or that left rows in error."""
    since = timezone.now() - timedelta(days=ERRORS_SHOWN_DAYS)
    batches = (
        visible_to(user, ImportBatch)
        .filter(
            Q(status__in=[ImportStatus.PENDING, ImportStatus.RUNNING])
            | Q(status=ImportStatus.FAILED, created_at__gte=since)
            | Q(status=ImportStatus.DONE, rows_failed__gt=0, created_at__gte=since)
        )
        # The uploaded file holds names: never read it here.
        .defer("content")
        .order_by("-created_at", "-id")
    )

    def make(batch) -> WorkItem:
        if batch.status == ImportStatus.DONE:
            detail = _("%(n)s rows with errors") % {"n": batch.rows_failed}
        else:
            detail = batch.get_status_display()
        return WorkItem(
            kind="imports",
            # The file name may name people (classified confidential): the date only.
            title=_("HTCDS import of %(date)s")
            % {"date": timezone.localtime(batch.created_at).date().isoformat()},
            url=reverse("exchange:import_batch", args=[batch.uuid]),
            urgency=URGENT if batch.status == ImportStatus.FAILED else ROUTINE,
            created=batch.created_at,
            detail=detail,
        )

    return take(batches, make)
