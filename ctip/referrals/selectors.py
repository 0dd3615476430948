"""Reads of referrals, the directory, and of what a referral shares, through the access
policy. A partner's view of a case is assembled here section by section; each child list comes
from `visible_to`, which itself only returns the sections an accepted referral shares."""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from ctip.access.policy import get_visible_or_404, readable_fields, sensitive_fields, visible_to
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.cases.models import Case, CaseNote, TraffickingEvent
from ctip.people.models import Person

from .models import DataSharingAgreement, PartnerService, Referral, ReferralStatus, Section

PROFILE_FIELDS = [
    "trafficking_status",
    "exploitation_types",
    "forced_labour_industry",
    "means_of_control",
    "recruiter_relation",
    "age_when_trafficked",
    "exploitation_started_on",
    "exploitation_ended_on",
]
IDENTITY_FIELDS = [
    "name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "nationality",
    "languages",
    "disability",
]


def _base(user) -> QuerySet[Referral]:
    return visible_to(user, Referral).select_related(
        "case", "from_organisation", "to_organisation", "created_by", "decided_by"
    )


def referrals_received(*, user, status: str = "") -> QuerySet[Referral]:
    """Referrals sent to the user's organisation, newest first, optionally by status."""
    found = _base(user).filter(to_organisation_id=user.organisation_id)
    if status in ReferralStatus.values:
        found = found.filter(status=status)
    return found.order_by("-created_at")


def referrals_sent(*, user, status: str = "") -> QuerySet[Referral]:
    found = _base(user).filter(from_organisation_id=user.organisation_id)
    if status in ReferralStatus.values:
        found = found.filter(status=status)
    return found.order_by("-created_at")


def referrals_for_case(*, user, case: Case) -> QuerySet[Referral]:
    return _base(user).filter(case=case).order_by("-created_at")


def referral_get_for_user(*, user, referral_uuid) -> Referral:
    return get_visible_or_404(user, _base(user), uuid=referral_uuid)


def directory(*, user, province: str = "", category: str = "") -> QuerySet[PartnerService]:
    """Partner services taking referrals, optionally in a province and of a category."""
    entries = (
        visible_to(user, PartnerService)
        .filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .prefetch_related("provinces")
    )
    if province:
        entries = entries.filter(provinces__code=province)
    if category:
        entries = entries.filter(category=category)
    return entries.distinct().order_by("category", "organisation__name")


@dataclass
class SharedView:
    """What the reader may see of a referred case: None for a section not shared."""

    referral: Referral
    case: Case | None
    person: Person | None = None
    identity_rows: list = field(default_factory=list)
    profile_rows: list = field(default_factory=list)
    events: list | None = None
    assessments: list | None = None
    plans: list | None = None
    services: list | None = None
    notes: list | None = None
    # The legal section (issue 17): facts for a lawyer, proceedings, legal services given.
    legal_rows: list | None = None
    legal_services: list | None = None
    proceedings: list | None = None


def _rows(user, model, obj, names) -> list[dict]:
    rows = []
    for name in readable_fields(user, model, names):
        f = model._meta.get_field(name)
        getter = getattr(obj, f"get_{name}_display", None)
        value = getter() if callable(getter) and f.choices else getattr(obj, name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"label": f.verbose_name, "value": value})
    return rows


def _case_rows(user, case: Case, names) -> list[dict]:
    """Label/value rows of a case's fields the user may read; lists in words, not codes."""
    from ctip.cases import vocabulary as v

    rows = []
    for name in readable_fields(user, Case, names):
        f = Case._meta.get_field(name)
        if name in v.MULTI_CHOICES:
            value = ", ".join(v.labels(name, getattr(case, name)))
        elif name == "destination_countries":
            value = ", ".join(str(c) for c in case.destination_countries.all())
        elif getattr(f, "choices", None):
            value = getattr(case, f"get_{name}_display")()
        else:
            value = getattr(case, name)
        rows.append({"name": name, "label": f.verbose_name, "value": value})
    return rows


