"""Interop services: the refusals the API tests do not reach."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.cases import services as cases
from ctip.cases.models import Case, ConsentPurpose
from ctip.core.testing import make_organisation
from ctip.interop import mapping, services
from ctip.interop.models import ExternalReference, PartnerKind
from ctip.people.services import person_create


@pytest.fixture
def system(cast):
    recipient = make_organisation("mosvy", name="Ministry (CPIMS+)")
    return services.partner_system_create(
        actor=cast.a[Role.ORG_ADMIN], name="CPIMS+", kind=PartnerKind.PRIMERO, recipient=recipient
    )


RECORD = {"name_first": "Dara", "name_last": "Sok", "date_of_birth": date(2012, 1, 1)}


def test_enabling_an_enabled_system_changes_nothing(system, cast):
    events = AuditEvent.objects.count()
    same = services.partner_system_set_active(
        actor=cast.a[Role.ORG_ADMIN], system=system, is_active=True, expected_version=1
    )
    assert same.version == 1 and AuditEvent.objects.count() == events
    with pytest.raises(PermissionDenied):
        services.partner_system_set_active(
            actor=cast.a[Role.CASE_WORKER], system=system, is_active=False, expected_version=1
        )


def test_a_guardians_consent_needs_the_guardians_name(system, cast):
    statement = services.ConsentStatement(
        given_by="both", given_on=date(2026, 1, 2), method="written"
    )
    with pytest.raises(services.PartnerInputError) as refused:
        services.interop_case_upsert(
            actor=cast.a[Role.CASE_SUPERVISOR],
            system=system,
            external_id="g-1",
            record=RECORD,
            consent=statement,
        )
    assert "guardian_given_name" in refused.value.errors["consent"]
    assert Case.objects.count() == 0


def test_an_external_id_must_be_given_and_short(system, cast):
    for bad in ("", " ", "x" * 101):
        with pytest.raises(ValidationError):
            services.interop_case_upsert(
                actor=cast.a[Role.CASE_SUPERVISOR], system=system, external_id=bad, record=RECORD
            )


def test_a_case_is_linked_to_one_id_per_system(system, cast):
    sup = cast.a[Role.CASE_SUPERVISOR]
    person = person_create(actor=sup, given_name="Kim", date_of_birth=date(1990, 1, 1))
    case = cases.case_open(actor=sup, person=person)
    cases.consent_record(
        actor=sup,
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=system.recipient,
        given_by="child",
        given_on=date(2026, 1, 2),
        method="verbal",
    )
    services.interop_case_upsert(
        actor=sup, system=system, external_id="l-1", record={}, ctip_id=case.uuid
    )
    with pytest.raises(services.PartnerInputError) as refused:
        services.interop_case_upsert(
            actor=sup, system=system, external_id="l-2", record={}, ctip_id=case.uuid
        )
    assert "ctip_id" in refused.value.errors
    assert list(ExternalReference.objects.values_list("external_id", flat=True)) == ["l-1"]


def test_statuses_map_both_ways_without_bypassing_the_workflow():
    assert mapping.wanted_status("primero", "active", "open") is None
    assert mapping.wanted_status("primero", "active", "closed") == "closed"
    assert mapping.wanted_status("oscar", "open", "Active") == "active"
    assert mapping.wanted_status("oscar", "active", None) is None
    assert mapping.to_partner_status("other", "follow_up") == "follow_up"
    assert mapping.partner_error_key("primero", "given_name") == "name_first"
    assert mapping.partner_error_key("oscar", "phone") == "phone"
    # Every documented field names a CTIP field its model's access rule classifies.
    from ctip.access.rules import RULES

    for maps in mapping.FIELDS.values():
        for f in maps:
            assert f.source in RULES[f.model].fields, f
