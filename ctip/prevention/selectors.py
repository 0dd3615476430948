"""Reads of prevention records, always through the access policy.

Two kinds of reader: prevention officers see their own organisation's records; statistics
officers (`prevention.counts`) get aggregates only, from `reach`, `training_summaries` and
`campaign_totals`, which never return a member, a participant or a name of a person.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum

from ctip.access.policy import (
    can,
    get_visible_or_404,
    readable_fields,
    reads_sensitive,
    sensitive_fields,
    visible_to,
)
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .models import (
    CHILD_BANDS,
    AgeBand,
    AssessmentFactor,
    Attendance,
    Campaign,
    Group,
    Indicator,
    Member,
    Programme,
    Session,
    Training,
    TrainingParticipant,
    VulnerabilityAssessment,
)

# --- vulnerability assessments -------------------------------------------------------------------


def indicators_in_use(*, user) -> QuerySet[Indicator]:
    """The indicators an assessment can find present, in the order the form shows them."""
    return visible_to(user, Indicator).filter(is_active=True).order_by("position", "code")


def assessments_visible_to(*, user, level: str = "", status: str = "") -> QuerySet:
    """The organisation's assessments, newest first; lists show no confidential field."""
    assessments = visible_to(user, VulnerabilityAssessment).select_related(
        "village", "referred_programme"
    )
    if level:
        assessments = assessments.filter(level=level)
    if status:
        assessments = assessments.filter(status=status)
    return assessments.order_by("-assessed_on", "-id")


def assessment_get_for_user(*, user, assessment_uuid) -> VulnerabilityAssessment:
    """One assessment with its factors (404 when not the user's); the read is audited."""
    factors = visible_to(user, AssessmentFactor).select_related("indicator")
    assessment = get_visible_or_404(
        user,
        visible_to(user, VulnerabilityAssessment)
        .select_related("village__commune__district__province", "referred_programme", "referred_by")
        .prefetch_related(Prefetch("factors", queryset=factors)),
        uuid=assessment_uuid,
    )
    if reads_sensitive(user, VulnerabilityAssessment):
        shown = sorted(
            set(readable_fields(user, VulnerabilityAssessment))
            & sensitive_fields(VulnerabilityAssessment)
        )
        audit_record(
            actor=user, action=AuditAction.READ, target=assessment, changes={"shown": shown}
        )
    return assessment


# --- programmes, groups, members, sessions -------------------------------------------------------


def programmes_visible_to(*, user, active_only: bool = False) -> QuerySet[Programme]:
    """The organisation's programmes with their provinces and number of groups."""
    programmes = (
        visible_to(user, Programme)
        .select_related("organisation")
        .prefetch_related("provinces")
        .annotate(group_count=Count("groups", distinct=True))
    )
    if active_only:
        programmes = programmes.filter(is_active=True)
    return programmes.order_by("name", "id")


def programme_get_for_user(*, user, programme_uuid) -> Programme:
    return get_visible_or_404(
        user, visible_to(user, Programme).prefetch_related("provinces"), uuid=programme_uuid
    )


def groups_visible_to(*, user, programme: Programme | None = None) -> QuerySet[Group]:
    """Groups with their village and their number of active members."""
    groups = (
        visible_to(user, Group)
        .select_related("programme", "village")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
    )
    if programme is not None:
        groups = groups.filter(programme=programme)
    return groups.order_by("name", "id")


def group_get_for_user(*, user, group_uuid) -> Group:
    return get_visible_or_404(
        user,
        visible_to(user, Group).select_related("programme", "village__commune"),
        uuid=group_uuid,
    )


def members_of(*, user, group: Group) -> QuerySet[Member]:
    """The active members of a group, by name: the list ticked at each session."""
    return visible_to(user, Member).filter(group=group, is_active=True).order_by("name", "id")


def former_members_of(*, user, group: Group) -> QuerySet[Member]:
    """Members who left a group, latest first, with how many sessions they attended."""
    return (
        visible_to(user, Member)
        .filter(group=group, is_active=False)
        .annotate(attended=Count("attendances"))
        .order_by(F("left_on").desc(nulls_last=True), "name", "id")
    )


def sessions_attended_count(*, user, member: Member) -> int:
    return visible_to(user, Attendance).filter(member=member).count()


def member_get_for_user(*, user, group: Group, member_uuid) -> Member:
    return get_visible_or_404(user, visible_to(user, Member).filter(group=group), uuid=member_uuid)


def sessions_visible_to(
    *, user, programme: Programme | None = None, group: Group | None = None
) -> QuerySet[Session]:
    """Sessions, newest first, with the number of registered attendees."""
    sessions = (
        visible_to(user, Session)
        .filter(programme__in=visible_to(user, Programme))
        .select_related("programme", "group", "village")
        .annotate(present_count=Count("attendances"))
    )
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    if group is not None:
        sessions = sessions.filter(group=group)
    return sessions.order_by("-date", "-id")


