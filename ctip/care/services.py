"""Every write to care: assessments, care plans (goals, actions, reviews), services delivered.

Each service takes keyword arguments and an `actor`, runs in a transaction, checks permission
and the case's visibility, and is audited with sensitive values withheld.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import ApprovalKind, Case, CaseStatus, ConsentPurpose
from ctip.cases.services import approval_request, consent_check, settings_for

from .models import (
    Action,
    Assessment,
    AssessmentScore,
    CarePlan,
    CarePlanStatus,
    DeliveryStatus,
    Domain,
    Goal,
    Instrument,
    Review,
    ServiceCategory,
    ServiceDelivery,
    ServiceType,
)


def _today() -> date:
    return timezone.localdate()


def _require_case(actor, case: Case, permission: str = Perm.CARE_CHANGE) -> None:
    # Only the owning organisation changes care records: a referral partner only reads.
    owned = visible_to(actor, Case).filter(pk=case.pk, organisation_id=actor.organisation_id)
    if not can(actor, permission) or not owned.exists():
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed. Reopen it before changing it."))


def _not_future(day: date | None, field: str) -> None:
    if day and day > _today():
        raise ValidationError({field: _("This date is in the future.")})


# --- assessments --------------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    actor,
    case: Case,
    instrument: Instrument,
    assessed_on: date,
    scores: dict[str, int],
    notes: dict[str, str] | None = None,
    summary: str = "",
) -> Assessment:
    """Records one assessment: a score for every domain of the instrument, on its scale.

    `scores` maps domain codes to scores. The next assessment falls due after the instrument's
    interval.
    """
    _require_case(actor, case)
    _not_future(assessed_on, "assessed_on")
    if not instrument.is_active:
        raise ValidationError({"instrument": _("This instrument is no longer in use.")})
    domains = list(instrument.domains.all())
    valid_scores = set(instrument.levels.values_list("score", flat=True))
    errors = {}
    for domain in domains:
        score = scores.get(domain.code)
        if score is None:
            errors[f"score_{domain.code}"] = _("Score every domain.")
        elif score not in valid_scores:
            errors[f"score_{domain.code}"] = _("Choose a score on the instrument's scale.")
    unknown = set(scores) - {d.code for d in domains}
    if unknown:
        errors["scores"] = _("Unknown domains: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        case=case,
        instrument=instrument,
        assessed_on=assessed_on,
        assessed_by=actor,
        summary=summary.strip(),
        next_due_on=assessed_on + timedelta(days=instrument.repeat_every_days),
        created_by=actor,
    )
    notes = notes or {}
    AssessmentScore.objects.bulk_create(
        [
            AssessmentScore(
                assessment=assessment,
                domain=d,
                score=scores[d.code],
                note=(notes.get(d.code) or "").strip()[:500],
            )
            for d in domains
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=assessment,
        changes={
            "case": [None, case.number],
            "instrument": [None, instrument.code],
            "scores": [None, {d.code: scores[d.code] for d in domains}],
            "summary": None,
        },
    )
    return assessment


# --- care plans ---------------------------------------------------------------------------------


@transaction.atomic
def care_plan_create(
    *, actor, case: Case, starts_on: date, review_every_days: int = 90, summary: str = ""
) -> CarePlan:
    """Writes a new care plan. It takes effect at once, or waits for a supervisor's approval
    where the organisation asks for one; the plan it replaces ends when it takes effect."""
    _require_case(actor, case)
    if not 7 <= review_every_days <= 365:
        raise ValidationError({"review_every_days": _("Review every 7 to 365 days.")})
    if CarePlan.objects.filter(case=case, status=CarePlanStatus.PENDING).exists():
        raise ValidationError(_("Another care plan of this case is waiting for approval."))
    needs_approval = settings_for(case.organisation).care_plan_approval
    plan = CarePlan.objects.create(
        case=case,
        starts_on=starts_on,
        review_every_days=review_every_days,
        next_review_on=starts_on + timedelta(days=review_every_days),
        summary=summary.strip(),
        status=CarePlanStatus.PENDING if needs_approval else CarePlanStatus.DRAFT,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=plan,
        changes={"case": [None, case.number], "starts_on": [None, starts_on], "summary": None},
    )
    if needs_approval:
        approval_request(
            actor=actor, case=case, kind=ApprovalKind.CARE_PLAN, subject_uuid=plan.uuid
        )
    else:
        _activate(actor=actor, plan=plan)
    return plan


def _activate(*, actor, plan: CarePlan) -> None:
    for old in (
        CarePlan.objects.select_for_update()
        .filter(case=plan.case_id, status=CarePlanStatus.ACTIVE)
        .exclude(pk=plan.pk)
    ):
        old.status = CarePlanStatus.ENDED
        old.version += 1
        old.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=old,
            changes={"status": [CarePlanStatus.ACTIVE, CarePlanStatus.ENDED]},
        )
    old_status = plan.status
    plan.status = CarePlanStatus.ACTIVE
    plan.version += 1
    plan.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=plan,
        changes={"status": [old_status, CarePlanStatus.ACTIVE]},
    )


def care_plan_decided(*, actor, approval, approved: bool) -> None:
    """Called by `approval_decide` in its transaction for a care-plan approval (registered in
    CareConfig.ready() through ctip.cases.hooks): activates an approved plan; a plan sent back
    returns to draft, to be resubmitted."""
    plan = CarePlan.objects.select_for_update().get(uuid=approval.subject_uuid)
    if approved:
        _activate(actor=actor, plan=plan)
        return
    plan.status = CarePlanStatus.DRAFT
    plan.version += 1
    plan.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=plan,
        changes={"status": [CarePlanStatus.PENDING, CarePlanStatus.DRAFT]},
    )


@transaction.atomic
def care_plan_submit(*, actor, plan: CarePlan) -> CarePlan:
    """Submits a draft plan again (after it was sent back, or where approval is off)."""
    _require_case(actor, plan.case)
    if plan.status != CarePlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be submitted."))
    if settings_for(plan.case.organisation).care_plan_approval:
        plan.status = CarePlanStatus.PENDING
        plan.version += 1
        plan.save()
        approval_request(
            actor=actor, case=plan.case, kind=ApprovalKind.CARE_PLAN, subject_uuid=plan.uuid
        )
    else:
        _activate(actor=actor, plan=plan)
    return plan


def _require_plan_editable(actor, plan: CarePlan) -> None:
    _require_case(actor, plan.case)
    if plan.status == CarePlanStatus.ENDED:
        raise ValidationError(_("This care plan has ended."))


@transaction.atomic
def goal_add(*, actor, plan: CarePlan, domain: Domain, description: str) -> Goal:
    """Adds a goal in one domain of well-being to the plan."""
    _require_plan_editable(actor, plan)
    if not description.strip():
        raise ValidationError({"description": _("Describe the goal.")})
    goal = Goal.objects.create(
        plan=plan, domain=domain, description=description.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=goal,
        changes={
            "plan": [None, str(plan.uuid)],
            "domain": [None, domain.code],
            "description": None,
        },
    )
    return goal


@transaction.atomic
def action_add(
    *,
    actor,
    goal: Goal,
    description: str,
    owner: Organisation | None = None,
    due_on: date | None = None,
) -> Action:
    """Adds an action towards a goal, owned by the own organisation (default) or a partner."""
    _require_plan_editable(actor, goal.plan)
    if not description.strip():
        raise ValidationError({"description": _("Describe the action.")})
    owner = owner or goal.plan.case.organisation
    if not owner.is_active:
        raise ValidationError({"owner": _("This organisation is no longer active.")})
    action = Action.objects.create(
        goal=goal, description=description.strip(), owner=owner, due_on=due_on, created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=action,
        changes={
            "goal": [None, str(goal.uuid)],
            "owner": [None, owner.code],
            "due_on": [None, due_on],
            "description": None,
        },
    )
    return action


@transaction.atomic
def action_complete(*, actor, action: Action, done_on: date | None = None) -> Action:
    """Marks an action of a care plan done."""
    _require_plan_editable(actor, action.goal.plan)
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.done_on:
        raise ValidationError(_("This action is already done."))
    current.done_on = done_on or _today()
    _not_future(current.done_on, "done_on")
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={"done_on": [None, current.done_on]},
    )
    return current


@transaction.atomic
def review_add(
    *, actor, plan: CarePlan, reviewed_on: date, notes: str, next_review_on: date | None = None
) -> Review:
    """Records a review of the plan and schedules the next one (by default one interval on)."""
    _require_plan_editable(actor, plan)
    _not_future(reviewed_on, "reviewed_on")
    if not notes.strip():
        raise ValidationError({"notes": _("Write what the review found.")})
    next_review_on = next_review_on or reviewed_on + timedelta(days=plan.review_every_days)
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": _("The next review must come later.")})
    review = Review.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        notes=notes.strip(),
        next_review_on=next_review_on,
        created_by=actor,
    )
    current = CarePlan.objects.select_for_update().get(pk=plan.pk)
    current.next_review_on = next_review_on
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=review,
        changes={
            "plan": [None, str(plan.uuid)],
            "reviewed_on": [None, reviewed_on],
            "next_review_on": [None, next_review_on],
            "notes": None,
        },
    )
    return review


# --- services -----------------------------------------------------------------------------------


@transaction.atomic
def service_record(
    *,
    actor,
    case: Case,
    service: ServiceType,
    provider: Organisation | None = None,
    delivered_on: date | None = None,
    outcome: str = "",
    consent_override_reason: str = "",
) -> ServiceDelivery:
    """Records a service for the case.

    Delivered by the own organisation (default): recorded as delivered on `delivered_on`.
    Asked of a partner: recorded as requested, for the partner to confirm; this shares the
    case with the partner, so the survivor's consent to share with that partner is needed
    (or an audited override with a reason, by a holder of consent.override).
    """
    _require_case(actor, case)
    if not service.is_active:
        raise ValidationError({"service": _("This service is no longer offered.")})
    provider = provider or case.organisation
    own = provider.pk == case.organisation_id
    if own:
        if delivered_on is None:
            raise ValidationError({"delivered_on": _("Give the day the service was delivered.")})
        _not_future(delivered_on, "delivered_on")
    else:
        if not provider.is_active:
            raise ValidationError({"provider": _("This organisation is no longer active.")})
        allowed = consent_check(
            actor=actor,
            case=case,
            purpose=ConsentPurpose.SHARING,
            organisation=provider,
            override_reason=consent_override_reason,
        )
        if not allowed:
            raise ValidationError(
                {
                    "provider": _(
                        "The survivor has not consented to sharing with this organisation. "
                        "Record consent first."
                    )
                }
            )
    delivery = ServiceDelivery.objects.create(
        case=case,
        service=service,
        provider=provider,
        status=DeliveryStatus.DELIVERED if own else DeliveryStatus.REQUESTED,
        requested_on=None if own else _today(),
        delivered_on=delivered_on if own else None,
        outcome=outcome.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=delivery,
        changes={
            "case": [None, case.number],
            "service": [None, service.code],
            "provider": [None, provider.code],
            "status": [None, delivery.status],
            "outcome": None,
        },
    )
    return delivery


def _lock_delivery(actor, delivery: ServiceDelivery, expected_version: int | None):
    from ctip.core.services import lock_and_check_version

    return lock_and_check_version(delivery, expected_version)


@transaction.atomic
def service_respond(
    *,
    actor,
    delivery: ServiceDelivery,
    confirm: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> ServiceDelivery:
    """The partner asked for a service confirms or declines it (declining needs a comment)."""
    if not can(actor, Perm.SERVICES_CONFIRM) or actor.organisation_id != delivery.provider_id:
        raise PermissionDenied
    current = _lock_delivery(actor, delivery, expected_version)
    if current.status != DeliveryStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Say why the service is declined.")})
    old = current.status
    current.status = DeliveryStatus.CONFIRMED if confirm else DeliveryStatus.DECLINED
    current.partner_comment = comment.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={"status": [old, current.status], "partner_comment": None},
    )
    return current


@transaction.atomic
def service_mark_delivered(
    *,
    actor,
    delivery: ServiceDelivery,
    delivered_on: date,
    outcome: str = "",
    expected_version: int | None = None,
) -> ServiceDelivery:
    """Records that a confirmed service was delivered, by the partner or the case's owner."""
    is_provider = (
        can(actor, Perm.SERVICES_CONFIRM) and actor.organisation_id == delivery.provider_id
    )
    if not is_provider:
        _require_case(actor, delivery.case)
    current = _lock_delivery(actor, delivery, expected_version)
    if current.status != DeliveryStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed service can be marked delivered."))
    _not_future(delivered_on, "delivered_on")
    current.status = DeliveryStatus.DELIVERED
    current.delivered_on = delivered_on
    current.outcome = outcome.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={
            "status": [DeliveryStatus.CONFIRMED, DeliveryStatus.DELIVERED],
            "delivered_on": [None, delivered_on],
            "outcome": None,
        },
        sensitive_fields=sensitive_fields(ServiceDelivery),
    )
    return current


