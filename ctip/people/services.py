"""Every write to people. Each runs in a transaction and is audited (names of sensitive fields
only, never their values)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import (
    can,
    can_change,
    field_sensitivity,
    readable_fields,
    sensitive_fields,
    visible_to,
)
from ctip.access.rules import Sensitivity
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.files import IMAGE_TYPES, sniff_binary_type
from ctip.core.services import apply_changes, lock_and_check_version

from .models import FamilyLink, IdentityDocument, Person, Relationship

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
    "aliases",
    "age_estimation",
    "citizenship",
    "languages",
    "disability",
    "photo",
)
# Many-to-many fields are set after the row is saved.
M2M_FIELDS = ("citizenship",)
PHOTO_MAX_BYTES = 3 * 1024 * 1024
# How far an estimated age may stray from the age the date of birth gives.
AGE_TOLERANCE_YEARS = 1


def photo_content_type(head: bytes) -> str | None:
    """The image type of a photo judged from its first bytes; None when not accepted.

    Only JPEG, PNG and WebP, whatever the file is called: no SVG (it can carry script).
    """
    return sniff_binary_type(head, IMAGE_TYPES)


def _head(upload, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


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
    if person.age_estimation and person.estimated_age is None:
        errors["estimated_age"] = _("Give the estimated age, or leave the method empty.")
    if (
        "date_of_birth" not in errors
        and "estimated_age" not in errors
        and person.date_of_birth
        and person.estimated_age is not None
    ):
        # Both given: they must tell the same story (a year either way for a rounded guess).
        age = person.age_on(timezone.localdate())
        if abs(age - person.estimated_age) > AGE_TOLERANCE_YEARS:
            errors["estimated_age"] = _(
                "The date of birth gives %(age)s years, but the estimated age is "
                "%(estimated)s. Correct one of them, or leave the estimated age empty."
            ) % {"age": age, "estimated": person.estimated_age}
    photo = person.photo
    if photo and not getattr(photo, "_committed", True):
        # Judged by content, never by name: what is stored is served back as this image type.
        if photo.size > PHOTO_MAX_BYTES:
            errors["photo"] = _("The picture is too large (3 MB at most).")
        elif photo_content_type(_head(photo)) is None:
            errors["photo"] = _("Upload a JPEG, PNG or WebP picture.")
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
    m2m = {name: values.pop(name) for name in M2M_FIELDS if name in values}
    person = Person(organisation=organisation, created_by=actor, **values)
    _validate(person)
    person.save()
    for name, related in m2m.items():
        getattr(person, name).set(related)
    changes = {
        name: [None, _plain(value)] for name, value in values.items() if value not in ("", None)
    }
    changes |= {name: [None, sorted(str(r.pk) for r in rel)] for name, rel in m2m.items() if rel}
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        changes=changes,
        sensitive_fields=sensitive_fields(Person),
    )
    return person


def _plain(value):
    # A file's name, not its content; a record by its identifier (the audit encoder's job).
    if hasattr(value, "read"):
        return getattr(value, "name", "file")
    return value


@transaction.atomic
def person_update(*, actor, person: Person, expected_version: int | None, **values) -> Person:
    """Changes a person's details; refuses if someone saved the record since it was loaded."""
    if not can_change(actor, person):
        raise PermissionDenied
    _check_writable(actor, values)
    current = lock_and_check_version(person, expected_version)
    m2m = {name: values.pop(name) for name in M2M_FIELDS if name in values}
    photo = values.pop("photo", None)
    changes = apply_changes(current, values)
    if photo is not None and photo != current.photo:
        current.photo = photo or None
        changes["photo"] = [None, None]
    for name, related in m2m.items():
        old = sorted(str(r.pk) for r in getattr(current, name).all())
        new = sorted(str(r.pk) for r in related)
        if old != new:
            changes[name] = [old, new]
    if not changes:
        return current
    _validate(current)
    current.version += 1
    current.save()
    for name, related in m2m.items():
        getattr(current, name).set(related)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=current,
        changes=changes,
        sensitive_fields=sensitive_fields(Person),
    )
    return current


def _require_person_change(actor, person: Person) -> None:
    if not can_change(actor, person):
        raise PermissionDenied


@transaction.atomic
def document_add(*, actor, person: Person, **values) -> IdentityDocument:
    """Records an identity document of a person (type, number, issuer, who holds it now)."""
    _require_person_change(actor, person)
    hidden = set(values) - set(readable_fields(actor, IdentityDocument, values))
    if hidden:
        raise PermissionDenied
    document = IdentityDocument(person=person, created_by=actor, **values)
    document.full_clean(exclude=["person", "created_by"])
    audit_changes = {k: [None, v] for k, v in values.items() if v not in ("", None)}
    document.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=document,
        changes=audit_changes | {"person": [None, str(person.uuid)]},
        sensitive_fields=sensitive_fields(IdentityDocument),
    )
    return document


