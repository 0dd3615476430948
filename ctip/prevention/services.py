"""Every write to prevention records. Each runs in a transaction, checks the actor through the
access policy and is audited (names of confidential fields only, never their values)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, can_change, sensitive_fields
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version
from ctip.intake.services import report_from_partner_referral

from .models import (
    AgeBand,
    AssessmentFactor,
    AssessmentStatus,
    AssessmentSubject,
    Attendance,
    Campaign,
    Group,
    Indicator,
    Member,
    Programme,
    RiskLevel,
    Session,
    Training,
    TrainingParticipant,
    VulnerabilityAssessment,
    age_band_for,
)

# A score at or above these thresholds gives a medium or high risk level. With the seeded
# weights, one strong factor (a child exploited before, offers of work far away) is medium.
MEDIUM_RISK_FROM = 4
HIGH_RISK_FROM = 8


def _require(actor, permission: str) -> None:
    if not can(actor, permission) or not actor.organisation_id:
        raise PermissionDenied


def _check_dates(start: date | None, end: date | None, errors: dict) -> None:
    if start and end and end < start:
        errors["end_date"] = _("The end date cannot be before the start date.")


def _check_not_future(value: date | None, field: str, errors: dict) -> None:
    if value and value > timezone.localdate():
        errors[field] = _("This date cannot be in the future.")


def _check_birth_year(year: int | None, field: str, errors: dict) -> None:
    if year is not None and not (1900 <= year <= timezone.localdate().year):
        errors[field] = _("Give a birth year between 1900 and this year.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _audit_create(actor, obj, values: dict, model) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=obj,
        changes={k: [None, v] for k, v in values.items() if v not in ("", None, [], 0)},
        sensitive_fields=sensitive_fields(model),
    )


def _audit_update(actor, obj, changes: dict, model) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=obj,
        changes=changes,
        sensitive_fields=sensitive_fields(model),
    )


# --- vulnerability assessments -------------------------------------------------------------------


def score_factors(indicators: list[Indicator]) -> tuple[int, str]:
    """Returns (score, level) for the indicators found present: the sum of their weights."""
    score = sum(indicator.weight for indicator in indicators)
    if score >= HIGH_RISK_FROM:
        return score, RiskLevel.HIGH
    if score >= MEDIUM_RISK_FROM:
        return score, RiskLevel.MEDIUM
    return score, RiskLevel.LOW


@transaction.atomic
def vulnerability_assess(
    *,
    actor,
    subject: str,
    subject_name: str,
    village,
    assessed_on: date,
    indicators: list[Indicator],
    child_sex: str = "",
    child_birth_year: int | None = None,
    notes: str = "",
) -> VulnerabilityAssessment:
    """Records an assessment of a household or child and scores it from the indicators present."""
    _require(actor, Perm.PREVENTION_ASSESS)
    errors: dict = {}
    if not subject_name.strip():
        errors["subject_name"] = _("Give a name to recognise the household or child by.")
    if subject not in AssessmentSubject.values:
        errors["subject"] = _("Choose a household or a child.")
    if village is None:
        errors["village"] = _("Give the village.")
    _check_not_future(assessed_on, "assessed_on", errors)
    _check_birth_year(child_birth_year, "child_birth_year", errors)
    if any(not i.is_active for i in indicators):
        errors["indicators"] = _("An indicator that is no longer in use was chosen.")
    _raise(errors)
    indicators = list({i.pk: i for i in indicators}.values())
    score, level = score_factors(indicators)
    assessment = VulnerabilityAssessment.objects.create(
        organisation=actor.organisation,
        subject=subject,
        subject_name=subject_name.strip(),
        child_sex=child_sex,
        child_birth_year=child_birth_year,
        village=village,
        assessed_on=assessed_on,
        notes=notes,
        score=score,
        level=level,
        created_by=actor,
    )
    AssessmentFactor.objects.bulk_create(
        [AssessmentFactor(assessment=assessment, indicator=i, weight=i.weight) for i in indicators]
    )
    audit_record(
        actor=actor,
        action=AuditAction.VULNERABILITY_ASSESSED,
        target=assessment,
        changes={
            "subject": [None, subject],
            "subject_name": None,
            "village": None,
            "notes": None,
            "child_birth_year": None,
            # Which factors a household has is confidential: the log keeps the score only.
            "score": [None, score],
            "level": [None, level],
        },
        sensitive_fields=sensitive_fields(VulnerabilityAssessment),
    )
    return assessment


def _lock_open_assessment(
    actor, assessment: VulnerabilityAssessment, expected_version: int | None
) -> VulnerabilityAssessment:
    if not can_change(actor, assessment):
        raise PermissionDenied
    current = lock_and_check_version(assessment, expected_version)
    if current.status != AssessmentStatus.OPEN:
        raise ValidationError(_("This assessment has already been referred or closed."))
    return current


@transaction.atomic
def vulnerability_refer_to_programme(
    *,
    actor,
    assessment: VulnerabilityAssessment,
    programme: Programme,
    reason: str,
    expected_version: int | None,
) -> VulnerabilityAssessment:
    """Refers an assessed household or child to one of the organisation's programmes."""
    current = _lock_open_assessment(actor, assessment, expected_version)
    errors = {}
    if programme is None or programme.organisation_id != current.organisation_id:
        errors["programme"] = _("Choose one of your organisation's programmes.")
    elif not programme.is_active:
        errors["programme"] = _("This programme is no longer active.")
    _raise(errors)
    current.status = AssessmentStatus.REFERRED_PROGRAMME
    current.referred_programme = programme
    current.referral_reason = reason
    current.referred_at = timezone.now()
    current.referred_by = actor
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRED_TO_PROGRAMME,
        target=current,
        changes={"referred_programme": [None, str(programme.uuid)], "referral_reason": None},
    )
    return current


