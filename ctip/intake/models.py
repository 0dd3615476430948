"""Reports: tips and calls that bring a child to CTIP's attention, and their way through
triage and dispatch to the organisation that acts on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel


class Source(models.TextChoices):
    HOTLINE = "hotline", _("Hotline call")
    WEB = "web", _("Web form")
    SMS = "sms", _("SMS or messaging")
    WALK_IN = "walk_in", _("Walk-in")
    PARTNER = "partner", _("Partner organisation")
    POLICE = "police", _("Police")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate danger to a child")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


# Queue order: the most urgent first.
URGENCY_RANK = {Urgency.IMMEDIATE: 0, Urgency.URGENT: 1, Urgency.ROUTINE: 2}


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.DISPATCHED, Status.ACCEPTED)


class Outcome(models.TextChoices):
    OPERATION = "operation", _("Operation launched")
    CASE_OPENED = "case_opened", _("Case opened")
    REFERRED = "referred", _("Referred elsewhere")
    NO_ACTION = "no_action", _("No action")


class EstablishmentType(models.TextChoices):
    BROTHEL = "brothel", _("Brothel")
    KARAOKE = "karaoke", _("Karaoke / beer garden")
    MASSAGE = "massage", _("Massage parlour")
    HOTEL = "hotel", _("Hotel or apartment")
    ONLINE = "online", _("Online / cybersex location")
    FACTORY = "factory", _("Factory")
    CONSTRUCTION = "construction", _("Construction site")
    FISHING_BOAT = "fishing_boat", _("Fishing boat")
    FARM = "farm", _("Farm")
    PRIVATE_HOME = "private_home", _("Private home")
    SCAM_COMPOUND = "scam_compound", _("Scam compound")
    OTHER = "other", _("Other")
    UNKNOWN = "", _("Unknown")


class SexDescribed(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    MIXED = "mixed", _("Both")
    UNKNOWN = "u", _("Unknown")


class Report(BaseModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    # The first thing anyone did with it (triage, dispatch, closure): the response clock stops.
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)

    caller_anonymous = models.BooleanField(_("caller stays anonymous"), default=True)
    caller_name = models.CharField(_("caller's name"), max_length=200, blank=True)
    caller_phone = models.CharField(_("caller's phone or contact"), max_length=100, blank=True)
    caller_may_contact = models.BooleanField(_("caller agrees to be contacted"), default=False)

    narrative = models.TextField(_("what happened"), max_length=5000)
    province = models.ForeignKey(
        "places.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    location_text = models.CharField(_("place, in words"), max_length=300, blank=True)
    establishment_type = models.CharField(
        _("establishment"), max_length=20, choices=EstablishmentType.choices, blank=True
    )
    children_count = models.PositiveSmallIntegerField(
        _("number of children"), null=True, blank=True
    )
    ages_described = models.CharField(_("approximate ages"), max_length=100, blank=True)
    sex_described = models.CharField(
        _("sex of those described"),
        max_length=5,
        choices=SexDescribed.choices,
        default=SexDescribed.UNKNOWN,
    )
    # Facts the triage rules read (ctip/intake/triage.py).
    flag_child = models.BooleanField(_("a child under 18 is involved"), default=False)
    flag_sexual_exploitation = models.BooleanField(_("sexual exploitation"), default=False)
    flag_held_now = models.BooleanField(_("someone is held now"), default=False)
    flag_injury = models.BooleanField(_("injury or violence"), default=False)
    flag_moving_soon = models.BooleanField(_("about to be moved"), default=False)

    suggested_urgency = models.CharField(
        _("suggested urgency"), max_length=10, choices=Urgency.choices
    )
    triage_rules = models.JSONField(_("triage rules that matched"), default=list, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    urgency_reason = models.CharField(_("reason for overriding"), max_length=500, blank=True)

    assigned_to = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("dispatched to"),
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(_("outcome details"), max_length=500, blank=True)
    linked_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat of"),
    )

    # Public tips: a code that names the tip, and a secret (stored hashed) that proves it is
    # the sender's. Neither is shown to staff beyond the code.
    tip_code = models.CharField(_("tip code"), max_length=12, null=True, blank=True, unique=True)
    tip_secret_hash = models.CharField(max_length=64, blank=True)
    # The gateway's own id of a message: a webhook delivered twice creates one report.
    gateway_message_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["status", "urgency"], name="intake_status_urgency"),
            # Statistics count reports by period (bench/reports.py).
            models.Index(fields=["received_at"], name="intake_received_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                name="intake_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TipAddition(BaseModel):
    """Information the tip's sender added later, with the code and secret."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="additions", verbose_name=_("report")
    )
    text = models.TextField(_("information added"), max_length=3000)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("information added to a tip")
        verbose_name_plural = _("information added to tips")

    def __str__(self) -> str:
        return f"{self.report} +"
