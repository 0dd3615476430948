"""Shelters: facilities owned by organisations, their places by sex and age band, placements.

Occupancy is never typed by hand: it is the number of placements in a band that have not been
discharged. The sex and age band of a placement are copied at admission, so the capacity board
counts places without ever reading who is there.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class FacilityType(models.TextChoices):
    ASSESSMENT_CENTRE = "assessment_centre", _("Short-term assessment and protection centre")
    AFTERCARE_HOME = "aftercare_home", _("Medium-term aftercare home")
    GROUP_POD = "group_pod", _("Small-group home (pod)")
    TRANSIT_CENTRE = "transit_centre", _("Transit centre")
    FOSTER_FAMILY = "foster_family", _("Foster or kinship family")
    INDEPENDENT_LIVING = "independent_living", _("Independent-living support")


class BandSex(models.TextChoices):
    FEMALE = "f", _("Girls and women")
    MALE = "m", _("Boys and men")
    ANY = "any", _("Any sex")


class Facility(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=FacilityType.choices)
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    # The street address is confidential: a shelter's location protects the children in it.
    address = models.TextField(_("address"), blank=True)
    services = models.TextField(_("services on site"), blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class CapacityBand(models.Model):
    """Places for one sex and age band in a facility, e.g. 60 girls aged 8-18."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="bands", verbose_name=_("facility")
    )
    sex = models.CharField(_("sex"), max_length=3, choices=BandSex.choices)
    age_min = models.PositiveSmallIntegerField(_("from age"))
    age_max = models.PositiveSmallIntegerField(_("to age"))
    places = models.PositiveSmallIntegerField(_("places"))

    class Meta:
        ordering = ["facility", "sex", "age_min"]
        verbose_name = _("capacity band")
        verbose_name_plural = _("capacity bands")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")), name="band_age_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_sex_display()} {self.age_min}-{self.age_max}: {self.places}"

    def fits(self, sex: str, age: int | None) -> bool:
        """True when a person of `sex` and `age` belongs in this band."""
        if self.sex != BandSex.ANY and self.sex != sex:
            return False
        return age is None or self.age_min <= age <= self.age_max


class DischargeReason(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated with family or community")
    TRANSFERRED = "transferred", _("Transferred to another facility")
    REPATRIATED = "repatriated", _("Returned to their country")
    LEFT = "left", _("Left without agreement")
    AGED_OUT = "aged_out", _("Aged out of the programme")
    OTHER = "other", _("Other")


class Placement(BaseModel):
    # A child handed on by the police after a rescue is admitted on the hand-off, before any
    # case is open: then `case` is empty and `handoff` names the child (issue 17).
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("case"),
    )
    handoff = models.ForeignKey(
        "operations.HandOff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("admitted on the hand-off"),
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="placements", verbose_name=_("facility")
    )
    band = models.ForeignKey(
        CapacityBand,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("capacity band"),
    )
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("reason for discharge"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    discharge_notes = models.TextField(_("discharge notes"), blank=True)
    # Set when a manager admitted past capacity; the reason is audited too.
    over_capacity_reason = models.TextField(_("reason for admitting past capacity"), blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )

    class Meta:
        ordering = ["-admitted_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["band", "discharged_on"], name="placement_occupancy")]
        constraints = [
            # A case is in at most one facility at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(discharged_on__isnull=True),
                name="placement_one_current",
            ),
            models.UniqueConstraint(
                fields=["handoff"],
                condition=models.Q(discharged_on__isnull=True),
                name="placement_one_current_handoff",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(handoff__isnull=False),
                name="placement_case_or_handoff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.admitted_on}"

    @property
    def is_current(self) -> bool:
        return self.discharged_on is None

    @property
    def person_id(self) -> int | None:
        """The placed child: the case's survivor, or the person of the hand-off."""
        if self.case_id:
            return self.case.person_id
        return self.handoff.person_id if self.handoff_id else None
