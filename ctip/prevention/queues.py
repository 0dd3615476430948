"""Work-queue sources of prevention (see ctip/core/work_queue.py): sessions held whose
attendance is not recorded, and vulnerability assessments still waiting for a decision."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import QueueResult, WorkItem, due_urgency, take

from .models import AssessmentStatus, RiskLevel, Session, VulnerabilityAssessment

# A session's attendance should be recorded within this many days.
RECORD_WITHIN_DAYS = 3
# A high- or medium-risk assessment should be referred (or closed) within this many days.
DECIDE_WITHIN_DAYS = 7


def sessions_to_record(*, user) -> QueueResult:
    """Sessions of the user's organisation held up to today with no attendance taken."""
    if not user.organisation_id:
        return QueueResult(items=[], count=0)
    today = timezone.localdate()
    sessions = (
        visible_to(user, Session)
        .filter(
            programme__organisation_id=user.organisation_id,
            date__lte=today,
            attendance_taken_at__isnull=True,
        )
        .select_related("programme")
        .order_by("date", "id")
    )

    def make(session) -> WorkItem:
        due = session.date + timedelta(days=RECORD_WITHIN_DAYS)
        return WorkItem(
            kind="sessions",
            title=f"{session.topic} · {session.date.isoformat()}",
            url=reverse("prevention:session", args=[session.uuid]),
            urgency=due_urgency(due, today),
            due=due,
            created=session.created_at,
            detail=str(session.programme),
        )

    return take(sessions, make)


def assessments_due(*, user) -> QueueResult:
    """Open assessments at high or medium risk of the user's organisation: refer or close."""
    if not user.organisation_id:
        return QueueResult(items=[], count=0)
    today = timezone.localdate()
    assessments = (
        visible_to(user, VulnerabilityAssessment)
        .filter(
            organisation_id=user.organisation_id,
            status=AssessmentStatus.OPEN,
            level__in=[RiskLevel.HIGH, RiskLevel.MEDIUM],
        )
        .select_related("village")
        .order_by("assessed_on", "id")
    )

    def make(assessment) -> WorkItem:
        due = assessment.assessed_on + timedelta(days=DECIDE_WITHIN_DAYS)
        high = assessment.level == RiskLevel.HIGH
        return WorkItem(
            kind="assessments",
            # The household's or child's name is confidential: the village and date only.
            title=_("%(subject)s assessed %(date)s · %(village)s")
            % {
                "subject": assessment.get_subject_display(),
                "date": assessment.assessed_on.isoformat(),
                "village": assessment.village,
            },
            url=reverse("prevention:assessment", args=[assessment.uuid]),
            urgency="urgent" if high else due_urgency(due, today),
            due=due,
            created=assessment.created_at,
            detail=_("Risk: %(level)s") % {"level": assessment.get_level_display()},
        )

    return take(assessments, make)
