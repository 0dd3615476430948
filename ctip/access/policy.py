"""The one place that decides who may see or change what.

Every protected queryset comes from `visible_to(user, Model)`, every single record from
`get_visible_or_404`, every field list from `readable_fields`. The rules themselves stand in
`rules.py`. Anything not covered there gives nothing: a model without a rule, a user without an
organisation or roles, an unclassified field.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from .rules import RULES, Sensitivity

# `is_active_user` and `can` live in rules/base.py so that rules use them without importing this
# module (which imports the rules); callers keep importing them from here.
from .rules.base import can, is_active_user, use_visibility

# Which permission a user must hold to read a field of each sensitivity.
SENSITIVITY_PERMISSION = {
    Sensitivity.NORMAL: None,
    Sensitivity.CONFIDENTIAL: "sensitivity.confidential",
    Sensitivity.RESTRICTED: "sensitivity.restricted",
}


def _model_key(model: type[models.Model]) -> str:
    return model._meta.label


def visible_to(user, model_or_queryset: type[models.Model] | QuerySet) -> QuerySet:
    """Returns the records of a model that the user may see; none when no rule grants any."""
    if isinstance(model_or_queryset, QuerySet):
        queryset, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    rule = RULES.get(_model_key(model))
    if rule is None or not is_active_user(user):
        return queryset.none()
    condition: Q | None = None
    for permission, scope in rule.scopes:
        if permission in user.permissions:
            q = scope(user)
            if q is None:
                continue
            if not q:
                # An empty Q is "everything". It must not be OR-ed: Django drops an empty Q
                # from `Q() | Q(x)`, which would narrow "everything" down to x.
                return queryset
            condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


# Scopes built on another model's visibility reach `visible_to` through rules/base.py.
use_visibility(visible_to)


def get_visible_or_404(user, model_or_queryset, **lookup) -> models.Model:
    """One record the user may see; 404 alike for "does not exist" and "not yours"."""
    try:
        return visible_to(user, model_or_queryset).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_change(user, obj: models.Model) -> bool:
    """True when the user sees `obj` and holds the rule's change permission."""
    rule = RULES.get(_model_key(type(obj)))
    if rule is None or not any(can(user, perm) for perm in rule.change_permissions):
        return False
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


def field_sensitivity(model: type[models.Model], field_name: str) -> Sensitivity:
    """A field's sensitivity; unclassified fields count as restricted (fail closed)."""
    rule = RULES.get(_model_key(model))
    if rule is None:
        return Sensitivity.RESTRICTED
    return rule.fields.get(field_name, Sensitivity.RESTRICTED)


def sensitive_fields(model: type[models.Model]) -> frozenset[str]:
    """Fields of a model above normal sensitivity: audit writes their names, not values."""
    rule = RULES.get(_model_key(model))
    if rule is None:
        return frozenset()
    return frozenset(name for name, level in rule.fields.items() if level != Sensitivity.NORMAL)


def readable_fields(user, model: type[models.Model], fields: Iterable[str] | None = None) -> list:
    """The fields of `model` (or of `fields`) that the user may read, in the given order."""
    if not is_active_user(user):
        return []
    rule = RULES.get(_model_key(model))
    if rule is None:
        return []
    names = list(fields) if fields is not None else list(rule.fields)
    readable = []
    for name in names:
        needed = SENSITIVITY_PERMISSION[field_sensitivity(model, name)]
        if needed is None or needed in user.permissions:
            readable.append(name)
    return readable


def reads_sensitive(user, model: type[models.Model]) -> bool:
    """True when the user may read some field of the model above normal sensitivity."""
    return bool(set(readable_fields(user, model)) & sensitive_fields(model))


def can_manage_users_in(user, organisation) -> bool:
    """System admins manage every organisation's users; organisation admins only their own."""
    if can(user, "users.manage_all"):
        return True
    return can(user, "users.manage_own_org") and organisation.pk == user.organisation_id
