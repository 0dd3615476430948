"""Every write to reports: recording, public tips, gateway messages, triage, dispatch, response.

Each runs in a transaction and is audited with sensitive values withheld. Status moves
new → triaged → dispatched → accepted → closed; a declined dispatch goes back to triaged.
"""

import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import lock_and_check_version

from . import triage
from .models import OPEN_STATUSES, Outcome, Report, Source, Status, TipAddition, Urgency
from .selectors import dispatch_targets

REPORT_FIELDS = (
    "caller_anonymous",
    "caller_name",
    "caller_phone",
    "caller_may_contact",
    "narrative",
    "province",
    "district",
    "location_text",
    "establishment_type",
    "children_count",
    "ages_described",
    "sex_described",
    "flag_child",
    "flag_sexual_exploitation",
    "flag_held_now",
    "flag_injury",
    "flag_moving_soon",
)
# What a member of the public may give in a tip: never a choice of urgency or status.
PUBLIC_TIP_FIELDS = (
    "narrative",
    "province",
    "location_text",
    "establishment_type",
    "children_count",
    "ages_described",
    "flag_child",
    "flag_sexual_exploitation",
    "flag_held_now",
    "caller_phone",
    "caller_may_contact",
)
# Tip codes and secrets avoid look-alike characters (0/O, 1/I/L): they are typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CHILDREN = 500
CLOCK_DRIFT = timedelta(minutes=5)


