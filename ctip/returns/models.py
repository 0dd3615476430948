"""Repatriation (cross-border returns), reintegration plans, follow-up visits, re-trafficking
flags.

Follow-up outcomes are recorded as care assessments (ctip/care), on the same domains as the
assessments made during care, so a survivor's change can be read across years on one chart.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel

# Months after reintegration at which follow-up visits fall due, unless a plan says otherwise:
# three years of visits, closer together in the first year.
DEFAULT_FOLLOW_UP_MONTHS = [1, 3, 6, 12, 18, 24, 36]


class ReturnDirection(models.TextChoices):
    TO_CAMBODIA = "to_kh", _("Cambodian returned to Cambodia")
    FROM_CAMBODIA = "from_kh", _("Foreign national returned from Cambodia")


class ReturnStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CLEARED = "cleared", _("Documents and family checks done")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


class Return(BaseModel):
    """One cross-border return of a survivor, in either direction."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="returns",
        verbose_name=_("organisation"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="returns", verbose_name=_("case")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=ReturnDirection.choices)
    # The other country: where a Cambodian returns from, or where a foreign national goes.
    country = models.ForeignKey(
        "places.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    sending_authority = models.CharField(_("sending authority"), max_length=200, blank=True)
    sending_organisation = models.CharField(_("sending organisation"), max_length=200, blank=True)
    receiving_authority = models.CharField(_("receiving authority"), max_length=200, blank=True)
    receiving_organisation = models.CharField(
        _("receiving organisation"), max_length=200, blank=True
    )
    crossing_point = models.CharField(_("border crossing or airport"), max_length=200)
    planned_on = models.DateField(_("planned date"))
    returned_on = models.DateField(_("actual date"), null=True, blank=True)
    documents = models.TextField(_("travel and identity documents"), blank=True)
    escort = models.CharField(_("escort"), max_length=200, blank=True)
    family_traced = models.BooleanField(_("family traced"), default=False)
    home_assessed_on = models.DateField(_("home assessment done on"), null=True, blank=True)
    home_assessment = models.TextField(_("home assessment findings"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [models.Index(fields=["status", "country"], name="return_status_country")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.country_id} {self.planned_on}"


class ReintegrationOption(models.TextChoices):
    FAMILY = "family", _("Family reconciliation")
    KINSHIP_FOSTER = "kinship_foster", _("Kinship or foster care")
    GROUP_HOME = "group_home", _("Small group home")
    INDEPENDENT = "independent", _("Independent living")


class ReintegrationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REINTEGRATED = "reintegrated", _("Reintegrated")
    ENDED = "ended", _("Follow-up ended")
    BROKE_DOWN = "broke_down", _("Broke down")


class Readiness(models.IntegerChoices):
    NOT_READY = 1, _("Not ready")
    MAJOR_CONCERNS = 2, _("Ready with major concerns")
    MINOR_CONCERNS = 3, _("Ready with minor concerns")
    READY = 4, _("Ready")


class ReintegrationPlan(BaseModel):
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="reintegration_plans",
        verbose_name=_("case"),
    )
    option = models.CharField(_("option"), max_length=20, choices=ReintegrationOption.choices)
    # Where the survivor will live: confidential, it is how a trafficker would find them.
    destination = models.CharField(_("where the survivor will live"), max_length=300)
    caregiver = models.CharField(_("caregiver"), max_length=200, blank=True)
    family_readiness = models.PositiveSmallIntegerField(
        _("family readiness"), choices=Readiness.choices
    )
    community_readiness = models.PositiveSmallIntegerField(
        _("community readiness"), choices=Readiness.choices
    )
    readiness_notes = models.TextField(_("readiness assessment"), blank=True)
    assessed_on = models.DateField(_("readiness assessed on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReintegrationStatus.choices,
        default=ReintegrationStatus.PLANNED,
    )
    reintegrated_on = models.DateField(_("reintegrated on"), null=True, blank=True)
    follow_up_months = models.JSONField(
        _("follow-up visits (months after reintegration)"), default=list
    )

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")

    def __str__(self) -> str:
        return f"{self.get_option_display()} ({self.get_status_display()})"


class FollowUpVisit(BaseModel):
    plan = models.ForeignKey(
        ReintegrationPlan,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("reintegration plan"),
    )
    months_after = models.PositiveSmallIntegerField(_("months after reintegration"))
    due_on = models.DateField(_("due on"))
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visited_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visited by"),
    )
    # The outcome measures: an assessment of the case, on the care domains.
    assessment = models.OneToOneField(
        "care.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_visit",
        verbose_name=_("outcome assessment"),
    )
    living_where_planned = models.BooleanField(_("living where planned"), null=True, blank=True)
    in_school_or_work = models.BooleanField(_("in school or work"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            models.UniqueConstraint(fields=["plan", "months_after"], name="visit_plan_month")
        ]

    def __str__(self) -> str:
        return f"{self.months_after} m · {self.due_on}"


class ReTraffickingFlag(BaseModel):
    """Raised when a person with a completed reintegration appears again in a report, an
    operation or a new case. The reintegrating organisation is alerted."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation alerted"),
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    plan = models.ForeignKey(
        ReintegrationPlan,
        on_delete=models.PROTECT,
        related_name="flags",
        verbose_name=_("reintegration"),
    )
    source_type = models.CharField(_("appeared in"), max_length=60)
    source_uuid = models.CharField(_("source reference"), max_length=60)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    raised_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by organisation"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("re-trafficking flag")
        verbose_name_plural = _("re-trafficking flags")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source_type", "source_uuid"], name="flag_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_type} {self.source_label}"
