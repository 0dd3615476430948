"""Cases: the protection work for one survivor, owned by one organisation.

A case carries the trafficking profile in the vocabulary of the Human Trafficking Case Data
Standard (HTCDS 2.0, `vic_*` and `hte_*` fields), consent per purpose, notes, tasks and the
approvals its workflow needs. Multi-select HTCDS picklists are stored as JSON lists of the
HTCDS value names, so exports map one-to-one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel

from . import vocabulary as v


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    REINTEGRATION = "reintegration", _("In reintegration")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class ClosureCategory(models.TextChoices):
    """Why a case closed, counted in the national figures (the reason itself is free text)."""

    REINTEGRATED = "reintegrated", _("Reintegrated and stable")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    SERVICES_DECLINED = "declined", _("Survivor declined further services")
    LOST_CONTACT = "lost_contact", _("Contact lost or moved away")
    NOT_TRAFFICKING = "not_trafficking", _("Not a trafficking case")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class CaseSource(models.TextChoices):
    DIRECT = "direct", _("Opened directly")
    SCREENING = "screening", _("Screening hand-off")
    REFERRAL = "referral", _("Referral received")


class CaseSettings(models.Model):
    """An organisation's case-management choices; defaults apply when it has no row."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="case_settings",
        verbose_name=_("organisation"),
    )
    restrict_to_assigned = models.BooleanField(
        _("case workers see only the cases assigned to them"), default=False
    )
    care_plan_approval = models.BooleanField(
        _("care plans need supervisor approval"), default=False
    )
    # Who gives consent depends on age: below `guardian_required_under` a guardian must
    # consent; from `child_assent_from` the child's own assent is needed as well.
    guardian_required_under = models.PositiveSmallIntegerField(
        _("a guardian consents for children under"), default=18
    )
    child_assent_from = models.PositiveSmallIntegerField(
        _("children also give their own assent from age"), default=12
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return f"{self.organisation}"


class CaseNumberCounter(models.Model):
    """The last case number issued by an organisation in a year. Rows are locked to issue the
    next number, so two cases opened at the same moment never share a number."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Case(BaseModel):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    # Never derived from the name: organisation code, year, sequence.
    number = models.CharField(_("case number"), max_length=40, unique=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("survivor")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    source = models.CharField(
        _("opened from"), max_length=20, choices=CaseSource.choices, default=CaseSource.DIRECT
    )
    # A reference to the hand-off or referral that opened the case, until those link here.
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened on"))
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_assigned",
        verbose_name=_("case worker"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_supervised",
        verbose_name=_("supervisor"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.TextField(_("reason for closure"), blank=True)
    closure_category = models.CharField(
        _("why the case closed"), max_length=20, choices=ClosureCategory.choices, blank=True
    )

    # Trafficking profile (HTCDS vic_*).
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=40, choices=v.TraffickingStatus.choices, blank=True
    )
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    sexual_exploitation_types = models.JSONField(
        _("types of sexual exploitation"), default=list, blank=True
    )
    forced_labour_industry = models.CharField(
        _("forced labour industry"), max_length=60, choices=v.LabourIndustry.choices, blank=True
    )
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    recruiter_relation = models.CharField(
        _("relationship to the recruiter"),
        max_length=30,
        choices=v.RecruiterRelation.choices,
        blank=True,
    )
    age_when_trafficked = models.PositiveSmallIntegerField(
        _("age when trafficked"), null=True, blank=True
    )
    exploitation_started_on = models.DateField(_("exploitation began"), null=True, blank=True)
    exploitation_ended_on = models.DateField(_("exploitation ended"), null=True, blank=True)
    destination_countries = models.ManyToManyField(
        "places.Country", blank=True, related_name="+", verbose_name=_("destination countries")
    )
    # Restricted: readable only by roles holding sensitivity.restricted; reads are audited.
    abuse_narrative = models.TextField(_("account of abuse"), blank=True)
    hiv_status = models.CharField(
        _("HIV status"), max_length=20, choices=v.HivStatus.choices, blank=True
    )
    child_witnesses = models.TextField(_("identity of child witnesses"), blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "status"], name="case_org_status"),
            # The case list's order (cases_visible_to) and the statistics' periods
            # (bench/latency.py, bench/reports.py).
            models.Index(fields=["organisation", "-opened_on", "-id"], name="case_org_opened"),
            models.Index(fields=["opened_on"], name="case_opened_on"),
            models.Index(fields=["closed_on"], name="case_closed_on"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def exploitation_days(self) -> int | None:
        """HTCDS duration: days between the start and end of exploitation, when both are known."""
        if self.exploitation_started_on and self.exploitation_ended_on:
            return (self.exploitation_ended_on - self.exploitation_started_on).days
        return None


class TraffickingEvent(BaseModel):
    """A place and date of recruitment, transit or exploitation (HTCDS hte_*)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    type = models.CharField(_("stage"), max_length=20, choices=v.EventType.choices)
    happened_on = models.DateField(_("date"), null=True, blank=True)
    country = models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["happened_on", "id"]
        verbose_name = _("trafficking event")
        verbose_name_plural = _("trafficking events")

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.happened_on or ''}".strip()


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Receive services")
    SHARING = "sharing", _("Share with a named partner organisation")
    STATISTICS = "statistics", _("Use in anonymised statistics")
    FOLLOW_UP = "follow_up", _("Be contacted for follow-up")


