"""Referrals: a case sent from one organisation to a partner, for a service or for a transfer
of responsibility, sharing only the sections it names; and the directory of partner services.

While a referral is ACCEPTED, the receiving organisation sees the case and the named sections
(see ctip/access/rules/cases.py). Pending, declined and withdrawn referrals share nothing but
the referral itself. On acceptance of a transfer the case's owning organisation changes and the
sender keeps read access to the records it wrote.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class ReferralKind(models.TextChoices):
    SERVICE = "service", _("For a service")
    TRANSFER = "transfer", _("Transfer of responsibility")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (today)")
    URGENT = "urgent", _("Urgent (this week)")
    ROUTINE = "routine", _("Routine")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Section(models.TextChoices):
    """What a referral may share. Each names a `share_<value>` flag on Referral."""

    IDENTITY = "identity", _("Basic identity and needs")
    PROFILE = "profile", _("Trafficking profile")
    ASSESSMENTS = "assessments", _("Assessments")
    CARE_PLAN = "care_plan", _("Care plan")
    SERVICES = "services", _("Services delivered")
    NOTES = "notes", _("Case notes")
    # Issue 17: for a legal-aid partner. The facts of the exploitation a lawyer needs (never the
    # abuse narrative or other restricted fields), the proceedings the reader's organisation
    # already follows, and the services the partner gives under the referral. A role that does
    # not read cases (a legal officer) sees this section and nothing else of the case
    # (ctip/access/rules/aftercare.py SECTION_CASE_FIELDS).
    LEGAL = "legal", _("Legal support")


class ServiceCategory(models.TextChoices):
    SHELTER = "shelter", _("Shelter and aftercare")
    MEDICAL = "medical", _("Medical care")
    COUNSELLING = "counselling", _("Counselling and mental health")
    LEGAL = "legal", _("Legal aid")
    EDUCATION = "education", _("Education and schooling")
    VOCATIONAL = "vocational", _("Vocational training and jobs")
    FAMILY = "family", _("Family tracing and reintegration")
    REPATRIATION = "repatriation", _("Repatriation")


class PartnerService(BaseModel):
    """An entry of the directory: a service an organisation offers, and where."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="partner_services",
        verbose_name=_("organisation"),
    )
    category = models.CharField(_("service"), max_length=20, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    provinces = models.ManyToManyField(
        "places.Province", blank=True, related_name="+", verbose_name=_("provinces served")
    )
    contact = models.CharField(_("contact for referrals"), max_length=200, blank=True)
    is_active = models.BooleanField(_("taking referrals"), default=True)

    class Meta:
        ordering = ["category", "organisation__name"]
        verbose_name = _("partner service")
        verbose_name_plural = _("partner services")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_category_display()}"


class Referral(BaseModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReferralKind.choices)
    from_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    service = models.CharField(
        _("service asked for"), max_length=20, choices=ServiceCategory.choices, blank=True
    )
    reason = models.TextField(_("reason"))
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    share_identity = models.BooleanField(_("basic identity and needs"), default=True)
    share_profile = models.BooleanField(_("trafficking profile"), default=False)
    share_assessments = models.BooleanField(_("assessments"), default=False)
    share_care_plan = models.BooleanField(_("care plan"), default=False)
    share_services = models.BooleanField(_("services delivered"), default=False)
    share_notes = models.BooleanField(_("case notes"), default=False)
    share_legal = models.BooleanField(_("legal support"), default=False)
    # What the receiver may see while deciding, without opening the case: sex and age.
    survivor_sex = models.CharField(_("sex"), max_length=1, blank=True)
    survivor_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )
    consent_overridden = models.BooleanField(_("sent without consent (override)"), default=False)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referral_to_status"),
            models.Index(fields=["from_organisation", "status"], name="referral_from_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_organisation}"

    @property
    def sections(self) -> list[str]:
        """The values of the sections this referral shares, in Section order."""
        return [s for s in Section.values if getattr(self, f"share_{s}")]

    def shares(self, section: str) -> bool:
        return bool(getattr(self, f"share_{section}", False))


class MatchReveal(models.TextChoices):
    """What one organisation's duplicate reviewers learn of the other's matching records."""

    NONE = "none", _("Nothing")
    EXISTENCE = "existence", _("That a partner holds a possible match (no name, no details)")
    CONTACT = "contact", _("Which organisation holds it, and whom to contact")


# From least to most revealed: where two agreements are in force, the least revealing wins.
MATCH_REVEAL_ORDER = (MatchReveal.NONE, MatchReveal.EXISTENCE, MatchReveal.CONTACT)


class DataSharingAgreement(BaseModel):
    """A data-sharing agreement between two organisations, as signed, in force between the
    dates. It decides what the duplicate review queue reveals to each of them about the
    other's records (ctip/access/rules/matching.py): without one, nothing. It shares no
    record: a child's details travel only through a consented referral. It binds both
    organisations alike, whichever is named first."""

    organisation_a = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    organisation_b = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    reference = models.CharField(_("agreement reference"), max_length=60, blank=True)
    reveal_matches = models.CharField(
        _("possible duplicates revealed"),
        max_length=20,
        choices=MatchReveal.choices,
        default=MatchReveal.NONE,
    )
    # Shown with a possible match under "contact", so that a referral can be started.
    contact_a = models.CharField(_("contact at the organisation"), max_length=200, blank=True)
    contact_b = models.CharField(_("contact at the partner"), max_length=200, blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organisation_a=models.F("organisation_b")),
                name="agreement_two_organisations",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_a} ↔ {self.organisation_b} ({self.reveal_matches})"

    def contact_at(self, organisation_id: int) -> str:
        return self.contact_a if organisation_id == self.organisation_a_id else self.contact_b
