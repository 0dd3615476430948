"""Access rules of the foundation: organisations, users, the audit log, people."""

from django.apps import apps
from django.db.models import Q

from .base import BASE_FIELDS as _BASE
from .base import C, N, R, Rule, Scope, everything, own_organisation


def handed_off_to_organisation(prefix: str = "") -> Scope:
    """People (reached through `prefix`, e.g. "person__") whom another organisation handed on
    to the user's organisation after a screening, once the hand-off was ACCEPTED. A pending or
    declined hand-off shows nothing: the receiver decides on the hand-off's own summary."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        handoff = apps.get_model("operations", "HandOff")
        accepted = handoff.objects.filter(
            to_organisation_id=user.organisation_id, status="accepted"
        ).values("person_id")
        return Q(**{f"{prefix}pk__in": accepted})

    return scope


def survivor_of_shared_case(prefix: str = "") -> Scope:
    """People (through `prefix`) whose case the user's organisation now owns (a transfer of
    responsibility moves the case, not the person record), or whose case another organisation
    shared with it by an ACCEPTED referral that shares basic identity (issue 5). Pending,
    declined, withdrawn and completed referrals show nothing."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        case = apps.get_model("cases", "Case")
        referral = apps.get_model("referrals", "Referral")
        shared = referral.objects.filter(
            to_organisation_id=user.organisation_id, status="accepted", share_identity=True
        ).values("case_id")
        # Two subqueries, not one with OR: PostgreSQL then reads the owned cases through the
        # organisation index instead of scanning every case (bench/latency.py person search).
        owned = case.objects.filter(organisation_id=user.organisation_id).values("person_id")
        shared_cases = case.objects.filter(pk__in=shared).values("person_id")
        return Q(**{f"{prefix}pk__in": owned}) | Q(**{f"{prefix}pk__in": shared_cases})

    return scope


RULES: dict[str, Rule] = {
    "accounts.Organisation": Rule(
        scopes=[("organisations.view", everything)],
        fields=_BASE
        | {
            "name": N,
            "name_km": N,
            "code": N,
            "type": N,
            "provinces": N,
            "is_active": N,
            "provides_legal_aid": N,
        },
        change_permissions=("organisations.manage",),
    ),
    "accounts.User": Rule(
        scopes=[
            ("users.manage_all", everything),
            ("users.manage_own_org", own_organisation()),
        ],
        fields=_BASE
        | {
            "email": N,
            "full_name": N,
            "full_name_km": N,
            "organisation": N,
            "is_active": N,
            "last_login": N,
            "password": R,
        },
        change_permissions=("users.manage_all", "users.manage_own_org"),
    ),
    "audit.AuditEvent": Rule(
        scopes=[
            ("audit.view_all", everything),
            ("audit.view_own_org", own_organisation()),
        ],
        fields={
            "id": N,
            "seq": N,
            "created_at": N,
            "actor": N,
            "actor_label": N,
            "organisation": N,
            "action": N,
            "target_type": N,
            "target_id": N,
            "changes": N,
            "reason": N,
            "prev_hash": N,
            "hash": N,
            "key_id": N,
        },
    ),
    "people.Person": Rule(
        scopes=[
            ("people.view", own_organisation()),
            # Issue 4: the organisation that accepted a screening hand-off opens the case.
            ("people.view", handed_off_to_organisation()),
            # Issue 5: a case transferred to, or shared by referral with, the organisation.
            ("people.view", survivor_of_shared_case()),
        ],
        fields=_BASE
        | {
            "organisation": N,
            "given_name": N,
            "family_name": N,
            "name_km": N,
            "sex": N,
            "date_of_birth": C,
            "estimated_age": N,
            "nationality": N,
            "home_village": C,
            "phone": C,
            "protection_notes": R,
            # Issue 4: the fuller person record.
            "aliases": C,
            "age_estimation": N,
            "citizenship": N,
            "languages": N,
            "disability": C,
            "photo": R,
        },
        change_permissions=("people.change",),
    ),
}
