"""Reference data: Cambodia's administrative divisions (NCDD gazetteer codes) and countries.

Codes are the official ones and serve as primary keys, so an address reads the same in every
export. Codes retired by NCDD stay loaded with `is_active=False` so old records keep pointing
somewhere real.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedPlace(models.Model):
    name_en = models.CharField(_("name (Latin)"), max_length=120)
    name_km = models.CharField(_("name (Khmer)"), max_length=120, blank=True)
    is_active = models.BooleanField(_("current"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language: Khmer when the page is in Khmer.

        Falls back to the other script when one is empty (village 02010508 has no Latin name).
        """
        if get_language() == "km" and self.name_km:
            return self.name_km
        return self.name_en or self.name_km


class Province(NamedPlace):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    iso3166_2 = models.CharField(_("ISO 3166-2"), max_length=6, unique=True)
    name_ungegn = models.CharField(_("UNGEGN name"), max_length=120, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class District(NamedPlace):
    code = models.CharField(_("code"), max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    type = models.CharField(_("type"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Commune(NamedPlace):
    code = models.CharField(_("code"), max_length=6, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communes")
    type = models.CharField(_("type"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")


class Village(NamedPlace):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="villages")

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")


class Country(NamedPlace):
    """ISO 3166-1 countries; `code` is alpha-2."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("alpha-3 code"), max_length=3, unique=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
