"""Every write to referrals and the partner directory: keyword-only, with an actor, in a
transaction, audited. Consent to share with the receiving organisation is checked before a
referral is sent; acting without it needs consent.override and a reason (recorded, audited).
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, can_change, sensitive_fields, visible_to
from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Perm, Role
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import Case, CaseStatus, ConsentPurpose
from ctip.cases.services import consent_check, consent_given
from ctip.core.services import apply_changes, lock_and_check_version

from .models import (
    DataSharingAgreement,
    MatchReveal,
    PartnerService,
    Referral,
    ReferralKind,
    ReferralStatus,
    Section,
    Urgency,
)


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied


def _lock(referral: Referral, expected_version: int | None) -> Referral:
    current = lock_and_check_version(referral, expected_version)
    current.version += 1
    return current


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    to_organisation: Organisation,
    kind: str,
    reason: str,
    urgency: str,
    sections: Iterable[str],
    service: str = "",
    override_reason: str = "",
) -> Referral:
    """Refers a case the actor's organisation owns to a partner, sharing `sections` only.

    Refused (ValidationError on `to_organisation`) without consent to share with that
    organisation, unless the actor holds consent.override and gives `override_reason`.
    """
    _require(actor, Perm.REFERRALS_CREATE)
    if (
        case.organisation_id != actor.organisation_id
        or not visible_to(actor, Case).filter(pk=case.pk).exists()
    ):
        raise PermissionDenied
    sections = list(dict.fromkeys(sections))
    errors = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = _("This case is closed. Reopen it before referring it.")
    if to_organisation.pk == actor.organisation_id:
        errors["to_organisation"] = _("Choose another organisation than your own.")
    elif not to_organisation.is_active:
        errors["to_organisation"] = _("This organisation no longer takes referrals.")
    if kind not in ReferralKind.values:
        errors["kind"] = _("Choose a service or a transfer of responsibility.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent the referral is.")
    if not reason.strip():
        errors["reason"] = _("Say why you refer the case.")
    if not sections or set(sections) - set(Section.values):
        errors["sections"] = _("Choose what the partner may see.")
    if kind == ReferralKind.TRANSFER and Section.IDENTITY not in sections:
        errors["sections"] = _("A transfer of responsibility must share basic identity.")
    open_referral = Referral.objects.filter(
        case=case,
        to_organisation=to_organisation,
        status__in=(ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
    ).first()
    if open_referral and "to_organisation" not in errors:
        errors["to_organisation"] = _("This case is already referred to this organisation.")
    if errors:
        raise ValidationError(errors)
    overridden = False
    if not consent_given(case=case, purpose=ConsentPurpose.SHARING, organisation=to_organisation):
        if not override_reason.strip():
            raise ValidationError(
                {
                    "to_organisation": _(
                        "There is no consent to share this case with %(org)s. Record the "
                        "survivor's consent first; only a supervisor may refer without it, "
                        "giving a reason."
                    )
                    % {"org": to_organisation.name}
                }
            )
        if not can(actor, Perm.CONSENT_OVERRIDE):
            raise ValidationError(
                {"override_reason": _("Only a supervisor may refer a case without consent.")}
            )
        consent_check(
            actor=actor,
            case=case,
            purpose=ConsentPurpose.SHARING,
            organisation=to_organisation,
            override_reason=override_reason,
        )
        overridden = True
    person = case.person
    referral = Referral.objects.create(
        case=case,
        kind=kind,
        from_organisation_id=actor.organisation_id,
        to_organisation=to_organisation,
        service=service,
        reason=reason.strip(),
        urgency=urgency,
        survivor_sex=person.sex or "",
        survivor_age=person.age_on(timezone.localdate()),
        consent_overridden=overridden,
        created_by=actor,
        **{f"share_{s}": s in sections for s in Section.values},
    )
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_CREATED,
        target=referral,
        changes={
            "case": [None, case.number],
            "kind": [None, kind],
            "to_organisation": [None, to_organisation.code],
            "sections": [None, referral.sections],
            "urgency": [None, urgency],
            "reason": None,
        },
        reason=override_reason.strip(),
        sensitive_fields=sensitive_fields(Referral),
    )
    return referral


def _require_receiver(actor, referral: Referral) -> None:
    _require(actor, Perm.REFERRALS_RESPOND)
    if referral.to_organisation_id != actor.organisation_id:
        raise PermissionDenied


def _require_pending(referral: Referral) -> None:
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(
            _("This referral is %(status)s: it can no longer be answered.")
            % {"status": referral.get_status_display().lower()}
        )


@transaction.atomic
def referral_accept(
    *,
    actor: User,
    referral: Referral,
    reason: str = "",
    case_worker: User | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Accepts a pending referral for the receiving organisation.

    For a transfer of responsibility the case moves to the receiving organisation, in the care
    of `case_worker` (a case worker or supervisor there; the actor by default, if they are one).
    """
    _require_receiver(actor, referral)
    current = _lock(referral, expected_version)
    _require_pending(current)
    if current.kind == ReferralKind.TRANSFER:
        case_worker = case_worker or actor
        allowed = {Role.CASE_WORKER, Role.CASE_SUPERVISOR}
        if (
            case_worker.organisation_id != actor.organisation_id
            or not case_worker.is_active
            or not (case_worker.roles & allowed)
        ):
            raise ValidationError(
                {"case_worker": _("Choose a case worker of your organisation to take the case.")}
            )
        case = Case.objects.select_for_update().get(pk=current.case_id)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError(_("The case was closed meanwhile; it cannot be transferred."))
        old_org = case.organisation
        case.organisation_id = actor.organisation_id
        case.case_worker = case_worker
        case.supervisor = None
        case.version += 1
        case.save(update_fields=["organisation", "case_worker", "supervisor", "version"])
        audit_record(
            actor=actor,
            action=AuditAction.CASE_TRANSFERRED,
            target=case,
            changes={
                "organisation": [old_org.code, actor.organisation.code],
                "case_worker": [None, str(case_worker.uuid)],
                "referral": [None, str(current.uuid)],
            },
        )
    current.status = ReferralStatus.ACCEPTED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_reason = reason.strip()
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_ACCEPTED,
        target=current,
        changes={"status": [ReferralStatus.PENDING, ReferralStatus.ACCEPTED]},
        reason=reason.strip(),
    )
    return current


