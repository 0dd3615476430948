"""Partner case-management systems around CTIP and the ids they give CTIP's cases.

A `PartnerSystem` is one installation of Primero/CPIMS+ (social-affairs ministry) or OSCaR
(NGOs) that exchanges cases with CTIP on behalf of one CTIP organisation: it calls CTIP's API
with the token of a supervisor of that organisation, and the cases it creates belong to it.
What CTIP sends goes to the `recipient`, the organisation that runs the partner system: the
survivor's sharing consent must name it (ctip.cases.services.consent_given), and a case leaves
CTIP only while that consent stands.

An `ExternalReference` maps the partner's own record id to a CTIP case (and so to its survivor),
once per system: the same external id always reaches the same case, which makes upserts
idempotent.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class PartnerKind(models.TextChoices):
    PRIMERO = "primero", _("Primero / CPIMS+")
    OSCAR = "oscar", _("OSCaR")
    OTHER = "other", _("Other (CTIP's own field names)")


class PartnerSystem(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="partner_systems",
        verbose_name=_("acts for"),
    )
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("run by (receives the data)"),
        help_text=_("The organisation the survivor's consent to share must name."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    last_pulled_at = models.DateTimeField(_("last read changes"), null=True, blank=True)
    last_pushed_at = models.DateTimeField(_("last sent a case"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="interop_system_name_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(organisation=models.F("recipient")),
                name="interop_system_recipient_other",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExternalReference(BaseModel):
    system = models.ForeignKey(
        PartnerSystem,
        on_delete=models.PROTECT,
        related_name="references",
        verbose_name=_("partner system"),
    )
    external_id = models.CharField(_("id in the partner system"), max_length=100)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="external_references",
        verbose_name=_("case"),
    )
    last_synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)

    class Meta:
        ordering = ["system", "external_id"]
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "external_id"], name="interop_ref_external_unique"
            ),
            # One id per case in each partner system: two ids for one survivor is a duplicate.
            models.UniqueConstraint(fields=["system", "case"], name="interop_ref_case_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.external_id}"
