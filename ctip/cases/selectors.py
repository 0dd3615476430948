"""Reads of cases, always through the access policy. Reading a case's sensitive fields, or a
sensitive note, is itself audited."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from ctip.access.policy import (
    can,
    get_visible_or_404,
    readable_fields,
    reads_sensitive,
    sensitive_fields,
    visible_to,
)
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .models import Approval, ApprovalStatus, Case, CaseNote, CaseStatus, CaseTask, Consent


def owned_cases(user) -> QuerySet:
    """The cases the user sees that their organisation owns. A case another organisation shared
    by referral (or one transferred away) is visible to the policy too, but only through the
    referral's page, section by section (ctip/referrals/selectors.py shared_view), never
    through the case pages, which show every section."""
    return visible_to(user, Case).filter(organisation_id=user.organisation_id)


def cases_visible_to(*, user, query: str = "", status: str = "", mine: bool = False) -> QuerySet:
    """Cases the user may see, by case number or survivor name, optionally by status."""
    # Case pages list owned cases; a partner reads a referred case on the referral (issue 5).
    cases = owned_cases(user).select_related("person", "case_worker", "organisation")
    query = query.strip()
    if query:
        cases = cases.filter(
            Q(number__icontains=query)
            | Q(person__given_name__icontains=query)
            | Q(person__family_name__icontains=query)
            | Q(person__name_km__icontains=query)
        )
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(case_worker=user)
    return cases.order_by("-opened_on", "-id")


def case_get_for_user(*, user, case_uuid) -> Case:
    """One case the user may see (404 otherwise); logs the read when it shows sensitive data."""
    case = get_visible_or_404(
        user,
        owned_cases(user).select_related("person", "organisation", "case_worker", "supervisor"),
        uuid=case_uuid,
    )
    if reads_sensitive(user, Case):
        shown = sorted(set(readable_fields(user, Case)) & sensitive_fields(Case))
        audit_record(actor=user, action=AuditAction.READ, target=case, changes={"shown": shown})
    return case


def case_ref_for_user(*, user, case_uuid) -> Case:
    """One case the user may see (404 otherwise), to reach its notes, tasks or care records.

    None of the case's own sensitive fields are shown from it, so the read is not audited here;
    the child selectors audit what they show."""
    return get_visible_or_404(user, owned_cases(user), uuid=case_uuid)


@dataclass
class NoteView:
    note: CaseNote
    text: str | None  # None: withheld from this reader


def notes_for_case(*, user, case: Case) -> list[NoteView]:
    """The case's notes; a sensitive note's text only for readers of restricted data, and each
    such read is audited."""
    notes = list(visible_to(user, CaseNote).filter(case=case).select_related("created_by"))
    may_read_restricted = can(user, Perm.SENSITIVITY_RESTRICTED)
    may_read_text = "text" in readable_fields(user, CaseNote, ["text"])
    shown_sensitive = []
    views = []
    for note in notes:
        if note.is_sensitive and not may_read_restricted:
            views.append(NoteView(note, None))
            continue
        if note.is_sensitive:
            shown_sensitive.append(str(note.uuid))
        views.append(NoteView(note, note.text if may_read_text else None))
    if shown_sensitive:
        audit_record(
            actor=user,
            action=AuditAction.READ,
            target=case,
            changes={"sensitive_notes": shown_sensitive},
        )
    return views


def consents_for_case(*, user, case: Case) -> QuerySet:
    return visible_to(user, Consent).filter(case=case).select_related("partner", "guardian")


def tasks_for_case(*, user, case: Case) -> QuerySet:
    return visible_to(user, CaseTask).filter(case=case).select_related("assigned_to")


def approvals_for_case(*, user, case: Case) -> QuerySet:
    return visible_to(user, Approval).filter(case=case).select_related("created_by", "decided_by")


def pending_approvals(*, user) -> QuerySet:
    """Requests waiting for a decision that the user may take (not their own)."""
    if not can(user, Perm.CASES_APPROVE):
        return Approval.objects.none()
    return (
        visible_to(user, Approval)
        .filter(status=ApprovalStatus.PENDING)
        .exclude(created_by=user)
        .select_related("case", "created_by")
        .order_by("created_at")
    )


def case_worker_dashboard(*, user, horizon_days: int = 14) -> dict:
    """The case worker's panel: my open cases, overdue tasks, reminders, upcoming reviews and
    visits, assessments due, approvals waiting. A fixed number of queries."""
    from ctip.care.models import Assessment, CarePlan, CarePlanStatus

    today = timezone.localdate()
    horizon = today + timedelta(days=horizon_days)
    my_cases = (
        visible_to(user, Case)
        .filter(case_worker=user)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("person")
        .order_by("opened_on")
    )
    open_tasks = visible_to(user, CaseTask).filter(assigned_to=user, done_on__isnull=True)
    overdue = open_tasks.filter(due_on__lt=today).select_related("case").order_by("due_on")
    reminders = (
        open_tasks.filter(remind_on__lte=today, due_on__gte=today)
        .select_related("case")
        .order_by("due_on")
    )
    visits = (
        open_tasks.filter(is_visit=True, due_on__gte=today, due_on__lte=horizon)
        .select_related("case")
        .order_by("due_on")
    )
    reviews = (
        visible_to(user, CarePlan)
        .filter(
            case__case_worker=user,
            status=CarePlanStatus.ACTIVE,
            next_review_on__lte=horizon,
        )
        .select_related("case")
        .order_by("next_review_on")
    )
    # The latest assessment per case and instrument is what falls due; older ones do not.
    assessments_due = (
        visible_to(user, Assessment)
        .filter(case__case_worker=user, next_due_on__lte=horizon)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "instrument")
        .order_by("next_due_on")
    )
    due = {}
    for a in assessments_due:
        due[(a.case_id, a.instrument_id)] = a
    latest_ids = set(
        Assessment.objects.filter(
            case_id__in={k[0] for k in due}, instrument_id__in={k[1] for k in due}
        )
        .order_by("case_id", "instrument_id", "-assessed_on", "-id")
        .values_list("case_id", "instrument_id", "id")
    )
    newest: dict = {}
    for case_id, instrument_id, ident in sorted(latest_ids, key=lambda t: -t[2]):
        newest.setdefault((case_id, instrument_id), ident)
    return {
        "my_cases": list(my_cases[:50]),
        "overdue_tasks": list(overdue[:50]),
        "reminders": list(reminders[:50]),
        "upcoming_visits": list(visits[:50]),
        "upcoming_reviews": list(reviews[:50]),
        "assessments_due": [a for key, a in due.items() if newest.get(key) == a.id],
        "approvals": list(pending_approvals(user=user)[:50]),
        "today": today,
    }
