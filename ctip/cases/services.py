"""Every write to cases: opening, profile, workflow and approvals, notes, tasks (consent in
consent_services.py, re-exported here; shared checks in service_helpers.py).

Each service takes keyword arguments and an `actor`, runs in a transaction, checks the actor's
permission and the record's visibility, and writes an audit event (names of sensitive fields
only, never their values). Bad input raises ValidationError and changes nothing.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import readable_fields, sensitive_fields
from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Perm, Role
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version
from ctip.people.models import Person

from . import hooks
from . import vocabulary as v

# Consent services live in consent_services.py; callers keep importing them from here.
from .consent_services import consent_check as consent_check
from .consent_services import consent_given as consent_given
from .consent_services import consent_record as consent_record
from .consent_services import consent_withdraw as consent_withdraw
from .consent_services import who_must_consent as who_must_consent
from .models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseNote,
    CaseNumberCounter,
    CaseSettings,
    CaseSource,
    CaseStatus,
    CaseTask,
    ClosureCategory,
    TraffickingEvent,
)
from .service_helpers import (
    _check_staff,
    _require,
    _require_open,
    _require_visible_case,
    _today,
)
from .service_helpers import settings_for as settings_for  # re-exported

PROFILE_FIELDS = (
    "case_worker",
    "supervisor",
    "trafficking_status",
    "exploitation_types",
    "sexual_exploitation_types",
    "forced_labour_industry",
    "means_of_control",
    "recruitment_methods",
    "recruiter_relation",
    "age_when_trafficked",
    "exploitation_started_on",
    "exploitation_ended_on",
    "destination_countries",
    "abuse_narrative",
    "hiv_status",
    "child_witnesses",
)

# Forward steps, and one step back where a plan falls through (e.g. reintegration fails).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.OPEN: (CaseStatus.ACTIVE,),
    CaseStatus.ACTIVE: (CaseStatus.REINTEGRATION,),
    CaseStatus.REINTEGRATION: (CaseStatus.FOLLOW_UP, CaseStatus.ACTIVE),
    CaseStatus.FOLLOW_UP: (CaseStatus.REINTEGRATION,),
    CaseStatus.CLOSED: (),
}


# --- case numbers -------------------------------------------------------------------------------


def next_case_number(organisation: Organisation, year: int) -> str:
    """Issues the organisation's next case number for the year, e.g. PNH-2026-000123.

    Must run inside a transaction: the counter row stays locked until it commits, so concurrent
    openings queue and never share a number. The number holds no part of anyone's name.
    """
    try:
        with transaction.atomic():
            CaseNumberCounter.objects.get_or_create(organisation=organisation, year=year)
    except IntegrityError:  # pragma: no cover (another transaction created the row first)
        pass
    counter = CaseNumberCounter.objects.select_for_update().get(
        organisation=organisation, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{organisation.code.upper()}-{year}-{counter.last:06d}"


# --- opening and profile ------------------------------------------------------------------------


def _accepted_handoff(actor, person: Person, reference: str):
    """The screening hand-off named by `reference` (its uuid), accepted by the actor's
    organisation, for this person; else a ValidationError on `source_reference`."""
    from ctip.operations.models import HandOff, HandOffStatus

    try:
        return HandOff.objects.get(
            uuid=reference,
            to_organisation_id=actor.organisation_id,
            person=person,
            status=HandOffStatus.ACCEPTED,
        )
    except (HandOff.DoesNotExist, ValidationError, ValueError):
        raise ValidationError(
            {
                "source_reference": _(
                    "This is not a screening hand-off of this person accepted by your organisation."
                )
            }
        ) from None


@transaction.atomic
def case_open(
    *,
    actor,
    person: Person,
    source: str = CaseSource.DIRECT,
    source_reference: str = "",
    case_worker: User | None = None,
    supervisor: User | None = None,
    opened_on: date | None = None,
) -> Case:
    """Opens a case for a survivor of the actor's organisation.

    `source` says where it came from (direct, screening hand-off, referral received);
    `source_reference` names the hand-off or referral until those are linked. For a screening,
    it must be the uuid of a hand-off of this person accepted by the actor's organisation; the
    person may then belong to the screening organisation. The case worker defaults to the actor.
    """
    _require(actor, Perm.CASES_OPEN)
    if source not in CaseSource.values:
        raise ValidationError({"source": _("Choose where the case comes from.")})
    if source != CaseSource.DIRECT and not source_reference.strip():
        raise ValidationError(
            {"source_reference": _("Give the reference of the hand-off or referral.")}
        )
    handoff = None
    if source == CaseSource.SCREENING:
        handoff = _accepted_handoff(actor, person, source_reference.strip())
    # A person handed on after a screening stays owned by the screening organisation.
    if person.organisation_id != actor.organisation_id and handoff is None:
        raise PermissionDenied
    opened_on = opened_on or _today()
    errors = {}
    if opened_on > _today():
        errors["opened_on"] = _("A case cannot be opened in the future.")
    if errors:
        raise ValidationError(errors)
    case_worker = case_worker or actor
    org_id = actor.organisation_id
    _check_staff(org_id, case_worker, "case_worker", {Role.CASE_WORKER, Role.CASE_SUPERVISOR})
    _check_staff(org_id, supervisor, "supervisor", {Role.CASE_SUPERVISOR})
    already = Case.objects.filter(person=person, organisation_id=org_id).exclude(
        status=CaseStatus.CLOSED
    )
    if already.exists():
        raise ValidationError(
            _("This person already has an open case (%(number)s).")
            % {"number": already.first().number}
        )
    case = Case.objects.create(
        organisation_id=org_id,
        number=next_case_number(actor.organisation, opened_on.year),
        person=person,
        source=source,
        source_reference=source_reference.strip(),
        opened_on=opened_on,
        case_worker=case_worker,
        supervisor=supervisor,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_OPENED,
        target=case,
        changes={
            "number": [None, case.number],
            "person": [None, str(person.uuid)],
            "source": [None, source],
            "source_reference": [None, case.source_reference],
            "case_worker": [None, str(case_worker.uuid)],
        },
    )
    # Apps built on cases react here (returns: a new case for someone already reintegrated
    # alerts the reintegrating organisation).
    hooks.case_opened(actor=actor, case=case)
    return case


def _validate_profile(case: Case, m2m: dict) -> None:
    errors: dict[str, str] = {}
    for field, choices in v.MULTI_CHOICES.items():
        values = getattr(case, field) or []
        if not isinstance(values, list) or set(values) - set(choices.values):
            errors[field] = _("Choose from the list.")
    started, ended = case.exploitation_started_on, case.exploitation_ended_on
    if started and ended and ended < started:
        errors["exploitation_ended_on"] = _("The end cannot come before the beginning.")
    for field in ("exploitation_started_on", "exploitation_ended_on"):
        day = getattr(case, field)
        if day and day > _today():
            errors[field] = _("This date is in the future.")
    if case.age_when_trafficked is not None and case.age_when_trafficked > 100:
        errors["age_when_trafficked"] = _("The age must be between 0 and 100.")
    if errors:
        raise ValidationError(errors)
    org_id = case.organisation_id
    _check_staff(org_id, case.case_worker, "case_worker", {Role.CASE_WORKER, Role.CASE_SUPERVISOR})
    _check_staff(org_id, case.supervisor, "supervisor", {Role.CASE_SUPERVISOR})
    case.full_clean(exclude=["person", "organisation", "created_by", *m2m])


@transaction.atomic
def case_update(*, actor, case: Case, expected_version: int | None, **values) -> Case:
    """Changes the case's assignment and trafficking profile; refuses stale versions.

    Only fields the actor may read may be written (no blind overwrite of restricted data).
    """
    _require_visible_case(actor, case)
    unknown = set(values) - set(PROFILE_FIELDS)
    hidden = set(values) - set(readable_fields(actor, Case, values))
    if unknown or hidden:
        raise PermissionDenied
    current = lock_and_check_version(case, expected_version)
    _require_open(current)
    m2m = {k: values.pop(k) for k in ["destination_countries"] if k in values}
    changes = apply_changes(current, values)
    for name, new in m2m.items():
        old = {c.pk for c in getattr(current, name).all()}
        new_set = {c.pk for c in new}
        if old != new_set:
            changes[name] = [sorted(old), sorted(new_set)]
    if not changes:
        return current
    _validate_profile(current, m2m)
    current.version += 1
    current.save()
    for name, new in m2m.items():
        getattr(current, name).set(new)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes=changes,
        sensitive_fields=sensitive_fields(Case),
    )
    return current


@transaction.atomic
def event_add(*, actor, case: Case, **values) -> TraffickingEvent:
    """Adds a place and date of recruitment, transit or exploitation to the profile."""
    _require_visible_case(actor, case)
    _require_open(case)
    event = TraffickingEvent(case=case, created_by=actor, **values)
    if event.happened_on and event.happened_on > _today():
        raise ValidationError({"happened_on": _("This date is in the future.")})
    event.full_clean(exclude=["case", "created_by"])
    event.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=event,
        changes={k: [None, val] for k, val in values.items() if val not in ("", None)},
        sensitive_fields=sensitive_fields(TraffickingEvent),
    )
    return event


# --- workflow -----------------------------------------------------------------------------------


@transaction.atomic
def case_change_status(*, actor, case: Case, status: str, expected_version: int | None) -> Case:
    """Moves the case one step along open → active → in reintegration → follow-up.

    Closing goes through `case_request_closure` and a supervisor's approval instead.
    """
    _require_visible_case(actor, case)
    current = lock_and_check_version(case, expected_version)
    if status == CaseStatus.CLOSED:
        raise ValidationError(
            {"status": _("Closing a case needs a supervisor's approval: request closure.")}
        )
    if status not in TRANSITIONS.get(current.status, ()):
        raise ValidationError(
            {
                "status": _("A case cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "old": CaseStatus(current.status).label,
                    "new": CaseStatus(status).label if status in CaseStatus.values else status,
                }
            }
        )
    old = current.status
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_STATUS_CHANGED,
        target=current,
        changes={"status": [old, status]},
    )
    return current


@transaction.atomic
def case_request_closure(
    *, actor, case: Case, reason: str, category: str = "", comment: str = ""
) -> Approval:
    """Asks a supervisor to close the case, with the reason for closure and its category (the
    category is what the national figures count; it may be empty only for imported cases)."""
    _require_visible_case(actor, case)
    _require_open(case)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for closing the case.")})
    if category and category not in ClosureCategory.values:
        raise ValidationError({"category": _("Choose why the case closes from the list.")})
    if Approval.objects.filter(
        case=case, kind=ApprovalKind.CLOSURE, status=ApprovalStatus.PENDING
    ).exists():
        raise ValidationError(_("Closure of this case has already been requested."))
    approval = Approval.objects.create(
        case=case,
        kind=ApprovalKind.CLOSURE,
        subject_uuid=case.uuid,
        reason=reason.strip(),
        closure_category=category,
        request_comment=comment.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_CLOSURE_REQUESTED,
        target=case,
        changes={"approval": [None, str(approval.uuid)], "reason": None, "comment": None},
    )
    return approval


@transaction.atomic
def approval_request(*, actor, case: Case, kind: str, subject_uuid, comment: str = "") -> Approval:
    """Asks a supervisor to approve something other than closure (e.g. a care plan)."""
    _require_visible_case(actor, case, Perm.CARE_CHANGE)
    _require_open(case)
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                case=case,
                kind=kind,
                subject_uuid=subject_uuid,
                request_comment=comment.strip(),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Approval has already been requested.")) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=approval,
        changes={"kind": [None, kind], "subject": [None, str(subject_uuid)]},
    )
    return approval


@transaction.atomic
def approval_decide(*, actor, approval: Approval, approve: bool, comment: str = "") -> Approval:
    """A supervisor approves or sends back a request; approving a closure closes the case.

    Nobody decides their own request. Sending back needs a comment saying why.
    """
    _require_visible_case(actor, approval.case, Perm.CASES_APPROVE)
    current = Approval.objects.select_for_update().get(pk=approval.pk)
    if current.status != ApprovalStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if current.created_by_id == actor.pk:
        raise ValidationError(_("Another supervisor must decide a request you made yourself."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why the request is sent back.")})
    current.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_comment = comment.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVAL_DECIDED,
        target=current,
        changes={"status": [ApprovalStatus.PENDING, current.status], "comment": None},
    )
    if approve and current.kind == ApprovalKind.CLOSURE:
        _close(
            actor=actor,
            case=current.case,
            reason=current.reason,
            category=current.closure_category,
        )
    # The app owning the approval's kind acts on the decision (care: care plans).
    hooks.approval_decided(
        actor=actor,
        approval=current,
        approved=approve,
        own_kinds=frozenset({ApprovalKind.CLOSURE}),
    )
    return current


def _close(*, actor, case: Case, reason: str, category: str) -> None:
    current = Case.objects.select_for_update().get(pk=case.pk)
    old = current.status
    current.status = CaseStatus.CLOSED
    current.closed_on = _today()
    current.closure_reason = reason
    current.closure_category = category
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.CASE_STATUS_CHANGED,
        target=current,
        changes={
            "status": [old, CaseStatus.CLOSED],
            "closure_reason": None,
            "closure_category": [None, category],
        },
    )


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str, expected_version: int | None) -> Case:
    """Reopens a closed case (back to active), with the reason."""
    _require_visible_case(actor, case, Perm.CASES_REOPEN)
    current = lock_and_check_version(case, expected_version)
    if current.status != CaseStatus.CLOSED:
        raise ValidationError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening the case.")})
    current.status = CaseStatus.ACTIVE
    current.closed_on = None
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.CASE_REOPENED,
        target=current,
        changes={"status": [CaseStatus.CLOSED, CaseStatus.ACTIVE]},
        reason=reason.strip(),
    )
    return current


# --- notes and tasks ----------------------------------------------------------------------------


@transaction.atomic
def note_add(
    *, actor, case: Case, kind: str, happened_on: date, text: str, is_sensitive: bool = False
) -> CaseNote:
    """Adds a case note; a sensitive note's text is then shown only to restricted readers."""
    _require_visible_case(actor, case)
    _require_open(case)
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    if happened_on > _today():
        raise ValidationError({"happened_on": _("This date is in the future.")})
    note = CaseNote(
        case=case,
        kind=kind,
        happened_on=happened_on,
        text=text.strip(),
        is_sensitive=is_sensitive,
        created_by=actor,
    )
    note.full_clean(exclude=["case", "created_by"])
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=note,
        changes={
            "case": [None, case.number],
            "kind": [None, kind],
            "text": None,
            "is_sensitive": [None, is_sensitive],
        },
        sensitive_fields=sensitive_fields(CaseNote),
    )
    return note


