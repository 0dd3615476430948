"""Who sees which records, model by model, and how sensitive each field is.

A rule lists scopes: (permission, scope). A user holding the permission sees the records the
scope function selects for them; the union of all such scopes is what they see. A model with no
rule here is visible to nobody.

Every concrete field of a protected model must be classified (a test checks it); a field left
out is treated as restricted.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")


Scope = Callable[[object], Q | None]


def everything(user) -> Q:
    return Q()


def own_organisation(path: str = "organisation") -> Scope:
    """Records whose `path` points at the user's organisation."""

    def scope(user) -> Q | None:
        if not user.organisation_id:
            return None
        return Q(**{f"{path}_id": user.organisation_id})

    return scope


def own_organisation_self(user) -> Q | None:
    if not user.organisation_id:
        return None
    return Q(pk=user.organisation_id)


@dataclass(frozen=True)
class Rule:
    scopes: list[tuple[str, Scope]]
    fields: dict[str, Sensitivity] = field(default_factory=dict)
    # Holding any of these, a user may change the records they see.
    change_permissions: tuple[str, ...] = ()


N, C, R = Sensitivity.NORMAL, Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED
_BASE = {"id": N, "uuid": N, "created_at": N, "updated_at": N, "created_by": N, "version": N}

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
        },
        change_permissions=("people.change",),
    ),
}