@transaction.atomic
def referral_decline(
    *, actor: User, referral: Referral, reason: str, expected_version: int | None = None
) -> Referral:
    """Declines a pending referral; the reason is required and goes back to the sender."""
    _require_receiver(actor, referral)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you decline, so the sender can refer on.")})
    current = _lock(referral, expected_version)
    _require_pending(current)
    current.status = ReferralStatus.DECLINED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_reason = reason.strip()
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_DECLINED,
        target=current,
        changes={"status": [ReferralStatus.PENDING, ReferralStatus.DECLINED]},
        reason=reason.strip(),
    )
    return current


@transaction.atomic
def referral_withdraw(
    *,
    actor: User,
    referral: Referral,
    reason: str,
    expected_version: int | None = None,
    withdrawn_on: date | None = None,
) -> Referral:
    """The sender withdraws a pending or accepted service referral: the partner's view of the
    case ends at once. An accepted transfer cannot be withdrawn (the case has moved).

    `withdrawn_on` (default today) is the day the decision was taken: between the day the
    referral was sent and today."""
    _require(actor, Perm.REFERRALS_CREATE)
    if referral.from_organisation_id != actor.organisation_id:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you withdraw the referral.")})
    today = timezone.localdate()
    sent_on = timezone.localdate(referral.created_at)
    if withdrawn_on is not None and not (sent_on <= withdrawn_on <= today):
        raise ValidationError(
            {"withdrawn_on": _("Give a day between the referral and today, not in the future.")}
        )
    current = _lock(referral, expected_version)
    withdrawable = current.status == ReferralStatus.PENDING or (
        current.status == ReferralStatus.ACCEPTED and current.kind == ReferralKind.SERVICE
    )
    if not withdrawable:
        raise ValidationError(_("This referral can no longer be withdrawn."))
    old = current.status
    current.status = ReferralStatus.WITHDRAWN
    now = timezone.now()
    if withdrawn_on is None or withdrawn_on == today:
        current.withdrawn_at = now
    else:
        # An earlier day: its start, but never before the referral was sent.
        start = timezone.make_aware(datetime.combine(withdrawn_on, time.min))
        current.withdrawn_at = max(start, current.created_at)
    current.withdrawal_reason = reason.strip()
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_WITHDRAWN,
        target=current,
        changes={
            "status": [old, ReferralStatus.WITHDRAWN],
            "withdrawn_on": [None, timezone.localdate(current.withdrawn_at)],
        },
        reason=reason.strip(),
    )
    return current


@transaction.atomic
def referral_complete(
    *, actor: User, referral: Referral, expected_version: int | None = None
) -> Referral:
    """Either side marks an accepted referral done; a service partner's view of the case ends."""
    if not (can(actor, Perm.REFERRALS_CREATE) or can(actor, Perm.REFERRALS_RESPOND)):
        raise PermissionDenied
    if actor.organisation_id not in (referral.from_organisation_id, referral.to_organisation_id):
        raise PermissionDenied
    current = _lock(referral, expected_version)
    if current.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted referral can be completed."))
    current.status = ReferralStatus.COMPLETED
    current.completed_at = timezone.now()
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_COMPLETED,
        target=current,
        changes={"status": [ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED]},
    )
    return current


