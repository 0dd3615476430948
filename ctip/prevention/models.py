"""Prevention and partnership: vulnerability assessments, programmes, groups and their members,
sessions and attendance, trainings of officials and awareness campaigns.

Children reached by prevention work usually have no case, so they are not `people.Person`
records: a `Member` keeps the minimum needed to count them once (a name to tick on a list, sex,
birth year or age band, village).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    OTHER = "x", _("Other")
    UNKNOWN = "u", _("Unknown")


class AgeBand(models.TextChoices):
    """The bands that reach is reported by; children are the first three."""

    UNDER_12 = "0-11", _("0–11")
    FROM_12 = "12-14", _("12–14")
    FROM_15 = "15-17", _("15–17")
    FROM_18 = "18-24", _("18–24")
    FROM_25 = "25-59", _("25–59")
    FROM_60 = "60+", _("60 and over")
    UNKNOWN = "unknown", _("Unknown")


CHILD_BANDS = (AgeBand.UNDER_12, AgeBand.FROM_12, AgeBand.FROM_15)


def age_band_for(age: int | None) -> str:
    """The band of an age in whole years; unknown for None."""
    if age is None:
        return AgeBand.UNKNOWN
    for limit, band in ((12, "0-11"), (15, "12-14"), (18, "15-17"), (25, "18-24"), (60, "25-59")):
        if age < limit:
            return band
    return AgeBand.FROM_60


# --- vulnerability assessments -------------------------------------------------------------------


class Indicator(models.Model):
    """A risk factor of trafficking, with the weight it adds to an assessment's score.

    Held as data so that programmes can tune weights without a release; each assessment keeps
    the weights it was scored with (`AssessmentFactor.weight`), so an old score stays explained.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    label_km = models.CharField(_("label in Khmer"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("vulnerability indicator")
        verbose_name_plural = _("vulnerability indicators")

    def __str__(self) -> str:
        return self.label


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AssessmentSubject(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    CHILD = "child", _("Child")


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REFERRED_PROGRAMME = "referred_programme", _("Referred to a programme")
    REFERRED_INTAKE = "referred_intake", _("Referred to intake: child in danger")
    CLOSED = "closed", _("Closed")


class VulnerabilityAssessment(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="vulnerability_assessments",
        verbose_name=_("organisation"),
    )
    subject = models.CharField(_("assessed"), max_length=12, choices=AssessmentSubject.choices)
    subject_name = models.CharField(
        _("household or child"),
        max_length=200,
        help_text=_("A name to recognise them by, e.g. the head of household."),
    )
    child_sex = models.CharField(
        _("sex of the child"), max_length=1, choices=Sex.choices, blank=True
    )
    child_birth_year = models.PositiveSmallIntegerField(
        _("birth year of the child"), null=True, blank=True
    )
    village = models.ForeignKey(
        "places.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    assessed_on = models.DateField(_("assessed on"))
    notes = models.TextField(_("notes"), blank=True)
    # Stored with the factors that produced it: the sum of their weights.
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.OPEN,
    )
    referred_programme = models.ForeignKey(
        "Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred to programme"),
    )
    referral_reason = models.TextField(_("reason for referral"), blank=True)
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    # Set when intake has turned a danger referral into a report (wired by the lead).
    intake_report_uuid = models.UUIDField(_("intake report"), null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("vulnerability assessment")
        verbose_name_plural = _("vulnerability assessments")

    def __str__(self) -> str:
        return f"{self.subject_name} ({self.assessed_on})"


class AssessmentFactor(models.Model):
    """An indicator found present in an assessment, with the weight it counted for."""

    assessment = models.ForeignKey(
        VulnerabilityAssessment, on_delete=models.CASCADE, related_name="factors"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        ordering = ["-weight", "indicator__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="prevention_factor_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} (+{self.weight})"


# --- programmes, groups, members -----------------------------------------------------------------


class ProgrammeKind(models.TextChoices):
    CHILDRENS_CLUB = "childrens_club", _("Children's clubs")
    COMMUNITY_EDUCATION = "community_education", _("Community education")
    PARENT_GROUP = "parent_group", _("Parent groups")
    SCHOOL = "school", _("School programme")
    CHILD_SAFE_TOURISM = "child_safe_tourism", _("Child-safe tourism")
    ECONOMIC_SUPPORT = "economic_support", _("Economic support")


class TargetGroup(models.TextChoices):
    CHILDREN = "children", _("Children")
    ADOLESCENTS = "adolescents", _("Adolescents")
    PARENTS = "parents", _("Parents and caregivers")
    COMMUNITY = "community", _("Community members")
    TEACHERS = "teachers", _("Teachers and schools")
    TOURISM = "tourism", _("Tourism businesses")
    HOUSEHOLDS_AT_RISK = "households_at_risk", _("Households at risk")


class Programme(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="prevention_programmes",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProgrammeKind.choices)
    target_group = models.CharField(_("target group"), max_length=24, choices=TargetGroup.choices)
    provinces = models.ManyToManyField(
        "places.Province", related_name="+", verbose_name=_("provinces")
    )
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="prevention_programme_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Group(BaseModel):
    """A club, parent group or class that meets regularly and has registered members."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="groups", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        "places.Village",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
    )
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    facilitators = models.CharField(
        _("facilitators"),
        max_length=300,
        blank=True,
        help_text=_("Staff or volunteers who run the meetings, separated by commas."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Member(BaseModel):
    """Someone registered in a group: the minimum to tick them and count them once."""

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="members", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    # From the birth year at registration when it is known; reach is counted by this band.
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    village = models.ForeignKey(
        "places.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    walk_in = models.BooleanField(_("joined as a walk-in"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Set when the member leaves: off the attendance list from then on, their attendance kept.
    left_on = models.DateField(_("left the group on"), null=True, blank=True)
    left_reason = models.CharField(_("why they left"), max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name

    @property
    def is_child(self) -> bool:
        return self.age_band in CHILD_BANDS


# --- sessions and attendance ---------------------------------------------------------------------


class Session(BaseModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("programme")
    )
    # Empty for community sessions that have no registered group.
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("group"),
    )
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    village = models.ForeignKey(
        "places.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    # Headcounts of people not registered individually: they add to participation, but cannot
    # be told apart from one session to the next, so they are never added to unique reach.
    unregistered_girls = models.PositiveIntegerField(_("unregistered girls"), default=0)
    unregistered_boys = models.PositiveIntegerField(_("unregistered boys"), default=0)
    unregistered_women = models.PositiveIntegerField(_("unregistered women"), default=0)
    unregistered_men = models.PositiveIntegerField(_("unregistered men"), default=0)
    attendance_taken_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.topic} ({self.date})"

    @property
    def unregistered_total(self) -> int:
        return (
            self.unregistered_girls
            + self.unregistered_boys
            + self.unregistered_women
            + self.unregistered_men
        )


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendances")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="prevention_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.session_id}"


# --- trainings of officials ----------------------------------------------------------------------


class Institution(models.TextChoices):
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutors")
    JUDGE = "judge", _("Judges")
    SOCIAL_WORKER = "social_worker", _("Social workers")
    BORDER = "border", _("Border officials")
    TOURISM = "tourism", _("Tourism businesses")
    LOCAL_AUTHORITY = "local_authority", _("Local authorities")
    OTHER = "other", _("Other")


class Training(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="prevention_trainings",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    topics = models.TextField(_("topics"), help_text=_("One topic per line."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    province = models.ForeignKey(
        "places.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="prevention_training_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class TrainingParticipant(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    institution = models.CharField(_("institution"), max_length=20, choices=Institution.choices)
    position = models.CharField(_("position"), max_length=120, blank=True)
    # Test scores in percent; either may be missing when a participant missed a test.
    pre_score = models.PositiveSmallIntegerField(_("pre-test score (%)"), null=True, blank=True)
    post_score = models.PositiveSmallIntegerField(_("post-test score (%)"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "name", "id"]
        verbose_name = _("training participant")
        verbose_name_plural = _("training participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(pre_score__lte=100) | Q(pre_score__isnull=True),
                name="prevention_pre_score_percent",
            ),
            models.CheckConstraint(
                condition=Q(post_score__lte=100) | Q(post_score__isnull=True),
                name="prevention_post_score_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- awareness campaigns -------------------------------------------------------------------------


class Channel(models.TextChoices):
    BILLBOARD = "billboard", _("Billboards")
    RADIO = "radio", _("Radio")
    TELEVISION = "television", _("Television")
    SOCIAL_MEDIA = "social_media", _("Social media")
    STICKERS = "stickers", _("Stickers on buses and tuk-tuks")
    EVENT = "event", _("Events")
    PRINT = "print", _("Leaflets and posters")


class Campaign(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="prevention_campaigns",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    provinces = models.ManyToManyField(
        "places.Province", related_name="+", verbose_name=_("provinces")
    )
    places = models.TextField(_("places"), blank=True)
    estimated_reach = models.PositiveIntegerField(_("estimated reach"), default=0)
    reach_method = models.CharField(_("how the reach was estimated"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="prevention_campaign_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name
