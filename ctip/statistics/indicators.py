"""The national indicators, defined in one place: what each counts, from which records, and
by which dimensions it can be broken down.

Every figure is computed by the database (one GROUP BY per table); no row is loaded into
Python. The dimensions themselves (age bands, sentence bands, list dimensions, their labels)
are ctip/statistics/dimensions.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .dimensions import (
    AGE_BANDS,
    CHILD_BANDS,
    UNKNOWN,
    ListDimension,
    age_band_expression,
    age_group_expression,
    sentence_band_expression,
    trafficking_kind_expression,
)


@dataclass(frozen=True)
class Indicator:
    """One national indicator.

    `model` and `where` give the records counted; `date_field` places each in a period;
    `measure` is what is counted ("id", or a path counted distinct, e.g. a person); `dimensions`
    map a dimension name to the path of its value (None for computed ones: age, kind, sentence),
    or to a `ListDimension` when a record may carry several values.
    """

    code: str
    name: Promise
    description: Promise
    counts: Promise
    model: str  # "app_label.Model"
    date_field: str
    measure: str = "id"
    distinct: bool = False
    amount: str = ""  # a summed amount (riel); cells are then protected on the record count
    where: Q = field(default_factory=Q)
    person: str | None = None  # path to people.Person, for sex and age
    age_field: str = ""  # an age recorded for the event, preferred to the person's age
    dimensions: dict[str, "str | ListDimension | None"] = field(default_factory=dict)
    # Replaces the period filter (e.g. cases active at the end of the period).
    period: Callable[[date, date], Q] | None = None
    group: Promise = _("Other")
    unit: Promise = _("records")

    @property
    def source(self) -> str:
        return self.model

    def queryset(self) -> QuerySet:
        return apps.get_model(self.model)._default_manager.all()

    def is_datetime(self) -> bool:
        model = apps.get_model(self.model)
        for part in self.date_field.split("__")[:-1]:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(self.date_field.split("__")[-1]).get_internal_type() == (
            "DateTimeField"
        )

    def period_q(self, start: date, end: date) -> Q:
        """Records of the period [start, end)."""
        if self.period is not None:
            return self.period(start, end)
        lo: date | datetime = start
        hi: date | datetime = end
        if self.is_datetime():
            tz = timezone.get_current_timezone()
            lo = datetime.combine(start, time.min, tzinfo=tz)
            hi = datetime.combine(end, time.min, tzinfo=tz)
        return Q(**{f"{self.date_field}__gte": lo, f"{self.date_field}__lt": hi})

    def is_list(self, dimension: str) -> bool:
        """True when a record may fall under several values of the dimension."""
        return isinstance(self.dimensions.get(dimension), ListDimension)

    def list_q(self, dimension: str, value: str) -> Q:
        """The records counted under one value of a list dimension."""
        spec = self.dimensions[dimension]
        if not isinstance(spec, ListDimension):
            raise ValueError(f"{dimension} is not a list dimension")
        return spec.q(value)

    def expression(self, dimension: str, ref: date):
        """The SQL expression of one dimension's value (not for list dimensions: see list_q)."""
        path = self.dimensions[dimension]
        if isinstance(path, ListDimension):
            raise ValueError(f"{dimension} lists several values per record: use list_q")
        if dimension == "age_band" and path is None:
            return age_band_expression(person=self.person or "", age_field=self.age_field, ref=ref)
        if dimension == "age_group":
            if path is not None:  # from a stored band
                return Case(
                    When(**{f"{path}__in": CHILD_BANDS}, then=Value("child")),
                    When(
                        **{f"{path}__in": [b for b, _lo, _hi in AGE_BANDS[3:]]}, then=Value("adult")
                    ),
                    default=Value(UNKNOWN),
                    output_field=CharField(),
                )
            return age_group_expression(person=self.person or "", age_field=self.age_field, ref=ref)
        if dimension == "kind":
            return trafficking_kind_expression(path or "exploitation_form")
        if dimension == "sentence":
            return sentence_band_expression(path or "sentence_months")
        if dimension == "month":
            return ExtractMonth(self.date_field)
        return F(path)

    def aggregate(self, filter: Q | None = None):  # noqa: A002 (Django's own name)
        """The figure of a cell (of the records matching `filter`, when given)."""
        if self.amount:
            return Sum(self.amount, filter=filter)
        return Count(self.measure, distinct=self.distinct, filter=filter)

    def weight(self, filter: Q | None = None):  # noqa: A002
        """The number of records behind a cell, which small-cell protection is applied to."""
        return Count(self.measure, distinct=self.distinct, filter=filter)

    def measures(self, filter: Q | None = None, *, suffix: str = "") -> dict:  # noqa: A002
        """Both aggregates of a cell, named `value` and `n` (plus `suffix`), for aggregate() or
        annotate(): the figure, and the record count that protection looks at."""
        return {f"value{suffix}": self.aggregate(filter), f"n{suffix}": self.weight(filter)}


