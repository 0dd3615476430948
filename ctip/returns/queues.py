"""Work-queue sources of returns and reintegration (see ctip/core/work_queue.py): follow-up
visits due and overdue, and cross-border returns about to arrive."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import QueueResult, WorkItem, due_urgency, take

from .models import FollowUpVisit, ReintegrationStatus, Return, ReturnStatus

# Visits show up this many days before they fall due; returns this many days before arrival.
VISIT_HORIZON_DAYS = 14
RETURN_HORIZON_DAYS = 30


def follow_ups_due(*, user) -> QueueResult:
    """Follow-up visits of the user's cases due within two weeks, and every overdue one."""
    today = timezone.localdate()
    visits = (
        visible_to(user, FollowUpVisit)
        .filter(
            plan__case__case_worker=user,
            visited_on__isnull=True,
            due_on__lte=today + timedelta(days=VISIT_HORIZON_DAYS),
        )
        .exclude(plan__status=ReintegrationStatus.BROKE_DOWN)
        .select_related("plan__case")
        .order_by("due_on", "id")
    )

    def make(visit) -> WorkItem:
        return WorkItem(
            kind="follow_ups",
            title=_("%(number)s · %(months)s-month follow-up visit")
            % {"number": visit.plan.case.number, "months": visit.months_after},
            url=reverse("returns:visit", args=[visit.uuid]),
            urgency=due_urgency(visit.due_on, today),
            due=visit.due_on,
            created=visit.created_at,
            detail=_("Overdue") if visit.due_on < today else _("Due soon"),
        )

    return take(visits, make)


def returns_arriving(*, user) -> QueueResult:
    """Planned returns of cases the user sees, arriving within a month (or late)."""
    today = timezone.localdate()
    returns = (
        visible_to(user, Return)
        .filter(
            status__in=[ReturnStatus.PLANNED, ReturnStatus.CLEARED],
            planned_on__lte=today + timedelta(days=RETURN_HORIZON_DAYS),
        )
        .select_related("case", "country")
        .order_by("planned_on", "id")
    )

    def make(ret) -> WorkItem:
        return WorkItem(
            kind="returns",
            title=_("%(number)s · return from %(country)s")
            % {"number": ret.case.number, "country": ret.country}
            if ret.direction == "to_kh"
            else _("%(number)s · return to %(country)s")
            % {"number": ret.case.number, "country": ret.country},
            url=reverse("returns:case", args=[ret.case.uuid]),
            urgency=due_urgency(ret.planned_on, today, soon_days=3),
            due=ret.planned_on,
            created=ret.created_at,
            detail=f"{ret.get_status_display()} · {ret.crossing_point}",
        )

    return take(returns, make)