def shared_view(*, user, referral: Referral) -> SharedView:
    """The sections of the case that this referral lets the reader's organisation see now.

    For the receiver: nothing of the case until accepted, then the shared sections. For the
    sender: everything it still sees (its own case, or after a transfer what it wrote)."""
    from ctip.access.rules.aftercare import SECTION_CASE_FIELDS, referral_opens_section
    from ctip.care.models import Assessment, CarePlan, ServiceDelivery

    case = visible_to(user, Case).filter(pk=referral.case_id).select_related("person").first()
    legal_open = referral_opens_section(user, referral, Section.LEGAL)
    if case is None and legal_open:
        # A role that reads no case (a legal officer) sees the legal section, nothing else.
        view = SharedView(referral=referral, case=Case.objects.get(pk=referral.case_id))
        _legal_section(user, view, SECTION_CASE_FIELDS[Section.LEGAL])
        person = visible_to(user, Person).filter(pk=view.case.person_id).first()
        if person is not None and referral.share_identity:
            view.person = person
            view.identity_rows = _rows(user, Person, person, IDENTITY_FIELDS)
        return view
    view = SharedView(referral=referral, case=case)
    if case is None:
        return view
    receiver = referral.to_organisation_id == user.organisation_id and (
        case.organisation_id != user.organisation_id
    )

    def shown(section: str) -> bool:
        # The receiver sees the sections of the referral; the sender or owner whatever the
        # policy lets them see anyway.
        return referral.shares(section) if receiver else True

    person = visible_to(user, Person).filter(pk=case.person_id).first()
    if person is not None and shown(Section.IDENTITY):
        view.person = person
        view.identity_rows = _rows(user, Person, person, IDENTITY_FIELDS)
    if shown(Section.PROFILE) and (not receiver or referral.share_profile):
        view.profile_rows = _rows(user, Case, case, PROFILE_FIELDS)
        view.events = list(visible_to(user, TraffickingEvent).filter(case=case))
    if shown(Section.ASSESSMENTS):
        view.assessments = list(
            visible_to(user, Assessment)
            .filter(case=case)
            .select_related("instrument")
            .prefetch_related("scores__domain")
        )
    if shown(Section.CARE_PLAN):
        view.plans = list(visible_to(user, CarePlan).filter(case=case).prefetch_related("goals"))
    if shown(Section.SERVICES):
        view.services = list(
            visible_to(user, ServiceDelivery)
            .filter(case=case)
            .select_related("service", "provider")
        )
    if shown(Section.NOTES):
        # Sensitive notes stay on the case page, where reading them is audited.
        view.notes = list(
            visible_to(user, CaseNote)
            .filter(case=case, is_sensitive=False)
            .select_related("created_by")
        )
    if referral.share_legal and (not receiver or legal_open):
        _legal_section(user, view, SECTION_CASE_FIELDS[Section.LEGAL])
    return view


def _legal_section(user, view: SharedView, fields) -> None:
    """Fills the legal section: the case's facts for a lawyer (each under its sensitivity),
    the proceedings of the case the reader already follows (justice rules decide), and the
    legal services given under the referral (those of the reader's organisation as provider,
    or every one for the case's owner)."""
    from ctip.care.models import ServiceDelivery
    from ctip.justice.models import Investigation

    case, referral = view.case, view.referral
    view.legal_rows = _case_rows(user, case, fields)
    shown = sorted({row["name"] for row in view.legal_rows} & sensitive_fields(Case))
    if shown:
        audit_record(
            actor=user,
            action=AuditAction.READ,
            target=case,
            changes={"shown": shown, "referral": str(referral.uuid), "section": Section.LEGAL},
        )
    services = (
        visible_to(user, ServiceDelivery)
        .filter(case=case, service__category="legal")
        .select_related("service", "provider")
    )
    if case.organisation_id != user.organisation_id:
        services = services.filter(provider_id=referral.to_organisation_id)
    view.legal_services = list(services)
    view.proceedings = list(visible_to(user, Investigation).filter(case=case))


def open_referral_count(*, user) -> int:
    return (
        visible_to(user, Referral)
        .filter(Q(to_organisation_id=user.organisation_id), status=ReferralStatus.PENDING)
        .count()
    )


AGREEMENT_STATES = ("in_force", "upcoming", "ended")


def agreements_visible_to(*, user, state: str = "") -> QuerySet[DataSharingAgreement]:
    """The data-sharing agreements the user may see (system administrators: all; an
    organisation's admin: those it is party to), latest first, each annotated with its `state`
    today: "upcoming", "in_force" or "ended". `state` filters on it."""
    today = timezone.localdate()
    found = (
        visible_to(user, DataSharingAgreement)
        .select_related("organisation_a", "organisation_b")
        .annotate(
            state=models.Case(
                models.When(valid_from__gt=today, then=models.Value("upcoming")),
                models.When(valid_to__lt=today, then=models.Value("ended")),
                default=models.Value("in_force"),
                output_field=models.CharField(),
            )
        )
        .order_by("-valid_from", "-id")
    )
    if state in AGREEMENT_STATES:
        found = found.filter(state=state)
    return found


def agreement_get_for_user(*, user, agreement_uuid) -> DataSharingAgreement:
    """One agreement the user may see; 404 alike for "does not exist" and "not yours"."""
    return get_visible_or_404(user, agreements_visible_to(user=user), uuid=agreement_uuid)
