"""Every read of the interoperability app, through the access policy."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Greatest
from django.utils.dateparse import parse_datetime

from ctip.access.policy import get_visible_or_404, visible_to
from ctip.cases.models import Case, Consent, ConsentPurpose
from ctip.cases.selectors import owned_cases

from .models import ExternalReference, PartnerSystem


def partner_systems_for(*, user) -> QuerySet:
    """The partner systems of the user's organisation, with how many records each maps."""
    return (
        visible_to(user, PartnerSystem)
        .select_related("recipient")
        .annotate(mapped=Count("references"))
        .order_by("-is_active", "name")
    )


def partner_system_get(*, user, system_uuid) -> PartnerSystem:
    """One partner system of the user's organisation; 404 for any other."""
    return get_visible_or_404(
        user, PartnerSystem.objects.select_related("recipient", "organisation"), uuid=system_uuid
    )


class BadCursor(ValueError):
    """A cursor this API did not issue."""


@dataclass(frozen=True)
class Cursor:
    changed_at: datetime
    pk: int

    def encode(self) -> str:
        raw = json.dumps([self.changed_at.isoformat(), self.pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            when, pk = json.loads(raw)
            parsed = parse_datetime(when)
            if parsed is None or not isinstance(pk, int):
                raise BadCursor
            return cls(parsed, pk)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise BadCursor from exc


def shared_cases(*, user, system: PartnerSystem) -> QuerySet:
    """The user's organisation's cases that may go to `system`: those whose survivor's sharing
    consent names the system's recipient and is not withdrawn.

    The same test as ctip.cases.services.consent_given (purpose sharing, partner, not
    withdrawn), written as a subquery so that a page of cases costs one query. Each case is
    annotated with `changed_at`: the latest change of the case, its survivor, or that consent
    (a consent given today makes an old case new to the partner).
    """
    consents = Consent.objects.filter(
        case=OuterRef("pk"),
        purpose=ConsentPurpose.SHARING,
        partner_id=system.recipient_id,
        withdrawn_on__isnull=True,
    )
    # Cases the organisation owns: a case another organisation shared by referral is read
    # section by section on the referral, never whole through this API.
    return (
        owned_cases(user)
        .filter(Exists(consents))
        .annotate(
            consent_at=Subquery(
                consents.order_by("-updated_at").values("updated_at")[:1],
                output_field=DateTimeField(),
            ),
        )
        .annotate(changed_at=Greatest(F("updated_at"), F("person__updated_at"), F("consent_at")))
    )


def changed_cases(
    *, user, system: PartnerSystem, changed_since: datetime, after: Cursor | None, limit: int
) -> list[Case]:
    """At most `limit` cases changed at or after `changed_since`, in (changed_at, id) order,
    after `after`: stable paging while records change (a case changed during paging moves
    to the end, where the partner reads it again)."""
    cases = shared_cases(user=user, system=system).filter(changed_at__gte=changed_since)
    if after is not None:
        cases = cases.filter(
            Q(changed_at__gt=after.changed_at) | Q(changed_at=after.changed_at, pk__gt=after.pk)
        )
    cases = (
        cases.select_related("person", "organisation")
        .prefetch_related(
            Prefetch(
                "external_references",
                queryset=ExternalReference.objects.filter(system=system),
                to_attr="refs_for_system",
            )
        )
        .order_by("changed_at", "pk")
    )
    return list(cases[:limit])


def case_by_external_id(*, user, system: PartnerSystem, external_id: str) -> Case:
    """The shared case a partner knows by `external_id`; 404 when unknown, not the user's
    organisation's, or not shared (no sharing consent in force)."""
    case = get_visible_or_404(
        user,
        shared_cases(user=user, system=system).select_related("person", "organisation"),
        external_references__system=system,
        external_references__external_id=external_id,
    )
    case.refs_for_system = [ExternalReference(system=system, external_id=external_id, case=case)]
    return case
