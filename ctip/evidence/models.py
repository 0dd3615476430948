"""Evidence items, their chain of custody, and the standard medical examination certificate.

An item is written once and never changed: the file on disk is the original as uploaded, and
its SHA-256 was computed by the server from the bytes it stored. Database triggers refuse
UPDATE and DELETE on items, custody events and certificates (ctip/evidence/triggers.py), so the
service refusing is not the only defence. A correction is a new item pointing to the one it
corrects. Custody events are hash-chained per item and sealed with the audit key (HMAC-SHA256,
ctip/audit/keys.py), as the audit log is: whoever owns the database cannot recompute them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel

GENESIS_HASH = "0" * 64


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    PHOTO = "photo", _("Photo")
    RECORDING = "recording", _("Audio or video recording")
    MEDICAL = "medical", _("Medical report")
    PHYSICAL = "physical", _("Physical item (described)")
    OTHER = "other", _("Other")


# Never alter these tables' columns in a migration: on SQLite, Django rebuilds a table to do
# it, and the rebuilt table loses the triggers (a test checks they are in place).
class EvidenceItem(BaseModel):
    investigation = models.ForeignKey(
        "justice.Investigation",
        on_delete=models.PROTECT,
        related_name="evidence_items",
        verbose_name=_("investigation"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    collected_on = models.DateField(_("collected on"))
    collected_at = models.CharField(_("collected at (place)"), max_length=200, blank=True)
    # Storage path relative to MEDIA_ROOT; chosen by the server, never from the upload's name.
    file_path = models.CharField(_("stored file"), max_length=200, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return bool(self.file_path)


class CustodyAction(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    RECEIVED = "received", _("Received")
    TRANSFERRED = "transferred", _("Transferred")
    VIEWED = "viewed", _("Viewed")
    COPIED = "copied", _("Copied")
    EXPORTED = "exported", _("Exported")
    RETURNED = "returned", _("Returned")


class CustodyEvent(models.Model):
    """One link of an item's chain of custody: who, when, where, why."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=20, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=254)
    location = models.CharField(_("where"), max_length=200, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    handed_to = models.CharField(_("handed to"), max_length=200, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    # HMAC-SHA256 under the audit key named by `key_id` (services.custody_hash).
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # The audit key the hash was sealed with (ctip/audit/keys.py). Nullable only so that adding
    # the column did not rebuild the table on SQLite (which would drop the triggers); every
    # event sealed since migration 0005 carries one, and verify_custody refuses one without.
    key_id = models.CharField(_("audit key"), max_length=16, null=True, blank=True)

    class Meta:
        ordering = ["item", "seq"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="evidence_custody_seq_once")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor")
    PARENT = "parent", _("Parent or guardian")
    SOCIAL_WORKER = "social_worker", _("Social worker acting as guardian")
    COURT = "court", _("Ordered by the court")


class MedicalCertificate(BaseModel):
    """The standard medical examination certificate, as structured fields.

    Completing it creates an evidence item: the PDF (Khmer and English) carrying the SHA-256 of
    these fields' canonical content. A correction is a new certificate and a new item.
    """

    item = models.OneToOneField(
        EvidenceItem, on_delete=models.PROTECT, related_name="medical_certificate"
    )
    examined_person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("examined")
    )
    doctor_name = models.CharField(_("examining doctor"), max_length=200)
    facility = models.CharField(_("health facility"), max_length=200)
    examined_at = models.DateTimeField(_("date and time of examination"))
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    consent_given = models.BooleanField(_("consent to the examination given"))
    consent_by = models.CharField(
        _("consent given by"), max_length=20, choices=ConsentGiver.choices
    )
    estimated_age_min = models.PositiveSmallIntegerField(_("estimated age from"), null=True)
    estimated_age_max = models.PositiveSmallIntegerField(_("estimated age to"), null=True)
    age_method = models.CharField(_("age estimation method"), max_length=200, blank=True)
    physical_findings = models.TextField(_("physical findings"))
    genital_findings = models.TextField(_("genital and anal findings"), blank=True)
    injuries = models.TextField(_("injuries"), blank=True)
    samples_taken = models.TextField(_("samples taken"), blank=True)
    conclusion = models.TextField(_("conclusion"))
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)

    class Meta:
        ordering = ["-examined_at", "-id"]
        verbose_name = _("medical examination certificate")
        verbose_name_plural = _("medical examination certificates")

    def __str__(self) -> str:
        return f"{self.facility} {self.examined_at:%Y-%m-%d}"
