"""The work queue on every home page: what this person must do next, most urgent first.

Each domain app offers sources in its own `ctip/<app>/queues.py`: a function `(*, user)` that
returns a `QueueResult` (up to `LIMIT` items and the full count), reading only through
`ctip.access` with a fixed number of queries (two: the count and the list). `SOURCES` below
lists them with the permission a user must hold for the source to run at all (fail closed:
without it the source is never called).

Items never carry a survivor's name: a title names the record by its number or reference
(a case number never contains the name), so the queue is safe on a shared screen.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import can
from ctip.accounts.roles import Perm

IMMEDIATE, URGENT, ROUTINE = "immediate", "urgent", "routine"
URGENCY_RANK = {IMMEDIATE: 0, URGENT: 1, ROUTINE: 2}
URGENCY_LABELS = {IMMEDIATE: _("Immediate"), URGENT: _("Urgent"), ROUTINE: _("Routine")}
# Items a source lists at most; its count still says how many there are.
LIMIT = 20
# Items the home page shows at most, across all sources.
PAGE_LIMIT = 40


@dataclass(frozen=True)
class WorkItem:
    kind: str  # the source's kind, e.g. "handoffs"
    title: str  # a record number or reference: never a survivor's name
    url: str  # where the work is done
    urgency: str = ROUTINE
    due: date | None = None
    created: datetime | None = None
    detail: str = ""  # one short line more (status, place, organisation), never a name

    @property
    def urgency_rank(self) -> int:
        return URGENCY_RANK.get(self.urgency, len(URGENCY_RANK))

    @property
    def urgency_label(self) -> str:
        return str(URGENCY_LABELS.get(self.urgency, self.urgency))

    def is_overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class QueueResult:
    items: list[WorkItem]
    count: int


EMPTY = QueueResult(items=[], count=0)


def take(queryset: QuerySet, make) -> QueueResult:
    """The count of `queryset` and its first `LIMIT` rows made into items: two queries."""
    # Both queries run even when the count is nought: the page's query count stays fixed.
    count = queryset.count()
    return QueueResult(items=[make(row) for row in queryset[:LIMIT]], count=count)


def due_urgency(due: date | None, today: date, *, soon_days: int = 0) -> str:
    """Urgent when due less than `soon_days` days from today (0: only when overdue)."""
    if due is not None and (due - today).days < soon_days:
        return URGENT
    if due is not None and due < today:
        return URGENT
    return ROUTINE


@dataclass(frozen=True)
class Source:
    kind: str
    label: Promise | str  # what the count at the top says, e.g. "Hand-offs waiting"
    permission: str
    function: str  # dotted path of a function (*, user) -> QueueResult


SOURCES: list[Source] = [
    # Intake (issue 3): the hotline's untriaged reports; reports dispatched to my organisation.
    Source(
        "reports_to_triage",
        _("Reports to triage or dispatch"),
        Perm.REPORTS_TRIAGE,
        "ctip.intake.queues.reports_to_triage",
    ),
    Source(
        "reports_dispatched",
        _("Reports dispatched to you"),
        Perm.REPORTS_RESPOND,
        "ctip.intake.queues.reports_dispatched",
    ),
    # Operations: hand-offs waiting for my organisation, people found still to screen.
    Source(
        "handoffs",
        _("Hand-offs waiting"),
        Perm.HANDOFFS_VIEW,
        "ctip.operations.queues.handoffs_waiting",
    ),
    Source(
        "screenings",
        _("People found to screen"),
        Perm.SCREENING_RECORD,
        "ctip.operations.queues.screenings_to_do",
    ),
    # Cases: my tasks, approvals waiting for me, cases without consent to services.
    Source("tasks", _("Tasks due"), Perm.CASES_CHANGE, "ctip.cases.queues.tasks_due"),
    Source(
        "approvals",
        _("Approvals waiting"),
        Perm.CASES_APPROVE,
        "ctip.cases.queues.approvals_waiting",
    ),
    Source(
        "consents",
        _("Consents to record"),
        Perm.CONSENT_RECORD,
        "ctip.cases.queues.consents_missing",
    ),
    # Referrals: to answer (received), and accepted ones with work to do.
    Source(
        "referrals_to_answer",
        _("Referrals to answer"),
        Perm.REFERRALS_RESPOND,
        "ctip.referrals.queues.referrals_to_answer",
    ),
    Source(
        "referrals_accepted",
        _("Referrals in progress"),
        Perm.REFERRALS_RESPOND,
        "ctip.referrals.queues.referrals_in_progress",
    ),
    # Returns: follow-up visits due and overdue, returns arriving.
    Source(
        "follow_ups",
        _("Follow-up visits due"),
        Perm.RETURNS_MANAGE,
        "ctip.returns.queues.follow_ups_due",
    ),
    Source(
        "returns",
        _("Returns arriving"),
        Perm.RETURNS_VIEW,
        "ctip.returns.queues.returns_arriving",
    ),
    # Justice: hearings this week (and outcomes to record), arrested suspects not yet charged.
    Source(
        "hearings",
        _("Hearings"),
        Perm.JUSTICE_MANAGE,
        "ctip.justice.queues.hearings_this_week",
    ),
    Source(
        "charges",
        _("Charges awaiting"),
        Perm.JUSTICE_MANAGE,
        "ctip.justice.queues.charges_awaiting",
    ),
    # Prevention: sessions whose attendance is not recorded, assessments to follow up.
    Source(
        "sessions",
        _("Sessions to record"),
        Perm.PREVENTION_MANAGE,
        "ctip.prevention.queues.sessions_to_record",
    ),
    Source(
        "assessments",
        _("Assessments to follow up"),
        Perm.PREVENTION_ASSESS,
        "ctip.prevention.queues.assessments_due",
    ),
    # Exchange and statistics: imports waiting, the annual report to publish.
    Source(
        "imports",
        _("Imports waiting"),
        Perm.EXCHANGE_IMPORT,
        "ctip.exchange.queues.imports_waiting",
    ),
    Source(
        "annual_report",
        _("Reports to publish"),
        Perm.STATISTICS_EXPORT,
        "ctip.statistics.queues.annual_report_due",
    ),
    # Accounts: users of my organisation (or any, for system admins) who have no role yet.
    Source(
        "users_without_role",
        _("Users waiting for a role"),
        Perm.USERS_MANAGE_OWN_ORG,
        "ctip.accounts.queues.users_without_role",
    ),
    Source(
        "users_without_role",
        _("Users waiting for a role"),
        Perm.USERS_MANAGE_ALL,
        "ctip.accounts.queues.users_without_role",
    ),
]


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int
    overdue: int  # among the items the source listed (its most overdue come first)


@dataclass(frozen=True)
class QueueRow:
    item: WorkItem
    kind_label: str
    overdue: bool


@dataclass
class WorkQueue:
    counts: list[KindCount] = field(default_factory=list)
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0

    @property
    def shown(self) -> int:
        return len(self.rows)


def sort_key(item: WorkItem) -> tuple:
    """Most urgent first; then the most overdue (earliest due); then the newest."""
    due = item.due.toordinal() if item.due else date.max.toordinal()
    created = -item.created.timestamp() if item.created else 0.0
    return (item.urgency_rank, due, created)


def sources_for(user) -> list[Source]:
    """The sources whose permission the user holds, each function once."""
    seen: set[str] = set()
    chosen = []
    for source in SOURCES:
        if source.function in seen or not can(user, source.permission):
            continue
        seen.add(source.function)
        chosen.append(source)
    return chosen


def work_queue_for(*, user) -> WorkQueue:
    """The user's queue: a count per kind of work, and the items, most urgent first."""
    today = timezone.localdate()
    queue = WorkQueue()
    items: list[WorkItem] = []
    labels: dict[str, str] = {}
    for source in sources_for(user):
        result: QueueResult = import_string(source.function)(user=user)
        if not result.count:
            continue
        labels[source.kind] = str(source.label)
        overdue = sum(1 for item in result.items if item.is_overdue(today))
        queue.counts.append(KindCount(source.kind, labels[source.kind], result.count, overdue))
        queue.total += result.count
        items.extend(result.items)
    items.sort(key=sort_key)
    queue.rows = [
        QueueRow(item, labels.get(item.kind, item.kind), item.is_overdue(today))
        for item in items[:PAGE_LIMIT]
    ]
    return queue