def _sex(person: str) -> str:
    return f"{person}__sex"


def _person_dims(person: str, province: str | None = None) -> dict[str, str | None]:
    dims: dict[str, str | None] = {"sex": _sex(person), "age_group": None, "age_band": None}
    if province:
        dims["province"] = province
    return dims


def _cases_active(start: date, end: date) -> Q:
    """Cases open at some time in the period: opened before its end, not closed before it began."""
    return Q(opened_on__lt=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


def _placed(start: date, end: date) -> Q:
    """Placements that held a bed some time in the period."""
    return Q(admitted_on__lt=end) & (Q(discharged_on__isnull=True) | Q(discharged_on__gte=start))


_CASE_PROVINCE = "person__home_village__commune__district__province_id"
# The forms of exploitation recorded on a case (HTCDS vocabulary; several per case).
_CASE_EXPLOITATION = ListDimension("exploitation_types", "ctip.cases.vocabulary.ExploitationType")
# The same, for records that belong to a case (services, referrals, returns...).
_OF_CASE_EXPLOITATION = ListDimension(
    "case__exploitation_types", "ctip.cases.vocabulary.ExploitationType"
)
_OF_CASE_SURVIVOR = _person_dims("case__person", f"case__{_CASE_PROVINCE}")

# Records shared by several indicators (splatted into them): protection cases, whose survivor's
# age is the age when trafficked where recorded; convictions, counted by the day of the verdict.
_CASES = {"model": "cases.Case", "person": "person", "age_field": "age_when_trafficked"}
_CONVICTIONS = {
    "model": "justice.Verdict",
    "date_field": "decided_on",
    "where": Q(outcome="convicted"),
}
_VERDICT_FORM = {
    "kind": "court_case__investigation__exploitation_form",
    "form": "court_case__investigation__exploitation_form",
}
_GROUP_AFTERCARE = _("Aftercare")
_GROUP_INTAKE = _("Reports and operations")
_GROUP_PROTECTION = _("Protection")
_GROUP_JUSTICE = _("Prosecution")
_GROUP_PREVENTION = _("Prevention")

INDICATORS: list[Indicator] = [
    Indicator(
        code="reports_received",
        name=_("Reports received"),
        description=_("Tips and calls received by the hotline and partners."),
        counts=_("Reports, by the time they were received."),
        model="intake.Report",
        date_field="received_at",
        dimensions={
            "month": None,
            "province": "province_id",
            "source": "source",
            "urgency": "urgency",
        },
        group=_GROUP_INTAKE,
        unit=_("reports"),
    ),
    Indicator(
        code="reports_first_action_in_target",
        name=_("Reports acted on within their response target"),
        description=_(
            "Reports whose first action came within the target time for their urgency "
            "(immediate danger, urgent, routine)."
        ),
        counts=_("Reports received in the period whose first action met the target."),
        model="intake.Report",
        date_field="received_at",
        where=Q(pk__in=[]),  # replaced below, once the response targets are known
        dimensions={"month": None, "province": "province_id", "urgency": "urgency"},
        group=_GROUP_INTAKE,
        unit=_("reports"),
    ),
    Indicator(
        code="operations",
        name=_("Operations carried out"),
        description=_("Rescue and removal operations that took place."),
        counts=_("Operations with status carried out, by their date."),
        model="operations.Operation",
        date_field="planned_for",
        where=Q(status="carried_out"),
        dimensions={
            "month": None,
            "province": "province_id",
            "organisation": "organisation__code",
        },
        group=_GROUP_INTAKE,
        unit=_("operations"),
    ),
    Indicator(
        code="people_screened",
        name=_("People screened"),
        description=_("People screened with the victim-identification instrument."),
        counts=_("Distinct people with a screening recorded in the period."),
        model="operations.Screening",
        date_field="created_at",
        measure="person",
        distinct=True,
        person="person",
        dimensions={
            "month": None,
            **_person_dims("person", "found_person__operation__province_id"),
            "result": "result",
            "organisation": "organisation__code",
        },
        group=_GROUP_INTAKE,
        unit=_("people"),
    ),
    Indicator(
        code="victims_identified",
        name=_("Victims identified"),
        description=_("People whose screening identified them as victims of trafficking."),
        counts=_("Distinct people screened as identified victims in the period."),
        model="operations.Screening",
        date_field="created_at",
        measure="person",
        distinct=True,
        where=Q(result="identified"),
        person="person",
        dimensions={
            "month": None,
            **_person_dims("person", "found_person__operation__province_id"),
            "organisation": "organisation__code",
        },
        group=_GROUP_INTAKE,
        unit=_("people"),
    ),
    Indicator(
        code="cases_opened",
        name=_("Cases opened"),
        description=_("Protection cases opened for survivors."),
        counts=_("Cases by the day they were opened."),
        **_CASES,
        date_field="opened_on",
        dimensions={
            "month": None,
            **_person_dims("person", _CASE_PROVINCE),
            "exploitation": _CASE_EXPLOITATION,
            "country": "destination_countries__code",
            "source": "source",
            "organisation": "organisation__code",
        },
        measure="id",
        distinct=True,  # a case with two destination countries counts once in the total
        group=_GROUP_PROTECTION,
        unit=_("cases"),
    ),
    Indicator(
        code="cases_active",
        name=_("Cases active"),
        description=_("Cases open at some time in the period."),
        counts=_("Cases opened before the end of the period and not closed before its start."),
        **_CASES,
        date_field="opened_on",
        period=_cases_active,
        dimensions={
            **_person_dims("person", _CASE_PROVINCE),
            "exploitation": _CASE_EXPLOITATION,
            "country": "destination_countries__code",
            "status": "status",
            "organisation": "organisation__code",
        },
        distinct=True,  # a case with two destination countries counts once
        group=_GROUP_PROTECTION,
        unit=_("cases"),
    ),
    Indicator(
        code="cases_closed",
        name=_("Cases closed"),
        description=_("Cases closed in the period."),
        counts=_("Cases by the day they were closed."),
        **_CASES,
        date_field="closed_on",
        where=Q(status="closed"),
        dimensions={
            "month": None,
            **_person_dims("person", _CASE_PROVINCE),
            "exploitation": _CASE_EXPLOITATION,
            "country": "destination_countries__code",
            "source": "source",
            "closure": "closure_category",
            "organisation": "organisation__code",
        },
        distinct=True,  # a case with two destination countries counts once
        group=_GROUP_PROTECTION,
        unit=_("cases"),
    ),
    Indicator(
        code="services_delivered",
        name=_("Services delivered"),
        description=_("Services delivered to survivors (health, psychosocial, legal, education…)."),
        counts=_("Service deliveries recorded as delivered, by the day of delivery."),
        model="care.ServiceDelivery",
        date_field="delivered_on",
        where=Q(status="delivered"),
        person="case__person",
        dimensions={
            "month": None,
            "category": "service__category",
            "service": "service__code",
            **_OF_CASE_SURVIVOR,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "provider__code",
        },
        group=_GROUP_PROTECTION,
        unit=_("services"),
    ),
    Indicator(
        code="shelter_residents",
        name=_("People in shelters"),
        description=_(
            "Survivors placed in a shelter or aftercare facility at some time in the period."
        ),
        counts=_("Distinct survivors with a placement that held a bed during the period."),
        model="shelters.Placement",
        date_field="admitted_on",
        period=_placed,
        measure="case__person",
        distinct=True,
        person="case__person",
        dimensions={
            "facility_type": "facility__type",
            "province": "facility__province_id",
            "sex": "case__person__sex",
            "age_group": None,
            "age_band": None,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "facility__organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("people"),
    ),
    Indicator(
        code="referrals_made",
        name=_("Referrals made"),
        description=_(
            "Referrals of survivors to partner organisations for a service or a transfer."
        ),
        counts=_("Referrals sent in the period."),
        model="referrals.Referral",
        date_field="created_at",
        person="case__person",
        dimensions={
            "month": None,
            "referral_service": "service",
            "referral_status": "status",
            **_OF_CASE_SURVIVOR,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "to_organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("referrals"),
    ),
    Indicator(
        code="referrals_accepted",
        name=_("Referrals accepted"),
        description=_("Referrals the receiving partner accepted (and may since have completed)."),
        counts=_("Referrals accepted or completed, by the time of the decision."),
        model="referrals.Referral",
        date_field="decided_at",
        person="case__person",
        where=Q(status__in=["accepted", "completed"]),
        dimensions={
            "month": None,
            "referral_service": "service",
            **_OF_CASE_SURVIVOR,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "to_organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("referrals"),
    ),
    Indicator(
        code="returns",
        name=_("Cross-border returns"),
        description=_("Survivors returned across a border, to Cambodia or from it."),
        counts=_("Returns carried out, by the day of return."),
        model="returns.Return",
        date_field="returned_on",
        where=Q(status="returned"),
        person="case__person",
        dimensions={
            "country": "country_id",
            "direction": "direction",
            "month": None,
            **_OF_CASE_SURVIVOR,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("returns"),
    ),
    Indicator(
        code="reintegrations",
        name=_("Reintegrations"),
        description=_(
            "Survivors reintegrated with family, kin or foster carers, a group home or "
            "on their own."
        ),
        counts=_("Reintegration plans carried out, by the day of reintegration."),
        model="returns.ReintegrationPlan",
        date_field="reintegrated_on",
        person="case__person",
        dimensions={
            "option": "option",
            "month": None,
            **_OF_CASE_SURVIVOR,
            "exploitation": _OF_CASE_EXPLOITATION,
            "organisation": "case__organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("people"),
    ),
    Indicator(
        code="follow_up_visits",
        name=_("Follow-up visits"),
        description=_("Visits after reintegration, and whether the survivor lives where planned."),
        counts=_("Follow-up visits made in the period."),
        model="returns.FollowUpVisit",
        date_field="visited_on",
        dimensions={
            "living_as_planned": "living_where_planned",
            "month": None,
            "organisation": "plan__case__organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("visits"),
    ),
    Indicator(
        code="retrafficking",
        name=_("Re-trafficking flags"),
        description=_(
            "People with a completed reintegration who appeared again in a report, an "
            "operation or a new case."
        ),
        counts=_("Distinct people flagged in the period."),
        model="returns.ReTraffickingFlag",
        date_field="created_at",
        measure="person",
        distinct=True,
        person="person",
        dimensions={
            "month": None,
            **_person_dims("person", _CASE_PROVINCE),
            "organisation": "organisation__code",
        },
        group=_GROUP_AFTERCARE,
        unit=_("people"),
    ),
    Indicator(
        code="investigations",
        name=_("Investigations opened"),
        description=_("Trafficking investigations opened by the police."),
        counts=_("Investigations by the day they were opened."),
        model="justice.Investigation",
        date_field="opened_on",
        dimensions={
            "month": None,
            "province": "province_id",
            "form": "exploitation_form",
            "kind": "exploitation_form",
            "organisation": "organisation__code",
        },
        group=_GROUP_JUSTICE,
        unit=_("investigations"),
    ),
    Indicator(
        code="investigation_victims",
        name=_("Victims in investigations"),
        description=_("Victims recorded in the investigations opened in the period."),
        counts=_("Victims of investigations opened in the period."),
        model="justice.InvestigationVictim",
        date_field="investigation__opened_on",
        person="person",
        age_field="age_at_exploitation",
        dimensions={
            **_person_dims("person", "investigation__province_id"),
            "form": "exploitation_form",
            "kind": "exploitation_form",
            "organisation": "investigation__organisation__code",
        },
        group=_GROUP_JUSTICE,
        unit=_("people"),
    ),
    Indicator(
        code="prosecutions",
        name=_("People prosecuted"),
        description=_("Suspects brought before a court; a person counts once however many cases."),
        counts=_("Distinct defendants of court cases filed in the period."),
        model="justice.Suspect",
        date_field="court_cases__filed_on",
        measure="id",
        distinct=True,
        person="person",
        dimensions={
            **_person_dims("person", "investigation__province_id"),
            "form": "investigation__exploitation_form",
            "kind": "investigation__exploitation_form",
            "organisation": "investigation__organisation__code",
        },
        group=_GROUP_JUSTICE,
        unit=_("people"),
    ),
    Indicator(
        code="convictions",
        name=_("People convicted"),
        description=_("Defendants convicted; a person counts once however many verdicts."),
        counts=_("Distinct defendants with a conviction decided in the period."),
        **_CONVICTIONS,
        measure="defendant",
        distinct=True,
        person="defendant__person",
        dimensions={
            **_person_dims("defendant__person", "court_case__investigation__province_id"),
            **_VERDICT_FORM,
            "sentence": "sentence_months",
            "month": None,
            "organisation": "court_case__investigation__organisation__code",
        },
        group=_GROUP_JUSTICE,
        unit=_("people"),
    ),
    Indicator(
        code="sentences",
        name=_("Sentences imposed"),
        description=_("Prison sentences of convictions, in bands of length."),
        counts=_("Convictions decided in the period, by length of sentence."),
        **_CONVICTIONS,
        dimensions={"sentence": "sentence_months", **_VERDICT_FORM},
        group=_GROUP_JUSTICE,
        unit=_("sentences"),
    ),
    Indicator(
        code="compensation_ordered",
        name=_("Compensation ordered (riel)"),
        description=_("Compensation courts ordered convicted traffickers to pay to victims."),
        counts=_("Sum of compensation ordered in convictions decided in the period."),
        **_CONVICTIONS,
        amount="compensation_ordered_riel",
        dimensions=_VERDICT_FORM,
        group=_GROUP_JUSTICE,
        unit=_("riel"),
    ),
    Indicator(
        code="compensation_paid",
        name=_("Compensation paid (riel)"),
        description=_("Compensation actually paid to victims, as recorded with the verdict."),
        counts=_("Sum of compensation paid in convictions decided in the period."),
        **_CONVICTIONS,
        amount="compensation_paid_riel",
        dimensions=_VERDICT_FORM,
        group=_GROUP_JUSTICE,
        unit=_("riel"),
    ),
    Indicator(
        code="prevention_reach",
        name=_("People reached by prevention"),
        description=_("Registered members of clubs and groups who attended a session."),
        counts=_("Distinct members attending at least one session in the period."),
        model="prevention.Attendance",
        date_field="session__date",
        measure="member",
        distinct=True,
        dimensions={
            "month": None,
            "sex": "member__sex",
            "age_group": "member__age_band",
            "age_band": "member__age_band",
            "province": "session__village__commune__district__province_id",
            "organisation": "session__programme__organisation__code",
        },
        group=_GROUP_PREVENTION,
        unit=_("people"),
    ),
    Indicator(
        code="officials_trained",
        name=_("Officials trained"),
        description=_("Police, judges, social workers and other officials trained."),
        counts=_("Participants of trainings that began in the period."),
        model="prevention.TrainingParticipant",
        date_field="training__start_date",
        dimensions={
            "sex": "sex",
            "institution": "institution",
            "month": None,
            "province": "training__province_id",
            "organisation": "training__organisation__code",
        },
        group=_GROUP_PREVENTION,
        unit=_("people"),
    ),
]


def _first_action_in_target() -> Q:
    """Reports whose first action came within the target of their urgency, as one SQL filter."""
    from ctip.intake import triage
    from ctip.intake.models import Urgency

    condition = Q(pk__in=[])
    for urgency in Urgency.values:
        target: timedelta = triage.response_target(urgency)
        condition |= Q(
            urgency=urgency,
            first_action_at__isnull=False,
            first_action_at__lte=F("received_at") + target,
        )
    return condition


BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}


def get(code: str) -> Indicator:
    """The indicator of that code; KeyError when there is none."""
    return BY_CODE[code]


def where_of(indicator: Indicator) -> Q:
    """The record filter of an indicator (some are built from settings at run time)."""
    if indicator.code == "reports_first_action_in_target":
        return _first_action_in_target()
    return indicator.where
