"""Every write of the interoperability app: partner systems, and cases received from them.

A partner system writes only through the existing services of people and cases (person_create,
case_open, consent_record, person_update, case_change_status), under the identity of the user
whose token it holds: the same permissions, validation and audit as a person at a screen.
Each upsert runs in one transaction: bad input raises ValidationError and changes nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, get_visible_or_404
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases import services as cases
from ctip.cases.models import Case, ConsentGiver, ConsentPurpose
from ctip.cases.selectors import owned_cases
from ctip.core.services import lock_and_check_version
from ctip.people import services as people
from ctip.people.models import Person, Relationship, Sex

from . import mapping
from .models import ExternalReference, PartnerKind, PartnerSystem

# --- partner systems ----------------------------------------------------------------------------


@transaction.atomic
def partner_system_create(*, actor, name: str, kind: str, recipient: Organisation) -> PartnerSystem:
    """Registers a partner system acting for the actor's organisation, run by `recipient`."""
    if not can(actor, Perm.INTEROP_MANAGE) or not actor.organisation_id:
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the partner system a name.")
    elif PartnerSystem.objects.filter(organisation_id=actor.organisation_id, name=name).exists():
        errors["name"] = _("Your organisation already has a partner system of this name.")
    if kind not in PartnerKind.values:
        errors["kind"] = _("Choose the kind of system.")
    if recipient is None or recipient.pk == actor.organisation_id:
        errors["recipient"] = _(
            "Name the organisation that runs the partner system: another organisation than "
            "yours, which the survivors' consent to share must name."
        )
    elif not recipient.is_active:
        errors["recipient"] = _("This organisation is not active.")
    if errors:
        raise ValidationError(errors)
    system = PartnerSystem.objects.create(
        organisation_id=actor.organisation_id,
        recipient=recipient,
        name=name,
        kind=kind,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PARTNER_SYSTEM_CREATED,
        target=system,
        changes={
            "name": [None, name],
            "kind": [None, kind],
            "recipient": [None, recipient.code],
        },
    )
    return system


