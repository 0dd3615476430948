"""Care: assessment instruments and assessments, care plans, the service catalogue and services
delivered.

Instruments are data, not code: an instrument has domains and score levels, and an assessment
stores one score per domain, so a new instrument needs no migration.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class Bilingual(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "km" and self.name_km:
            return self.name_km
        return self.name


class InstrumentKind(models.TextChoices):
    NEEDS = "needs", _("Needs assessment")
    RISK = "risk", _("Risk assessment")


class Instrument(Bilingual):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=InstrumentKind.choices)
    description = models.TextField(_("description"), blank=True)
    # How often the instrument is repeated; the next assessment falls due this many days later.
    repeat_every_days = models.PositiveSmallIntegerField(_("repeat every (days)"), default=90)
    # Whether a higher score means better (well-being) or worse (risk).
    higher_is_better = models.BooleanField(_("higher scores are better"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")


class Domain(Bilingual):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="domains")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["instrument", "order", "id"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="domain_code_unique")
        ]


class Level(Bilingual):
    """One point on an instrument's scale, e.g. 1 "Very poor" … 4 "Good"."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="levels")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["instrument", "score"]
        verbose_name = _("score level")
        verbose_name_plural = _("score levels")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "score"], name="level_score_unique")
        ]


class Assessment(BaseModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("case")
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    summary = models.TextField(_("summary"), blank=True)
    next_due_on = models.DateField(_("next assessment due"), null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.instrument} {self.assessed_on}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["domain__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="score_domain_unique")
        ]

    def __str__(self) -> str:
        return f"{self.domain_id}: {self.score}"


class CarePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class CarePlan(BaseModel):
    """The individual care plan of a case: goals per domain, actions, reviews on a schedule."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="care_plans", verbose_name=_("case")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CarePlanStatus.choices, default=CarePlanStatus.DRAFT
    )
    starts_on = models.DateField(_("starts on"))
    review_every_days = models.PositiveSmallIntegerField(_("review every (days)"), default=90)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")

    def __str__(self) -> str:
        return f"{self.case} {self.starts_on}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    MET = "met", _("Met")
    DROPPED = "dropped", _("Dropped")


class Goal(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="+", verbose_name=_("domain")
    )
    description = models.TextField(_("goal"))
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )

    class Meta:
        ordering = ["domain__order", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.description[:60]


class Action(BaseModel):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(_("action"), max_length=300)
    # The owner is the own organisation or a partner.
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.description


class Review(BaseModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    notes = models.TextField(_("notes"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("care plan review")
        verbose_name_plural = _("care plan reviews")

    def __str__(self) -> str:
        return f"{self.reviewed_on}"


class ServiceCategory(models.TextChoices):
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    LEGAL = "legal", _("Legal")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training")
    FAMILY = "family", _("Family")
    BASIC_NEEDS = "basic_needs", _("Basic needs")


class ServiceType(Bilingual):
    """An entry of the service catalogue."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("service catalogue")


class DeliveryStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested of a partner")
    CONFIRMED = "confirmed", _("Confirmed by the partner")
    DECLINED = "declined", _("Declined by the partner")
    DELIVERED = "delivered", _("Delivered")


class ServiceDelivery(BaseModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="services", verbose_name=_("case")
    )
    service = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="services_provided",
        verbose_name=_("provider"),
    )
    status = models.CharField(_("status"), max_length=20, choices=DeliveryStatus.choices)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    partner_comment = models.TextField(_("partner's comment"), blank=True)

    class Meta:
        ordering = ["-delivered_on", "-requested_on", "-id"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        indexes = [
            models.Index(fields=["provider", "status"], name="delivery_provider_status"),
            # Statistics count services delivered by period (bench/reports.py).
            models.Index(fields=["delivered_on"], name="delivery_delivered_on"),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_status_display()})"
