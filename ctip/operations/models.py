"""Rescue and removal operations, the people found in them, victim screening with its
indicator instrument (kept as data), and the hand-off of a victim to an organisation that
opens a case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel
from ctip.intake.models import EstablishmentType
from ctip.people.models import Sex


class OperationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CARRIED_OUT = "carried_out", _("Carried out")
    CANCELLED = "cancelled", _("Cancelled")


class Operation(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="operations",
        verbose_name=_("leading organisation"),
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OperationStatus.choices, default=OperationStatus.PLANNED
    )
    planned_for = models.DateTimeField(_("date and time"))
    province = models.ForeignKey(
        "places.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    location_text = models.CharField(_("location"), max_length=300)
    establishment_type = models.CharField(
        _("establishment"), max_length=20, choices=EstablishmentType.choices
    )
    agencies = models.CharField(_("agencies involved"), max_length=500, blank=True)
    reports = models.ManyToManyField(
        "intake.Report", blank=True, related_name="operations", verbose_name=_("reports")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    class Meta:
        ordering = ["-planned_for"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")

    def __str__(self) -> str:
        return self.reference


class FoundPerson(BaseModel):
    """Someone found during an operation, victim or not: recorded minimally, with dignity."""

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="found", verbose_name=_("operation")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    circumstances = models.CharField(_("where and how found"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("person found")
        verbose_name_plural = _("people found")
        constraints = [
            models.UniqueConstraint(fields=["operation", "person"], name="ops_found_once")
        ]

    def __str__(self) -> str:
        return f"{self.operation} · {self.person_id}"


class InstrumentStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional")
    VALIDATED = "validated", _("Validated")
    RETIRED = "retired", _("Retired")


class Instrument(BaseModel):
    """A version of the screening checklist: indicators and the decision rule, as data."""

    name = models.CharField(_("name"), max_length=200)
    version_label = models.CharField(_("version"), max_length=40, unique=True)
    source = models.TextField(_("source"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.PROVISIONAL,
    )
    # {"dimension_positive": [{"strong": 2}, ...], "adult": {...}, "child": {...}}; read by
    # ctip/operations/screening.py.
    rule = models.JSONField(_("decision rule"))
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening instrument")
        verbose_name_plural = _("screening instruments")

    def __str__(self) -> str:
        return f"{self.name} {self.version_label}"


class Strength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


class Indicator(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="indicators")
    list_code = models.CharField(_("list"), max_length=20)
    dimension = models.CharField(_("dimension"), max_length=40)
    dimension_label = models.CharField(_("dimension"), max_length=120)
    strength = models.CharField(_("strength"), max_length=6, choices=Strength.choices)
    code = models.CharField(_("code"), max_length=80)
    text = models.CharField(_("indicator"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "list_code", "code"], name="ops_indicator_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class ScreeningResult(models.TextChoices):
    IDENTIFIED = "identified", _("Identified victim")
    POSSIBLE = "possible", _("Possible victim: needs further assessment")
    NOT_VICTIM = "not_victim", _("Not a victim")


class Screening(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    found_person = models.ForeignKey(
        FoundPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("found in operation"),
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    list_code = models.CharField(_("list"), max_length=20)
    is_child = models.BooleanField(_("under 18"))
    commercial_sexual_exploitation = models.BooleanField(
        _("in commercial sexual exploitation"), default=False
    )
    indicator_codes = models.JSONField(_("indicators observed"), default=list, blank=True)
    computed_result = models.CharField(
        _("result of the rule"), max_length=12, choices=ScreeningResult.choices
    )
    # Why the rule gave its result: positive dimensions, child rule; shown beside the result.
    basis = models.JSONField(_("basis"), default=dict, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=ScreeningResult.choices)
    override_reason = models.CharField(_("reason for the result"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=3000)
    revised_at = models.DateTimeField(_("revised"), null=True, blank=True)
    revision_reason = models.CharField(_("reason for the revision"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{self.get_result_display()} ({self.created_at:%Y-%m-%d})"


class HandOffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class HandOff(BaseModel):
    """An identified or possible victim handed on to an organisation that opens a case.

    Small and stable on purpose: case management reads pending hand-offs for its organisation
    and, once a case is open, calls `handoff_decide(..., accept=True)`.
    """

    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, related_name="handoffs", verbose_name=_("screening")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    from_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="handoffs_sent",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="handoffs_received",
        verbose_name=_("to"),
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # The hand-off's own summary, copied from the person when it is sent: the receiver decides
    # (and prepares a bed) on it before it may see the person's record (access: people rule).
    child_name = models.CharField(_("name"), max_length=300, blank=True)
    child_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    child_sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    child_languages = models.CharField(_("languages"), max_length=200, blank=True)
    urgent_needs = models.TextField(_("urgent needs"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=HandOffStatus.choices, default=HandOffStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "to_organisation"],
                condition=models.Q(status="pending"),
                name="ops_one_pending_handoff",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation_id}→{self.to_organisation_id} ({self.status})"
