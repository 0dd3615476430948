"""Reads of reports, always through the access policy, and aggregate counts for statistics."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import (
    can,
    get_visible_or_404,
    readable_fields,
    visible_to,
)
from ctip.accounts.models import Organisation, UserRole
from ctip.accounts.roles import ROLES, Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from . import triage
from .models import OPEN_STATUSES, URGENCY_RANK, Report, Status

# How close in time two reports must be to look like the same story.
REPEAT_WINDOW = timedelta(days=7)

_URGENCY_ORDER = Case(
    *[When(urgency=u, then=Value(rank)) for u, rank in URGENCY_RANK.items()],
    output_field=IntegerField(),
)


def reports_visible_to(*, user, status: str = "open") -> QuerySet[Report]:
    """Reports the user may see, most urgent first, then longest waiting.

    `status` is "open" (every status but closed), "closed", "all" or one status.
    """
    reports = visible_to(user, Report).select_related("province", "district", "assigned_to")
    if status == "open":
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        reports = reports.filter(status=status)
    elif status != "all":
        reports = reports.none()
    return reports.annotate(urgency_rank=_URGENCY_ORDER).order_by(
        "urgency_rank", "received_at", "id"
    )


OPENED_FIELDS = {"narrative", "caller_name", "caller_phone", "location_text"}


@dataclass(frozen=True)
class QueueSummary:
    by_urgency: dict[str, int]
    waiting_over_target: int


def queue_summary(*, user) -> QueueSummary:
    """Open reports the user sees, by urgency, and how many still wait past their target."""
    now = timezone.now()
    rows = (
        visible_to(user, Report)
        .filter(status__in=OPEN_STATUSES)
        .values_list("urgency", "received_at", "first_action_at")
    )
    by_urgency = dict.fromkeys(URGENCY_RANK, 0)
    over = 0
    for urgency, received, first in rows:
        by_urgency[urgency] = by_urgency.get(urgency, 0) + 1
        if first is None and now - received > triage.response_target(urgency):
            over += 1
    return QueueSummary(by_urgency=by_urgency, waiting_over_target=over)


def report_get_for_user(*, user, report_uuid) -> Report:
    """One report the user may see (404 otherwise); the read is logged."""
    report = get_visible_or_404(
        user,
        visible_to(user, Report).select_related(
            "province", "district", "assigned_to", "linked_to", "created_by"
        ),
        uuid=report_uuid,
    )
    # Every opening is logged, not only reads above "normal": a report tells of a child in
    # danger and names its caller (see access/rules/intake.py).
    shown = sorted(set(readable_fields(user, Report)) & OPENED_FIELDS)
    audit_record(actor=user, action=AuditAction.READ, target=report, changes={"shown": shown})
    return report


@dataclass(frozen=True)
class Clock:
    """How long a report waited (or has waited) for its first action, against its target."""

    waited: timedelta
    target: timedelta
    actioned: bool

    @property
    def breached(self) -> bool:
        return self.waited > self.target

    @property
    def minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)


def report_clock(report: Report, now: datetime | None = None) -> Clock:
    """The time to first action (or waiting so far) and whether it breaches the target."""
    end = report.first_action_at or now or timezone.now()
    return Clock(
        waited=max(end - report.received_at, timedelta(0)),
        target=triage.response_target(report.urgency),
        actioned=report.first_action_at is not None,
    )


def report_possible_repeats(*, user, report: Report) -> list[Report]:
    """Other reports that may tell the same story: same phone, or same district or place
    within a week. Shown to the operator, who decides whether to link them."""
    window = Q(
        received_at__gte=report.received_at - REPEAT_WINDOW,
        received_at__lte=report.received_at + REPEAT_WINDOW,
    )
    same = Q()
    matched = False
    if report.caller_phone.strip():
        same |= Q(caller_phone=report.caller_phone.strip())
        matched = True
    if report.district_id:
        same |= Q(district_id=report.district_id) & window
        matched = True
    if report.location_text.strip():
        same |= Q(location_text__iexact=report.location_text.strip()) & window
        matched = True
    if not matched:
        return []
    return list(
        visible_to(user, Report)
        .filter(same)
        .exclude(pk=report.pk)
        .exclude(linked_to=report)
        .order_by("-received_at")[:10]
    )


def organisations_able_to(
    *, user, permission: str, include_own: bool = False
) -> QuerySet[Organisation]:
    """Active organisations (other than the user's, unless `include_own`) with an active
    member whose role grants `permission`: the ones that can take the work. The system
    administrators' organisation holds no such role, so it is never offered."""
    roles = [role for role, spec in ROLES.items() if permission in spec.permissions]
    able = UserRole.objects.filter(role__in=roles, user__is_active=True).values(
        "user__organisation_id"
    )
    organisations = visible_to(user, Organisation).filter(is_active=True, pk__in=able)
    if not include_own:
        organisations = organisations.exclude(pk=user.organisation_id)
    return organisations.order_by("name")


def dispatch_targets(*, user, include_own: bool = False) -> QuerySet[Organisation]:
    """Organisations a report may be dispatched to: those that respond to reports (police,
    social affairs), never the system administrators'. The list leaves out the user's own
    organisation; the service, checking a choice, passes `include_own`."""
    return organisations_able_to(
        user=user, permission=Perm.REPORTS_RESPOND, include_own=include_own
    )


def handoff_targets(*, user, include_own: bool = False) -> QuerySet[Organisation]:
    """Organisations a screened victim may be handed on to: those that decide hand-offs (social
    affairs, shelters)."""
    return organisations_able_to(
        user=user, permission=Perm.HANDOFFS_DECIDE, include_own=include_own
    )


# --- the public side: a tip's sender sees its status and nothing else -----------------------

PUBLIC_STATUS: dict[str, Promise] = {
    Status.NEW: _("Received. It is waiting to be read by the hotline."),
    Status.TRIAGED: _("Read by the hotline. It is being looked at."),
    Status.DISPATCHED: _("Passed to an organisation that can act on it."),
    Status.ACCEPTED: _("An organisation is acting on it."),
    Status.CLOSED: _("Closed. Thank you: the information was used."),
}


def tip_public_status(report: Report) -> Promise:
    """What the sender of a tip may learn: one sentence about where it stands, no details."""
    return PUBLIC_STATUS[report.status]


# --- statistics hooks: counts only, no personal data ------------------------------------------

STAT_DIMENSIONS = {
    "source": "source",
    "urgency": "urgency",
    "province": "province_id",
    "outcome": "outcome",
    "status": "status",
}


def _check_statistics(user) -> None:
    if not can(user, Perm.STATISTICS_VIEW):
        raise PermissionDenied


def report_counts(*, user, by: str, start: datetime, end: datetime) -> dict[str, int]:
    """Counts of reports received in [start, end), by source, urgency, province code, outcome
    or status. Aggregates only; a statistics officer may read them."""
    _check_statistics(user)
    if by not in STAT_DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r}")
    column = STAT_DIMENSIONS[by]
    rows = (
        Report.objects.filter(received_at__gte=start, received_at__lt=end)
        .values(column)
        .annotate(n=Count("id"))
        .order_by(column)
    )
    return {(row[column] or ""): row["n"] for row in rows}


