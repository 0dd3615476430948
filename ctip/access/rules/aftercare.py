"""Access rules for shelters, placements, referrals, returns, reintegration (issue 5).

- Facilities and their capacity bands: the owning organisation; any holder of capacity.view
  sees them for the capacity board, which shows counts and never who is placed.
- Placements: the facility's organisation and the case's (owner, under its assignment rule).
- Referrals: the sending and the receiving organisation, whatever the status; what the
  receiver sees of the case itself is decided in rules/cases.py (accepted referrals only).
- Directory entries: every user who refers or answers referrals.
- Returns, reintegration plans and follow-ups: whoever sees the case as its owner.
- Re-trafficking flags: the organisation alerted (the one that reintegrated the person), under
  its assignment rule: a flag names the case.
"""

from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, Rule, can, everything, own_organisation
from .cases import case_scope, restricts_to_assigned


def _alerted(user) -> Q | None:
    """Flags raised for the user's organisation. A flag names the case (number, plan): where
    the organisation restricts case workers to their assigned cases, a user without
    cases.view_all sees only the flags of the cases assigned to them."""
    if not user.organisation_id:
        return None
    q = Q(organisation_id=user.organisation_id)
    if "cases.view_all" not in user.permissions and restricts_to_assigned(user):
        q &= Q(plan__case__case_worker_id=user.pk) | Q(plan__case__supervisor_id=user.pk)
    return q


# Issue 17: what a shared section opens of the case itself to a reader whose role does not
# read cases (a legal officer holds no cases.view): these fields of cases.Case, each still
# under its own sensitivity (cases.Case's rule), shown on the referral's page and nowhere else.
SECTION_CASE_FIELDS: dict[str, tuple[str, ...]] = {
    "legal": (
        "trafficking_status",
        "exploitation_types",
        "sexual_exploitation_types",
        "forced_labour_industry",
        "means_of_control",
        "recruitment_methods",
        "recruiter_relation",
        "age_when_trafficked",
        "exploitation_started_on",
        "exploitation_ended_on",
        "destination_countries",
    ),
}


def referral_opens_section(user, referral, section: str) -> bool:
    """True when `referral` opens `section` of its case to the user now: the user holds
    referrals.view, their organisation received the referral, it is ACCEPTED (read afresh) and
    it shares that section. Anything else (pending, declined, withdrawn, completed, the
    sender, a third organisation, an unknown section) is False."""
    if section not in SECTION_CASE_FIELDS or not can(user, "referrals.view"):
        return False
    if not user.organisation_id or referral.to_organisation_id != user.organisation_id:
        return False
    return (
        type(referral)
        ._default_manager.filter(pk=referral.pk, status="accepted", **{f"share_{section}": True})
        .exists()
    )


RULES: dict[str, Rule] = {
    "shelters.Facility": Rule(
        scopes=[
            ("shelters.view", own_organisation()),
            ("capacity.view", everything),
        ],
        fields=_BASE
        | {
            "organisation": N,
            "name": N,
            "name_km": N,
            "type": N,
            "province": N,
            "address": C,
            "services": N,
            "is_active": N,
        },
        change_permissions=("shelters.manage",),
    ),
    "shelters.CapacityBand": Rule(
        scopes=[
            ("shelters.view", own_organisation("facility__organisation")),
            ("capacity.view", everything),
        ],
        fields={"id": N, "facility": N, "sex": N, "age_min": N, "age_max": N, "places": N},
        change_permissions=("shelters.manage",),
    ),
    "shelters.Placement": Rule(
        scopes=[
            ("shelters.view", own_organisation("facility__organisation")),
            ("shelters.view", case_scope("case__")),
        ],
        fields=_BASE
        | {
            "case": N,
            "handoff": N,
            "facility": N,
            "band": N,
            "admitted_on": N,
            "discharged_on": N,
            "discharge_reason": N,
            "discharge_notes": C,
            "over_capacity_reason": C,
            "transferred_from": N,
        },
        change_permissions=("placements.manage",),
    ),
    "referrals.Referral": Rule(
        scopes=[
            ("referrals.view", own_organisation("from_organisation")),
            ("referrals.view", own_organisation("to_organisation")),
        ],
        fields=_BASE
        | {
            "case": N,
            "kind": N,
            "from_organisation": N,
            "to_organisation": N,
            "service": N,
            "reason": C,
            "urgency": N,
            "share_identity": N,
            "share_profile": N,
            "share_assessments": N,
            "share_care_plan": N,
            "share_services": N,
            "share_notes": N,
            "share_legal": N,
            "survivor_sex": N,
            "survivor_age": N,
            "status": N,
            "consent_overridden": N,
            "decided_by": N,
            "decided_at": N,
            "decision_reason": C,
            "completed_at": N,
            "withdrawn_at": N,
            "withdrawal_reason": C,
        },
        change_permissions=("referrals.create", "referrals.respond"),
    ),
    "referrals.PartnerService": Rule(
        scopes=[
            ("referrals.view", everything),
            ("directory.manage", own_organisation()),
        ],
        fields=_BASE
        | {
            "organisation": N,
            "category": N,
            "description": N,
            "provinces": N,
            "contact": N,
            "is_active": N,
        },
        change_permissions=("directory.manage",),
    ),
    "returns.Return": Rule(
        scopes=[("returns.view", case_scope("case__"))],
        fields=_BASE
        | {
            "organisation": N,
            "case": N,
            "direction": N,
            "country": N,
            "sending_authority": N,
            "sending_organisation": N,
            "receiving_authority": N,
            "receiving_organisation": N,
            "crossing_point": N,
            "planned_on": N,
            "returned_on": N,
            "documents": C,
            "escort": N,
            "family_traced": N,
            "home_assessed_on": N,
            "home_assessment": C,
            "status": N,
            "notes": C,
        },
        change_permissions=("returns.manage",),
    ),
    "returns.ReintegrationPlan": Rule(
        scopes=[("returns.view", case_scope("case__"))],
        fields=_BASE
        | {
            "case": N,
            "option": N,
            "destination": C,
            "caregiver": C,
            "family_readiness": N,
            "community_readiness": N,
            "readiness_notes": C,
            "assessed_on": N,
            "status": N,
            "reintegrated_on": N,
            "follow_up_months": N,
        },
        change_permissions=("returns.manage",),
    ),
    "returns.FollowUpVisit": Rule(
        scopes=[("returns.view", case_scope("plan__case__"))],
        fields=_BASE
        | {
            "plan": N,
            "months_after": N,
            "due_on": N,
            "visited_on": N,
            "visited_by": N,
            "assessment": N,
            "living_where_planned": N,
            "in_school_or_work": N,
            "notes": C,
        },
        change_permissions=("returns.manage",),
    ),
    "returns.ReTraffickingFlag": Rule(
        scopes=[("returns.view", _alerted)],
        fields=_BASE
        | {
            "organisation": N,
            "person": N,
            "plan": N,
            "source_type": N,
            "source_uuid": N,
            "source_label": N,
            "raised_by_organisation": N,
            "reviewed_at": N,
            "review_notes": C,
        },
        change_permissions=("returns.manage",),
    ),
}
