"""A person known to CTIP (survivor, family member, suspect, witness).

The foundation keeps only what the access policy needs to be shown working; the case-management
issue extends it (aliases, documents, relationships).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    OTHER = "x", _("Other")
    UNKNOWN = "u", _("Unknown")


class Person(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("owning organisation"),
    )
    given_name = models.CharField(_("given name (romanised)"), max_length=100, blank=True)
    family_name = models.CharField(_("family name (romanised)"), max_length=100, blank=True)
    name_km = models.CharField(_("name in Khmer script"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    nationality = models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    home_village = models.ForeignKey(
        "places.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home village"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    protection_notes = models.TextField(_("protection notes"), blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in [self.family_name, self.given_name] if p)
        return latin or self.name_km or str(self.uuid)[:8]