@dataclass(frozen=True)
class FirstActionFigures:
    received: int
    actioned: int
    median_minutes: float | None
    within_target: int
    breached: int


def report_first_action_figures(*, user, start: datetime, end: datetime) -> FirstActionFigures:
    """Time to first action of the reports received in [start, end): how many were acted on,
    the median in minutes, and how many met or breached their response target."""
    _check_statistics(user)
    rows = list(
        Report.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
            "received_at", "first_action_at", "urgency"
        )
    )
    now = timezone.now()
    minutes = []
    within = breached = 0
    for received, first, urgency in rows:
        waited = (first or now) - received
        if first is not None:
            minutes.append(waited.total_seconds() / 60)
        if waited > triage.response_target(urgency):
            breached += 1
        elif first is not None:
            within += 1
    minutes.sort()
    median = None
    if minutes:
        mid = len(minutes) // 2
        median = minutes[mid] if len(minutes) % 2 else (minutes[mid - 1] + minutes[mid]) / 2
    return FirstActionFigures(
        received=len(rows),
        actioned=len(minutes),
        median_minutes=median,
        within_target=within,
        breached=breached,
    )


def intake_dashboard(*, user) -> dict:
    """The dashboard panel of the intake queue: counts by urgency and the five most urgent."""
    now = timezone.now()
    top = list(reports_visible_to(user=user)[:5])
    return {
        "summary": queue_summary(user=user),
        "rows": [{"report": r, "clock": report_clock(r, now)} for r in top],
    }