@transaction.atomic
def vulnerability_refer_to_intake(
    *,
    actor,
    assessment: VulnerabilityAssessment,
    reason: str,
    expected_version: int | None,
) -> VulnerabilityAssessment:
    """Records that a child assessed is in danger now and puts it in the national intake queue
    as a report (its uuid is kept in `intake_report_uuid`), in one transaction."""
    current = _lock_open_assessment(actor, assessment, expected_version)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the child is in danger now: intake acts on it.")}
        )
    current.status = AssessmentStatus.REFERRED_INTAKE
    current.referral_reason = reason.strip()
    current.referred_at = timezone.now()
    current.referred_by = actor
    report = report_from_partner_referral(
        actor=actor,
        narrative=_("Prevention referral, child in danger now: %(reason)s")
        % {"reason": current.referral_reason},
        province=current.village.commune.district.province if current.village_id else None,
        district=current.village.commune.district if current.village_id else None,
        location_text=str(current.village) if current.village_id else "",
        children_count=1,
    )
    current.intake_report_uuid = report.uuid
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRED_TO_INTAKE,
        target=current,
        changes={"status": [AssessmentStatus.OPEN, current.status], "referral_reason": None},
    )
    return current


# --- programmes, groups, members -----------------------------------------------------------------


def _validate_programme(programme: Programme, provinces) -> None:
    errors: dict = {}
    if not programme.name.strip():
        errors["name"] = _("Give the programme a name.")
    elif (
        Programme.objects.filter(organisation=programme.organisation, name=programme.name)
        .exclude(pk=programme.pk)
        .exists()
    ):
        errors["name"] = _("Your organisation already has a programme with this name.")
    if provinces is not None and not list(provinces):
        errors["provinces"] = _("Choose at least one province where the programme works.")
    _check_dates(programme.start_date, programme.end_date, errors)
    _raise(errors)


@transaction.atomic
def programme_create(*, actor, provinces, **values) -> Programme:
    """Creates a programme of the actor's organisation, working in `provinces`."""
    _require(actor, Perm.PREVENTION_MANAGE)
    programme = Programme(organisation=actor.organisation, created_by=actor, **values)
    _validate_programme(programme, provinces)
    programme.save()
    programme.provinces.set(provinces)
    _audit_create(
        actor, programme, values | {"provinces": sorted(p.pk for p in provinces)}, Programme
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor, programme: Programme, expected_version: int | None, provinces=None, **values
) -> Programme:
    """Changes a programme; refuses a stale version."""
    if not can_change(actor, programme):
        raise PermissionDenied
    current = lock_and_check_version(programme, expected_version)
    changes = apply_changes(current, values)
    _validate_programme(current, provinces)
    if provinces is not None:
        old = sorted(current.provinces.values_list("pk", flat=True))
        new = sorted(p.pk for p in provinces)
        if old != new:
            current.provinces.set(provinces)
            changes["provinces"] = [old, new]
    if not changes:
        return current
    current.version += 1
    current.save()
    _audit_update(actor, current, changes, Programme)
    return current


@transaction.atomic
def group_create(
    *, actor, programme: Programme, name: str, village, meeting_place: str = "", facilitators=""
) -> Group:
    """Creates a club or group of one of the actor's programmes."""
    _require(actor, Perm.PREVENTION_MANAGE)
    if not can_change(actor, programme):
        raise PermissionDenied
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the group a name.")
    if village is None:
        errors["village"] = _("Give the village where the group meets.")
    _raise(errors)
    group = Group.objects.create(
        programme=programme,
        name=name.strip(),
        village=village,
        meeting_place=meeting_place,
        facilitators=facilitators,
        created_by=actor,
    )
    _audit_create(
        actor,
        group,
        {"programme": str(programme.uuid), "name": group.name, "village": village.pk},
        Group,
    )
    return group