def session_get_for_user(*, user, session_uuid) -> Session:
    # Statistics officers see sessions for counting only; a page needs the programme too.
    return get_visible_or_404(
        user,
        visible_to(user, Session)
        .filter(programme__in=visible_to(user, Programme))
        .select_related("programme", "group", "village"),
        uuid=session_uuid,
    )


def present_member_ids(*, user, session: Session) -> set[int]:
    return set(
        visible_to(user, Attendance).filter(session=session).values_list("member_id", flat=True)
    )


# --- reach ---------------------------------------------------------------------------------------

REACH_DIMENSIONS = {
    "programme": ("session__programme__uuid", "session__programme__name"),
    "organisation": ("session__programme__organisation__code",),
    "province": ("session__village__commune__district__province__code",),
    "sex": ("member__sex",),
    "age_band": ("member__age_band",),
}


@dataclass
class Reach:
    """Unique people reached: each member counted once however many sessions they attended."""

    children: int = 0
    adults: int = 0
    age_unknown: int = 0
    total: int = 0
    attendances: int = 0  # participations of registered members (a person many times)
    sessions: int = 0
    # Headcounts of people not registered individually; they cannot be deduplicated.
    unregistered: dict[str, int] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)


def reach_attendances(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    programme: Programme | None = None,
    province_code: str = "",
) -> QuerySet[Attendance]:
    """The attendances that reach is counted over (own organisation, or all for statistics)."""
    attendances = visible_to(user, Attendance)
    if start:
        attendances = attendances.filter(session__date__gte=start)
    if end:
        attendances = attendances.filter(session__date__lte=end)
    if programme is not None:
        attendances = attendances.filter(session__programme=programme)
    if province_code:
        attendances = attendances.filter(
            session__village__commune__district__province__code=province_code
        )
    return attendances


def reach(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    programme: Programme | None = None,
    province_code: str = "",
    by: tuple[str, ...] = ("programme", "province", "sex", "age_band"),
) -> Reach:
    """Unique children and adults reached in a period, overall and broken down by `by`.

    Counts distinct members, so a child at ten sessions counts once. Within one row of the
    breakdown a person counts once; a child met in two provinces appears in both rows, which is
    why the totals are counted separately rather than summed from the rows.
    Aggregates only: returns no member and no name of a person.
    """
    if not (can(user, Perm.PREVENTION_VIEW) or can(user, Perm.PREVENTION_COUNTS)):
        return Reach()
    unknown = set(by) - set(REACH_DIMENSIONS)
    if unknown:
        raise ValueError(f"Unknown reach dimensions: {sorted(unknown)}")
    attendances = reach_attendances(
        user=user, start=start, end=end, programme=programme, province_code=province_code
    )
    distinct = Count("member", distinct=True)
    totals = attendances.aggregate(
        total=distinct,
        children=Count("member", distinct=True, filter=Q(member__age_band__in=CHILD_BANDS)),
        age_unknown=Count("member", distinct=True, filter=Q(member__age_band=AgeBand.UNKNOWN)),
        attendances=Count("id"),
    )
    columns = [column for name in by for column in REACH_DIMENSIONS[name]]
    rows = []
    if columns:
        for row in attendances.values(*columns).annotate(people=distinct).order_by(*columns):
            rows.append(_reach_row(row))
    sessions = _sessions_in(user, start, end, programme, province_code)
    unregistered = sessions.aggregate(
        count=Count("id"),
        girls=Sum("unregistered_girls"),
        boys=Sum("unregistered_boys"),
        women=Sum("unregistered_women"),
        men=Sum("unregistered_men"),
    )
    session_count = unregistered.pop("count")
    return Reach(
        children=totals["children"],
        adults=totals["total"] - totals["children"] - totals["age_unknown"],
        age_unknown=totals["age_unknown"],
        total=totals["total"],
        attendances=totals["attendances"],
        sessions=session_count,
        unregistered={k: v or 0 for k, v in unregistered.items()},
        rows=rows,
    )


def _reach_row(row: dict) -> dict:
    names = {
        "session__programme__uuid": "programme_uuid",
        "session__programme__name": "programme",
        "session__programme__organisation__code": "organisation",
        "session__village__commune__district__province__code": "province",
        "member__sex": "sex",
        "member__age_band": "age_band",
    }
    return {names.get(key, key): value for key, value in row.items()}


def _sessions_in(user, start, end, programme, province_code) -> QuerySet[Session]:
    sessions = visible_to(user, Session)
    if start:
        sessions = sessions.filter(date__gte=start)
    if end:
        sessions = sessions.filter(date__lte=end)
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    if province_code:
        sessions = sessions.filter(village__commune__district__province__code=province_code)
    return sessions


# --- trainings -----------------------------------------------------------------------------------


def trainings_visible_to(*, user) -> QuerySet[Training]:
    """The organisation's trainings with participant counts and average scores."""
    return (
        visible_to(user, Training)
        .select_related("province")
        .annotate(**_training_aggregates())
        .order_by("-start_date", "-id")
    )


