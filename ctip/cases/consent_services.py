"""Consent services: recording, withdrawing and checking a survivor's consent.

Re-exported by ctip.cases.services, where callers import them from.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.people.models import FamilyLink, Person

from .models import (
    Case,
    Consent,
    ConsentGiver,
    ConsentOverride,
    ConsentPurpose,
)
from .service_helpers import _require_open, _require_visible_case, _today, settings_for


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
