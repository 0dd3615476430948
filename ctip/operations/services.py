"""Every write to operations, people found, screenings, instruments and hand-offs.

Each runs in a transaction and is audited with sensitive values withheld.
"""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version
from ctip.intake.models import Report
from ctip.intake.selectors import handoff_targets
from ctip.people.models import Person, Sex
from ctip.people.services import person_create

from . import screening as rules
from .models import (
    FoundPerson,
    HandOff,
    HandOffStatus,
    Indicator,
    Instrument,
    InstrumentStatus,
    Operation,
    OperationStatus,
    Screening,
    ScreeningResult,
)

OPERATION_FIELDS = (
    "status",
    "planned_for",
    "province",
    "district",
    "location_text",
    "establishment_type",
    "agencies",
    "notes",
)
# The minimum recorded about someone found: no more than dignity and identification need.
FOUND_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "estimated_age",
    "nationality",
    "languages",
)


def _audit(actor, action, target, model, changes=None, reason="") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        changes=changes or {},
        sensitive_fields=sensitive_fields(model),
        reason=reason,
    )


def _next_reference(organisation: Organisation, now: datetime) -> str:
    prefix = f"OP-{now.year}-"
    count = Operation.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


def _validate_operation(values: dict) -> None:
    errors = {}
    planned_for = values.get("planned_for")
    if (
        values.get("status") == OperationStatus.CARRIED_OUT
        and planned_for is not None
        and planned_for > timezone.now()
    ):
        errors["planned_for"] = _(
            "An operation cannot have been carried out in the future. Check the date and time, "
            "or keep it planned."
        )
    district, province = values.get("district"), values.get("province")
    if district is not None and province is not None and district.province_id != province.pk:
        errors["district"] = _("This district is not in the chosen province.")
    if not (values.get("location_text") or "").strip():
        errors["location_text"] = _("Say where the operation takes place.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def operation_create(*, actor, reports: list[Report] | None = None, **values) -> Operation:
    """Plans (or records) an operation led by the actor's organisation, with the reports that
    led to it (only reports the actor can see)."""
    if not can(actor, Perm.OPERATIONS_MANAGE):
        raise PermissionDenied
    unknown = set(values) - set(OPERATION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    _validate_operation(values)
    reports = list(reports or [])
    visible = set(
        visible_to(actor, Report)
        .filter(pk__in=[r.pk for r in reports])
        .values_list("pk", flat=True)
    )
    if any(r.pk not in visible for r in reports):
        raise ValidationError({"reports": _("One of these reports is not available to you.")})
    operation = Operation(
        organisation=actor.organisation,
        reference=_next_reference(actor.organisation, timezone.now()),
        created_by=actor,
        **values,
    )
    operation.full_clean()
    operation.save()
    operation.reports.set(reports)
    changes = {k: [None, v] for k, v in values.items() if v not in ("", None)}
    changes["reports"] = [None, [r.reference for r in reports]]
    _audit(actor, AuditAction.OPERATION_RECORDED, operation, Operation, changes)
    return operation


@transaction.atomic
def operation_update(
    *, actor, operation: Operation, expected_version: int | None, **values
) -> Operation:
    """Changes an operation's details (e.g. marks it carried out)."""
    if not can(actor, Perm.OPERATIONS_MANAGE) or operation.organisation_id != actor.organisation_id:
        raise PermissionDenied
    unknown = set(values) - set(OPERATION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    current = lock_and_check_version(operation, expected_version)
    changes = apply_changes(current, values)
    if not changes:
        return current
    _validate_operation({f: getattr(current, f) for f in OPERATION_FIELDS})
    current.full_clean()
    current.version += 1
    current.save()
    _audit(actor, AuditAction.UPDATE, current, Operation, changes)
    return current


@transaction.atomic
def found_person_record(
    *, actor, operation: Operation, circumstances: str = "", **person_fields
) -> FoundPerson:
    """Records one person found in the operation, victim or not, as a minimal Person."""
    if not can(actor, Perm.OPERATIONS_MANAGE) or operation.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if operation.status == OperationStatus.CANCELLED:
        raise ValidationError(_("This operation was cancelled."))
    unknown = set(person_fields) - set(FOUND_PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    person = person_create(actor=actor, **person_fields)
    found = FoundPerson.objects.create(
        operation=operation, person=person, circumstances=circumstances, created_by=actor
    )
    _audit(
        actor,
        AuditAction.PERSON_FOUND,
        found,
        FoundPerson,
        {"operation": [None, operation.reference], "person": [None, str(person.uuid)]},
    )
    return found


# --- instruments ------------------------------------------------------------------------------


@transaction.atomic
def instrument_import(
    *,
    actor,
    version_label: str,
    rows: list[rules.IndicatorRow],
    name: str = "ILO operational indicators of trafficking",
    source: str = rules.ILO_SOURCE,
    rule: dict | None = None,
) -> Instrument:
    """Loads a provisional instrument version from indicator rows (e.g. the ILO CSV).

    `actor` None is a system job (a data migration or seed); otherwise the actor must hold
    the instrument-management permission.
    """
    if actor is not None and not can(actor, Perm.SCREENING_INSTRUMENT_MANAGE):
        raise PermissionDenied
    if Instrument.objects.filter(version_label=version_label).exists():
        raise ValidationError({"version_label": _("This version already exists.")})
    if not rows:
        raise ValidationError(_("An instrument needs at least one indicator."))
    instrument = Instrument.objects.create(
        name=name,
        version_label=version_label,
        source=source,
        rule=rule or rules.DEFAULT_RULE,
        created_by=actor,
    )
    Indicator.objects.bulk_create(
        Indicator(
            instrument=instrument,
            list_code=row.list_code,
            dimension=row.dimension,
            dimension_label=row.dimension_label,
            strength=row.strength,
            code=row.code,
            text=row.text,
            position=i,
        )
        for i, row in enumerate(rows)
    )
    _audit(
        actor,
        AuditAction.CREATE,
        instrument,
        Instrument,
        {"version_label": [None, version_label], "indicators": [None, len(rows)]},
    )
    return instrument


@transaction.atomic
def instrument_validate(*, actor, instrument: Instrument, reason: str) -> Instrument:
    """An administrator confirms that this version was checked against its source; the
    previously validated version is retired."""
    if not can(actor, Perm.SCREENING_INSTRUMENT_MANAGE):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say against what the instrument was checked.")})
    instrument = lock_and_check_version(instrument, None)
    if instrument.status != InstrumentStatus.PROVISIONAL:
        raise ValidationError(_("Only a provisional instrument can be validated."))
    Instrument.objects.filter(status=InstrumentStatus.VALIDATED).update(
        status=InstrumentStatus.RETIRED
    )
    instrument.status = InstrumentStatus.VALIDATED
    instrument.validated_by = actor
    instrument.validated_at = timezone.now()
    instrument.version += 1
    instrument.save()
    _audit(
        actor,
        AuditAction.INSTRUMENT_VALIDATED,
        instrument,
        Instrument,
        {"status": [InstrumentStatus.PROVISIONAL, InstrumentStatus.VALIDATED]},
        reason=reason.strip(),
    )
    return instrument


def instrument_current() -> Instrument | None:
    """The instrument to screen with: the validated one, else the newest provisional one."""
    validated = Instrument.objects.filter(status=InstrumentStatus.VALIDATED).first()
    return validated or Instrument.objects.filter(status=InstrumentStatus.PROVISIONAL).first()


# --- screening --------------------------------------------------------------------------------


def _decide(
    instrument: Instrument, list_code: str, codes: list[str], is_child: bool, cse: bool
) -> tuple[list[str], rules.Decision]:
    indicators = {
        i.code: i for i in instrument.indicators.filter(list_code=list_code, code__in=codes)
    }
    unknown = set(codes) - set(indicators)
    if unknown:
        raise ValidationError({"indicator_codes": _("Unknown indicators were chosen.")})
    decision = rules.decide(
        rule=instrument.rule,
        observed=[(i.dimension, i.strength) for i in indicators.values()],
        is_child=is_child,
        commercial_sexual_exploitation=cse,
    )
    return sorted(indicators), decision


def _check_result(computed: str, result: str | None, reason: str) -> str:
    result = result or computed
    if result not in ScreeningResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    if result != computed and not reason.strip():
        raise ValidationError(
            {"override_reason": _("Give a reason for a result other than the rule's.")}
        )
    return result


def list_for(instrument: Instrument, is_child: bool) -> str:
    """The indicator list the instrument uses for a child or an adult."""
    lists = instrument.rule.get("lists", rules.DEFAULT_RULE["lists"])
    return lists["child" if is_child else "adult"]


@transaction.atomic
def screening_record(
    *,
    actor,
    person: Person,
    is_child: bool,
    commercial_sexual_exploitation: bool = False,
    indicator_codes: list[str] | None = None,
    found_person: FoundPerson | None = None,
    result: str | None = None,
    override_reason: str = "",
    notes: str = "",
    instrument: Instrument | None = None,
) -> Screening:
    """Screens a person the actor can see with the current instrument; the rule's result
    stands unless the screener chooses another and says why."""
    if not can(actor, Perm.SCREENING_RECORD):
        raise PermissionDenied
    if not visible_to(actor, Person).filter(pk=person.pk).exists():
        raise PermissionDenied
    if found_person is not None and found_person.person_id != person.pk:
        raise ValidationError(_("This person was not found in that operation."))
    instrument = instrument or instrument_current()
    if instrument is None:
        raise ValidationError(_("No screening instrument is loaded."))
    list_code = list_for(instrument, is_child)
    codes, decision = _decide(
        instrument, list_code, list(indicator_codes or []), is_child, commercial_sexual_exploitation
    )
    final = _check_result(decision.result, result, override_reason)
    basis = decision.as_basis() | {"instrument_status": instrument.status}
    screening = Screening.objects.create(
        organisation=actor.organisation,
        person=person,
        found_person=found_person,
        instrument=instrument,
        list_code=list_code,
        is_child=is_child,
        commercial_sexual_exploitation=commercial_sexual_exploitation,
        indicator_codes=codes,
        computed_result=decision.result,
        basis=basis,
        result=final,
        override_reason=override_reason.strip() if final != decision.result else "",
        notes=notes,
        created_by=actor,
    )
    _audit(
        actor,
        AuditAction.SCREENING_RECORDED,
        screening,
        Screening,
        {
            "result": [None, final],
            "computed_result": [None, decision.result],
            "indicator_codes": [None, codes],
            "instrument": [None, instrument.version_label],
        },
        reason=screening.override_reason,
    )
    return screening


@transaction.atomic
def screening_revise(
    *,
    actor,
    screening: Screening,
    expected_version: int | None,
    reason: str,
    is_child: bool | None = None,
    commercial_sexual_exploitation: bool | None = None,
    indicator_codes: list[str] | None = None,
    result: str | None = None,
    override_reason: str = "",
) -> Screening:
    """Revises a screening (new facts, or a different result), always with a reason."""
    if not can(actor, Perm.SCREENING_RECORD) or screening.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the screening is revised.")})
    current = lock_and_check_version(screening, expected_version)
    is_child = current.is_child if is_child is None else is_child
    cse = (
        current.commercial_sexual_exploitation
        if commercial_sexual_exploitation is None
        else commercial_sexual_exploitation
    )
    codes = current.indicator_codes if indicator_codes is None else indicator_codes
    list_code = list_for(current.instrument, is_child)
    codes, decision = _decide(current.instrument, list_code, list(codes), is_child, cse)
    final = _check_result(decision.result, result, override_reason)
    old_result = current.result
    changes = apply_changes(
        current,
        {
            "is_child": is_child,
            "commercial_sexual_exploitation": cse,
            "list_code": list_code,
            "indicator_codes": codes,
            "computed_result": decision.result,
            "result": final,
            "override_reason": override_reason.strip() if final != decision.result else "",
        },
    )
    current.basis = decision.as_basis() | {"instrument_status": current.instrument.status}
    current.revised_at = timezone.now()
    current.revision_reason = reason.strip()
    current.version += 1
    current.save()
    changes.setdefault("result", [old_result, final])
    _audit(actor, AuditAction.SCREENING_REVISED, current, Screening, changes, reason=reason.strip())
    return current


# --- hand-off ---------------------------------------------------------------------------------


@transaction.atomic
def screening_hand_off(
    *,
    actor,
    screening: Screening,
    to_organisation: Organisation,
    note: str = "",
    urgent_needs: str = "",
) -> HandOff:
    """Hands an identified or possible victim on to an organisation that will open a case or
    admit them to a shelter.

    Creates a pending hand-off with its own summary of the person (name, age, sex, languages,
    and the urgent needs the sender gives): the receiver decides on that summary, before it may
    see the person's record. It accepts or declines with `handoff_decide`.
    """
    if not can(actor, Perm.SCREENING_RECORD) or screening.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if screening.result == ScreeningResult.NOT_VICTIM:
        raise ValidationError(_("Only an identified or possible victim can be handed on."))
    if to_organisation is None or not to_organisation.is_active:
        raise ValidationError({"to_organisation": _("Choose an active organisation.")})
    if not handoff_targets(user=actor, include_own=True).filter(pk=to_organisation.pk).exists():
        raise ValidationError(
            {"to_organisation": _("This organisation does not take hand-offs of victims.")}
        )
    if HandOff.objects.filter(
        screening=screening, to_organisation=to_organisation, status=HandOffStatus.PENDING
    ).exists():
        raise ValidationError(_("This person is already waiting for that organisation."))
    person = screening.person
    handoff = HandOff.objects.create(
        screening=screening,
        person_id=screening.person_id,
        from_organisation=actor.organisation,
        to_organisation=to_organisation,
        note=note.strip(),
        child_name=" ".join(
            p for p in [person.family_name, person.given_name, person.name_km] if p
        ),
        child_age=person.age_on(timezone.localdate()),
        child_sex=person.sex if person.sex != Sex.UNKNOWN else "",
        child_languages=person.languages,
        urgent_needs=urgent_needs.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.HANDOFF_CREATED,
        target=handoff,
        changes={"to_organisation": [None, str(to_organisation.uuid)], "note": [None, "…"]},
        sensitive_fields=sensitive_fields(HandOff),
    )
    return handoff


@transaction.atomic
def handoff_decide(
    *,
    actor,
    handoff: HandOff,
    expected_version: int | None,
    accept: bool,
    reason: str = "",
    decided_on: date | None = None,
) -> HandOff:
    """The receiving organisation accepts the hand-off (a case is opened, or the child is
    admitted) or declines it, with a reason; `decided_on` (default today) may not be in the
    future nor before the hand-off was sent."""
    if not can(actor, Perm.HANDOFFS_DECIDE) or handoff.to_organisation_id != actor.organisation_id:
        raise PermissionDenied
    current = lock_and_check_version(handoff, expected_version)
    if current.status != HandOffStatus.PENDING:
        raise ValidationError(_("This hand-off was already decided."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the hand-off is declined.")})
    now = timezone.now()
    today = timezone.localdate()
    decided_on = decided_on or today
    if decided_on > today:
        raise ValidationError({"decided_on": _("A decision cannot be dated in the future.")})
    if decided_on < timezone.localdate(current.created_at):
        raise ValidationError(
            {"decided_on": _("A decision cannot be dated before the hand-off was sent.")}
        )
    current.status = HandOffStatus.ACCEPTED if accept else HandOffStatus.DECLINED
    current.decided_by = actor
    current.decided_at = (
        now
        if decided_on == today
        else max(current.created_at, timezone.make_aware(datetime.combine(decided_on, time(12))))
    )
    current.decision_reason = reason.strip()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.HANDOFF_DECIDED,
        target=current,
        changes={"status": [HandOffStatus.PENDING, current.status]},
        sensitive_fields=sensitive_fields(HandOff),
        reason=current.decision_reason,
    )
    return current
