"""Reads of people, always through the access policy. Reading a person's sensitive fields is
itself audited."""

from django.db.models import Q, QuerySet
from django.http import Http404

from ctip.access.policy import (
    get_visible_or_404,
    readable_fields,
    reads_sensitive,
    sensitive_fields,
    visible_to,
)
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .models import IdentityDocument, Person


def people_visible_to(*, user, query: str = "") -> QuerySet[Person]:
    """People of the user's organisation, optionally filtered by a name fragment."""
    people = visible_to(user, Person).select_related("organisation", "nationality")
    query = query.strip()
    if query:
        people = people.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(name_km__icontains=query)
        )
    return people.order_by("family_name", "given_name", "id")


def person_get_for_user(*, user, person_uuid) -> Person:
    """One person the user may see (404 otherwise); logs the read when it shows sensitive data."""
    person = get_visible_or_404(
        user,
        visible_to(user, Person).select_related(
            "organisation", "nationality", "home_village__commune__district__province"
        ),
        uuid=person_uuid,
    )
    if reads_sensitive(user, Person):
        shown = sorted(set(readable_fields(user, Person)) & sensitive_fields(Person))
        audit_record(actor=user, action=AuditAction.READ, target=person, changes={"shown": shown})
    return person


def person_photo_get_for_user(*, user, person_uuid) -> Person:
    """A person whose photo the user may see (404 otherwise: no photo, or a reader the policy
    does not allow, looks like no person at all); the read of the photo is audited."""
    person = get_visible_or_404(user, Person, uuid=person_uuid)
    if not person.photo or "photo" not in readable_fields(user, Person, ["photo"]):
        raise Http404
    audit_record(actor=user, action=AuditAction.READ, target=person, changes={"shown": ["photo"]})
    return person


def documents_for_person(*, user, person: Person) -> QuerySet[IdentityDocument]:
    """The person's identity documents the user may see; showing their confidential fields
    (number, who holds it) is audited once per list."""
    documents = (
        visible_to(user, IdentityDocument).filter(person=person).select_related("issuing_country")
    )
    shown = sorted(
        set(readable_fields(user, IdentityDocument)) & sensitive_fields(IdentityDocument)
    )
    uuids = [str(u) for u in documents.values_list("uuid", flat=True)]
    if shown and uuids:
        audit_record(
            actor=user,
            action=AuditAction.READ,
            target=person,
            changes={"shown": [f"documents.{name}" for name in shown], "documents": uuids},
        )
    return documents
