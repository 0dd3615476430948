"""Work-queue sources of case management (see ctip/core/work_queue.py): tasks, approvals and
consents. Items name the case by its number, which never contains the survivor's name."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import ROUTINE, QueueResult, WorkItem, due_urgency, take

from .models import CaseStatus, CaseTask, Consent, ConsentPurpose
from .selectors import owned_cases, pending_approvals

# Tasks show up this many days before they fall due.
TASK_HORIZON_DAYS = 7
# A supervisor's decision is expected within this many days of the request.
APPROVAL_DAYS = 3


def tasks_due(*, user) -> QueueResult:
    """The user's open tasks due within a week, and every overdue one, earliest first."""
    today = timezone.localdate()
    tasks = (
        visible_to(user, CaseTask)
        .filter(
            assigned_to=user,
            done_on__isnull=True,
            due_on__lte=today + timedelta(days=TASK_HORIZON_DAYS),
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
        .order_by("due_on", "id")
    )

    def make(task) -> WorkItem:
        overdue = task.due_on < today
        return WorkItem(
            kind="tasks",
            title=f"{task.case.number} · {task.title}",
            url=reverse("cases:detail", args=[task.case.uuid]),
            urgency=due_urgency(task.due_on, today),
            due=task.due_on,
            created=task.created_at,
            detail=_("Overdue") if overdue else _("Task"),
        )

    return take(tasks, make)


def approvals_waiting(*, user) -> QueueResult:
    """Closure and care-plan requests waiting for the user's decision, oldest first."""
    today = timezone.localdate()

    def make(approval) -> WorkItem:
        due = timezone.localdate(approval.created_at) + timedelta(days=APPROVAL_DAYS)
        return WorkItem(
            kind="approvals",
            title=f"{approval.case.number} · {approval.get_kind_display()}",
            url=reverse("cases:approval", args=[approval.uuid]),
            urgency=due_urgency(due, today),
            due=due,
            created=approval.created_at,
            detail=_("Waiting for your decision"),
        )

    return take(pending_approvals(user=user), make)


def consents_missing(*, user) -> QueueResult:
    """The user's open cases with no active consent to receive services: record it (or
    record it again after a withdrawal) before the work goes on."""
    active = Consent.objects.filter(
        case=OuterRef("pk"), purpose=ConsentPurpose.SERVICES, withdrawn_on__isnull=True
    )
    cases = (
        owned_cases(user)
        .filter(case_worker=user)
        .exclude(status=CaseStatus.CLOSED)
        .filter(~Exists(active))
        .order_by("opened_on", "id")
    )

    def make(case) -> WorkItem:
        return WorkItem(
            kind="consents",
            title=case.number,
            url=reverse("cases:consent_add", args=[case.uuid]),
            urgency=ROUTINE,
            due=case.opened_on,
            created=case.created_at,
            detail=_("No consent to services on record"),
        )

    return take(cases, make)
