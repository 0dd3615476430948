"""Possible duplicates of people, the reviewers' decisions, and the identity clusters they form.

Matching across organisations without a shared table of names
-------------------------------------------------------------
To find that organisation B's "Sophol Sok" may be organisation A's "Sok Sophal", something must
be shared across organisations; it must not be their names. Each person gets a few *blocking
keys*, built from normalised values (ctip/matching/keys.py): name keys with a birth year,
Khmer-script name, phone number, identity-document number. What is stored in `MatchKey` is
not the key but HMAC-SHA256(K, key), where K is derived from settings.SECRET_KEY for this one
purpose. Two records with the same normalised key have the same digest, so candidates are found
with one indexed equality lookup across all organisations; the table itself holds no name, date
or number, and without K the digests cannot be reversed by trying the (few thousand) common
Khmer names, which a plain hash would allow. Scoring a candidate pair then reads the two records
inside the server (the matcher acts for the system, not for a user); what a reviewer is shown
follows the access rules (ctip/access/rules/matching.py and selectors.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class MatchKey(models.Model):
    """One keyed hash of a normalised blocking key of a person. Derived data: rebuilt whenever
    the person changes."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "digest"], name="matching_key_once")
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    # Across organisations: one side asked to link, the other has not answered yet.
    REQUESTED = "requested", _("Linking requested")
    CONFIRMED = "confirmed", _("Confirmed: the same person")
    REJECTED = "rejected", _("Rejected: different people")
    UNDONE = "undone", _("Link undone")


OPEN_STATUSES = (CandidateStatus.PENDING, CandidateStatus.REQUESTED)


class MatchCandidate(BaseModel):
    """A pair of person records that the model scored as possibly the same person.

    `person_a` is always the record with the lower id, so a pair is stored once. The evidence
    says which fields agreed, as level labels ("same name, another spelling"), never values.
    """

    person_a = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("record A")
    )
    person_b = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("record B")
    )
    organisation_a = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    organisation_b = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linking requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("possible match")
        verbose_name_plural = _("possible matches")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="matching_pair_once"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="matching_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="matching_status_prob")]

    def __str__(self) -> str:
        return f"{self.person_a_id}~{self.person_b_id} ({self.probability:.2f})"

    @property
    def is_cross_organisation(self) -> bool:
        return self.organisation_a_id != self.organisation_b_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IdentityMember(models.Model):
    """A person's identity cluster: the records confirmed to be one person share `cluster`.

    Records are never merged or deleted; the cluster is recomputed from confirmed links, so
    undoing a link splits the cluster again.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="identity"
    )
    cluster = models.UUIDField(_("identity cluster"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity cluster member")
        verbose_name_plural = _("identity cluster members")

    def __str__(self) -> str:
        return f"{self.person_id} in {self.cluster}"
