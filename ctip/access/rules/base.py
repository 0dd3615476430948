"""The building blocks of access rules: sensitivity levels, scopes and the Rule record."""

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


@dataclass(frozen=True)
class Rule:
    scopes: list[tuple[str, Scope]]
    fields: dict[str, Sensitivity] = field(default_factory=dict)
    # Holding any of these, a user may change the records they see.
    change_permissions: tuple[str, ...] = ()


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can(user, permission: str) -> bool:
    """True when one of the user's roles grants `permission` (see accounts/roles.py)."""
    if not is_active_user(user):
        return False
    return permission in user.permissions


# Rules never import ctip.access.policy (it imports them; a test keeps it so). A scope built on
# another model's visibility calls `visible_to` below, which policy wires to itself on import.
_visibility: Callable | None = None


def use_visibility(function: Callable) -> None:
    """Called once by ctip.access.policy with its `visible_to`."""
    global _visibility
    _visibility = function


def visible_to(user, model_or_queryset):
    """The records of a model the user may see, by that model's own rule (policy.visible_to).
    Fails loudly if policy has not been loaded, never by granting anything."""
    if _visibility is None:
        raise RuntimeError("ctip.access.policy has not been loaded.")
    return _visibility(user, model_or_queryset)


N, C, R = Sensitivity.NORMAL, Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED
BASE_FIELDS = {"id": N, "uuid": N, "created_at": N, "updated_at": N, "created_by": N, "version": N}
