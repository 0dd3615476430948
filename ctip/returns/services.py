"""Every write to returns, reintegration plans, follow-up visits and re-trafficking flags:
keyword-only, with an actor, in a transaction, audited.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.models import User
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import Case, CaseStatus
from ctip.core.services import apply_changes, lock_and_check_version

from .models import (
    DEFAULT_FOLLOW_UP_MONTHS,
    FollowUpVisit,
    Readiness,
    ReintegrationOption,
    ReintegrationPlan,
    ReintegrationStatus,
    ReTraffickingFlag,
    Return,
    ReturnDirection,
    ReturnStatus,
)

RETURN_FIELDS = (
    "sending_authority",
    "sending_organisation",
    "receiving_authority",
    "receiving_organisation",
    "crossing_point",
    "planned_on",
    "returned_on",
    "documents",
    "escort",
    "family_traced",
    "home_assessed_on",
    "home_assessment",
    "status",
    "notes",
)


def _today() -> date:
    return timezone.localdate()


def _require_case(actor, case: Case) -> None:
    """The actor may manage returns and their organisation owns the case."""
    if not can(actor, Perm.RETURNS_MANAGE) or case.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if not visible_to(actor, Case).filter(pk=case.pk).exists():
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed. Reopen it before changing it."))


def follow_up_months() -> list[int]:
    """The default follow-up schedule (settings.CTIP_FOLLOW_UP_MONTHS, else 1-36 months)."""
    return list(getattr(settings, "CTIP_FOLLOW_UP_MONTHS", DEFAULT_FOLLOW_UP_MONTHS))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- returns ------------------------------------------------------------------------------------


def _validate_return(ret: Return) -> None:
    errors = {}
    if not ret.crossing_point.strip():
        errors["crossing_point"] = _("Name the border crossing or airport.")
    if ret.returned_on and ret.returned_on > _today():
        errors["returned_on"] = _("The actual date cannot be in the future.")
    if ret.home_assessed_on and ret.home_assessed_on > _today():
        errors["home_assessed_on"] = _("The home assessment cannot be in the future.")
    if ret.status == ReturnStatus.RETURNED:
        if not ret.returned_on:
            errors["returned_on"] = _("Give the date of the return.")
        if ret.direction == ReturnDirection.TO_CAMBODIA:
            # A child is not sent home before the family is found and the home assessed.
            if not ret.family_traced:
                errors["family_traced"] = _("Trace the family before the return.")
            if not ret.home_assessed_on:
                errors["home_assessed_on"] = _("Assess the home before the return.")
            elif ret.returned_on and ret.home_assessed_on > ret.returned_on:
                errors["home_assessed_on"] = _("The home assessment must come before the return.")
    if ret.status not in ReturnStatus.values:
        errors["status"] = _("Choose a status.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def return_record(
    *,
    actor: User,
    case: Case,
    direction: str,
    country,
    crossing_point: str,
    planned_on: date,
    **values,
) -> Return:
    """Records a cross-border return of a case the actor's organisation owns."""
    _require_case(actor, case)
    if direction not in ReturnDirection.values:
        raise ValidationError({"direction": _("Choose the direction of the return.")})
    if country is None or country.code == "KH":
        raise ValidationError({"country": _("Choose the other country.")})
    unknown = set(values) - set(RETURN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    ret = Return(
        organisation_id=case.organisation_id,
        case=case,
        direction=direction,
        country=country,
        crossing_point=crossing_point,
        planned_on=planned_on,
        created_by=actor,
        **values,
    )
    _validate_return(ret)
    ret.save()
    audit_record(
        actor=actor,
        action=AuditAction.RETURN_RECORDED,
        target=ret,
        changes={
            "case": [None, case.number],
            "direction": [None, direction],
            "country": [None, country.code],
            "status": [None, ret.status],
            "documents": None,
        },
        sensitive_fields=sensitive_fields(Return),
    )
    return ret


@transaction.atomic
def return_update(
    *, actor: User, ret: Return, expected_version: int | None = None, **values
) -> Return:
    """Changes a return (dates, checks, status). Marking it returned needs the actual date and,
    for a return to Cambodia, family tracing and a home assessment first."""
    _require_case(actor, ret.case)
    unknown = set(values) - set(RETURN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    current = lock_and_check_version(ret, expected_version)
    changes = apply_changes(current, values)
    _validate_return(current)
    if changes:
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.RETURN_UPDATED,
            target=current,
            changes=changes,
            sensitive_fields=sensitive_fields(Return),
        )
    return current


# --- reintegration ------------------------------------------------------------------------------


@transaction.atomic
def reintegration_plan_create(
    *,
    actor: User,
    case: Case,
    option: str,
    destination: str,
    family_readiness: int,
    community_readiness: int,
    assessed_on: date | None = None,
    caregiver: str = "",
    readiness_notes: str = "",
    follow_up_months_: list[int] | None = None,
) -> ReintegrationPlan:
    """Plans a reintegration with a readiness assessment of the family and community. The
    follow-up schedule defaults to `follow_up_months()`."""
    _require_case(actor, case)
    assessed_on = assessed_on or _today()
    errors = {}
    if option not in ReintegrationOption.values:
        errors["option"] = _("Choose a reintegration option.")
    if not destination.strip():
        errors["destination"] = _("Say where the survivor will live.")
    for name, value in (
        ("family_readiness", family_readiness),
        ("community_readiness", community_readiness),
    ):
        if value not in Readiness.values:
            errors[name] = _("Rate readiness on the scale.")
    if assessed_on > _today():
        errors["assessed_on"] = _("The assessment cannot be in the future.")
    months = follow_up_months() if follow_up_months_ is None else sorted(set(follow_up_months_))
    if not months or any(m < 1 or m > 120 for m in months):
        errors["follow_up_months"] = _("Give follow-up months between 1 and 120.")
    if ReintegrationPlan.objects.filter(case=case, status=ReintegrationStatus.PLANNED).exists():
        errors["option"] = _("This case already has a reintegration plan waiting.")
    if errors:
        raise ValidationError(errors)
    plan = ReintegrationPlan.objects.create(
        case=case,
        option=option,
        destination=destination.strip(),
        caregiver=caregiver.strip(),
        family_readiness=family_readiness,
        community_readiness=community_readiness,
        readiness_notes=readiness_notes.strip(),
        assessed_on=assessed_on,
        follow_up_months=months,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.REINTEGRATION_PLANNED,
        target=plan,
        changes={
            "case": [None, case.number],
            "option": [None, option],
            "family_readiness": [None, family_readiness],
            "community_readiness": [None, community_readiness],
            "destination": None,
        },
    )
    return plan


@transaction.atomic
def reintegration_complete(
    *,
    actor: User,
    plan: ReintegrationPlan,
    reintegrated_on: date | None = None,
    expected_version: int | None = None,
) -> ReintegrationPlan:
    """Records the reintegration decision: the survivor moved in on `reintegrated_on`. Ends the
    child's current placement (reason: reintegrated) on that day, so they no longer count as
    placed, and schedules the follow-up visits."""
    from ctip.shelters.services import placement_end_on_reintegration

    _require_case(actor, plan.case)
    current = lock_and_check_version(plan, expected_version)
    reintegrated_on = reintegrated_on or _today()
    if current.status != ReintegrationStatus.PLANNED:
        raise ValidationError(_("This reintegration is not waiting to happen."))
    if Readiness.NOT_READY in (current.family_readiness, current.community_readiness):
        raise ValidationError(
            _("The readiness assessment says not ready: assess again before reintegration.")
        )
    if reintegrated_on > _today():
        raise ValidationError({"reintegrated_on": _("This date cannot be in the future.")})
    if reintegrated_on < current.assessed_on:
        raise ValidationError(
            {"reintegrated_on": _("Reintegration cannot come before the readiness assessment.")}
        )
    placement = placement_end_on_reintegration(
        actor=actor, case=current.case, ended_on=reintegrated_on
    )
    current.status = ReintegrationStatus.REINTEGRATED
    current.reintegrated_on = reintegrated_on
    current.version += 1
    current.save()
    FollowUpVisit.objects.bulk_create(
        [
            FollowUpVisit(
                plan=current,
                months_after=m,
                due_on=add_months(reintegrated_on, m),
                created_by=actor,
            )
            for m in current.follow_up_months
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.REINTEGRATED,
        target=current,
        changes={
            "status": [ReintegrationStatus.PLANNED, ReintegrationStatus.REINTEGRATED],
            "reintegrated_on": [None, reintegrated_on],
            "follow_ups": [None, current.follow_up_months],
            "placement_ended": [None, str(placement.uuid) if placement else None],
        },
    )
    return current


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    visit: FollowUpVisit,
    visited_on: date,
    instrument,
    scores: dict[str, int],
    notes: str = "",
    living_where_planned: bool | None = None,
    in_school_or_work: bool | None = None,
    expected_version: int | None = None,
) -> FollowUpVisit:
    """Records a follow-up visit with its outcome measures: an assessment of the case on the
    instrument's domains (ctip/care), so change shows next to the assessments made in care."""
    from ctip.care.services import assessment_record

    case = visit.plan.case
    _require_case(actor, case)
    current = lock_and_check_version(visit, expected_version)
    if current.visited_on:
        raise ValidationError(_("This visit is already recorded."))
    if visited_on > _today():
        raise ValidationError({"visited_on": _("A visit cannot be recorded in the future.")})
    reintegrated_on = current.plan.reintegrated_on
    if reintegrated_on and visited_on < reintegrated_on:
        raise ValidationError({"visited_on": _("The visit cannot be before reintegration.")})
    assessment = assessment_record(
        actor=actor,
        case=case,
        instrument=instrument,
        assessed_on=visited_on,
        scores=scores,
        summary=_("Follow-up visit, %(m)s months after reintegration")
        % {"m": current.months_after},
    )
    current.visited_on = visited_on
    current.visited_by = actor
    current.assessment = assessment
    current.notes = notes.strip()
    current.living_where_planned = living_where_planned
    current.in_school_or_work = in_school_or_work
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.FOLLOW_UP_RECORDED,
        target=current,
        changes={
            "visited_on": [None, visited_on],
            "assessment": [None, str(assessment.uuid)],
            "living_where_planned": [None, living_where_planned],
            "in_school_or_work": [None, in_school_or_work],
            "notes": None,
        },
    )
    return current


