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


N, C, R = Sensitivity.NORMAL, Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED
BASE_FIELDS = {"id": N, "uuid": N, "created_at": N, "updated_at": N, "created_by": N, "version": N}
