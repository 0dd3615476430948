"""Access rules of the foundation: organisations, users, the audit log, people."""

from .base import BASE_FIELDS as _BASE
from .base import C, N, R, Rule, everything, own_organisation

RULES: dict[str, Rule] = {
    "accounts.Organisation": Rule(
        scopes=[("organisations.view", everything)],
        fields=_BASE
        | {"name": N, "name_km": N, "code": N, "type": N, "provinces": N, "is_active": N},
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
        },
    ),
    "people.Person": Rule(
        scopes=[("people.view", own_organisation())],
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