def _member_fields(*, name: str, sex: str, birth_year: int | None, age_band: str | None) -> dict:
    errors: dict = {}
    if not name.strip():
        errors["name"] = _("Give a name to tick on the list.")
    _check_birth_year(birth_year, "birth_year", errors)
    if age_band and age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age band.")
    _raise(errors)
    if birth_year is not None:
        # The band at registration: reach counts a person once, in one band.
        age_band = age_band_for(timezone.localdate().year - birth_year)
    return {
        "name": name.strip(),
        "sex": sex,
        "birth_year": birth_year,
        "age_band": age_band or AgeBand.UNKNOWN,
    }


@transaction.atomic
def member_add(
    *,
    actor,
    group: Group,
    name: str,
    sex: str,
    birth_year: int | None = None,
    age_band: str | None = None,
    village=None,
    walk_in: bool = False,
) -> Member:
    """Registers someone in a group with minimal data (name, sex, birth year or age band)."""
    _require(actor, Perm.PREVENTION_MANAGE)
    if not can_change(actor, group):
        raise PermissionDenied
    fields = _member_fields(name=name, sex=sex, birth_year=birth_year, age_band=age_band)
    member = Member.objects.create(
        group=group,
        village=village or group.village,
        walk_in=walk_in,
        created_by=actor,
        **fields,
    )
    _audit_create(
        actor,
        member,
        {"group": str(group.uuid), "sex": member.sex, "age_band": member.age_band},
        Member,
    )
    return member


@transaction.atomic
def member_leave(
    *,
    actor,
    member: Member,
    left_on: date | None,
    reason: str = "",
    expected_version: int | None,
) -> Member:
    """Marks a member as having left the group on `left_on`: off the attendance list from then
    on, their past attendance and reach kept. The date is required: no silent removal."""
    if not can_change(actor, member):
        raise PermissionDenied
    current = lock_and_check_version(member, expected_version)
    if not current.is_active:
        return current
    errors: dict = {}
    if left_on is None:
        errors["left_on"] = _("Give the date they left the group.")
    _check_not_future(left_on, "left_on", errors)
    last = (
        Attendance.objects.filter(member=current, session__date__gt=left_on)
        .order_by("-session__date")
        .values_list("session__date", flat=True)
        .first()
        if left_on
        else None
    )
    if last:
        errors["left_on"] = _(
            "They attended a session on %(date)s, after this date: give a later date."
        ) % {"date": last.isoformat()}
    _raise(errors)
    reason = (reason or "").strip()[:200]
    current.is_active = False
    current.left_on = left_on
    current.left_reason = reason
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.DEACTIVATE,
        target=current,
        # The reason is free text about a child: its presence is audited, not its words.
        changes={"is_active": [True, False], "left_on": [None, left_on.isoformat()]}
        | ({"left_reason": "changed"} if reason else {}),
    )
    return current


# --- sessions and attendance ---------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor,
    programme: Programme,
    topic: str,
    date: date,
    group: Group | None = None,
    village=None,
    place: str = "",
    facilitator: str = "",
) -> Session:
    """Plans or records a session of a programme, for a group or for the community."""
    _require(actor, Perm.PREVENTION_MANAGE)
    if not can_change(actor, programme):
        raise PermissionDenied
    errors = {}
    if group is not None and group.programme_id != programme.pk:
        errors["group"] = _("This group belongs to another programme.")
    village = village or (group.village if group is not None else None)
    if village is None:
        errors["village"] = _("Give the village where the session takes place.")
    if not topic.strip():
        errors["topic"] = _("Give the session's topic.")
    _raise(errors)
    session = Session.objects.create(
        programme=programme,
        group=group,
        topic=topic.strip(),
        date=date,
        village=village,
        place=place or (group.meeting_place if group is not None else ""),
        facilitator=facilitator,
        created_by=actor,
    )
    _audit_create(
        actor,
        session,
        {"programme": str(programme.uuid), "topic": session.topic, "date": date},
        Session,
    )
    return session