@transaction.atomic
def partner_service_add(
    *,
    actor: User,
    category: str,
    description: str = "",
    provinces: Iterable = (),
    contact: str = "",
) -> PartnerService:
    """Adds a service of the actor's organisation to the directory."""
    _require(actor, Perm.DIRECTORY_MANAGE)
    if not actor.organisation_id:
        raise PermissionDenied
    from .models import ServiceCategory

    if category not in ServiceCategory.values:
        raise ValidationError({"category": _("Choose a service.")})
    entry = PartnerService.objects.create(
        organisation_id=actor.organisation_id,
        category=category,
        description=description.strip(),
        contact=contact.strip(),
        created_by=actor,
    )
    provinces = list(provinces)
    entry.provinces.set(provinces)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=entry,
        changes={
            "category": [None, category],
            "provinces": [None, sorted(p.code for p in provinces)],
        },
    )
    return entry


@transaction.atomic
def agreement_record(
    *,
    actor: User,
    organisation_a,
    organisation_b,
    reveal_matches: str,
    valid_from,
    valid_to=None,
    reference: str = "",
    contact_a: str = "",
    contact_b: str = "",
):
    """Records a data-sharing agreement between two organisations (system administrators:
    an agreement binds two organisations, neither of which may sign for the other)."""
    _require(actor, Perm.ORGANISATIONS_MANAGE)
    errors = {}
    if organisation_a.pk == organisation_b.pk:
        errors["organisation_b"] = _("An agreement is between two organisations.")
    if reveal_matches not in MatchReveal.values:
        errors["reveal_matches"] = _("Choose what possible duplicates reveal.")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("An agreement cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    agreement = DataSharingAgreement.objects.create(
        organisation_a=organisation_a,
        organisation_b=organisation_b,
        reveal_matches=reveal_matches,
        valid_from=valid_from,
        valid_to=valid_to,
        reference=reference.strip(),
        contact_a=contact_a.strip(),
        contact_b=contact_b.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=agreement,
        changes={
            "organisation_a": [None, organisation_a.code],
            "organisation_b": [None, organisation_b.code],
            "reveal_matches": [None, reveal_matches],
            "valid_from": [None, str(valid_from)],
            "valid_to": [None, str(valid_to) if valid_to else None],
        },
    )
    return agreement


def _agreement_terms_errors(*, reveal_matches: str, valid_from, valid_to) -> dict:
    errors = {}
    if reveal_matches not in MatchReveal.values:
        errors["reveal_matches"] = _("Choose what possible duplicates reveal.")
    if valid_from is None:
        errors["valid_from"] = _("Say from which day the agreement is in force.")
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("An agreement cannot end before it starts.")
    return errors


def _require_change(actor, agreement: DataSharingAgreement) -> None:
    # Organisation admins read their organisation's agreements; only system administrators
    # change them (ctip/access/rules/matching.py, ctip/accounts/roles.py).
    if not can(actor, Perm.ORGANISATIONS_MANAGE) or not can_change(actor, agreement):
        raise PermissionDenied


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: DataSharingAgreement,
    expected_version: int | None,
    reveal_matches: str,
    valid_from,
    valid_to=None,
    reference: str = "",
    contact_a: str = "",
    contact_b: str = "",
) -> DataSharingAgreement:
    """Changes the terms of an agreement (system administrators). Its two organisations never
    change: another pair of organisations is another agreement. What the duplicate review
    queue reveals follows the new terms at once."""
    _require_change(actor, agreement)
    current = lock_and_check_version(agreement, expected_version)
    errors = _agreement_terms_errors(
        reveal_matches=reveal_matches, valid_from=valid_from, valid_to=valid_to
    )
    if errors:
        raise ValidationError(errors)
    changes = apply_changes(
        current,
        {
            "reference": reference.strip(),
            "reveal_matches": reveal_matches,
            "contact_a": contact_a.strip(),
            "contact_b": contact_b.strip(),
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    if changes:
        current.version += 1
        current.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, target=current, changes=changes)
    return current


@transaction.atomic
def agreement_end(
    *,
    actor: User,
    agreement: DataSharingAgreement,
    valid_to,
    reason: str,
    expected_version: int | None,
) -> DataSharingAgreement:
    """Ends an agreement: `valid_to` becomes the last day it is in force (never deleted: the
    record of what was agreed stays). Ended on yesterday's date, the review queue stops
    revealing anything under it at once. Ending cannot extend an agreement."""
    _require_change(actor, agreement)
    current = lock_and_check_version(agreement, expected_version)
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the agreement ends.")
    if valid_to is None:
        errors["valid_to"] = _("Give the last day the agreement is in force.")
    elif valid_to < current.valid_from:
        errors["valid_to"] = _(
            "The agreement came into force on %(day)s: it cannot end before that day."
        ) % {"day": current.valid_from.isoformat()}
    elif current.valid_to is not None and valid_to > current.valid_to:
        errors["valid_to"] = _(
            "The agreement already ends on %(day)s. Ending it cannot extend it: edit it instead."
        ) % {"day": current.valid_to.isoformat()}
    if errors:
        raise ValidationError(errors)
    old = current.valid_to
    current.valid_to = valid_to
    current.version += 1
    current.save(update_fields=["valid_to", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={"valid_to": [old, valid_to]},
        reason=reason.strip(),
    )
    return current
