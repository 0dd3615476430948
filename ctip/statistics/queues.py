"""Work-queue source of statistics (see ctip/core/work_queue.py): the annual government
report, from the day it can be prepared until it has been exported for publication."""

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.work_queue import QueueResult, WorkItem, due_urgency

# The report on year Y is due by this day of year Y + 1; it shows up from December of Y.
DUE_MONTH, DUE_DAY = 3, 31
SHOWN_FROM_MONTH = 12


def annual_report_due(*, user) -> QueueResult:
    """The annual reports not yet exported for publication: last year's until it is, and
    this year's from December. One query."""
    today = timezone.localdate()
    years = [today.year - 1]
    if today.month >= SHOWN_FROM_MONTH:
        years.append(today.year)
    # Whether a year's report was exported is not about any person: the audit log's own
    # record of the export (statistics/views.py _audit_export) answers it, read for these
    # years only.
    exported = set(
        AuditEvent.objects.filter(
            action=AuditAction.STATISTICS_EXPORTED,
            target_type="statistics.annual_report",
            target_id__in=[str(y) for y in years],
        ).values_list("target_id", flat=True)
    )
    items = []
    for year in years:
        if str(year) in exported:
            continue
        due = date(year + 1, DUE_MONTH, DUE_DAY)
        items.append(
            WorkItem(
                kind="annual_report",
                title=_("Annual report %(year)s") % {"year": year},
                url=f"{reverse('statistics:annual')}?year={year}",
                urgency=due_urgency(due, today, soon_days=30),
                due=due,
                detail=_("Not yet exported for publication"),
            )
        )
    return QueueResult(items=items, count=len(items))