# What a family member recorded inline (or copied from another organisation's record) carries.
RELATIVE_FIELDS = ("given_name", "family_name", "name_km", "sex", "phone")
# Fields that may travel into a local copy of another organisation's person, if the actor may
# read them there. Restricted fields (protection notes, photo) never do, whatever the role.
COPYABLE_FIELDS = (
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "age_estimation",
    "nationality",
    "phone",
    "languages",
)


def _local_copy_of(*, actor, source: Person) -> Person:
    """The actor's organisation's own record of a person another organisation recorded.

    Made once per organisation and source (a second link reuses it), with only the fields the
    actor may read of the source and never a restricted one; the audit names the source."""
    from ctip.audit.models import AuditEvent

    earlier = (
        AuditEvent.objects.filter(
            organisation_id=actor.organisation_id,
            action=AuditAction.CREATE,
            target_type="people.person",
            changes__copied_from__1=str(source.uuid),
        )
        .values_list("target_id", flat=True)
        .first()
    )
    if earlier:
        found = Person.objects.filter(uuid=earlier, organisation_id=actor.organisation_id).first()
        if found is not None:
            return found
    readable = set(readable_fields(actor, Person, COPYABLE_FIELDS))
    values = {
        name: getattr(source, name)
        for name in COPYABLE_FIELDS
        if name in readable and field_sensitivity(Person, name) != Sensitivity.RESTRICTED
    }
    copy = Person(organisation_id=actor.organisation_id, created_by=actor, **values)
    _validate(copy)
    copy.save()
    changes = {name: [None, _plain(v)] for name, v in values.items() if v not in ("", None)}
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=copy,
        changes=changes
        | {
            "copied_from": [None, str(source.uuid)],
            "copied_from_organisation": [None, source.organisation.code],
        },
        reason=_("Local record of a family member recorded by %(org)s.")
        % {"org": source.organisation.name},
        sensitive_fields=sensitive_fields(Person),
    )
    return copy


@transaction.atomic
def family_link_add(
    *,
    actor,
    person: Person,
    relationship: str,
    relative: Person | None = None,
    new_relative: dict | None = None,
    is_guardian: bool = False,
    notes: str = "",
) -> FamilyLink:
    """Links a family member or guardian to a person.

    The relative is always a record of the actor's organisation: one chosen (`relative`), or
    one recorded here (`new_relative`: names, Khmer name, sex, phone). A relative another
    organisation recorded (one the actor sees, e.g. through a referral) is never linked across
    organisations: the actor's organisation gets its own record of them, with only what the
    actor may read, noting where it came from, and that record is linked.
    """
    _require_person_change(actor, person)
    if not can(actor, Perm.PEOPLE_VIEW) or not actor.organisation_id:
        raise PermissionDenied
    if (relative is None) == (not new_relative):
        raise ValidationError(
            {"relative": _("Choose a family member, or record a new one: one of the two.")}
        )
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose the relationship.")})
    source = None
    if new_relative:
        values = {k: v for k, v in new_relative.items() if k in RELATIVE_FIELDS}
        relative = person_create(actor=actor, **values)
    else:
        if not visible_to(actor, Person).filter(pk=relative.pk).exists():
            raise PermissionDenied
        if relative.organisation_id != actor.organisation_id and relative.pk != person.pk:
            source = relative
            relative = _local_copy_of(actor=actor, source=source)
    if relative.pk == person.pk:
        raise ValidationError({"relative": _("A person cannot be their own family member.")})
    if FamilyLink.objects.filter(person=person, relative=relative).exists():
        raise ValidationError({"relative": _("This person is already linked.")})
    notes = notes.strip()
    if source is not None:
        origin = _("Recorded from %(org)s's record.") % {"org": source.organisation.name}
        notes = f"{notes}\n{origin}" if notes else origin
    link = FamilyLink(
        person=person,
        relative=relative,
        relationship=relationship,
        is_guardian=is_guardian,
        notes=notes,
        created_by=actor,
    )
    link.full_clean(exclude=["person", "relative", "created_by"])
    link.save()
    changes = {
        "person": [None, str(person.uuid)],
        "relative": [None, str(relative.uuid)],
        "relationship": [None, relationship],
        "is_guardian": [None, is_guardian],
        "notes": None,
    }
    if source is not None:
        changes["copied_from"] = [None, str(source.uuid)]
    audit_record(actor=actor, action=AuditAction.CREATE, target=link, changes=changes)
    return link