def _audit(actor, action, report, changes=None, reason="", organisation=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=report,
        changes=changes or {},
        sensitive_fields=sensitive_fields(Report),
        reason=reason,
        organisation=organisation,
    )


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def _next_reference(now: datetime) -> str:
    prefix = f"R-{now.year}-"
    last = (
        Report.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _secret_hash(code: str, secret: str) -> str:
    # The secret is random (about 50 bits) and lookups are rate limited, so a salted SHA-256
    # is enough; a slow password hash would only slow the public page.
    return hashlib.sha256(f"{code}:{secret.strip().upper()}".encode()).hexdigest()


def _validate(values: dict) -> None:
    errors: dict[str, str] = {}
    if not (values.get("narrative") or "").strip():
        errors["narrative"] = _("Say what happened, even in a few words.")
    elif len(values["narrative"]) > 5000:
        errors["narrative"] = _("Keep it under 5,000 characters.")
    district, province = values.get("district"), values.get("province")
    if district is not None and province is not None and district.province_id != province.pk:
        errors["district"] = _("This district is not in the chosen province.")
    count = values.get("children_count")
    if count is not None and not (0 <= count <= MAX_CHILDREN):
        errors["children_count"] = _("The number of children must be between 0 and 500.")
    if values.get("caller_may_contact") and not (values.get("caller_phone") or "").strip():
        errors["caller_phone"] = _("Give a phone number or contact if the caller may be contacted.")
    if errors:
        raise ValidationError(errors)


def _new_report(*, actor, source: str, values: dict, received_at=None, **extra) -> Report:
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    _validate(values)
    now = timezone.now()
    if values.get("district") is not None and values.get("province") is None:
        values["province"] = values["district"].province
    if values.get("caller_name") or values.get("caller_phone"):
        values.setdefault("caller_anonymous", False)
    suggested, matched = triage.suggest(values)
    report = Report(
        reference=_next_reference(now),
        source=source,
        received_at=received_at or now,
        suggested_urgency=suggested,
        triage_rules=matched,
        urgency=suggested,
        created_by=actor,
        **values,
        **extra,
    )
    report.full_clean(exclude=["tip_secret_hash", "narrative"])
    report.save()
    return report


# Partners that may put a child in danger into the national intake queue, without seeing it.
PARTNER_REFERRAL_PERMISSIONS = (Perm.PREVENTION_ASSESS,)


@transaction.atomic
def report_from_partner_referral(*, actor, narrative: str, **values) -> Report:
    """Puts a partner's referral of a child in danger (e.g. a prevention officer's household
    visit) into the national intake queue, untriaged, for the hotline to act on.

    The partner gets the report's reference, not access to it: reports stay with the queue.
    """
    if not any(can(actor, p) for p in PARTNER_REFERRAL_PERMISSIONS):
        raise PermissionDenied
    values = {"flag_child": True, **values, "narrative": narrative}
    report = _new_report(actor=actor, source=Source.PARTNER, values=values)
    _audit(
        actor,
        AuditAction.REPORT_RECEIVED,
        report,
        changes={"source": [None, report.source], "narrative": [None, "…"]},
    )
    return report


def _check_override(suggested: str, urgency: str, reason: str) -> None:
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose an urgency.")})
    if urgency != suggested and not reason.strip():
        raise ValidationError(
            {"urgency_reason": _("Give a reason for choosing another urgency than suggested.")}
        )


@transaction.atomic
def report_create(
    *,
    actor,
    source: str = Source.HOTLINE,
    urgency: str | None = None,
    urgency_reason: str = "",
    received_at: datetime | None = None,
    **values,
) -> Report:
    """Records a call or report taken by a staff member.

    With `urgency`, the operator has triaged it during the call (status triaged, first action
    now); a choice other than the suggested one needs `urgency_reason`. A report recorded by
    someone outside the national intake queue (e.g. police) is accepted by their organisation.
    """
    if not can(actor, Perm.REPORTS_CREATE):
        raise PermissionDenied
    if source not in Source.values or source in (Source.WEB, Source.SMS):
        raise ValidationError({"source": _("Choose how the report came in.")})
    # A few minutes of clock drift between a device and the server are not an error.
    if received_at is not None and received_at > timezone.now() + CLOCK_DRIFT:
        raise ValidationError(
            {"received_at": _("A report cannot be received in the future. Check the date.")}
        )
    suggested, _matched = triage.suggest(values)
    if urgency is not None:
        _check_override(suggested, urgency, urgency_reason)
    report = _new_report(actor=actor, source=source, values=values, received_at=received_at)
    if urgency is not None:
        report.urgency = urgency
        report.urgency_reason = urgency_reason.strip() if urgency != suggested else ""
        report.status = Status.TRIAGED
        report.first_action_at = timezone.now()
    if not can(actor, Perm.REPORTS_VIEW_ALL):
        # Recorded by a responding organisation (e.g. police taking a walk-in): it is theirs
        # to act on at once, and stays in their view.
        now = timezone.now()
        report.assigned_to = actor.organisation
        report.status = Status.ACCEPTED
        report.dispatched_at = report.accepted_at = now
        report.first_action_at = report.first_action_at or now
    report.save()
    _audit(
        actor,
        AuditAction.REPORT_RECEIVED,
        report,
        changes={
            "source": [None, report.source],
            "urgency": [None, report.urgency],
            "suggested_urgency": [None, report.suggested_urgency],
            "narrative": [None, "…"],
        },
        reason=report.urgency_reason,
    )
    return report


@transaction.atomic
def tip_submit(*, hotline: Organisation | None = None, **values) -> tuple[Report, str, str]:
    """Records an anonymous public tip; returns the report, its code and its secret.

    The secret is shown once to the sender and only its hash is kept. `hotline` names the
    organisation in whose audit trail the tip appears (none: the national log).
    """
    unknown = set(values) - set(PUBLIC_TIP_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)})
    code = f"{_random(4)}-{_random(4)}"
    while Report.objects.filter(tip_code=code).exists():  # pragma: no cover (31^8 codes)
        code = f"{_random(4)}-{_random(4)}"
    secret = _random(10)
    report = _new_report(
        actor=None,
        source=Source.WEB,
        values=dict(values),
        tip_code=code,
        tip_secret_hash=_secret_hash(code, secret),
    )
    _audit(
        None,
        AuditAction.REPORT_RECEIVED,
        report,
        changes={"source": [None, report.source], "urgency": [None, report.urgency]},
        organisation=hotline,
    )
    return report, code, secret


def tip_find(*, code: str, secret: str) -> Report | None:
    """The tip that this code and secret name, or None (the same for a wrong code or secret)."""
    code = (code or "").strip().upper()
    report = Report.objects.filter(tip_code=code).first()
    if report is None or not hmac.compare_digest(
        report.tip_secret_hash, _secret_hash(code, secret or "")
    ):
        return None
    return report


