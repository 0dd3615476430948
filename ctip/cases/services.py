"""Every write to cases: opening, profile, workflow and approvals, consent, notes, tasks.

Each service takes keyword arguments and an `actor`, runs in a transaction, checks the actor's
permission and the record's visibility, and writes an audit event (names of sensitive fields
only, never their values). Bad input raises ValidationError and changes nothing.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, readable_fields, sensitive_fields, visible_to
from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Perm, Role
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version
from ctip.people.models import FamilyLink, Person

from . import vocabulary as v
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
    Consent,
    ConsentGiver,
    ConsentOverride,
    ConsentPurpose,
    TraffickingEvent,
)

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


# --- helpers ------------------------------------------------------------------------------------


def settings_for(organisation: Organisation) -> CaseSettings:
    """The organisation's case settings; the defaults (unsaved) when it has none."""
    found = CaseSettings.objects.filter(organisation=organisation).first()
    return found or CaseSettings(organisation=organisation)


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied


def _require_visible_case(actor, case: Case, permission: str = Perm.CASES_CHANGE) -> None:
    """The actor holds `permission` and sees the case; else PermissionDenied."""
    _require(actor, permission)
    # Only the owning organisation changes a case: a referral partner only reads (issue 5).
    owned = visible_to(actor, Case).filter(pk=case.pk, organisation_id=actor.organisation_id)
    if not owned.exists():
        raise PermissionDenied


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed. Reopen it before changing it."))


def _check_staff(case_org_id: int, user: User | None, field: str, roles: set[str]) -> None:
    if user is None:
        return
    if user.organisation_id != case_org_id or not user.is_active or not (user.roles & roles):
        raise ValidationError(
            {field: _("Choose an active colleague of the case's organisation in this role.")}
        )


def _today() -> date:
    return timezone.localdate()


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
    # A new case for someone already reintegrated alerts the reintegrating organisation.
    from ctip.returns.services import retrafficking_flag

    retrafficking_flag(person=person, source=case, actor=actor)
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
    if current.kind == ApprovalKind.CARE_PLAN:
        from ctip.care.services import care_plan_decided  # care builds on cases

        care_plan_decided(actor=actor, plan_uuid=current.subject_uuid, approved=approve)
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


# --- consent ------------------------------------------------------------------------------------


def consent_given(*, case: Case, purpose: str, organisation: Organisation | None = None) -> bool:
    """True when consent for `purpose` is on record and not withdrawn.

    For sharing, consent must name `organisation` (the partner the data would go to).
    Services that share or count data call this before they do.
    """
    consents = Consent.objects.filter(case=case, purpose=purpose, withdrawn_on__isnull=True)
    if purpose == ConsentPurpose.SHARING:
        if organisation is None:
            return False
        consents = consents.filter(partner=organisation)
    return consents.exists()


@transaction.atomic
def consent_check(
    *,
    actor,
    case: Case,
    purpose: str,
    organisation: Organisation | None = None,
    override_reason: str = "",
) -> bool:
    """True when consent is given or, failing that, when the actor overrides it.

    An override needs the consent.override permission and a reason; it is recorded and audited.
    Without consent and without a valid override, returns False and records nothing.
    """
    if consent_given(case=case, purpose=purpose, organisation=organisation):
        return True
    if not override_reason.strip():
        return False
    _require_visible_case(actor, case, Perm.CONSENT_OVERRIDE)
    override = ConsentOverride.objects.create(
        case=case,
        purpose=purpose,
        partner=organisation,
        reason=override_reason.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_OVERRIDDEN,
        target=case,
        changes={
            "purpose": [None, purpose],
            "partner": [None, organisation.code if organisation else None],
            "override": [None, str(override.uuid)],
        },
        reason=override_reason.strip(),
    )
    return True


def who_must_consent(case: Case, on: date) -> str | None:
    """Who must give consent for the survivor on a day, under the organisation's settings:
    a ConsentGiver value, or None when the age is unknown (any giver is accepted)."""
    age = case.person.age_on(on)
    if age is None:
        return None
    rules = settings_for(case.organisation)
    if age >= rules.guardian_required_under:
        return ConsentGiver.CHILD
    if age >= rules.child_assent_from:
        return ConsentGiver.BOTH
    return ConsentGiver.GUARDIAN


@transaction.atomic
def consent_record(
    *,
    actor,
    case: Case,
    purpose: str,
    given_by: str,
    given_on: date,
    method: str,
    partner: Organisation | None = None,
    guardian: Person | None = None,
) -> Consent:
    """Records consent for one purpose, given as the survivor's age and the settings require."""
    _require_visible_case(actor, case, Perm.CONSENT_RECORD)
    _require_open(case)
    errors: dict[str, str] = {}
    if purpose == ConsentPurpose.SHARING and partner is None:
        errors["partner"] = _("Name the partner organisation the survivor agrees to share with.")
    if purpose != ConsentPurpose.SHARING and partner is not None:
        errors["partner"] = _("Only consent to share names a partner organisation.")
    if partner is not None and partner.pk == case.organisation_id:
        errors["partner"] = _("Choose another organisation than the case's own.")
    if given_on and given_on > _today():
        errors["given_on"] = _("Consent cannot be given in the future.")
    needed = who_must_consent(case, given_on or _today())
    if needed == ConsentGiver.GUARDIAN and given_by == ConsentGiver.CHILD:
        errors["given_by"] = _("At this age a guardian must give consent.")
    elif needed == ConsentGiver.BOTH and given_by != ConsentGiver.BOTH:
        errors["given_by"] = _("At this age both the child and a guardian must consent.")
    if given_by in (ConsentGiver.GUARDIAN, ConsentGiver.BOTH):
        if guardian is None:
            errors["guardian"] = _("Name the guardian who gave consent.")
        elif not FamilyLink.objects.filter(
            person=case.person, relative=guardian, is_guardian=True
        ).exists():
            errors["guardian"] = _("Link this person to the survivor as a guardian first.")
    elif guardian is not None:
        errors["guardian"] = _("The survivor consented alone: leave the guardian empty.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        case=case,
        purpose=purpose,
        partner=partner,
        given_by=given_by,
        guardian=guardian,
        given_on=given_on,
        method=method,
        created_by=actor,
    )
    consent.full_clean(exclude=["case", "created_by", "partner", "guardian"])
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_RECORDED,
        target=consent,
        changes={
            "case": [None, case.number],
            "purpose": [None, purpose],
            "partner": [None, partner.code if partner else None],
            "given_by": [None, given_by],
            "method": [None, method],
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, withdrawn_on: date, reason: str = "") -> Consent:
    """Records that consent was withdrawn; from that day it no longer counts."""
    _require_visible_case(actor, consent.case, Perm.CONSENT_RECORD)
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if withdrawn_on < current.given_on or withdrawn_on > _today():
        raise ValidationError({"withdrawn_on": _("Give a day between the consent and today.")})
    current.withdrawn_on = withdrawn_on
    current.withdrawal_reason = reason.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        target=current,
        changes={"withdrawn_on": [None, withdrawn_on], "withdrawal_reason": None},
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