# --- re-trafficking -----------------------------------------------------------------------------


def _source_label(source) -> tuple[str, str, str]:
    if isinstance(source, models.Model):
        label = getattr(source, "number", "") or ""
        return source._meta.label, str(getattr(source, "uuid", source.pk)), str(label)
    return str(source)[:60], "", ""


@transaction.atomic
def retrafficking_flag_on_case_opened(*, actor, case) -> None:
    """Called by `case_open` in its transaction (registered in ReturnsConfig.ready() through
    ctip.cases.hooks): a new case for someone already reintegrated alerts the reintegrating
    organisation."""
    retrafficking_flag(person=case.person, source=case, actor=actor)


def retrafficking_flag(*, person, source, actor) -> list[ReTraffickingFlag]:
    """Raises a flag for each completed reintegration of `person` when they appear again in
    `source` (a report, operation or case: a model instance, or a short label).

    System code calls this without checking the actor's permissions: the flag alerts the
    organisation that reintegrated the person, not the actor. Raising twice for the same source
    adds nothing. Returns the flags raised now.
    """
    plans = ReintegrationPlan.objects.filter(
        case__person=person,
        status__in=(ReintegrationStatus.REINTEGRATED, ReintegrationStatus.ENDED),
    ).select_related("case")
    source_type, source_uuid, source_label = _source_label(source)
    raised = []
    for plan in plans:
        if source_type == "cases.Case" and source_uuid == str(plan.case.uuid):
            continue  # the reintegrated case itself is not a new appearance
        try:
            with transaction.atomic():
                flag = ReTraffickingFlag.objects.create(
                    organisation_id=plan.case.organisation_id,
                    person=person,
                    plan=plan,
                    source_type=source_type,
                    source_uuid=source_uuid,
                    source_label=source_label,
                    raised_by_organisation_id=getattr(actor, "organisation_id", None),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            continue
        audit_record(
            actor=actor,
            action=AuditAction.RETRAFFICKING_FLAGGED,
            target=flag,
            changes={
                "person": [None, str(person.uuid)],
                "plan": [None, str(plan.uuid)],
                "source": [None, f"{source_type}:{source_uuid}"],
            },
            organisation=plan.case.organisation,
        )
        _flag_task(flag, plan)
        raised.append(flag)
    return raised


def _flag_task(flag: ReTraffickingFlag, plan: ReintegrationPlan) -> None:
    """Puts a task on the reintegrated case for its owner: look into the flag within two days.

    Through the cases app's task service, on behalf of the case's own worker (or supervisor):
    the person who raised the flag is often of another organisation and may not touch the
    case. A closed case, or one whose staff have left, gets no task; the flag still shows on
    the organisation's flag list and home page.
    """
    from ctip.cases.services import task_add

    case = plan.case
    if case.status == CaseStatus.CLOSED:
        return
    for owner in (case.case_worker, case.supervisor):
        if owner is None or not owner.is_active:
            continue
        try:
            with transaction.atomic():
                task_add(
                    actor=owner,
                    case=case,
                    assigned_to=owner,
                    title=_("Re-trafficking flag: %(source)s. Check on the survivor's safety.")
                    % {"source": flag.source_label or flag.source_type},
                    due_on=_today() + timedelta(days=2),
                )
        except (PermissionDenied, ValidationError):
            continue
        return


@transaction.atomic
def retrafficking_flag_review(
    *, actor: User, flag: ReTraffickingFlag, notes: str, expected_version: int | None = None
) -> ReTraffickingFlag:
    """The alerted organisation records that it looked into a flag."""
    if not can(actor, Perm.RETURNS_MANAGE) or flag.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if not notes.strip():
        raise ValidationError({"notes": _("Say what you found.")})
    current = lock_and_check_version(flag, expected_version)
    current.reviewed_at = timezone.now()
    current.review_notes = notes.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={"reviewed_at": [None, current.reviewed_at], "review_notes": None},
    )
    return current
