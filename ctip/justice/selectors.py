"""Reads of proceedings, always through the access policy; and the annual-report counts."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from ctip.access.policy import can, get_visible_or_404, visible_to
from ctip.accounts.roles import Perm
from ctip.people.models import Person

from .models import (
    Arrest,
    Charge,
    CourtCase,
    Hearing,
    Identifier,
    Investigation,
    InvestigationVictim,
    LawArticle,
    Suspect,
    SuspectIdentifier,
    SuspectVictimRelation,
    Verdict,
    WitnessSupport,
    trafficking_kind,
)


def investigations_visible_to(*, user, query: str = "") -> QuerySet[Investigation]:
    """Investigations the user may see, newest first, optionally filtered by reference/title."""
    qs = visible_to(user, Investigation).select_related("organisation", "legal_organisation")
    query = query.strip()
    if query:
        qs = qs.filter(Q(reference__icontains=query) | Q(title__icontains=query))
    return qs.order_by("-opened_on", "-id")


def investigation_get_for_user(*, user, investigation_uuid) -> Investigation:
    """One investigation the user may see (404 otherwise)."""
    return get_visible_or_404(
        user,
        investigations_visible_to(user=user).select_related("province"),
        uuid=investigation_uuid,
    )


@dataclass
class InvestigationFile:
    """Everything under an investigation that the user may see, loaded in a fixed number of
    queries."""

    victims: list = field(default_factory=list)
    suspects: list = field(default_factory=list)
    complaints: list = field(default_factory=list)
    court_cases: list = field(default_factory=list)


def investigation_file(*, user, investigation: Investigation) -> InvestigationFile:
    """The victims, suspects (with identifiers, relations, arrests, charges), complaints and
    court cases (with hearings, witness support, verdicts, appeals) the user may see."""
    from .models import Appeal, Complaint

    relations = visible_to(user, SuspectVictimRelation).select_related("victim__person")
    suspects = (
        visible_to(user, Suspect)
        .filter(investigation=investigation)
        .select_related("person", "person__nationality")
        .prefetch_related(
            Prefetch(
                "identifiers",
                visible_to(user, SuspectIdentifier).select_related("identifier"),
            ),
            Prefetch("relations", relations),
            Prefetch("arrests", visible_to(user, Arrest).select_related("province")),
            Prefetch("charges", visible_to(user, Charge).select_related("article")),
        )
    )
    hearings = visible_to(user, Hearing).prefetch_related(
        Prefetch("witness_support", visible_to(user, WitnessSupport).select_related("witness"))
    )
    court_cases = (
        visible_to(user, CourtCase)
        .filter(investigation=investigation)
        .prefetch_related(
            Prefetch("defendants", Suspect.objects.select_related("person")),
            Prefetch("hearings", hearings),
            Prefetch(
                "verdicts",
                visible_to(user, Verdict)
                .select_related("defendant__person")
                .prefetch_related(Prefetch("appeals", visible_to(user, Appeal))),
            ),
        )
    )
    return InvestigationFile(
        victims=list(
            visible_to(user, InvestigationVictim)
            .filter(investigation=investigation)
            .select_related("person")
        ),
        suspects=list(suspects),
        complaints=list(visible_to(user, Complaint).filter(investigation=investigation)),
        court_cases=list(court_cases),
    )


def suspect_get_for_user(*, user, suspect_uuid) -> Suspect:
    return get_visible_or_404(
        user, visible_to(user, Suspect).select_related("investigation", "person"), uuid=suspect_uuid
    )


def court_case_get_for_user(*, user, court_case_uuid) -> CourtCase:
    return get_visible_or_404(
        user, visible_to(user, CourtCase).select_related("investigation"), uuid=court_case_uuid
    )


def hearing_get_for_user(*, user, hearing_uuid) -> Hearing:
    return get_visible_or_404(
        user,
        visible_to(user, Hearing).select_related("court_case__investigation"),
        uuid=hearing_uuid,
    )


def verdict_get_for_user(*, user, verdict_uuid) -> Verdict:
    return get_visible_or_404(
        user,
        visible_to(user, Verdict).select_related("court_case__investigation", "defendant"),
        uuid=verdict_uuid,
    )


def identifier_get_for_user(*, user, identifier_uuid) -> Identifier:
    return get_visible_or_404(user, visible_to(user, Identifier).distinct(), uuid=identifier_uuid)


def identifier_uses(*, user, identifier: Identifier) -> QuerySet[SuspectIdentifier]:
    """Every use of an identifier across the investigations the user may see."""
    return (
        visible_to(user, SuspectIdentifier)
        .filter(identifier=identifier)
        .select_related("suspect__person", "suspect__investigation__organisation")
        .order_by("-suspect__investigation__opened_on", "id")
    )


def identifiers_search(*, user, kind: str, value: str) -> QuerySet[Identifier]:
    """Identifiers the user may see that match `value` once normalised."""
    from .models import normalise_identifier

    normalised = normalise_identifier(kind, value)
    if not normalised:
        return Identifier.objects.none()
    return (
        visible_to(user, Identifier)
        .filter(kind=kind, normalised__contains=normalised)
        .distinct()
        .order_by("normalised")[:50]
    )


def law_articles(*, user) -> QuerySet[LawArticle]:
    return visible_to(user, LawArticle).order_by("article")


def law_article_get_for_user(*, user, article_uuid) -> LawArticle:
    return get_visible_or_404(user, LawArticle, uuid=article_uuid)


# --- counts for the annual government report ------------------------------------------------


def _age_on(person: Person, day: date) -> int | None:
    if person.date_of_birth:
        born = person.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return person.estimated_age


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    return "child" if age < 18 else "adult"


SENTENCE_BANDS = [
    ("under_1y", 0, 11),
    ("1_to_5y", 12, 59),
    ("5_to_10y", 60, 119),
    ("10_to_15y", 120, 179),
    ("15y_plus", 180, None),
]


def sentence_band(months: int | None) -> str:
    if months is None:
        return "none"
    for name, lo, hi in SENTENCE_BANDS:
        if months >= lo and (hi is None or months <= hi):
            return name
    return "none"  # pragma: no cover (bands cover every number of months)


@dataclass
class Tally:
    """A total with breakdowns by sex, age band, form of exploitation and trafficking kind."""

    total: int = 0
    sex: Counter = field(default_factory=Counter)
    age: Counter = field(default_factory=Counter)
    form: Counter = field(default_factory=Counter)
    kind: Counter = field(default_factory=Counter)

    def add(self, *, sex: str, age: str, form: str) -> None:
        self.total += 1
        self.sex[sex] += 1
        self.age[age] += 1
        self.form[form] += 1
        self.kind[trafficking_kind(form)] += 1


@dataclass
class AnnualCounts:
    year: int
    national: bool
    investigations: Tally = field(default_factory=Tally)
    prosecuted: Tally = field(default_factory=Tally)
    convicted: Tally = field(default_factory=Tally)
    victims: Tally = field(default_factory=Tally)
    sentences: Counter = field(default_factory=Counter)
    fines_riel: int = 0
    compensation_ordered_riel: int = 0
    compensation_paid_riel: int = 0


def annual_counts(*, user, year: int) -> AnnualCounts:
    """Counts for the annual government report, by sex, age band and form of exploitation.

    Statistics officers (`justice.counts` without `justice.view`) get national figures: this
    function is the one place that reads every investigation without the per-record scope, and
    it returns numbers only, never a record. Others get the figures of what they may see.
    """
    if not can(user, Perm.JUSTICE_COUNTS):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    national = not can(user, Perm.JUSTICE_VIEW)
    investigations = Investigation.objects.all() if national else visible_to(user, Investigation)
    ids = investigations.values("pk")
    counts = AnnualCounts(year=year, national=national)

    for inv in investigations.filter(opened_on__year=year).only("exploitation_form"):
        counts.investigations.total += 1
        counts.investigations.form[inv.exploitation_form] += 1
        counts.investigations.kind[trafficking_kind(inv.exploitation_form)] += 1

    # A person prosecuted once in the year counts once, however many court cases.
    prosecuted = (
        Suspect.objects.filter(investigation__in=ids, court_cases__filed_on__year=year)
        .select_related("person", "investigation")
        .distinct()
    )
    for s in prosecuted:
        counts.prosecuted.add(
            sex=s.person.sex,
            age=age_band(_age_on(s.person, date(year, 12, 31))),
            form=s.investigation.exploitation_form,
        )

    verdicts = Verdict.objects.filter(
        court_case__investigation__in=ids, decided_on__year=year, outcome="convicted"
    ).select_related("defendant__person", "court_case__investigation")
    seen: set[int] = set()
    for v in verdicts.order_by("defendant_id", "id"):
        counts.sentences[sentence_band(v.sentence_months)] += 1
        counts.fines_riel += v.fine_riel or 0
        counts.compensation_ordered_riel += v.compensation_ordered_riel or 0
        counts.compensation_paid_riel += v.compensation_paid_riel or 0
        if v.defendant_id in seen:
            continue
        seen.add(v.defendant_id)
        person = v.defendant.person
        counts.convicted.add(
            sex=person.sex,
            age=age_band(_age_on(person, v.decided_on)),
            form=v.court_case.investigation.exploitation_form,
        )

    victims = InvestigationVictim.objects.filter(
        investigation__in=ids, investigation__opened_on__year=year
    ).select_related("person")
    for victim in victims:
        age = victim.age_at_exploitation
        if age is None:
            age = _age_on(victim.person, date(year, 12, 31))
        counts.victims.add(sex=victim.person.sex, age=age_band(age), form=victim.exploitation_form)
    return counts


# --- the proceedings of one case's survivor (shown on the case page) -------------------------


class Stage:
    """How far a proceeding has gone, from the victim's side."""

    INVESTIGATION = "investigation"
    ARREST = "arrest"
    CHARGED = "charged"
    HEARING = "hearing"
    VERDICT = "verdict"

    @staticmethod
    def label(stage: str) -> str:
        from django.utils.translation import gettext

        return {
            Stage.INVESTIGATION: gettext("Under investigation"),
            Stage.ARREST: gettext("Suspect arrested"),
            Stage.CHARGED: gettext("Suspect charged"),
            Stage.HEARING: gettext("In court"),
            Stage.VERDICT: gettext("Verdict given"),
        }[stage]


