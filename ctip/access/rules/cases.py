"""Access rules for cases, consent, assessments, care plans, services, notes (issue 4).

A case is seen by its owning organisation. An organisation may restrict case workers to the
cases assigned to them (cases.CaseSettings.restrict_to_assigned); holders of cases.view_all
(supervisors) still see every case of their organisation. Everything hanging off a case is seen
exactly when the case is.

Referrals (issue 5): while a referral is ACCEPTED, the receiving organisation sees the case and
the child records of the sections the referral shares (`case_child(..., section)`): profile →
trafficking events; assessments → assessments and scores; care_plan → plans, goals, actions,
reviews; services → services delivered; notes → case notes (sensitive ones stay on the owner's
pages). Consent, overrides, tasks and approvals are never shared. After an accepted transfer the
case belongs to the receiver; the sender keeps reading the case and the records its own staff
wrote (`written_before_transfer`). Only the owning organisation changes a case (the services
check ownership) and only it opens the case pages (cases.selectors.owned_cases).
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


def _accepted_referrals(user, section: str | None):
    referral = apps.get_model("referrals", "Referral")
    found = referral.objects.filter(to_organisation_id=user.organisation_id, status="accepted")
    if section:
        found = found.filter(**{f"share_{section}": True})
    return found.values("case_id")


def shared_by_referral(prefix: str = "", section: str | None = None) -> Scope:
    """Cases (through `prefix`) that another organisation referred to the user's organisation,
    while the referral is ACCEPTED and, for a child record, shares its `section` (issue 5).

    Pending, declined, withdrawn and completed referrals give nothing."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        return Q(**{f"{prefix}pk__in": _accepted_referrals(user, section)})

    return scope


def written_before_transfer(prefix: str = "", writer: str | None = "created_by__") -> Scope:
    """After the user's organisation transferred a case away (accepted transfer), it keeps
    reading the case header and the records its own staff wrote (`writer` path to the author);
    `writer=None` is the case itself."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        referral = apps.get_model("referrals", "Referral")
        transferred = referral.objects.filter(
            from_organisation_id=user.organisation_id,
            kind="transfer",
            status__in=("accepted", "completed"),
        ).values("case_id")
        q = Q(**{f"{prefix}pk__in": transferred})
        if writer is not None:
            q &= Q(**{f"{writer}organisation_id": user.organisation_id})
        return q

    return scope


def case_child(permission: str, prefix: str, section: str | None, writer: str = "created_by__"):
    """The scopes of a record hanging off a case: the owner's, a referral partner's when the
    referral shares `section` (None: never shared), and the transferring organisation's."""
    scopes = [
        (permission, case_scope(prefix)),
        (permission, written_before_transfer(prefix, writer)),
    ]
    if section is not None:
        scopes.append((permission, shared_by_referral(prefix, section)))
    return scopes


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
            # Issue 17: a link an organisation made to its own record of a family member
            # (people.services.family_link_add), on a person another organisation owns.
            ("people.view", own_organisation("relative__organisation")),
        ],
        fields=_BASE
        | {"person": N, "relative": N, "relationship": N, "is_guardian": N, "notes": C},
        change_permissions=("people.change",),
    ),
    "cases.Case": Rule(
        scopes=[
            ("cases.view", case_scope()),
            # Issue 5: a partner through an accepted referral; the sender after a transfer.
            ("cases.view", shared_by_referral()),
            ("cases.view", written_before_transfer(writer=None)),
        ],
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
            "closure_category": N,
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
        scopes=case_child("cases.view", "case__", "profile"),
        fields=_BASE
        | _CASE_CHILD
        | {"type": N, "happened_on": N, "country": N, "province": N, "place": C, "description": C},
        change_permissions=("cases.change",),
    ),
    "cases.Consent": Rule(
        scopes=case_child("cases.view", "case__", None),
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
        scopes=case_child("cases.view", "case__", "notes"),
        # A sensitive note's text is withheld (selectors) from roles without restricted access.
        fields=_BASE | _CASE_CHILD | {"kind": N, "happened_on": N, "text": C, "is_sensitive": N},
        change_permissions=("cases.change",),
    ),
    "cases.CaseTask": Rule(
        scopes=case_child("cases.view", "case__", None),
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
            "closure_category": N,
            "request_comment": C,
            "decided_by": N,
            "decided_at": N,
            "decision_comment": C,
        },
        change_permissions=("cases.approve",),
    ),
    "care.Assessment": Rule(
        scopes=case_child("care.view", "case__", "assessments"),
        fields=_BASE
        | _CASE_CHILD
        | {"instrument": N, "assessed_on": N, "assessed_by": N, "summary": C, "next_due_on": N},
        change_permissions=("care.change",),
    ),
    "care.AssessmentScore": Rule(
        scopes=case_child(
            "care.view", "assessment__case__", "assessments", writer="assessment__created_by__"
        ),
        fields={"id": N, "assessment": N, "domain": N, "score": N, "note": C},
    ),
    "care.CarePlan": Rule(
        scopes=case_child("care.view", "case__", "care_plan"),
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
        scopes=case_child("care.view", "plan__case__", "care_plan"),
        fields=_BASE | {"plan": N, "domain": N, "description": C, "status": N},
        change_permissions=("care.change",),
    ),
    "care.Action": Rule(
        scopes=case_child("care.view", "goal__plan__case__", "care_plan"),
        fields=_BASE | {"goal": N, "description": C, "owner": N, "due_on": N, "done_on": N},
        change_permissions=("care.change",),
    ),
    "care.Review": Rule(
        scopes=case_child("care.view", "plan__case__", "care_plan"),
        fields=_BASE | {"plan": N, "reviewed_on": N, "notes": C, "next_review_on": N},
        change_permissions=("care.change",),
    ),
    "care.ServiceDelivery": Rule(
        scopes=[
            *case_child("care.view", "case__", "services"),
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