@transaction.atomic
def partner_service_record(
    *,
    actor,
    referral,
    service: ServiceType,
    delivered_on: date,
    outcome: str,
) -> ServiceDelivery:
    """A partner records a service it gave under a referral it accepted (e.g. the legal
    support a legal-aid organisation gives): delivered by the actor's organisation on
    `delivered_on`, with what was done. The case's owner sees it among the case's services.

    Only while the referral is accepted by the actor's organisation; a referral that asked for
    legal aid, or shares only the legal section, takes legal services only."""
    from ctip.referrals.models import Referral, ReferralStatus

    if not can(actor, Perm.SERVICES_CONFIRM) or not can(actor, Perm.REFERRALS_VIEW):
        raise PermissionDenied
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.to_organisation_id != actor.organisation_id:
        raise PermissionDenied
    if current.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("Services are recorded under an accepted referral only."))
    errors = {}
    if not service.is_active:
        errors["service"] = _("This service is no longer offered.")
    elif legal_only(current) and service.category != ServiceCategory.LEGAL:
        errors["service"] = _("This referral asks for legal support: choose a legal service.")
    if delivered_on is None:
        errors["delivered_on"] = _("Give the day the service was delivered.")
    elif delivered_on > _today():
        errors["delivered_on"] = _("This date is in the future.")
    elif delivered_on < current.decided_at.date():
        errors["delivered_on"] = _("Give a day after the referral was accepted.")
    if not outcome.strip():
        errors["outcome"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.get(pk=current.case_id)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    delivery = ServiceDelivery.objects.create(
        case=case,
        service=service,
        provider_id=actor.organisation_id,
        status=DeliveryStatus.DELIVERED,
        delivered_on=delivered_on,
        outcome=outcome.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=delivery,
        changes={
            "case": [None, case.number],
            "service": [None, service.code],
            "provider": [None, actor.organisation.code],
            "status": [None, delivery.status],
            "delivered_on": [None, delivered_on],
            "referral": [None, str(current.uuid)],
            "outcome": None,
        },
        sensitive_fields=sensitive_fields(ServiceDelivery),
    )
    return delivery


def legal_only(referral) -> bool:
    """True when a referral is for legal support: it asks for legal aid, or shares the legal
    section and no other but basic identity."""
    if referral.service == "legal":
        return True
    return referral.share_legal and set(referral.sections) <= {"legal", "identity"}
