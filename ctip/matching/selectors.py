"""Reads of possible matches, always through the access policy.

A reviewer sees a pair of their own organisation's records, and a pair across organisations
only as the two organisations' data-sharing agreement allows (rules/matching.py): with
"existence", that another partner holds a possible match; with "contact", which organisation
holds it and whom to contact. The content of each record, and the evidence, is shown only when
the reviewer may see both people by the people rule; never otherwise.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import get_visible_or_404, visible_to
from ctip.access.rules.matching import match_reveal_levels
from ctip.people.models import Person

from .models import OPEN_STATUSES, IdentityMember, MatchCandidate

# The model's comparisons and levels (engine.py), as reviewers read them.
FIELD_LABELS = {
    "given": _("Given name"),
    "family": _("Family name"),
    "name_km": _("Name in Khmer script"),
    "birth": _("Date of birth or age"),
    "sex": _("Sex"),
    "place": _("Home village, district, province"),
    "address": _("Address"),
    "phone": _("Phone"),
    "id_number": _("Identity document"),
    "email": _("Email"),
}
LEVEL_LABELS = {
    "missing": _("missing in one record"),
    "exact": _("the same"),
    "same name, another spelling": _("the same name, spelt differently"),
    "names swapped": _("given and family name swapped"),
    "very similar": _("very similar"),
    "matches an alias": _("matches an alias"),
    "similar": _("similar"),
    "disagree": _("different"),
    "same letters, other vowel signs": _("the same letters, other vowel signs"),
    "one letter differs": _("one letter differs"),
    "same date of birth": _("the same date of birth"),
    "one digit differs": _("one digit differs"),
    "day and month swapped": _("day and month swapped"),
    "born within a year": _("born within a year"),
    "born within three years": _("born within three years"),
    "same": _("the same"),
    "same postcode": _("the same village"),
    "same locality": _("the same district"),
    "same region": _("the same province"),
    "same number": _("the same number"),
    "same last six digits": _("the same last six digits"),
    "one sign differs": _("one sign differs"),
}


# What a reviewer is told of the organisation holding the other record.
REVEAL_OWN = "own"  # their own organisation: everything the people rule allows
REVEAL_EXISTENCE = "existence"  # another partner: no name, no contact
REVEAL_CONTACT = "contact"  # the partner's name and contact, to start a referral


@dataclass
class CandidateView:
    candidate: MatchCandidate
    own: Person | None  # a record the reviewer may see (record A when both are visible)
    other: Person | None  # the other record, None when the reviewer may not see it
    # The organisation holding the other record: None when the agreement reveals only that
    # another partner holds a possible match.
    other_organisation: object
    reveal: str = REVEAL_OWN
    contact: str = ""  # the partner's contact, with REVEAL_CONTACT
    viewer_organisation_id: int | None = None

    @property
    def sees_both(self) -> bool:
        return self.own is not None and self.other is not None

    @property
    def evidence(self) -> dict:
        # Which fields agreed says something about the other record: only for those who see it.
        return self.candidate.evidence if self.sees_both else {}

    @property
    def evidence_rows(self) -> list[tuple[str, str]]:
        """(field, how it compared) in the reviewer's language."""
        return [
            (FIELD_LABELS.get(field, field), LEVEL_LABELS.get(level, level))
            for field, level in self.evidence.items()
        ]

    @property
    def awaiting_us(self) -> bool:
        c = self.candidate
        return c.status == "requested" and c.requested_by_id != getattr(
            self.own, "organisation_id", None
        )


def _revealed(view: CandidateView, user, reveals: dict) -> CandidateView:
    """Narrows what the view tells of the other organisation to what the agreement allows."""
    c = view.candidate
    if not c.is_cross_organisation or view.other is not None:
        return view  # one organisation, or a record the reviewer may see anyway
    mine_a = c.organisation_a_id == user.organisation_id
    other_org = c.organisation_b if mine_a else c.organisation_a
    # The access rule let only pairs with an agreement through; without one, fail closed.
    reveal = reveals.get(other_org.pk)
    if reveal is not None and reveal.level == REVEAL_CONTACT:
        view.other_organisation, view.reveal, view.contact = (
            other_org,
            REVEAL_CONTACT,
            reveal.contact,
        )
    else:
        view.other_organisation, view.reveal, view.contact = None, REVEAL_EXISTENCE, ""
    return view


def candidate_views(user, candidates: list[MatchCandidate]) -> list[CandidateView]:
    """Each candidate with what the user may see of it (two queries for all)."""
    ids = {p for c in candidates for p in (c.person_a_id, c.person_b_id)}
    visible = set(visible_to(user, Person).filter(pk__in=ids).values_list("pk", flat=True))
    reveals = (
        match_reveal_levels(user.organisation_id)
        if any(c.is_cross_organisation for c in candidates)
        else {}
    )
    views = []
    for c in candidates:
        a_ok, b_ok = c.person_a_id in visible, c.person_b_id in visible
        if a_ok and b_ok:
            view = CandidateView(c, c.person_a, c.person_b, c.organisation_b)
        elif a_ok:
            view = CandidateView(c, c.person_a, None, c.organisation_b)
        elif b_ok:
            view = CandidateView(c, c.person_b, None, c.organisation_a)
        else:
            # The reviewer's organisation holds a record they may not see (e.g. case workers
            # restricted to their assigned cases): the pair stays anonymous to them.
            mine_a = c.organisation_a_id == user.organisation_id
            view = CandidateView(c, None, None, c.organisation_b if mine_a else c.organisation_a)
        view.viewer_organisation_id = user.organisation_id
        views.append(_revealed(view, user, reveals))
    return views


def candidates_visible_to(*, user, status: str = "open") -> QuerySet[MatchCandidate]:
    qs = visible_to(user, MatchCandidate).select_related(
        "person_a", "person_b", "organisation_a", "organisation_b", "requested_by"
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-probability", "id")


def review_queue(*, user, status: str = "open", limit: int = 100) -> list[CandidateView]:
    """The possible matches the user reviews, best first, each with what they may see."""
    return candidate_views(user, list(candidates_visible_to(user=user, status=status)[:limit]))


def candidate_get_for_user(*, user, candidate_uuid) -> CandidateView:
    """One possible match the user may review (404 otherwise)."""
    candidate = get_visible_or_404(
        user, candidates_visible_to(user=user, status=""), uuid=candidate_uuid
    )
    return candidate_views(user, [candidate])[0]


def identity_of(*, user, person: Person) -> list[Person]:
    """The other records of the person's identity cluster that the user may see."""
    member = IdentityMember.objects.filter(person=person).first()
    if member is None:
        return []
    ids = IdentityMember.objects.filter(cluster=member.cluster).exclude(person=person)
    return list(visible_to(user, Person).filter(pk__in=ids.values("person_id")).order_by("id"))