@transaction.atomic
def task_add(
    *,
    actor,
    case: Case,
    title: str,
    due_on: date,
    assigned_to: User | None = None,
    remind_on: date | None = None,
    is_visit: bool = False,
) -> CaseTask:
    """Adds a task (or a follow-up visit) to the case, by default for its case worker."""
    _require_visible_case(actor, case)
    _require_open(case)
    assigned_to = assigned_to or case.case_worker
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what is to be done.")
    if remind_on and remind_on > due_on:
        errors["remind_on"] = _("The reminder must come before the due date.")
    if assigned_to.organisation_id != case.organisation_id:
        errors["assigned_to"] = _("Choose someone of the case's organisation.")
    if errors:
        raise ValidationError(errors)
    task = CaseTask.objects.create(
        case=case,
        title=title.strip(),
        due_on=due_on,
        remind_on=remind_on,
        is_visit=is_visit,
        assigned_to=assigned_to,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=task,
        changes={
            "case": [None, case.number],
            "title": [None, task.title],
            "due_on": [None, due_on],
            "assigned_to": [None, str(assigned_to.uuid)],
        },
    )
    return task


@transaction.atomic
def task_complete(*, actor, task: CaseTask, done_on: date | None = None) -> CaseTask:
    """Marks a task done."""
    _require_visible_case(actor, task.case)
    current = CaseTask.objects.select_for_update().get(pk=task.pk)
    if current.done_on is not None:
        raise ValidationError(_("This task is already done."))
    current.done_on = done_on or _today()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={"done_on": [None, current.done_on]},
    )
    return current


# --- settings -----------------------------------------------------------------------------------


@transaction.atomic
def case_settings_update(
    *, actor, organisation: Organisation, expected_version: int | None, **values
) -> CaseSettings:
    """Changes the organisation's case settings (own organisation only)."""
    _require(actor, Perm.CASES_SETTINGS)
    if organisation.pk != actor.organisation_id:
        raise PermissionDenied
    allowed = {
        "restrict_to_assigned",
        "care_plan_approval",
        "guardian_required_under",
        "child_assent_from",
    }
    if set(values) - allowed:
        raise PermissionDenied
    current, _created = CaseSettings.objects.get_or_create(organisation=organisation)
    current = lock_and_check_version(current, expected_version)
    changes = apply_changes(current, values)
    if not changes:
        return current
    if current.child_assent_from > current.guardian_required_under:
        raise ValidationError(
            {"child_assent_from": _("Assent cannot start above the age of guardian consent.")}
        )
    if current.guardian_required_under > 21:
        raise ValidationError({"guardian_required_under": _("Give an age of 21 or less.")})
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target_type="cases.casesettings",
        target_id=str(organisation.uuid),
        changes=changes,
    )
    return current