@transaction.atomic
def attendance_take(
    *,
    actor,
    session: Session,
    present: list[Member],
    walk_ins: list[dict] | None = None,
    unregistered: dict[str, int] | None = None,
    expected_version: int | None,
) -> Session:
    """Sets who attended a session, in one go, as ticked on a list.

    `present` replaces the registered attendance; each walk-in ({name, sex, birth_year or
    age_band}) is registered in the session's group and marked present; `unregistered` sets the
    headcounts of people not registered individually (keys girls, boys, women, men).
    Refuses a stale version: two phones taking the same attendance do not silently merge.
    """
    if not can_change(actor, session):
        raise PermissionDenied
    current = lock_and_check_version(session, expected_version)
    if current.date > timezone.localdate():
        raise ValidationError(_("Attendance can only be taken on or after the session's day."))
    walk_ins = walk_ins or []
    if walk_ins and current.group is None:
        raise ValidationError(
            _("A community session has no group: count walk-ins in the headcounts instead.")
        )
    foreign = [m for m in present if m.group_id != current.group_id]
    if foreign:
        raise ValidationError(_("Only members of this session's group can be ticked."))
    counts = {}
    for key, value in (unregistered or {}).items():
        if key not in ("girls", "boys", "women", "men"):
            raise ValidationError(_("Unknown headcount: %(key)s") % {"key": key})
        if value is None or value < 0:
            raise ValidationError({f"unregistered_{key}": _("A headcount cannot be negative.")})
        counts[f"unregistered_{key}"] = value
    added = [
        member_add(actor=actor, group=current.group, walk_in=True, **walk_in)
        for walk_in in walk_ins
    ]
    wanted = {m.pk for m in present} | {m.pk for m in added}
    existing = set(current.attendances.values_list("member_id", flat=True))
    # Members who left keep the attendance they had: they are no longer on the list to untick.
    current.attendances.exclude(member_id__in=wanted).filter(member__is_active=True).delete()
    Attendance.objects.bulk_create(
        [Attendance(session=current, member_id=pk) for pk in sorted(wanted - existing)]
    )
    changes = apply_changes(current, counts)
    current.attendance_taken_at = timezone.now()
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.ATTENDANCE_TAKEN,
        target=current,
        changes=changes
        | {
            "present": [len(existing), len(wanted)],
            "walk_ins": len(added),
        },
    )
    return current


# --- trainings of officials ----------------------------------------------------------------------


@transaction.atomic
def training_create(
    *,
    actor,
    title: str,
    topics: str,
    start_date: date,
    end_date: date,
    province,
    place: str = "",
) -> Training:
    """Records a training of officials run by the actor's organisation."""
    _require(actor, Perm.PREVENTION_MANAGE)
    errors: dict = {}
    if not title.strip():
        errors["title"] = _("Give the training a title.")
    if not topics.strip():
        errors["topics"] = _("List at least one topic.")
    _check_dates(start_date, end_date, errors)
    _raise(errors)
    training = Training.objects.create(
        organisation=actor.organisation,
        title=title.strip(),
        topics=topics.strip(),
        start_date=start_date,
        end_date=end_date,
        province=province,
        place=place,
        created_by=actor,
    )
    _audit_create(
        actor,
        training,
        {"title": training.title, "start_date": start_date, "province": province.pk},
        Training,
    )
    return training


def _check_score(value: int | None, field: str, errors: dict) -> None:
    if value is not None and not (0 <= value <= 100):
        errors[field] = _("A score is a percentage between 0 and 100.")


@transaction.atomic
def training_participant_add(
    *,
    actor,
    training: Training,
    name: str,
    sex: str,
    institution: str,
    position: str = "",
    pre_score: int | None = None,
    post_score: int | None = None,
) -> TrainingParticipant:
    """Adds a participant to a training, with their pre- and post-test scores if known."""
    if not can_change(actor, training):
        raise PermissionDenied
    errors: dict = {}
    if not name.strip():
        errors["name"] = _("Give the participant's name.")
    _check_score(pre_score, "pre_score", errors)
    _check_score(post_score, "post_score", errors)
    _raise(errors)
    participant = TrainingParticipant.objects.create(
        training=training,
        name=name.strip(),
        sex=sex,
        institution=institution,
        position=position,
        pre_score=pre_score,
        post_score=post_score,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=training,
        changes={
            "participant_added": [None, participant.pk],
            "institution": [None, institution],
            "pre_score": [None, pre_score],
            "post_score": [None, post_score],
        },
    )
    return participant


# --- campaigns -----------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, actor, provinces, **values) -> Campaign:
    """Records an awareness campaign with its dates, places and estimated reach."""
    _require(actor, Perm.PREVENTION_MANAGE)
    campaign = Campaign(organisation=actor.organisation, created_by=actor, **values)
    errors: dict = {}
    if not campaign.name.strip():
        errors["name"] = _("Give the campaign a name.")
    if not list(provinces):
        errors["provinces"] = _("Choose at least one province.")
    _check_dates(campaign.start_date, campaign.end_date, errors)
    _raise(errors)
    campaign.save()
    campaign.provinces.set(provinces)
    _audit_create(
        actor, campaign, values | {"provinces": sorted(p.pk for p in provinces)}, Campaign
    )
    return campaign
