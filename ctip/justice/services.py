"""Every write to suspects, identifiers, proceedings and law articles.

Each service runs in a transaction, checks that the actor may act on the investigation
(`justice.manage` and the investigation in their scope), validates, and audits (names of
sensitive fields only, never their values).
"""

import csv
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, can_change, sensitive_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version
from ctip.people.models import Person

from .models import (
    Appeal,
    Arrest,
    ArticleConfidence,
    Charge,
    Complaint,
    CourtCase,
    Hearing,
    HearingStatus,
    Identifier,
    Investigation,
    InvestigationStatus,
    InvestigationVictim,
    LawArticle,
    Suspect,
    SuspectIdentifier,
    SuspectVictimRelation,
    Verdict,
    VerdictOutcome,
    WitnessSupport,
    normalise_identifier,
)

# A copy of the provisional list and its README (read it: the list is partial and provisional).
LAW_CSV = Path(__file__).resolve().parent / "data" / "law_2008_offences.csv"


def _plain(value):
    if isinstance(value, models.Model):
        return str(getattr(value, "uuid", None) or value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _save_new(obj: models.Model, *, actor, values: dict, organisation=None) -> models.Model:
    """Validates and saves a new record, then audits its creation."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(_("This has already been recorded."), code="duplicate") from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=obj,
        changes={k: [None, _plain(v)] for k, v in values.items() if v not in ("", None)},
        sensitive_fields=sensitive_fields(type(obj)),
        organisation=organisation,
    )
    return obj


def _update(obj: models.Model, *, actor, expected_version: int | None, values: dict):
    current = lock_and_check_version(obj, expected_version)
    changes = apply_changes(current, values)
    if not changes:
        return current
    try:
        current.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()},
        sensitive_fields=sensitive_fields(type(current)),
    )
    return current


def _require_change(actor, investigation: Investigation) -> None:
    if not can_change(actor, investigation):
        raise PermissionDenied


def _require_visible_person(actor, person: Person) -> None:
    if not visible_to(actor, Person).filter(pk=person.pk).exists():
        raise PermissionDenied


# --- law articles ---------------------------------------------------------------------------

LAW_FIELDS = (
    "chapter",
    "offence",
    "offence_km",
    "summary",
    "penalty_min_years",
    "penalty_max_years",
    "aggravating",
    "confidence",
    "source",
    "is_active",
)


def _check_penalty(article: LawArticle) -> None:
    lo, hi = article.penalty_min_years, article.penalty_max_years
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(
            {"penalty_max_years": _("The maximum penalty cannot be below the minimum.")}
        )


@transaction.atomic
def law_article_create(*, actor, article: int, **values) -> LawArticle:
    """Adds an article to the reference list (administrators only)."""
    if not can(actor, Perm.REFERENCE_MANAGE):
        raise PermissionDenied
    obj = LawArticle(article=article, created_by=actor, **values)
    _check_penalty(obj)
    return _save_new(obj, actor=actor, values={"article": article, **values})


@transaction.atomic
def law_article_update(
    *, actor, law_article: LawArticle, expected_version: int | None, **values
) -> LawArticle:
    """Corrects an article; marking it verified records that it was checked against the law."""
    if not can_change(actor, law_article):
        raise PermissionDenied
    if set(values) - set(LAW_FIELDS):
        raise PermissionDenied
    current = lock_and_check_version(law_article, expected_version)
    for name, value in values.items():
        setattr(current, name, value)
    _check_penalty(current)
    current.refresh_from_db()
    return _update(current, actor=actor, expected_version=None, values=values)


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


@transaction.atomic
def law_articles_load(*, actor, path: Path = LAW_CSV) -> tuple[int, int]:
    """Loads the provisional list of articles; returns (created, kept).

    Existing articles are kept as they are: administrators may have corrected or verified
    them, and the provisional list must never overwrite their work.
    """
    if actor is not None and not can(actor, Perm.REFERENCE_MANAGE):
        raise PermissionDenied
    created = kept = 0
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = set(LawArticle.objects.values_list("article", flat=True))
    for row in rows:
        number = int(row["article"])
        if number in existing:
            kept += 1
            continue
        confidence = row["confidence"].strip()
        if confidence not in ArticleConfidence.values:
            raise ValidationError(
                _("Article %(n)s has an unknown confidence %(c)s.") % {"n": number, "c": confidence}
            )
        LawArticle.objects.create(
            article=number,
            chapter=row["chapter"].strip(),
            offence=row["offence"].strip(),
            summary=row["summary"].strip(),
            penalty_min_years=_int_or_none(row["penalty_min_years"]),
            penalty_max_years=_int_or_none(row["penalty_max_years"]),
            aggravating=row["aggravating"].strip(),
            confidence=confidence,
            source=row["source"].strip(),
            created_by=actor,
        )
        created += 1
    if not created:
        return created, kept  # nothing written, nothing to audit: a re-run changes nothing
    audit_record(
        actor=actor,
        action=AuditAction.REFERENCE_LOADED,
        target_type="justice.lawarticle",
        target_id=str(path.name),
        changes={"created": created, "kept": kept},
    )
    return created, kept


# --- investigations -------------------------------------------------------------------------

INVESTIGATION_FIELDS = (
    "title",
    "opened_on",
    "source",
    "source_reference",
    "exploitation_form",
    "province",
    "status",
    "summary",
    "closed_on",
    "legal_organisation",
    "report",
    "operation",
    "case",
)


def _next_reference(organisation) -> str:
    year = timezone.localdate().year
    prefix = f"{organisation.code.upper()}-INV-{year}-"
    count = Investigation.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


def _check_links(actor, values: dict) -> None:
    # A link to a report, operation or case the actor cannot see would leak its existence.
    for name in ("report", "operation", "case"):
        target = values.get(name)
        if target is not None and not visible_to(actor, type(target)).filter(pk=target.pk).exists():
            raise ValidationError({name: _("You cannot link to this record.")})


def _check_legal_organisation(values: dict) -> None:
    # Naming an organisation opens the proceeding and its evidence to it: only one that
    # provides legal aid may represent the victims (the access rule asks the same).
    org = values.get("legal_organisation")
    if org is not None and not (org.provides_legal_aid and org.is_active):
        raise ValidationError(
            {
                "legal_organisation": _(
                    "Only an active organisation that provides legal aid may represent the victims."
                )
            }
        )


def _check_investigation(inv: Investigation) -> None:
    errors = {}
    today = timezone.localdate()
    if inv.opened_on and inv.opened_on > today:
        errors["opened_on"] = _("The opening date cannot be in the future.")
    if inv.closed_on and inv.opened_on and inv.closed_on < inv.opened_on:
        errors["closed_on"] = _("An investigation cannot close before it opened.")
    if inv.status == InvestigationStatus.CLOSED and not inv.closed_on:
        errors["closed_on"] = _("Give the date the investigation was closed.")
    if inv.legal_organisation_id and inv.legal_organisation_id == inv.organisation_id:
        errors["legal_organisation"] = _("Choose another organisation, or none.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def investigation_create(*, actor, title: str, opened_on, **values) -> Investigation:
    """Opens an investigation handled by the actor's organisation."""
    if not can(actor, Perm.JUSTICE_MANAGE):
        raise PermissionDenied
    if set(values) - set(INVESTIGATION_FIELDS):
        raise PermissionDenied
    _check_links(actor, values)
    _check_legal_organisation(values)
    inv = Investigation(
        organisation=actor.organisation,
        reference=_next_reference(actor.organisation),
        title=title,
        opened_on=opened_on,
        created_by=actor,
        **values,
    )
    _check_investigation(inv)
    return _save_new(
        inv, actor=actor, values={"reference": inv.reference, "title": title, **values}
    )


@transaction.atomic
def investigation_update(
    *, actor, investigation: Investigation, expected_version: int | None, **values
) -> Investigation:
    """Changes an investigation's details or status."""
    _require_change(actor, investigation)
    if set(values) - set(INVESTIGATION_FIELDS):
        raise PermissionDenied
    _check_links(actor, values)
    _check_legal_organisation(values)
    current = lock_and_check_version(investigation, expected_version)
    probe = Investigation.objects.get(pk=current.pk)
    for name, value in values.items():
        setattr(probe, name, value)
    _check_investigation(probe)
    return _update(current, actor=actor, expected_version=None, values=values)


@transaction.atomic
def victim_add(
    *,
    actor,
    investigation: Investigation,
    person: Person,
    exploitation_form: str = "",
    age_at_exploitation: int | None = None,
) -> InvestigationVictim:
    """Records a person the actor's organisation knows as a victim in the investigation."""
    _require_change(actor, investigation)
    _require_visible_person(actor, person)
    victim = InvestigationVictim(
        investigation=investigation,
        person=person,
        exploitation_form=exploitation_form or investigation.exploitation_form,
        age_at_exploitation=age_at_exploitation,
        created_by=actor,
    )
    return _save_new(
        victim,
        actor=actor,
        values={"investigation": investigation, "person": person, "age_at_exploitation": None},
    )


# --- suspects and identifiers ---------------------------------------------------------------


@transaction.atomic
def suspect_add(
    *,
    actor,
    investigation: Investigation,
    person: Person,
    role: str,
    role_details: str = "",
    aliases: str = "",
) -> Suspect:
    """Records a person as a suspect in the investigation, with their role in the trafficking."""
    _require_change(actor, investigation)
    _require_visible_person(actor, person)
    if investigation.victims.filter(person=person).exists():
        raise ValidationError({"person": _("This person is a victim in this investigation.")})
    suspect = Suspect(
        investigation=investigation,
        person=person,
        role=role,
        role_details=role_details,
        aliases=aliases,
        created_by=actor,
    )
    return _save_new(
        suspect,
        actor=actor,
        values={"person": person, "role": role, "role_details": role_details, "aliases": aliases},
    )


@transaction.atomic
def suspect_update(*, actor, suspect: Suspect, expected_version: int | None, **values) -> Suspect:
    """Changes a suspect's role, role details or aliases."""
    _require_change(actor, suspect.investigation)
    if set(values) - {"role", "role_details", "aliases"}:
        raise PermissionDenied
    return _update(suspect, actor=actor, expected_version=expected_version, values=values)


@transaction.atomic
def relation_set(
    *, actor, suspect: Suspect, victim: InvestigationVictim, relation: str
) -> SuspectVictimRelation:
    """Records (or changes) how a suspect is related to one victim of the same investigation."""
    _require_change(actor, suspect.investigation)
    if victim.investigation_id != suspect.investigation_id:
        raise ValidationError({"victim": _("The victim belongs to another investigation.")})
    existing = SuspectVictimRelation.objects.filter(suspect=suspect, victim=victim).first()
    if existing is not None:
        return _update(existing, actor=actor, expected_version=None, values={"relation": relation})
    obj = SuspectVictimRelation(suspect=suspect, victim=victim, relation=relation, created_by=actor)
    return _save_new(obj, actor=actor, values={"suspect": suspect, "relation": relation})


@transaction.atomic
def identifier_add(
    *, actor, suspect: Suspect, kind: str, value: str, platform: str = "", note: str = ""
) -> SuspectIdentifier:
    """Links a phone, handle, plate, account, establishment or address to a suspect.

    The identifier is matched on its normalised form, so "+855 12 345 678" and "012 345 678"
    are the same record, and every investigation that used it shows up on it.
    """
    _require_change(actor, suspect.investigation)
    normalised = normalise_identifier(kind, value)
    if not normalised:
        raise ValidationError({"value": _("Give the identifier itself.")})
    identifier = Identifier.objects.filter(kind=kind, normalised=normalised).first()
    if identifier is None:
        identifier = Identifier(
            kind=kind,
            value=value.strip(),
            normalised=normalised,
            platform=platform,
            created_by=actor,
        )
        _save_new(identifier, actor=actor, values={"kind": kind, "normalised": normalised})
    use = SuspectIdentifier(
        suspect=suspect,
        identifier=identifier,
        written_as=value.strip(),
        note=note,
        created_by=actor,
    )
    return _save_new(
        use, actor=actor, values={"suspect": suspect, "identifier": identifier, "note": note}
    )


# --- complaints, arrests, charges -----------------------------------------------------------


@transaction.atomic
def complaint_add(*, actor, investigation: Investigation, **values) -> Complaint:
    """Records a complaint filed in the investigation (who filed it, when, with whom)."""
    _require_change(actor, investigation)
    obj = Complaint(investigation=investigation, created_by=actor, **values)
    _not_future(obj.filed_on, "filed_on")
    return _save_new(obj, actor=actor, values=values)


def _not_future(day, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


@transaction.atomic
def arrest_record(*, actor, suspect: Suspect, **values) -> Arrest:
    """Records an arrest of a suspect (date, agency, place)."""
    _require_change(actor, suspect.investigation)
    obj = Arrest(suspect=suspect, created_by=actor, **values)
    _not_future(obj.arrested_on, "arrested_on")
    return _save_new(obj, actor=actor, values={"suspect": suspect, **values})


@transaction.atomic
def charge_add(*, actor, suspect: Suspect, article: LawArticle, charged_on, notes="") -> Charge:
    """Charges a suspect under an article of the 2008 law; moves the investigation on."""
    _require_change(actor, suspect.investigation)
    if not article.is_active:
        raise ValidationError({"article": _("This article may not be charged.")})
    _not_future(charged_on, "charged_on")
    opened_on = suspect.investigation.opened_on
    if charged_on and opened_on and charged_on < opened_on:
        raise ValidationError(
            {"charged_on": _("A charge cannot come before the investigation opened.")}
        )
    obj = Charge(
        suspect=suspect, article=article, charged_on=charged_on, notes=notes, created_by=actor
    )
    charge = _save_new(
        obj, actor=actor, values={"suspect": suspect, "article": article.article, "notes": notes}
    )
    inv = suspect.investigation
    if inv.status == InvestigationStatus.OPEN:
        _update(inv, actor=actor, expected_version=None, values={"status": "charged"})
    return charge


# --- court ----------------------------------------------------------------------------------


@transaction.atomic
def court_case_create(
    *, actor, investigation: Investigation, court: str, case_number: str, filed_on, defendants
) -> CourtCase:
    """Records the court case, with the suspects who stand as defendants."""
    _require_change(actor, investigation)
    defendants = list(defendants)
    if not defendants:
        raise ValidationError({"defendants": _("Choose at least one defendant.")})
    if any(d.investigation_id != investigation.pk for d in defendants):
        raise ValidationError({"defendants": _("A defendant belongs to another investigation.")})
    _not_future(filed_on, "filed_on")
    first_charge = (
        Charge.objects.filter(suspect__in=defendants)
        .order_by("charged_on")
        .values_list("charged_on", flat=True)
        .first()
    )
    if first_charge and filed_on and filed_on < first_charge:
        raise ValidationError(
            {"filed_on": _("A court case cannot be filed before the defendants were charged.")}
        )
    obj = CourtCase(
        investigation=investigation,
        court=court,
        case_number=case_number.strip(),
        filed_on=filed_on,
        created_by=actor,
    )
    _save_new(obj, actor=actor, values={"court": court, "case_number": case_number})
    obj.defendants.set(defendants)
    if investigation.status in (InvestigationStatus.OPEN, InvestigationStatus.CHARGED):
        _update(investigation, actor=actor, expected_version=None, values={"status": "in_court"})
    return obj


def _earliest_charge(court_case: CourtCase):
    return (
        Charge.objects.filter(suspect__in=court_case.defendants.all())
        .order_by("charged_on")
        .values_list("charged_on", flat=True)
        .first()
    )


def _check_hearing_date(court_case: CourtCase, scheduled_for) -> None:
    """A hearing comes after the court case was filed and after a defendant was charged."""
    if scheduled_for is None:
        return
    day = (
        timezone.localtime(scheduled_for).date()
        if timezone.is_aware(scheduled_for)
        else (scheduled_for.date())
    )
    if day < court_case.filed_on:
        raise ValidationError(
            {"scheduled_for": _("A hearing cannot come before the court case was filed.")}
        )
    charged_on = _earliest_charge(court_case)
    if charged_on is not None and day < charged_on:
        raise ValidationError({"scheduled_for": _("A hearing cannot come before the charge.")})


@transaction.atomic
def hearing_schedule(*, actor, court_case: CourtCase, scheduled_for, type: str) -> Hearing:  # noqa: A002
    """Schedules a hearing of a court case."""
    _require_change(actor, court_case.investigation)
    _check_hearing_date(court_case, scheduled_for)
    obj = Hearing(court_case=court_case, scheduled_for=scheduled_for, type=type, created_by=actor)
    return _save_new(obj, actor=actor, values={"scheduled_for": scheduled_for, "type": type})


@transaction.atomic
def hearing_record_outcome(
    *, actor, hearing: Hearing, outcome: str, expected_version: int | None
) -> Hearing:
    """Records that a hearing was held, and what happened."""
    _require_change(actor, hearing.court_case.investigation)
    if hearing.status == HearingStatus.POSTPONED:
        raise ValidationError(_("This hearing was postponed; record the new one."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what happened at the hearing.")})
    if hearing.scheduled_for > timezone.now():
        raise ValidationError(_("This hearing has not taken place yet."))
    return _update(
        hearing,
        actor=actor,
        expected_version=expected_version,
        values={"status": HearingStatus.HELD, "outcome": outcome},
    )


@transaction.atomic
def hearing_postpone(
    *, actor, hearing: Hearing, reason: str, new_date, expected_version: int | None
) -> Hearing:
    """Postpones a hearing to a new date; returns the new hearing, linked from the old one."""
    _require_change(actor, hearing.court_case.investigation)
    if hearing.status != HearingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled hearing can be postponed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the postponement.")})
    if new_date <= hearing.scheduled_for:
        raise ValidationError({"new_date": _("The new date must be after the old one.")})
    new = hearing_schedule(
        actor=actor, court_case=hearing.court_case, scheduled_for=new_date, type=hearing.type
    )
    _update(
        hearing,
        actor=actor,
        expected_version=expected_version,
        values={
            "status": HearingStatus.POSTPONED,
            "postponement_reason": reason,
            "postponed_to": new,
        },
    )
    return new


@transaction.atomic
def witness_support_add(*, actor, hearing: Hearing, witness: Person, **values) -> WitnessSupport:
    """Records support to a survivor testifying at a hearing; the witness is one of the
    investigation's victims, named elsewhere only by pseudonym."""
    _require_change(actor, hearing.court_case.investigation)
    if not hearing.court_case.investigation.victims.filter(person=witness).exists():
        raise ValidationError({"witness": _("The witness must be a victim in this investigation.")})
    if not values.get("pseudonym"):
        count = WitnessSupport.objects.filter(hearing__court_case=hearing.court_case).count()
        values["pseudonym"] = _("Witness %(n)s") % {"n": count + 1}
    obj = WitnessSupport(hearing=hearing, witness=witness, created_by=actor, **values)
    return _save_new(obj, actor=actor, values={"witness": witness, **values})


VERDICT_FIELDS = (
    "outcome",
    "decided_on",
    "sentence_months",
    "fine_riel",
    "compensation_ordered_riel",
    "compensation_paid_riel",
)


def _check_verdict(v: Verdict) -> None:
    errors = {}
    if v.outcome != VerdictOutcome.CONVICTED and (v.sentence_months or v.fine_riel):
        errors["outcome"] = _("Only a conviction carries a sentence or a fine.")
    if v.outcome != VerdictOutcome.PENDING and not v.decided_on:
        errors["decided_on"] = _("Give the date of the verdict.")
    ordered, paid = v.compensation_ordered_riel, v.compensation_paid_riel
    if paid and not ordered:
        errors["compensation_paid_riel"] = _("No compensation was ordered.")
    if paid and ordered and paid > ordered:
        errors["compensation_paid_riel"] = _("More was paid than was ordered.")
    if v.sentence_months is not None and v.sentence_months > 12 * 40:
        errors["sentence_months"] = _("The sentence is longer than any the law allows.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def verdict_record(*, actor, court_case: CourtCase, defendant: Suspect, **values) -> Verdict:
    """Records the verdict for one defendant, with sentence, fine and compensation."""
    _require_change(actor, court_case.investigation)
    if set(values) - set(VERDICT_FIELDS):
        raise PermissionDenied
    if not court_case.defendants.filter(pk=defendant.pk).exists():
        raise ValidationError({"defendant": _("This person is not a defendant in the case.")})
    _not_future(values.get("decided_on"), "decided_on")
    decided_on = values.get("decided_on")
    if decided_on and decided_on < court_case.filed_on:
        raise ValidationError(
            {"decided_on": _("A verdict cannot come before the court case was filed.")}
        )
    obj = Verdict(court_case=court_case, defendant=defendant, created_by=actor, **values)
    _check_verdict(obj)
    return _save_new(obj, actor=actor, values={"defendant": defendant, **values})


@transaction.atomic
def verdict_update(*, actor, verdict: Verdict, expected_version: int | None, **values) -> Verdict:
    """Changes a verdict, e.g. compensation paid since."""
    _require_change(actor, verdict.court_case.investigation)
    if set(values) - set(VERDICT_FIELDS):
        raise PermissionDenied
    current = lock_and_check_version(verdict, expected_version)
    probe = Verdict.objects.get(pk=current.pk)
    for name, value in values.items():
        setattr(probe, name, value)
    _check_verdict(probe)
    return _update(current, actor=actor, expected_version=None, values=values)


@transaction.atomic
def appeal_file(*, actor, verdict: Verdict, **values) -> Appeal:
    """Records an appeal against a verdict."""
    _require_change(actor, verdict.court_case.investigation)
    if verdict.outcome == VerdictOutcome.PENDING:
        raise ValidationError(_("There is no verdict to appeal yet."))
    obj = Appeal(verdict=verdict, created_by=actor, **values)
    _not_future(obj.filed_on, "filed_on")
    return _save_new(obj, actor=actor, values=values)