@transaction.atomic
def tip_add_information(*, code: str, secret: str, text: str) -> TipAddition:
    """Adds the sender's new information to their tip; refuses a wrong code or secret."""
    report = tip_find(code=code, secret=secret)
    if report is None:
        raise ValidationError(_("No tip matches this code and secret."), code="no_tip")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the information you want to add.")})
    if len(text) > 3000:
        raise ValidationError({"text": _("Keep it under 3,000 characters.")})
    addition = TipAddition.objects.create(report=report, text=text)
    _audit(None, AuditAction.TIP_ADDED_TO, report, changes={"additions": [None, "…"]})
    return addition


@transaction.atomic
def sms_receive(
    *, message_id: str, sender: str, text: str, received_at: datetime | None = None
) -> tuple[Report, bool]:
    """Creates a report from a gateway message; the same `message_id` again returns the first.

    Returns (report, created).
    """
    existing = Report.objects.filter(gateway_message_id=message_id).first()
    if existing is not None:
        return existing, False
    values = {"narrative": text, "caller_phone": sender}
    report = _new_report(
        actor=None,
        source=Source.SMS,
        values=values,
        received_at=received_at,
        gateway_message_id=message_id,
    )
    _audit(
        None,
        AuditAction.REPORT_RECEIVED,
        report,
        changes={"source": [None, report.source], "gateway_message_id": [None, message_id]},
    )
    return report, True


def _locked(actor, report: Report, expected_version: int | None) -> Report:
    # A report the actor cannot see is "not found" for them, whatever they hold.
    if not visible_to(actor, Report).filter(pk=report.pk).exists():
        raise PermissionDenied
    return lock_and_check_version(report, expected_version)


def _first_action(report: Report) -> None:
    if report.first_action_at is None:
        report.first_action_at = timezone.now()


def _save(report: Report) -> None:
    report.version += 1
    report.save()


@transaction.atomic
def report_triage(
    *, actor, report: Report, expected_version: int | None, urgency: str, reason: str = ""
) -> Report:
    """Sets the urgency (a choice other than the rules' suggestion needs a reason)."""
    if not can(actor, Perm.REPORTS_TRIAGE):
        raise PermissionDenied
    report = _locked(actor, report, expected_version)
    if report.status == Status.CLOSED:
        raise ValidationError(_("This report is closed."))
    _check_override(report.suggested_urgency, urgency, reason)
    old = report.urgency
    report.urgency = urgency
    report.urgency_reason = reason.strip() if urgency != report.suggested_urgency else ""
    if report.status == Status.NEW:
        report.status = Status.TRIAGED
    _first_action(report)
    _save(report)
    _audit(
        actor,
        AuditAction.REPORT_TRIAGED,
        report,
        changes={"urgency": [old, urgency]},
        reason=report.urgency_reason,
    )
    return report


@transaction.atomic
def report_dispatch(
    *, actor, report: Report, expected_version: int | None, organisation: Organisation, note=""
) -> Report:
    """Assigns the report to an organisation, which must then accept or decline it."""
    if not can(actor, Perm.REPORTS_TRIAGE):
        raise PermissionDenied
    report = _locked(actor, report, expected_version)
    if report.status not in (Status.NEW, Status.TRIAGED):
        raise ValidationError(_("Only a new or triaged report can be dispatched."))
    if organisation is None or not organisation.is_active:
        raise ValidationError({"organisation": _("Choose an active organisation.")})
    if not dispatch_targets(user=actor, include_own=True).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"organisation": _("This organisation cannot act on reports. Choose another.")}
        )
    report.assigned_to = organisation
    report.status = Status.DISPATCHED
    report.dispatched_at = timezone.now()
    report.accepted_at = None
    _first_action(report)
    _save(report)
    _audit(
        actor,
        AuditAction.REPORT_DISPATCHED,
        report,
        changes={"assigned_to": [None, str(organisation.uuid)], "status": [None, report.status]},
        reason=note,
    )
    return report


def _check_responder(actor, report: Report) -> None:
    if not can(actor, Perm.REPORTS_RESPOND) or report.assigned_to_id != actor.organisation_id:
        raise PermissionDenied