@dataclass
class ProceedingStatus:
    """What a case worker may know of a proceeding in which their survivor is a victim:
    a reference, the stage, the next hearing and the verdicts' outcomes; never who the
    suspects are, nor the evidence. A field the user's roles may not read stays None."""

    uuid: str
    reference: str | None
    stage: str
    stage_label: str
    next_hearing: object | None = None
    verdicts: list = field(default_factory=list)


def case_proceedings(*, user, case) -> list[ProceedingStatus]:
    """The status of each proceeding (the user may see) in which the case's survivor is a
    victim. Every read goes through `visible_to`; every field shown through `readable_fields`.
    A fixed number of queries whatever the number of proceedings."""
    from django.utils import timezone

    from ctip.access.policy import readable_fields

    from .models import HearingStatus, VerdictOutcome

    if not can(user, Perm.JUSTICE_VIEW):
        return []
    victim_of = visible_to(user, InvestigationVictim).filter(person_id=case.person_id)
    investigations = list(
        visible_to(user, Investigation)
        .filter(pk__in=victim_of.values("investigation_id"))
        .order_by("opened_on", "id")
    )
    if not investigations:
        return []
    ids = [inv.pk for inv in investigations]
    arrested = set(
        visible_to(user, Arrest)
        .filter(suspect__investigation_id__in=ids)
        .values_list("suspect__investigation_id", flat=True)
    )
    charged = set(
        visible_to(user, Charge)
        .filter(suspect__investigation_id__in=ids)
        .values_list("suspect__investigation_id", flat=True)
    )
    hearings: dict[int, list] = {}
    for h in (
        visible_to(user, Hearing)
        .filter(court_case__investigation_id__in=ids)
        .values("court_case__investigation_id", "scheduled_for", "status")
    ):
        hearings.setdefault(h["court_case__investigation_id"], []).append(h)
    decided: dict[int, list] = {}
    for v in (
        visible_to(user, Verdict)
        .filter(court_case__investigation_id__in=ids)
        .exclude(outcome=VerdictOutcome.PENDING)
        .values("court_case__investigation_id", "outcome", "decided_on")
    ):
        decided.setdefault(v["court_case__investigation_id"], []).append(v)

    show_reference = bool(readable_fields(user, Investigation, ["reference"]))
    show_hearing = bool(readable_fields(user, Hearing, ["scheduled_for"]))
    show_verdict = bool(
        readable_fields(user, Verdict, ["outcome", "decided_on"])
        == [
            "outcome",
            "decided_on",
        ]
    )
    now = timezone.now()
    result = []
    for inv in investigations:
        if inv.pk in decided:
            stage = Stage.VERDICT
        elif inv.pk in hearings:
            stage = Stage.HEARING
        elif inv.pk in charged:
            stage = Stage.CHARGED
        elif inv.pk in arrested:
            stage = Stage.ARREST
        else:
            stage = Stage.INVESTIGATION
        upcoming = sorted(
            h["scheduled_for"]
            for h in hearings.get(inv.pk, [])
            if h["status"] == HearingStatus.SCHEDULED and h["scheduled_for"] >= now
        )
        result.append(
            ProceedingStatus(
                uuid=str(inv.uuid),
                reference=inv.reference if show_reference else None,
                stage=stage,
                stage_label=Stage.label(stage),
                next_hearing=upcoming[0] if upcoming and show_hearing else None,
                verdicts=[
                    {
                        "outcome": VerdictOutcome(v["outcome"]).label,
                        "decided_on": v["decided_on"],
                    }
                    for v in decided.get(inv.pk, [])
                ]
                if show_verdict
                else [],
            )
        )
    return result
