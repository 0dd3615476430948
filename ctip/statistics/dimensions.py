"""The dimensions indicators are broken down by: age bands and age groups worked out in SQL,
sentence bands, sex or labour trafficking, dimensions read from a JSON list, and their labels.

Ages are worked out in SQL against a reference date (the last day of the period), from an age
recorded for the event when there is one, else the date of birth, else the estimated age.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Q, Value, When
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0-11", 0, 11),
    ("12-14", 12, 14),
    ("15-17", 15, 17),
    ("18-24", 18, 24),
    ("25-59", 25, 59),
    ("60+", 60, None),
]
CHILD_BANDS = ("0-11", "12-14", "15-17")
UNKNOWN = "unknown"

DIMENSION_LABELS: dict[str, Promise] = {
    "year": _("Year"),
    "month": _("Month"),
    "province": _("Province"),
    "sex": _("Sex"),
    "age_group": _("Child or adult"),
    "age_band": _("Age band"),
    "form": _("Form of exploitation"),
    "exploitation": _("Form of exploitation"),
    "closure": _("Why the case closed"),
    "kind": _("Sex or labour trafficking"),
    "country": _("Country"),
    "organisation": _("Organisation"),
    "source": _("Source"),
    "urgency": _("Urgency"),
    "status": _("Status"),
    "result": _("Screening result"),
    "category": _("Service category"),
    "service": _("Service"),
    "sentence": _("Sentence"),
    "institution": _("Institution"),
    "channel": _("Channel"),
    "facility_type": _("Type of facility"),
    "referral_service": _("Service asked for"),
    "referral_status": _("Referral status"),
    "direction": _("Direction of return"),
    "option": _("Reintegration option"),
    "living_as_planned": _("Living where planned"),
}


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_conditions(lo: int, hi: int | None, *, person: str, age_field: str, ref: date) -> Q:
    """Rows whose age on `ref` lies in [lo, hi], in SQL."""

    def between(prefix_q_lo: Q, prefix_q_hi: Q | None) -> Q:
        return prefix_q_lo & prefix_q_hi if prefix_q_hi is not None else prefix_q_lo

    dob = f"{person}__date_of_birth" if person else "date_of_birth"
    est = f"{person}__estimated_age" if person else "estimated_age"
    # Born on or before ref - lo years, and after ref - (hi + 1) years.
    by_dob = between(
        Q(**{f"{dob}__lte": years_before(ref, lo)}),
        Q(**{f"{dob}__gt": years_before(ref, hi + 1)}) if hi is not None else None,
    ) & Q(**{f"{dob}__isnull": False})
    by_estimate = (
        Q(**{f"{dob}__isnull": True, f"{est}__gte": lo})
        & (Q(**{f"{est}__lte": hi}) if hi is not None else Q())
        & Q(**{f"{est}__isnull": False})
    )
    condition = by_dob | by_estimate
    if age_field:
        recorded = Q(**{f"{age_field}__gte": lo}) & (
            Q(**{f"{age_field}__lte": hi}) if hi is not None else Q()
        )
        condition = (Q(**{f"{age_field}__isnull": False}) & recorded) | (
            Q(**{f"{age_field}__isnull": True}) & condition
        )
    return condition


def age_band_expression(*, person: str, age_field: str = "", ref: date) -> Case:
    """SQL CASE giving the age band of the row's person on `ref`."""
    whens = [
        When(_age_conditions(lo, hi, person=person, age_field=age_field, ref=ref), then=Value(b))
        for b, lo, hi in AGE_BANDS
    ]
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def age_group_expression(*, person: str, age_field: str = "", ref: date) -> Case:
    """SQL CASE giving "child" (under 18), "adult" or "unknown" on `ref`."""
    return Case(
        When(
            _age_conditions(0, 17, person=person, age_field=age_field, ref=ref), then=Value("child")
        ),
        When(
            _age_conditions(18, None, person=person, age_field=age_field, ref=ref),
            then=Value("adult"),
        ),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def trafficking_kind_expression(form: str) -> Case:
    """Sex or labour trafficking from a justice form of exploitation (see justice.models)."""
    return Case(
        When(**{f"{form}__startswith": "sex_"}, then=Value("sex")),
        When(
            Q(**{f"{form}__startswith": "labour_"}) | Q(**{form: "forced_begging"}),
            then=Value("labour"),
        ),
        default=Value("other"),
        output_field=CharField(),
    )


SENTENCE_BANDS: list[tuple[str, int, int | None]] = [
    ("under_1y", 0, 11),
    ("1_to_5y", 12, 59),
    ("5_to_10y", 60, 119),
    ("10_to_15y", 120, 179),
    ("15y_plus", 180, None),
]


def sentence_band_expression(months: str) -> Case:
    whens = [
        When(
            Q(**{f"{months}__gte": lo}) & (Q(**{f"{months}__lte": hi}) if hi is not None else Q()),
            then=Value(name),
        )
        for name, lo, hi in SENTENCE_BANDS
    ]
    return Case(*whens, default=Value("none"), output_field=CharField())


@dataclass(frozen=True)
class ListDimension:
    """A dimension read from a JSON list of vocabulary values (e.g. a case's forms of exploitation).

    A record counts under each value it lists, and under "unknown" when it lists none of them;
    a total still counts it once. `vocabulary` is the dotted path of the TextChoices listed.
    """

    field: str
    vocabulary: str

    def choices(self) -> list[tuple[str, str]]:
        return list(import_string(self.vocabulary).choices)

    def values(self) -> list[str]:
        return [value for value, _label in self.choices()]

    def q(self, value: str) -> Q:
        """Records listing `value` (UNKNOWN: records listing no known value), in SQL.

        The JSON text is searched for the quoted value, which works the same on SQLite and
        PostgreSQL (SQLite has no JSON containment lookup); the quotes keep "ForcedLabour"
        from matching inside another value.
        """
        if value == UNKNOWN:
            listed = Q(pk__in=[])
            for known in self.values():
                listed |= self.q(known)
            return ~listed
        return Q(**{f"{self.field}__icontains": f'"{value}"'})