@transaction.atomic
def partner_system_set_active(
    *, actor, system: PartnerSystem, is_active: bool, expected_version: int | None
) -> PartnerSystem:
    """Enables or disables a partner system of the actor's organisation; a disabled system's
    calls are refused, its mapped records are kept."""
    if not can(actor, Perm.INTEROP_MANAGE):
        raise PermissionDenied
    system = get_visible_or_404(actor, PartnerSystem, pk=system.pk)
    current = lock_and_check_version(system, expected_version)
    if current.is_active == is_active:
        return current
    current.is_active = is_active
    current.version += 1
    current.save(update_fields=["is_active", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PARTNER_SYSTEM_CHANGED,
        target=current,
        changes={"is_active": [not is_active, is_active]},
    )
    return current


def require_sync(actor, system: PartnerSystem) -> None:
    """The actor may sync and the system is active; else PermissionDenied saying why."""
    if not can(actor, Perm.INTEROP_SYNC):
        raise PermissionDenied
    if not system.is_active:
        raise PermissionDenied(
            _("This partner system is disabled in CTIP. An administrator of %(org)s can enable it.")
            % {"org": system.organisation}
        )


@transaction.atomic
def interop_pull_record(*, actor, system: PartnerSystem, cases_sent: list[Case], shown: list):
    """Records that cases were sent to a partner system: who, which cases, which sensitive
    fields; and when the system last read changes."""
    now = timezone.now()
    PartnerSystem.objects.filter(pk=system.pk).update(last_pulled_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.INTEROP_CASES_PULLED,
        target=system,
        changes={
            "count": len(cases_sent),
            "cases": [str(c.uuid) for c in cases_sent],
            "shown": shown,
        },
    )


# --- cases received -----------------------------------------------------------------------------


def etag(case: Case) -> str:
    """The version a partner must send back (If-Match) to change the case: the versions of the
    case and its survivor, which every CTIP write raises."""
    return f'"{case.version}-{case.person.version}"'


def _clean_etag(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value if value.startswith('"') else f'"{value}"'


@dataclass(frozen=True)
class ConsentStatement:
    """Who consented to CTIP sharing the case with the partner system's organisation, and how.

    For a child the case organisation's settings may require a guardian; the guardian is then
    recorded as a person linked to the survivor (names and relationship)."""

    given_by: str
    given_on: date
    method: str
    guardian_given_name: str = ""
    guardian_family_name: str = ""
    guardian_relationship: str = Relationship.OTHER


@dataclass(frozen=True)
class UpsertResult:
    case: Case
    created: bool
    changed: bool


class ConsentWithdrawn(PermissionDenied):
    """The survivor's consent to share with the partner is withdrawn (or was never given)."""


def _refuse_without_consent(*, actor, system: PartnerSystem, case: Case, external_id: str):
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.INTEROP_REFUSED,
            target=case,
            changes={"system": [None, str(system.uuid)], "external_id": [None, external_id]},
            reason="no sharing consent in force",
        )
    raise ConsentWithdrawn(
        _(
            "The survivor's consent to share this case with %(org)s is withdrawn or not on "
            "record: CTIP no longer exchanges it with %(system)s. Nothing was changed."
        )
        % {"org": system.recipient, "system": system}
    )


def interop_case_upsert(
    *,
    actor,
    system: PartnerSystem,
    external_id: str,
    record: dict,
    consent: ConsentStatement | None = None,
    if_match: str | None = None,
    ctip_id=None,
) -> UpsertResult:
    """Creates or updates the case a partner system knows by `external_id`.

    Unknown id: records the survivor, opens the case, records the consent to share with the
    system's organisation (required), and maps the id; with `ctip_id` (a case the partner
    read from CTIP and recorded under its own id) maps the id to that case instead. Known id:
    refuses when the sharing consent is no longer in force; changes nothing when the record
    matches CTIP (so sending the same record twice is harmless); otherwise needs `if_match`
    equal to the current `etag` (ValidationError code "precondition_required" without it,
    "concurrent_edit" when stale). `record` holds validated values in the partner's field names.
    """
    require_sync(actor, system)
    if len(external_id) > 100 or not external_id.strip():
        raise ValidationError({"external_id": _("Give the partner's id (100 characters at most).")})
    reference = (
        ExternalReference.objects.select_related("case__person")
        .filter(system=system, external_id=external_id)
        .first()
    )
    if reference is not None and not cases.consent_given(
        case=reference.case, purpose=ConsentPurpose.SHARING, organisation=system.recipient
    ):
        _refuse_without_consent(
            actor=actor, system=system, case=reference.case, external_id=external_id
        )
    try:
        with transaction.atomic():
            if reference is None and ctip_id is not None:
                # Linking a case the partner read from CTIP: it is shared (so consented).
                reference = _link(actor, system, external_id, ctip_id)
            if reference is None:
                return _create(actor, system, external_id, record, consent)
            return _update(actor, system, reference, record, if_match)
    except IntegrityError as exc:  # pragma: no cover (a race between two first calls)
        # Another call created the same external id at the same moment: the partner retries
        # and reaches the update path.
        raise ValidationError(
            _("This record was created by another call at the same moment. Send it again."),
            code="concurrent_edit",
        ) from exc


def _link(actor, system: PartnerSystem, external_id: str, ctip_id) -> ExternalReference:
    """Maps a partner's new id to a case it read from CTIP (a shared case of the actor's
    organisation, else 404)."""
    from .selectors import shared_cases

    case = get_visible_or_404(
        actor, shared_cases(user=actor, system=system).select_related("person"), uuid=ctip_id
    )
    if ExternalReference.objects.filter(system=system, case=case).exists():
        raise PartnerInputError(
            {"ctip_id": [_("This case already has another id in %(system)s.") % {"system": system}]}
        )
    reference = ExternalReference.objects.create(
        system=system, external_id=external_id, case=case, created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.INTEROP_CASE_UPDATED,
        target=case,
        changes={"system": [None, str(system.uuid)], "external_id": [None, external_id]},
        reason="linked",
    )
    return reference


def _create(actor, system, external_id, record, consent) -> UpsertResult:
    if consent is None:
        raise PartnerInputError(
            {
                "consent": [
                    _(
                        "A new case needs the survivor's consent to share with %(org)s: who "
                        "consented, on which day, and how."
                    )
                    % {"org": system.recipient}
                ]
            }
        )
    person_values, partner_status = mapping.to_ctip(system.kind, record)
    try:
        person = people.person_create(actor=actor, **person_values)
    except ValidationError as exc:
        raise _prefixed(exc, "record", system.kind) from exc
    case = cases.case_open(
        actor=actor,
        person=person,
        source_reference=f"{system.kind}:{external_id}"[:100],
    )
    guardian = None
    if consent.given_by in (ConsentGiver.GUARDIAN, ConsentGiver.BOTH):
        guardian = _guardian(actor, person, consent)
    try:
        cases.consent_record(
            actor=actor,
            case=case,
            purpose=ConsentPurpose.SHARING,
            partner=system.recipient,
            given_by=consent.given_by,
            given_on=consent.given_on,
            method=consent.method,
            guardian=guardian,
        )
    except ValidationError as exc:
        raise _prefixed(exc, "consent") from exc
    _apply_status(actor, system, case, partner_status)
    ExternalReference.objects.create(
        system=system,
        external_id=external_id,
        case=case,
        last_synced_at=timezone.now(),
        created_by=actor,
    )
    PartnerSystem.objects.filter(pk=system.pk).update(last_pushed_at=timezone.now())
    case.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.INTEROP_CASE_CREATED,
        target=case,
        changes={
            "system": [None, str(system.uuid)],
            "external_id": [None, external_id],
            "person": [None, str(person.uuid)],
        },
    )
    return UpsertResult(case=case, created=True, changed=True)


_GUARDIAN_SEX = {Relationship.MOTHER: Sex.FEMALE, Relationship.FATHER: Sex.MALE}


