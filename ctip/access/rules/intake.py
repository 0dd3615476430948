"""Access rules for reports, operations, screening (issue 3).

Reports form one national intake queue: hotline operators see all of them; any other
organisation sees only the reports dispatched to it. Operations, people found and screenings
belong to the organisation that recorded them. A hand-off is seen by both ends. The screening
instrument is reference data for everyone who screens.

A report's own fields (narrative, caller's contact) are classified normal on purpose: the
hotline must read them, and hotline operators hold no confidential-data permission (that
would open people's confidential fields to them). The report is protected as a whole instead:
only the national queue and the organisation it is dispatched to see it, lists never show the
narrative or the caller, and every opening of a report is logged (intake/selectors.py).
"""

from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, R, Rule, everything, own_organisation


def _assigned_to_own(path: str = "assigned_to"):
    def scope(user):
        if not user.organisation_id:
            return None
        return Q(**{f"{path}_id": user.organisation_id})

    return scope


def _either_end(user):
    if not user.organisation_id:
        return None
    return Q(from_organisation_id=user.organisation_id) | Q(to_organisation_id=user.organisation_id)


RULES: dict[str, Rule] = {
    "intake.Report": Rule(
        scopes=[
            ("reports.view_all", everything),
            ("reports.view_assigned", _assigned_to_own()),
        ],
        fields=_BASE
        | {
            "reference": N,
            "source": N,
            "status": N,
            "received_at": N,
            "first_action_at": N,
            "caller_anonymous": N,
            "caller_name": N,
            "caller_phone": N,
            "caller_may_contact": N,
            "narrative": N,
            "province": N,
            "district": N,
            "location_text": N,
            "establishment_type": N,
            "children_count": N,
            "ages_described": N,
            "sex_described": N,
            "flag_child": N,
            "flag_sexual_exploitation": N,
            "flag_held_now": N,
            "flag_injury": N,
            "flag_moving_soon": N,
            "suggested_urgency": N,
            "triage_rules": N,
            "urgency": N,
            "urgency_reason": N,
            "assigned_to": N,
            "dispatched_at": N,
            "accepted_at": N,
            "closed_at": N,
            "outcome": N,
            "outcome_reason": N,
            "linked_to": N,
            "tip_code": N,
            "tip_secret_hash": R,
            "gateway_message_id": N,
        },
        change_permissions=("reports.triage", "reports.respond"),
    ),
    "intake.TipAddition": Rule(
        scopes=[
            ("reports.view_all", everything),
            ("reports.view_assigned", _assigned_to_own("report__assigned_to")),
        ],
        fields=_BASE | {"report": N, "text": N},
    ),
    "operations.Operation": Rule(
        scopes=[("operations.view", own_organisation())],
        fields=_BASE
        | {
            "organisation": N,
            "reference": N,
            "status": N,
            "planned_for": N,
            "province": N,
            "district": N,
            "location_text": C,
            "establishment_type": N,
            "agencies": N,
            "reports": N,
            "notes": C,
        },
        change_permissions=("operations.manage",),
    ),
    "operations.FoundPerson": Rule(
        scopes=[("operations.view", own_organisation("operation__organisation"))],
        fields=_BASE | {"operation": N, "person": N, "circumstances": C},
        change_permissions=("operations.manage",),
    ),
    "operations.Instrument": Rule(
        scopes=[
            ("screening.view", everything),
            ("screening.instrument_manage", everything),
        ],
        fields=_BASE
        | {
            "name": N,
            "version_label": N,
            "source": N,
            "status": N,
            "rule": N,
            "validated_by": N,
            "validated_at": N,
        },
        change_permissions=("screening.instrument_manage",),
    ),
    "operations.Indicator": Rule(
        scopes=[
            ("screening.view", everything),
            ("screening.instrument_manage", everything),
        ],
        fields={
            "id": N,
            "instrument": N,
            "list_code": N,
            "dimension": N,
            "dimension_label": N,
            "strength": N,
            "code": N,
            "text": N,
            "position": N,
        },
    ),
    "operations.Screening": Rule(
        scopes=[("screening.view", own_organisation())],
        fields=_BASE
        | {
            "organisation": N,
            "person": N,
            "found_person": N,
            "instrument": N,
            "list_code": N,
            "is_child": N,
            "commercial_sexual_exploitation": C,
            "indicator_codes": C,
            "computed_result": N,
            "basis": C,
            "result": N,
            "override_reason": C,
            "notes": C,
            "revised_at": N,
            "revision_reason": C,
        },
        change_permissions=("screening.record",),
    ),
    "operations.HandOff": Rule(
        scopes=[("handoffs.view", _either_end)],
        fields=_BASE
        | {
            "screening": N,
            "person": N,
            "from_organisation": N,
            "to_organisation": N,
            "note": C,
            "child_name": C,
            "child_age": N,
            "child_sex": N,
            "child_languages": N,
            "urgent_needs": C,
            "status": N,
            "decided_by": N,
            "decided_at": N,
            "decision_reason": N,
        },
        change_permissions=("handoffs.decide",),
    ),
}