class ConsentGiver(models.TextChoices):
    CHILD = "child", _("The survivor")
    GUARDIAN = "guardian", _("Guardian")
    BOTH = "both", _("The survivor and a guardian")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    THUMBPRINT = "thumbprint", _("Thumbprint")
    VERBAL = "verbal", _("Verbal, witnessed")


class Consent(BaseModel):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="consents", verbose_name=_("case")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    # Sharing consent names the partner; other purposes leave it empty.
    partner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    given_by = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    guardian = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian"),
    )
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("method"), max_length=20, choices=ConsentMethod.choices)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["purpose", "-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class ConsentOverride(BaseModel):
    """Acting without consent: who, why, for which purpose. Written only by `consent_check`."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="consent_overrides", verbose_name=_("case")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    partner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent override")
        verbose_name_plural = _("consent overrides")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d})"


class NoteKind(models.TextChoices):
    VISIT = "visit", _("Home or field visit")
    PHONE = "phone", _("Phone call")
    OFFICE = "office", _("Office meeting")
    THIRD_PARTY = "third_party", _("Information from a third party")


class CaseNote(BaseModel):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="notes", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices)
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    # A sensitive note's text is shown only to roles that may read restricted data.
    is_sensitive = models.BooleanField(_("sensitive"), default=False)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class CaseTask(BaseModel):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("case")
    )
    title = models.CharField(_("task"), max_length=200)
    is_visit = models.BooleanField(_("follow-up visit"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due on"))
    remind_on = models.DateField(_("remind on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assigned_to", "done_on", "due_on"], name="task_todo")]

    def __str__(self) -> str:
        return self.title


class ApprovalKind(models.TextChoices):
    CLOSURE = "closure", _("Case closure")
    CARE_PLAN = "care_plan", _("Care plan")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Sent back")


class Approval(BaseModel):
    """A request for a supervisor's decision, with comments on both sides."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ApprovalKind.choices)
    # What the request is about, by uuid: the case itself for closure, else the care plan
    # (care depends on cases, not the other way round).
    subject_uuid = models.UUIDField(_("subject"))
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    # For a closure request: the category the case gets when the closure is approved.
    closure_category = models.CharField(
        _("why the case closes"), max_length=20, choices=ClosureCategory.choices, blank=True
    )
    request_comment = models.TextField(_("comment with the request"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment with the decision"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            # One open request per case and kind at a time.
            models.UniqueConstraint(
                fields=["case", "kind", "subject_uuid"],
                condition=models.Q(status="pending"),
                name="approval_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"
