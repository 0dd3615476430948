"""Work-queue sources of intake (see ctip/core/work_queue.py): reports waiting for someone."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.core.work_queue import QueueResult, WorkItem, take

from . import triage
from .models import Status
from .selectors import reports_visible_to


def _item(kind: str, report, detail: str) -> WorkItem:
    due = report.received_at + triage.response_target(report.urgency)
    return WorkItem(
        kind=kind,
        title=_("Report %(reference)s") % {"reference": report.reference},
        url=reverse("intake:detail", args=[report.uuid]),
        urgency=report.urgency,
        due=timezone.localdate(due),
        created=report.received_at,
        detail=detail,
    )


def _place(report) -> str:
    return str(report.province) if report.province_id else _("place not known")


def reports_to_triage(*, user) -> QueueResult:
    """The national queue's reports not yet dispatched: to triage, dispatch or close."""
    reports = reports_visible_to(user=user).filter(status__in=[Status.NEW, Status.TRIAGED])
    return take(
        reports,
        lambda r: _item("reports_to_triage", r, f"{r.get_status_display()} · {_place(r)}"),
    )


def reports_dispatched(*, user) -> QueueResult:
    """Reports dispatched to the user's organisation and not yet answered or closed."""
    if not user.organisation_id:
        return QueueResult(items=[], count=0)
    reports = reports_visible_to(user=user).filter(
        assigned_to_id=user.organisation_id, status__in=[Status.DISPATCHED, Status.ACCEPTED]
    )
    return take(
        reports,
        lambda r: _item("reports_dispatched", r, f"{r.get_status_display()} · {_place(r)}"),
    )
