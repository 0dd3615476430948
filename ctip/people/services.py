"""Every write to people. Each runs in a transaction and is audited (names of sensitive fields
only, never their values)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, can_change, readable_fields, sensitive_fields
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version

from .models import Person

EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "nationality",
    "home_village",
    "phone",
    "protection_notes",
)


def _check_writable(actor, values: dict) -> None:
    # A user may only write the fields they may read: no blind overwrites of restricted data.
    hidden = set(values) - set(readable_fields(actor, Person, values))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if hidden or unknown:
        raise PermissionDenied


def _validate(person: Person) -> None:
    errors = {}
    if not (person.given_name or person.family_name or person.name_km):
        errors["given_name"] = _("Give at least one name, in Khmer script or romanised.")
    if person.date_of_birth and person.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    if person.date_of_birth and person.date_of_birth < date(1900, 1, 1):
        errors["date_of_birth"] = _("The date of birth is too far in the past.")
    if person.estimated_age is not None and person.estimated_age > 120:
        errors["estimated_age"] = _("The estimated age must be between 0 and 120.")
    if errors:
        raise ValidationError(errors)
    person.full_clean()


@transaction.atomic
def person_create(*, actor, organisation=None, **values) -> Person:
    """Records a person owned by the actor's organisation."""
    if not can(actor, Perm.PEOPLE_CREATE):
        raise PermissionDenied
    _check_writable(actor, values)
    organisation = organisation or actor.organisation
    if organisation.pk != actor.organisation_id:
        raise PermissionDenied
    person = Person(organisation=organisation, created_by=actor, **values)
    _validate(person)
    person.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        changes={name: [None, value] for name, value in values.items() if value not in ("", None)},
        sensitive_fields=sensitive_fields(Person),
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, expected_version: int | None, **values) -> Person:
    """Changes a person's details; refuses if someone saved the record since it was loaded."""
    if not can_change(actor, person):
        raise PermissionDenied
    _check_writable(actor, values)
    current = lock_and_check_version(person, expected_version)
    changes = apply_changes(current, values)
    if not changes:
        return current
    _validate(current)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes=changes,
        sensitive_fields=sensitive_fields(Person),
    )
    return current
