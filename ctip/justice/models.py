"""Suspects, identifiers and proceedings: investigation → arrest → charges → court → verdict.

Words follow DESIGN.md and, where it has one, the Human Trafficking Case Data Standard (HTCDS):
`SuspectRole.htcds` gives the HTCDS `per_RoleInProcess` value each role exports as.
Money is in Cambodian riel, as the law and the courts set it.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class ArticleConfidence(models.TextChoices):
    """How well a law article's row is supported (see the reference data's README)."""

    LAW_TEXT_QUOTED = "law_text_quoted", _("Law text quoted")
    SECONDARY = "secondary", _("Secondary source")
    SECONDARY_SUMMARY = "secondary_summary", _("Secondary summary only")
    INFERRED = "inferred", _("Inferred, not seen")
    VERIFIED = "verified", _("Verified against the law")


class LawArticle(BaseModel):
    """An article of the 2008 Law on Suppression of Human Trafficking and Sexual Exploitation.

    Reference data, loaded from a partial provisional list and completed by administrators.
    """

    article = models.PositiveSmallIntegerField(_("article"), unique=True)
    chapter = models.CharField(_("chapter"), max_length=100, blank=True)
    offence = models.CharField(_("offence"), max_length=200)
    offence_km = models.CharField(_("offence in Khmer"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    penalty_min_years = models.PositiveSmallIntegerField(
        _("minimum penalty (years)"), null=True, blank=True
    )
    penalty_max_years = models.PositiveSmallIntegerField(
        _("maximum penalty (years)"), null=True, blank=True
    )
    aggravating = models.TextField(_("aggravating circumstances"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=20, choices=ArticleConfidence.choices)
    source = models.TextField(_("source"), blank=True)
    is_active = models.BooleanField(_("may be charged"), default=True)

    class Meta:
        ordering = ["article"]
        verbose_name = _("law article")
        verbose_name_plural = _("law articles")

    def __str__(self) -> str:
        return f"Art. {self.article} — {self.offence}"

    @property
    def is_provisional(self) -> bool:
        return self.confidence != ArticleConfidence.VERIFIED


class ExploitationForm(models.TextChoices):
    """Forms of exploitation (DESIGN.md); `TRAFFICKING_KIND` separates labour from sex."""

    SEX_BROTHEL = "sex_brothel", _("Sexual exploitation: brothel")
    SEX_KARAOKE = "sex_karaoke", _("Sexual exploitation: karaoke or beer garden")
    SEX_MASSAGE = "sex_massage", _("Sexual exploitation: massage")
    SEX_HOTEL = "sex_hotel", _("Sexual exploitation: hotel or apartment")
    SEX_ONLINE = "sex_online", _("Sexual exploitation: online")
    LABOUR_CONSTRUCTION = "labour_construction", _("Forced labour: construction")
    LABOUR_AGRICULTURE = "labour_agriculture", _("Forced labour: agriculture")
    LABOUR_FISHING = "labour_fishing", _("Forced labour: fishing")
    LABOUR_FACTORY = "labour_factory", _("Forced labour: factory")
    LABOUR_BRICK_KILN = "labour_brick_kiln", _("Forced labour: brick kiln")
    LABOUR_DOMESTIC = "labour_domestic", _("Forced labour: domestic servitude")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")


class TraffickingKind(models.TextChoices):
    SEX = "sex", _("Sex trafficking")
    LABOUR = "labour", _("Labour trafficking")
    OTHER = "other", _("Other trafficking")


def trafficking_kind(form: str) -> str:
    """Sex or labour trafficking, for the annual report; forced begging counts as labour."""
    if form.startswith("sex_"):
        return TraffickingKind.SEX
    if form.startswith("labour_") or form == ExploitationForm.FORCED_BEGGING:
        return TraffickingKind.LABOUR
    return TraffickingKind.OTHER


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CHARGED = "charged", _("Suspects charged")
    IN_COURT = "in_court", _("In court")
    CLOSED = "closed", _("Closed")


class InvestigationSource(models.TextChoices):
    REPORT = "report", _("Report")
    OPERATION = "operation", _("Operation")
    CASE = "case", _("Case")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Investigation(BaseModel):
    """A criminal investigation, handled by one organisation (usually the police), with the
    legal-aid organisation that represents the victims, if any."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="investigations",
        verbose_name=_("handling organisation"),
    )
    legal_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_investigations",
        verbose_name=_("legal-aid organisation"),
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    source = models.CharField(_("opened from"), max_length=20, choices=InvestigationSource.choices)
    source_reference = models.CharField(_("source reference"), max_length=60, blank=True)
    # Where the investigation came from, when it is recorded in CTIP.
    report = models.ForeignKey(
        "intake.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name=_("report"),
    )
    operation = models.ForeignKey(
        "operations.Operation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name=_("operation"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name=_("case"),
    )
    exploitation_form = models.CharField(
        _("form of exploitation"), max_length=30, choices=ExploitationForm.choices
    )
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.OPEN,
    )
    summary = models.TextField(_("summary"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def trafficking_kind(self) -> str:
        return trafficking_kind(self.exploitation_form)

    @property
    def trafficking_kind_label(self) -> str:
        return TraffickingKind(self.trafficking_kind).label


class InvestigationVictim(BaseModel):
    """A victim identified in an investigation; counted in the annual report."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="victims"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("victim")
    )
    exploitation_form = models.CharField(
        _("form of exploitation"), max_length=30, choices=ExploitationForm.choices
    )
    age_at_exploitation = models.PositiveSmallIntegerField(
        _("age when exploited"), null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("victim in an investigation")
        verbose_name_plural = _("victims in investigations")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "person"], name="justice_victim_once_per_investigation"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class SuspectRole(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter")
    BROKER_TRANSPORTER = "broker_transporter", _("Broker or transporter")
    ESTABLISHMENT = "establishment", _("Establishment owner or manager")
    PIMP = "pimp", _("Pimp")
    BUYER = "buyer", _("Buyer or customer")
    ONLINE_ABUSER = "online_abuser", _("Online abuser")
    FORGER = "forger", _("Document forger")
    FAMILY_SELLER = "family_seller", _("Family member who sold the child")
    OTHER = "other", _("Other")


# The HTCDS per_RoleInProcess value each role exports as (field_standards_2.0.csv).
HTCDS_ROLE = {
    SuspectRole.RECRUITER: "RecruiterOrIntermediary",
    SuspectRole.BROKER_TRANSPORTER: "Transporter",
    SuspectRole.ESTABLISHMENT: "Exploiter",
    SuspectRole.PIMP: "ControlledIndividual",
    SuspectRole.BUYER: "BoughtIndividual",
    SuspectRole.ONLINE_ABUSER: "Abuser",
    SuspectRole.FORGER: "Other",
    SuspectRole.FAMILY_SELLER: "SoldIndividual",
    SuspectRole.OTHER: "Other",
}


class RelationToVictim(models.TextChoices):
    """Recruiter relation (DESIGN.md); `HTCDS_RELATION` maps it to RelationshipToTrafficker."""

    FAMILY = "family", _("Family member")
    PARTNER = "partner", _("Intimate partner")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour or community member")
    BROKER = "broker", _("Broker or agent")
    EMPLOYER = "employer", _("Employer")
    STRANGER = "stranger", _("Stranger")


HTCDS_RELATION = {
    RelationToVictim.FAMILY: "Familial",
    RelationToVictim.PARTNER: "Acquainted",
    RelationToVictim.FRIEND: "Acquainted",
    RelationToVictim.NEIGHBOUR: "Acquainted",
    RelationToVictim.BROKER: "Acquainted",
    RelationToVictim.EMPLOYER: "Acquainted",
    RelationToVictim.STRANGER: "Unaquainted",  # sic: the standard's spelling
}


class Suspect(BaseModel):
    """A person suspected in one investigation, with their role in the trafficking."""

    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="suspects"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=SuspectRole.choices)
    role_details = models.TextField(_("role details"), blank=True)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "person"], name="justice_suspect_once_per_investigation"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def htcds_role(self) -> str:
        return HTCDS_ROLE[self.role]


class SuspectVictimRelation(BaseModel):
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="relations")
    victim = models.ForeignKey(
        InvestigationVictim, on_delete=models.PROTECT, related_name="relations"
    )
    relation = models.CharField(
        _("relationship to the victim"), max_length=20, choices=RelationToVictim.choices
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["suspect", "victim"], name="justice_relation_once")
        ]

    def __str__(self) -> str:
        return self.get_relation_display()


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    HANDLE = "handle", _("Social-media or messaging handle")
    VEHICLE = "vehicle", _("Vehicle plate")
    ACCOUNT = "account", _("Bank or mobile-money account")
    ESTABLISHMENT = "establishment", _("Establishment")
    ADDRESS = "address", _("Address")


def normalise_identifier(kind: str, value: str) -> str:
    """The form under which two spellings of the same identifier match.

    Phones: digits only, Cambodia's +855 / 00855 prefix turned into the national leading 0
    ("+855 12 345 678", "012-345-678" and "0855 12345678" all become 012345678). Handles:
    lower case without a leading @. Plates and accounts: letters and digits, upper case.
    Establishments and addresses: lower case, punctuation dropped, spaces collapsed.
    """
    value = value.strip()
    if kind == IdentifierKind.PHONE:
        digits = re.sub(r"\D", "", value)
        for prefix in ("00855", "855"):
            if digits.startswith(prefix) and len(digits) > len(prefix) + 6:
                digits = "0" + digits[len(prefix) :].lstrip("0")
                break
        if digits and not digits.startswith("0") and 8 <= len(digits) <= 9:
            digits = "0" + digits
        return digits
    if kind == IdentifierKind.HANDLE:
        return re.sub(r"\s+", "", value).lstrip("@").lower()
    if kind in (IdentifierKind.VEHICLE, IdentifierKind.ACCOUNT):
        return re.sub(r"[\W_]", "", value).upper()
    cleaned = re.sub(r"[^\w\s]", " ", value.lower())
    return re.sub(r"\s+", " ", cleaned).strip()


class Identifier(BaseModel):
    """A phone, handle, plate, account, establishment or address that can connect cases.

    One record per (kind, normalised value) nationwide, so the same phone is one record however
    it was written; what a user sees of its uses still follows the access rules.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(_("as first written"), max_length=200)
    normalised = models.CharField(_("normalised"), max_length=200)
    platform = models.CharField(_("platform"), max_length=60, blank=True)

    class Meta:
        ordering = ["kind", "normalised"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(fields=["kind", "normalised"], name="justice_identifier_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class SuspectIdentifier(BaseModel):
    """A suspect's use of an identifier, as recorded in one investigation."""

    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="identifiers")
    identifier = models.ForeignKey(Identifier, on_delete=models.PROTECT, related_name="uses")
    written_as = models.CharField(_("written as"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suspect", "identifier"], name="justice_suspect_identifier_once"
            )
        ]

    def __str__(self) -> str:
        return self.written_as


class ComplainantType(models.TextChoices):
    VICTIM = "victim", _("Victim")
    PARENT = "parent", _("Parent or guardian")
    NGO = "ngo", _("NGO")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other")


class Complaint(BaseModel):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="complaints"
    )
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=20, choices=ComplainantType.choices)
    filed_with = models.CharField(_("filed with"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.filed_on} {self.get_filed_by_display()}"


class Arrest(BaseModel):
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="arrests")
    arrested_on = models.DateField(_("arrested on"))
    agency = models.CharField(_("arresting agency"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["arrested_on", "id"]
        verbose_name = _("arrest")
        verbose_name_plural = _("arrests")

    def __str__(self) -> str:
        return f"{self.arrested_on} {self.agency}"


class Charge(BaseModel):
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="charges")
    article = models.ForeignKey(
        LawArticle, on_delete=models.PROTECT, related_name="charges", verbose_name=_("article")
    )
    charged_on = models.DateField(_("charged on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["charged_on", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(fields=["suspect", "article"], name="justice_charge_once")
        ]

    def __str__(self) -> str:
        return str(self.article)


class CourtCase(BaseModel):
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, related_name="court_cases"
    )
    court = models.CharField(_("court"), max_length=200)
    case_number = models.CharField(_("court case number"), max_length=60)
    filed_on = models.DateField(_("filed on"))
    defendants = models.ManyToManyField(
        Suspect, related_name="court_cases", verbose_name=_("defendants")
    )

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("court case")
        verbose_name_plural = _("court cases")
        constraints = [
            models.UniqueConstraint(fields=["court", "case_number"], name="justice_court_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.case_number}"


class HearingType(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary hearing")
    TRIAL = "trial", _("Trial hearing")
    VERDICT = "verdict", _("Verdict announcement")
    APPEAL = "appeal", _("Appeal hearing")
    OTHER = "other", _("Other")


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")


class Hearing(BaseModel):
    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="hearings")
    scheduled_for = models.DateTimeField(_("date and time"))
    type = models.CharField(_("type"), max_length=20, choices=HearingType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    postponement_reason = models.CharField(_("reason for postponement"), max_length=300, blank=True)
    # A postponed hearing points at the hearing that replaces it.
    postponed_to = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postponed_from",
        verbose_name=_("postponed to"),
    )

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.scheduled_for:%Y-%m-%d}"


class WitnessSupport(BaseModel):
    """Support to a survivor who testifies at one hearing. Who the witness is stays restricted;
    others see the pseudonym (e.g. "Witness A") and the measures."""

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="witness_support")
    witness = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("witness")
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=40)
    prepared = models.BooleanField(_("prepared for testimony"), default=False)
    accompanied = models.BooleanField(_("accompanied to court"), default=False)
    video_testimony = models.BooleanField(_("testimony by video"), default=False)
    closed_hearing = models.BooleanField(_("closed hearing"), default=False)
    transport = models.BooleanField(_("transport provided"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("witness support")
        verbose_name_plural = _("witness support")

    def __str__(self) -> str:
        return self.pseudonym


class VerdictOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Dismissed")


class Verdict(BaseModel):
    """The verdict for one defendant in one court case, with sentence and compensation."""

    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="verdicts")
    defendant = models.ForeignKey(
        Suspect, on_delete=models.PROTECT, related_name="verdicts", verbose_name=_("defendant")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=VerdictOutcome.choices)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    sentence_months = models.PositiveIntegerField(_("sentence (months)"), null=True, blank=True)
    fine_riel = models.PositiveBigIntegerField(_("fine (riel)"), null=True, blank=True)
    compensation_ordered_riel = models.PositiveBigIntegerField(
        _("compensation ordered (riel)"), null=True, blank=True
    )
    compensation_paid_riel = models.PositiveBigIntegerField(
        _("compensation paid (riel)"), null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        constraints = [
            models.UniqueConstraint(fields=["court_case", "defendant"], name="justice_verdict_once")
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Verdict upheld")
    OVERTURNED = "overturned", _("Verdict overturned")
    MODIFIED = "modified", _("Sentence modified")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Appeal(BaseModel):
    verdict = models.ForeignKey(Verdict, on_delete=models.PROTECT, related_name="appeals")
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=200)
    court = models.CharField(_("appeal court"), max_length=200)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AppealOutcome.choices, default=AppealOutcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.filed_on} {self.court}"