@transaction.atomic
def report_accept(*, actor, report: Report, expected_version: int | None) -> Report:
    """The organisation it was dispatched to takes the report on."""
    report = _locked(actor, report, expected_version)
    _check_responder(actor, report)
    if report.status != Status.DISPATCHED:
        raise ValidationError(_("Only a dispatched report can be accepted."))
    report.status = Status.ACCEPTED
    report.accepted_at = timezone.now()
    _save(report)
    _audit(
        actor, AuditAction.REPORT_ACCEPTED, report, changes={"status": ["dispatched", "accepted"]}
    )
    return report


@transaction.atomic
def report_decline(*, actor, report: Report, expected_version: int | None, reason: str) -> Report:
    """The organisation it was dispatched to gives it back to the intake queue, with a reason."""
    report = _locked(actor, report, expected_version)
    _check_responder(actor, report)
    if report.status != Status.DISPATCHED:
        raise ValidationError(_("Only a dispatched report can be declined."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is declined.")})
    declined_by = report.assigned_to
    report.status = Status.TRIAGED
    report.assigned_to = None
    report.dispatched_at = None
    _save(report)
    _audit(
        actor,
        AuditAction.REPORT_DECLINED,
        report,
        changes={"assigned_to": [str(declined_by.uuid), None]},
        reason=reason.strip(),
    )
    return report


@transaction.atomic
def report_close(
    *,
    actor,
    report: Report,
    expected_version: int | None,
    outcome: str,
    reason: str = "",
    closed_on: date | None = None,
) -> Report:
    """Closes the report with its outcome. The intake queue may close any open report; the
    organisation it was dispatched to, once it has accepted it. "No action" and "referred
    elsewhere" need a reason. `closed_on` (default today) may not be in the future nor before
    the report was received."""
    report = _locked(actor, report, expected_version)
    if can(actor, Perm.REPORTS_TRIAGE):
        pass
    elif can(actor, Perm.REPORTS_RESPOND) and report.assigned_to_id == actor.organisation_id:
        if report.status != Status.ACCEPTED:
            raise ValidationError(_("Accept the report before closing it."))
    else:
        raise PermissionDenied
    if report.status not in OPEN_STATUSES:
        raise ValidationError(_("This report is already closed."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if outcome in (Outcome.NO_ACTION, Outcome.REFERRED) and not reason.strip():
        raise ValidationError({"reason": _("Say why, or to whom it was referred.")})
    now = timezone.now()
    today = timezone.localdate(now)
    closed_on = closed_on or today
    if closed_on > today:
        raise ValidationError({"closed_on": _("A report cannot be closed in the future.")})
    if closed_on < timezone.localdate(report.received_at):
        raise ValidationError({"closed_on": _("A report cannot be closed before it was received.")})
    old_status = report.status
    report.status = Status.CLOSED
    report.outcome = outcome
    report.outcome_reason = reason.strip()
    report.closed_at = (
        now
        if closed_on == today
        else max(report.received_at, timezone.make_aware(datetime.combine(closed_on, time(23))))
    )
    _first_action(report)
    _save(report)
    _audit(
        actor,
        AuditAction.REPORT_CLOSED,
        report,
        changes={"status": [old_status, Status.CLOSED], "outcome": [None, outcome]},
        reason=report.outcome_reason,
    )
    return report


@transaction.atomic
def report_link(
    *, actor, report: Report, expected_version: int | None, original: Report | None
) -> Report:
    """Marks the report as a repeat of `original` (None unlinks it)."""
    if not can(actor, Perm.REPORTS_TRIAGE):
        raise PermissionDenied
    report = _locked(actor, report, expected_version)
    if original is not None:
        # Link to the first report of a chain, so that chains never loop.
        original = original.linked_to or original
        if original.pk == report.pk:
            raise ValidationError(_("A report cannot be a repeat of itself."))
    old = report.linked_to
    report.linked_to = original
    _first_action(report)
    _save(report)
    # Repeats of this report now follow its original.
    if original is not None:
        Report.objects.filter(linked_to=report).update(linked_to=original)
    _audit(
        actor,
        AuditAction.REPORT_LINKED,
        report,
        changes={
            "linked_to": [old.reference if old else None, getattr(original, "reference", None)]
        },
    )
    return report
