"""Helpers that every app's services share."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def lock_and_check_version(obj: models.Model, expected_version: int | None) -> models.Model:
    """Locks the stored row and refuses the write if someone saved it since the user loaded it.

    Returns the locked, current row. `expected_version=None` skips the check (system jobs).
    """
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            ),
            code="concurrent_edit",
        )
    return current


def apply_changes(obj: models.Model, values: dict) -> dict:
    """Sets the given field values and returns {field: [old, new]} for those that changed."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(obj, name, new)
    return changes


def _plain(value):
    if isinstance(value, models.Model):
        return str(getattr(value, "uuid", None) or value.pk)
    return value
