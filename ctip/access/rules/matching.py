"""Access rules for record linkage, the duplicate review queue and the network view (issue 9).

- A possible match is seen by the reviewers (`matching.review`) of the organisations that hold
  either record. Seeing the pair is not seeing both records: the selectors show the other
  record's content only when the reviewer may see that person by the people rule; otherwise
  only that a match exists and which organisation holds it (ctip/matching/selectors.py).
- The evidence (which fields agreed) is confidential: it says something about both records.
- Keyed blocking hashes (`MatchKey`) and identity-cluster rows have no rule: nobody reads them
  through the policy; services use them internally and show only what the rules above allow.
- The network view has no model of its own: it reads suspects, identifiers, investigations and
  victims through their own rules (ctip/networks/selectors.py).
"""

from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, Rule


def _either_organisation(user) -> Q | None:
    if not user.organisation_id:
        return None
    return Q(organisation_a_id=user.organisation_id) | Q(organisation_b_id=user.organisation_id)


RULES: dict[str, Rule] = {
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