def _guardian(actor, person: Person, consent: ConsentStatement) -> Person:
    if not (consent.guardian_given_name.strip() or consent.guardian_family_name.strip()):
        raise PartnerInputError(
            {"consent": {"guardian_given_name": [_("Name the guardian who gave consent.")]}}
        )
    guardian = people.person_create(
        actor=actor,
        given_name=consent.guardian_given_name.strip(),
        family_name=consent.guardian_family_name.strip(),
        # A mother or father's sex follows from the relationship; otherwise it is not known.
        sex=_GUARDIAN_SEX.get(consent.guardian_relationship, Sex.UNKNOWN),
    )
    people.family_link_add(
        actor=actor,
        person=person,
        relative=guardian,
        relationship=consent.guardian_relationship,
        is_guardian=True,
    )
    return guardian


class PartnerInputError(ValidationError):
    """A refusal whose messages are nested by part of the payload, in the partner's field
    names: {"record": {"name_first": [...]}, "consent": {"given_by": [...]}}."""

    def __init__(self, errors: dict):
        super().__init__(_("The record was refused: see the errors by field."))
        self.errors = errors


def _prefixed(exc: ValidationError, prefix: str, kind: str | None = None) -> PartnerInputError:
    """A service's refusal nested under `prefix`; with `kind`, CTIP field names become the
    partner's (a refused given_name is Primero's name_first)."""
    if not hasattr(exc, "error_dict"):
        return PartnerInputError({prefix: {"detail": exc.messages}})
    inner = {}
    for field, messages in exc.message_dict.items():
        key = mapping.partner_error_key(kind, field) if kind and field != "__all__" else field
        inner["detail" if key == "__all__" else key] = messages
    return PartnerInputError({prefix: inner})


def _apply_status(actor, system, case: Case, partner_status: str | None) -> bool:
    wanted = mapping.wanted_status(system.kind, case.status, partner_status)
    if wanted is None or wanted == case.status:
        return False
    try:
        cases.case_change_status(actor=actor, case=case, status=wanted, expected_version=None)
    except ValidationError as exc:
        raise PartnerInputError({"record": {"status": exc.messages}}) from exc
    return True


def _pending_person_changes(person: Person, values: dict) -> dict:
    pending = {}
    for name, new in values.items():
        old = getattr(person, name if name != "home_village" else "home_village_id")
        new_cmp = new.pk if name == "home_village" and new is not None else new
        if old != new_cmp:
            pending[name] = new
    return pending


def _update(actor, system, reference: ExternalReference, record, if_match) -> UpsertResult:
    # The case must still be one the actor's organisation owns and sees (a case transferred
    # away keeps its reference but is no longer the partner's to change).
    case = get_visible_or_404(
        actor, owned_cases(actor).select_related("person"), pk=reference.case_id
    )
    person_values, partner_status = mapping.to_ctip(system.kind, record)
    locked = lock_and_check_version(case, None)
    locked_person = lock_and_check_version(case.person, None)
    locked.person = locked_person
    pending = _pending_person_changes(locked_person, person_values)
    wanted = mapping.wanted_status(system.kind, locked.status, partner_status)
    now = timezone.now()
    if not pending and (wanted is None or wanted == locked.status):
        ExternalReference.objects.filter(pk=reference.pk).update(last_synced_at=now)
        PartnerSystem.objects.filter(pk=system.pk).update(last_pushed_at=now)
        audit_record(
            actor=actor,
            action=AuditAction.INTEROP_CASE_UPDATED,
            target=locked,
            changes={"external_id": [reference.external_id, reference.external_id]},
            reason="unchanged",
        )
        return UpsertResult(case=locked, created=False, changed=False)
    given = _clean_etag(if_match)
    if given is None:
        raise ValidationError(
            _(
                "Send the version you last read (If-Match with the ETag) to change a case: "
                "CTIP never overwrites changes you have not seen."
            ),
            code="precondition_required",
        )
    if given != etag(locked):
        raise ValidationError(
            _(
                "Someone changed this case in CTIP since you read it (version %(now)s, yours "
                "%(yours)s). Read it again, merge, and send it with the new version."
            )
            % {"now": etag(locked), "yours": given},
            code="concurrent_edit",
        )
    if pending:
        try:
            people.person_update(
                actor=actor,
                person=locked_person,
                expected_version=locked_person.version,
                **pending,
            )
        except ValidationError as exc:
            raise _prefixed(exc, "record", system.kind) from exc
    _apply_status(actor, system, locked, partner_status)
    ExternalReference.objects.filter(pk=reference.pk).update(last_synced_at=now)
    PartnerSystem.objects.filter(pk=system.pk).update(last_pushed_at=now)
    locked.refresh_from_db()
    locked.person.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.INTEROP_CASE_UPDATED,
        target=locked,
        changes={
            "external_id": [reference.external_id, reference.external_id],
            "fields": sorted(pending) + (["status"] if wanted else []),
        },
    )
    return UpsertResult(case=locked, created=False, changed=True)
