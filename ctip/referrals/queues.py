"""Work-queue sources of referrals (see ctip/core/work_queue.py): referrals the user's
organisation received and must answer, and accepted ones it is working on."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.core.work_queue import ROUTINE, QueueResult, WorkItem, due_urgency, take

from .models import ReferralStatus, Urgency
from .selectors import referrals_received

# How soon a referral must be answered, by its urgency (immediate: today).
ANSWER_WITHIN = {Urgency.IMMEDIATE: 0, Urgency.URGENT: 7, Urgency.ROUTINE: 14}


def _detail(referral) -> str:
    service = referral.get_service_display() or referral.get_kind_display()
    return f"{service} · {referral.from_organisation}"


def referrals_to_answer(*, user) -> QueueResult:
    """Referrals sent to the user's organisation still waiting for an answer, oldest first."""
    if not user.organisation_id:
        return QueueResult(items=[], count=0)
    pending = referrals_received(user=user, status=ReferralStatus.PENDING).order_by(
        "created_at", "id"
    )
    today = timezone.localdate()

    def make(referral) -> WorkItem:
        due = timezone.localdate(referral.created_at) + timedelta(
            days=ANSWER_WITHIN.get(referral.urgency, 14)
        )
        urgency = referral.urgency if referral.urgency != ROUTINE else due_urgency(due, today)
        return WorkItem(
            kind="referrals_to_answer",
            title=_("Referral of case %(number)s") % {"number": referral.case.number},
            url=reverse("referrals:detail", args=[referral.uuid]),
            urgency=urgency,
            due=due,
            created=referral.created_at,
            detail=_detail(referral),
        )

    return take(pending, make)


def referrals_in_progress(*, user) -> QueueResult:
    """Referrals the user's organisation accepted and has not completed: services to give."""
    if not user.organisation_id:
        return QueueResult(items=[], count=0)
    accepted = referrals_received(user=user, status=ReferralStatus.ACCEPTED).order_by(
        "decided_at", "id"
    )

    def make(referral) -> WorkItem:
        return WorkItem(
            kind="referrals_accepted",
            title=_("Referral of case %(number)s") % {"number": referral.case.number},
            url=reverse("referrals:detail", args=[referral.uuid]),
            urgency=ROUTINE,
            created=referral.decided_at or referral.created_at,
            detail=_detail(referral),
        )

    return take(accepted, make)
