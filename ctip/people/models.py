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


class AgeEstimation(models.TextChoices):
    DOCUMENT = "document", _("From an identity document")
    SELF_REPORTED = "self", _("Told by the person")
    FAMILY = "family", _("Told by family or community")
    MEDICAL = "medical", _("Medical or dental assessment")
    APPEARANCE = "appearance", _("From appearance and development")
    OTHER = "other", _("Other")


class DocumentType(models.TextChoices):
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    FAMILY_BOOK = "family_book", _("Family book")
    RESIDENCE_BOOK = "residence_book", _("Residence book")
    PASSPORT = "passport", _("Passport")
    IDPOOR = "idpoor", _("IDPoor card")
    OTHER = "other", _("Other")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEPPARENT = "stepparent", _("Stepparent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    COUSIN = "cousin", _("Cousin")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian (not family)")
    OTHER = "other", _("Other")


def _photo_path(instance, filename: str) -> str:
    # Never the person's name in a path: a random name under a private directory.
    import os
    import uuid

    return f"people/photos/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()[:5]}"


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
    aliases = models.CharField(
        _("aliases"), max_length=300, blank=True, help_text=_("Other names used, comma-separated.")
    )
    age_estimation = models.CharField(
        _("how the age was estimated"), max_length=20, choices=AgeEstimation.choices, blank=True
    )
    citizenship = models.ManyToManyField(
        "places.Country", blank=True, related_name="+", verbose_name=_("citizenship")
    )
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("e.g. Khmer, Vietnamese, Thai")
    )
    disability = models.TextField(_("disability"), blank=True)
    photo = models.FileField(_("photo"), upload_to=_photo_path, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # The people list's order within an organisation (bench/latency.py): a page is
            # read in index order and stops after 50 rows instead of sorting them all.
            models.Index(
                fields=["organisation", "family_name", "given_name", "id"], name="person_org_name"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in [self.family_name, self.given_name] if p)
        return latin or self.name_km or str(self.uuid)[:8]

    def age_on(self, day) -> int | None:
        """Age in whole years on `day`: from the date of birth, else the estimated age."""
        if self.date_of_birth:
            dob = self.date_of_birth
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        return self.estimated_age


class IdentityDocument(BaseModel):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="documents", verbose_name=_("person")
    )
    type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    issuing_country = models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing country"),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    held_by = models.CharField(
        _("held by"), max_length=200, blank=True, help_text=_("Who has the document now.")
    )

    class Meta:
        ordering = ["type", "id"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return self.get_type_display()


class FamilyLink(BaseModel):
    """One person linked to another: `relative` is the `relationship` of `person`
    (e.g. relative=the mother, relationship=mother)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="family_links", verbose_name=_("person")
    )
    relative = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("family member")
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    is_guardian = models.BooleanField(_("guardian"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-is_guardian", "relationship", "id"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="family_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="family_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()}: {self.relative}"
