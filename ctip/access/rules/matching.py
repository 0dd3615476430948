"""Access rules for record linkage, the duplicate review queue and the network view (issue 9).

- A possible match within one organisation is seen by that organisation's reviewers
  (`matching.review`).
- A possible match across two organisations is revealed only as their data-sharing agreement
  in force says (`referrals.DataSharingAgreement.reveal_matches`, `match_reveal_levels`):
  "none", or no agreement at all, reveals nothing, not even that the pair exists; "existence"
  that another partner holds a possible match, without its name or anything of the record;
  "contact" the holding organisation's name and its contact, so that a referral can be
  started. Where two agreements are in force, the least revealing wins. Never the child's
  details: the selectors show the other record's content only when the reviewer may see that
  person by the people rule (ctip/matching/selectors.py).
- The evidence (which fields agreed) is confidential: it says something about both records.
- Keyed blocking hashes (`MatchKey`) and identity-cluster rows have no rule: nobody reads them
  through the policy; services use them internally and show only what the rules above allow.
- The network view has no model of its own: it reads suspects, identifiers, investigations and
  victims through their own rules (ctip/networks/selectors.py).
- Data-sharing agreements themselves (their pages, ctip/referrals/views.py): system
  administrators (`organisations.manage`) see and change them all; an organisation's admin
  (`users.manage_own_org`) reads those their organisation is party to, on either side.
  `match_reveal_levels` reads them directly: it decides for the matching rule, not a user.
"""

from typing import NamedTuple

from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, Rule, everything


class MatchReveal(NamedTuple):
    level: str  # "none", "existence" or "contact" (referrals.models.MatchReveal)
    contact: str  # the partner's contact, given with "contact" only


def match_reveal_levels(organisation_id: int, on=None) -> dict[int, MatchReveal]:
    """Partner organisation id → what possible matches reveal between the two organisations,
    by the data-sharing agreements in force on `on` (today). A partner missing from the
    result has no agreement: nothing is revealed (fail closed)."""
    from django.utils import timezone

    from ctip.referrals.models import MATCH_REVEAL_ORDER, DataSharingAgreement

    on = on or timezone.localdate()
    agreements = DataSharingAgreement.objects.filter(
        Q(organisation_a_id=organisation_id) | Q(organisation_b_id=organisation_id),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        valid_from__lte=on,
    )
    levels: dict[int, MatchReveal] = {}
    for agreement in agreements:
        a, b = agreement.organisation_a_id, agreement.organisation_b_id
        partner = b if a == organisation_id else a
        level = agreement.reveal_matches
        contact = agreement.contact_at(partner) if level == "contact" else ""
        known = levels.get(partner)
        if known and MATCH_REVEAL_ORDER.index(known.level) <= MATCH_REVEAL_ORDER.index(level):
            continue
        levels[partner] = MatchReveal(level, contact)
    return levels


def _either_organisation(user) -> Q | None:
    if not user.organisation_id:
        return None
    own = user.organisation_id
    partners = [org for org, reveal in match_reveal_levels(own).items() if reveal.level != "none"]
    return (
        Q(organisation_a_id=own, organisation_b_id=own)
        | Q(organisation_a_id=own, organisation_b_id__in=partners)
        | Q(organisation_b_id=own, organisation_a_id__in=partners)
    )


def _party(user) -> Q | None:
    if not user.organisation_id:
        return None
    own = user.organisation_id
    return Q(organisation_a_id=own) | Q(organisation_b_id=own)


RULES: dict[str, Rule] = {
    "referrals.DataSharingAgreement": Rule(
        scopes=[("organisations.manage", everything), ("users.manage_own_org", _party)],
        fields=_BASE
        | {
            "organisation_a": N,
            "organisation_b": N,
            "reference": N,
            "reveal_matches": N,
            # Staff contacts of the two organisations, shown with "contact" matches.
            "contact_a": N,
            "contact_b": N,
            "valid_from": N,
            "valid_to": N,
        },
        change_permissions=("organisations.manage",),
    ),
    "matching.MatchCandidate": Rule(
        scopes=[("matching.review", _either_organisation)],
        fields=_BASE
        | {
            "person_a": N,
            "person_b": N,
            "organisation_a": N,
            "organisation_b": N,
            "probability": N,
            "evidence": C,
            "status": N,
            "requested_by": N,
            "decided_by": N,
            "decided_at": N,
            "note": C,
        },
        change_permissions=("matching.review",),
    ),
}
