"""Access rules for cases, consent, assessments, care plans, services, notes (issue 4).

A case is seen by its owning organisation. An organisation may restrict case workers to the
cases assigned to them (cases.CaseSettings.restrict_to_assigned); holders of cases.view_all
(supervisors) still see every case of their organisation. Everything hanging off a case is seen
exactly when the case is. A later rule (referrals) may add a scope that lets a partner see a
case through an accepted referral: add it to the scopes of "cases.Case" and of its children.
"""

from django.apps import apps
from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, R, Rule, Scope, own_organisation
from .foundation import handed_off_to_organisation


def restricts_to_assigned(user) -> bool:
    """True when the user's organisation limits case workers to their assigned cases.

    Cached on the user object for the request: the rule is asked once per queryset.
    """
    cached = getattr(user, "_ctip_restricted_to_assigned", None)
    if cached is None:
        settings_model = apps.get_model("cases", "CaseSettings")
        cached = settings_model.objects.filter(
            organisation_id=user.organisation_id, restrict_to_assigned=True
        ).exists()
        user._ctip_restricted_to_assigned = cached
    return cached


def case_scope(prefix: str = "") -> Scope:
    """Cases (reached through `prefix`, e.g. "case__") of the user's organisation that the
    user may see under the organisation's assignment setting."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        q = Q(**{f"{prefix}organisation_id": user.organisation_id})
        if "cases.view_all" not in user.permissions and restricts_to_assigned(user):
            q &= Q(**{f"{prefix}case_worker_id": user.pk}) | Q(
                **{f"{prefix}supervisor_id": user.pk}
            )
        return q

    return scope


_CASE_CHILD = {"case": N}

RULES: dict[str, Rule] = {
    "people.IdentityDocument": Rule(
        scopes=[
            ("people.view", own_organisation("person__organisation")),
            ("people.view", handed_off_to_organisation("person__")),
        ],
        fields=_BASE
        | {
            "person": N,
            "type": N,
            "number": C,
            "issuing_country": N,
            "expires_on": N,
            "held_by": C,
        },
        change_permissions=("people.change",),
    ),
    "people.FamilyLink": Rule(
        scopes=[
            ("people.view", own_organisation("person__organisation")),
            ("people.view", handed_off_to_organisation("person__")),
        ],
        fields=_BASE
        | {"person": N, "relative": N, "relationship": N, "is_guardian": N, "notes": C},
        change_permissions=("people.change",),
    ),
    "cases.Case": Rule(
        scopes=[("cases.view", case_scope())],
        fields=_BASE
        | {
            "organisation": N,
            "number": N,
            "person": N,
            "status": N,
            "source": N,
            "source_reference": N,
            "opened_on": N,
            "case_worker": N,
            "supervisor": N,
            "closed_on": N,
            "closure_reason": C,
            "trafficking_status": N,
            "exploitation_types": N,
            "sexual_exploitation_types": N,
            "forced_labour_industry": N,
            "means_of_control": N,
            "recruitment_methods": N,
            "recruiter_relation": C,
            "age_when_trafficked": N,
            "exploitation_started_on": N,
            "exploitation_ended_on": N,
            "destination_countries": N,
            "abuse_narrative": R,
            "hiv_status": R,
            "child_witnesses": R,
        },
        change_permissions=("cases.change",),
    ),
    "cases.TraffickingEvent": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {"type": N, "happened_on": N, "country": N, "province": N, "place": C, "description": C},
        change_permissions=("cases.change",),
    ),
    "cases.Consent": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {
            "purpose": N,
            "partner": N,
            "given_by": N,
            "guardian": N,
            "given_on": N,
            "method": N,
            "withdrawn_on": N,
            "withdrawal_reason": C,
        },
        change_permissions=("consent.record",),
    ),
    "cases.ConsentOverride": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        fields=_BASE | _CASE_CHILD | {"purpose": N, "partner": N, "reason": C},
    ),
    "cases.CaseNote": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        # A sensitive note's text is withheld (selectors) from roles without restricted access.
        fields=_BASE | _CASE_CHILD | {"kind": N, "happened_on": N, "text": C, "is_sensitive": N},
        change_permissions=("cases.change",),
    ),
    "cases.CaseTask": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {
            "title": N,
            "is_visit": N,
            "assigned_to": N,
            "due_on": N,
            "remind_on": N,
            "done_on": N,
        },
        change_permissions=("cases.change",),
    ),
    "cases.Approval": Rule(
        scopes=[("cases.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {
            "kind": N,
            "subject_uuid": N,
            "status": N,
            "reason": C,
            "request_comment": C,
            "decided_by": N,
            "decided_at": N,
            "decision_comment": C,
        },
        change_permissions=("cases.approve",),
    ),
    "care.Assessment": Rule(
        scopes=[("care.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {"instrument": N, "assessed_on": N, "assessed_by": N, "summary": C, "next_due_on": N},
        change_permissions=("care.change",),
    ),
    "care.AssessmentScore": Rule(
        scopes=[("care.view", case_scope("assessment__case__"))],
        fields={"id": N, "assessment": N, "domain": N, "score": N, "note": C},
    ),
    "care.CarePlan": Rule(
        scopes=[("care.view", case_scope("case__"))],
        fields=_BASE
        | _CASE_CHILD
        | {
            "status": N,
            "starts_on": N,
            "review_every_days": N,
            "next_review_on": N,
            "summary": C,
        },
        change_permissions=("care.change",),
    ),
    "care.Goal": Rule(
        scopes=[("care.view", case_scope("plan__case__"))],
        fields=_BASE | {"plan": N, "domain": N, "description": C, "status": N},
        change_permissions=("care.change",),
    ),
    "care.Action": Rule(
        scopes=[("care.view", case_scope("goal__plan__case__"))],
        fields=_BASE | {"goal": N, "description": C, "owner": N, "due_on": N, "done_on": N},
        change_permissions=("care.change",),
    ),
    "care.Review": Rule(
        scopes=[("care.view", case_scope("plan__case__"))],
        fields=_BASE | {"plan": N, "reviewed_on": N, "notes": C, "next_review_on": N},
        change_permissions=("care.change",),
    ),
    "care.ServiceDelivery": Rule(
        scopes=[
            ("care.view", case_scope("case__")),
            # A partner sees the services asked of it (case number and service, not the case).
            ("services.confirm", own_organisation("provider")),
        ],
        fields=_BASE
        | _CASE_CHILD
        | {
            "service": N,
            "provider": N,
            "status": N,
            "requested_on": N,
            "delivered_on": N,
            "outcome": C,
            "partner_comment": C,
        },
        change_permissions=("care.change",),
    ),
}