def _training_aggregates() -> dict:
    both = Q(participants__pre_score__isnull=False, participants__post_score__isnull=False)
    return {
        "participant_count": Count("participants", distinct=True),
        # Averages over participants who sat both tests, so the gain compares like with like.
        "avg_pre": Avg("participants__pre_score", filter=both),
        "avg_post": Avg("participants__post_score", filter=both),
    }


def training_get_for_user(*, user, training_uuid) -> Training:
    return get_visible_or_404(
        user,
        visible_to(user, Training)
        .select_related("province")
        .annotate(**_training_aggregates())
        .prefetch_related(Prefetch("participants", queryset=visible_to(user, TrainingParticipant))),
        uuid=training_uuid,
    )


def gain(avg_pre: float | None, avg_post: float | None) -> float | None:
    """Average post-test minus average pre-test score, in percentage points."""
    if avg_pre is None or avg_post is None:
        return None
    return round(float(avg_post) - float(avg_pre), 1)


def training_summaries(*, user, start: date | None = None, end: date | None = None) -> list[dict]:
    """Per training: dates, province, participants by institution and sex, scores and gain.

    Aggregates only (for statistics officers too): no participant's name.
    """
    if not (can(user, Perm.PREVENTION_VIEW) or can(user, Perm.PREVENTION_COUNTS)):
        return []
    trainings = visible_to(user, Training)
    if start:
        trainings = trainings.filter(end_date__gte=start)
    if end:
        trainings = trainings.filter(start_date__lte=end)
    trainings = trainings.annotate(**_training_aggregates()).order_by("start_date", "id")
    counts: dict[int, dict] = {}
    participant_counts = (
        visible_to(user, TrainingParticipant)
        .filter(training__in=trainings.values("pk"))
        .values("training_id", "institution", "sex")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in participant_counts:
        entry = counts.setdefault(row["training_id"], {"institution": {}, "sex": {}})
        inst = entry["institution"]
        inst[row["institution"]] = inst.get(row["institution"], 0) + row["n"]
        entry["sex"][row["sex"]] = entry["sex"].get(row["sex"], 0) + row["n"]
    summaries = []
    for training in trainings.values(
        "pk",
        "uuid",
        "title",
        "start_date",
        "end_date",
        "province_id",
        "organisation__code",
        "participant_count",
        "avg_pre",
        "avg_post",
    ):
        by = counts.get(training.pop("pk"), {"institution": {}, "sex": {}})
        training["by_institution"] = by["institution"]
        training["by_sex"] = by["sex"]
        training["gain"] = gain(training["avg_pre"], training["avg_post"])
        training["organisation"] = training.pop("organisation__code")
        training["province"] = training.pop("province_id")
        summaries.append(training)
    return summaries


# --- campaigns -----------------------------------------------------------------------------------


def campaigns_visible_to(*, user) -> QuerySet[Campaign]:
    return visible_to(user, Campaign).prefetch_related("provinces").order_by("-start_date", "-id")


def campaign_totals(*, user, start: date | None = None, end: date | None = None) -> list[dict]:
    """Campaigns and estimated reach by channel in a period (overlapping it). Aggregates only."""
    if not (can(user, Perm.PREVENTION_VIEW) or can(user, Perm.PREVENTION_COUNTS)):
        return []
    campaigns = visible_to(user, Campaign)
    if start:
        campaigns = campaigns.filter(end_date__gte=start)
    if end:
        campaigns = campaigns.filter(start_date__lte=end)
    return list(
        campaigns.values("channel")
        .annotate(campaigns=Count("id"), estimated_reach=Sum("estimated_reach"))
        .order_by("channel")
    )


def assessment_counts(*, user, start: date | None = None, end: date | None = None) -> list[dict]:
    """Assessments by province, subject, risk level and status (referrals). Aggregates only."""
    if not (can(user, Perm.PREVENTION_ASSESS) or can(user, Perm.PREVENTION_COUNTS)):
        return []
    assessments = visible_to(user, VulnerabilityAssessment)
    if start:
        assessments = assessments.filter(assessed_on__gte=start)
    if end:
        assessments = assessments.filter(assessed_on__lte=end)
    columns = {
        "province": F("village__commune__district__province__code"),
        "assessed": F("subject"),
    }
    return list(
        assessments.values(**columns, risk=F("level"), state=F("status"))
        .annotate(assessments=Count("id"))
        .order_by("province", "assessed", "risk", "state")
    )


def dashboard_counts(*, user) -> dict:
    """The figures on the prevention home page, in a fixed number of queries."""
    return {
        "programmes": visible_to(user, Programme).filter(is_active=True).count(),
        "groups": visible_to(user, Group).filter(is_active=True).count(),
        "members": visible_to(user, Member).filter(is_active=True).count(),
        "open_high": visible_to(user, VulnerabilityAssessment)
        .filter(status="open", level="high")
        .count(),
    }
