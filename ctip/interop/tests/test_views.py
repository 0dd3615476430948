"""The partner systems page: own organisation only, register, disable, who is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, make_organisation, verified_client
from ctip.interop import services
from ctip.interop.models import PartnerKind, PartnerSystem

URL = "/interop/"


@pytest.fixture
def systems(cast):
    recipient = make_organisation("mosvy", name="Ministry (CPIMS+)")
    a = services.partner_system_create(
        actor=cast.a[Role.ORG_ADMIN], name="CPIMS+ A", kind=PartnerKind.PRIMERO, recipient=recipient
    )
    b = services.partner_system_create(
        actor=cast.b[Role.ORG_ADMIN], name="OSCaR B", kind=PartnerKind.OSCAR, recipient=recipient
    )
    return {"a": a, "b": b, "recipient": recipient}


def test_admins_and_supervisors_see_their_own_organisations_systems_only(systems, cast):
    for role in (Role.ORG_ADMIN, Role.CASE_SUPERVISOR):
        page = verified_client(cast.a[role]).get(URL)
        assert page.status_code == 200
        assert "CPIMS+ A" in page.content.decode()
        assert "OSCaR B" not in page.content.decode()


def test_the_page_query_count_does_not_grow_with_systems(systems, cast, django_assert_num_queries):
    client = verified_client(cast.a[Role.ORG_ADMIN])
    client.get(URL)
    with django_assert_num_queries(10):
        client.get(URL)
    for i in range(4):
        services.partner_system_create(
            actor=cast.a[Role.ORG_ADMIN],
            name=f"Extra {i}",
            kind=PartnerKind.OTHER,
            recipient=systems["recipient"],
        )
    with django_assert_num_queries(10):
        assert client.get(URL).content.decode().count("Extra ") == 4


def test_other_roles_and_anonymous_are_refused(systems, cast):
    others = [cast.a[r] for r in Role.values if r not in (Role.ORG_ADMIN, Role.CASE_SUPERVISOR)]
    assert_refused(URL, [*others, cast.no_role, None])
    assert_refused(URL, others, expect=403)
    url = f"/interop/{systems['a'].uuid}/active/"
    assert_refused(url, [*others, None], method="post", data={"is_active": "0", "version": 1})
    assert PartnerSystem.objects.get(pk=systems["a"].pk).is_active


def test_an_admin_registers_a_partner_system_audited(systems, cast):
    client = verified_client(cast.a[Role.ORG_ADMIN])
    response = client.post(
        URL, {"name": "OSCaR Lantern", "kind": "oscar", "recipient": cast.org_b.pk}
    )
    assert response.status_code == 302
    system = PartnerSystem.objects.get(name="OSCaR Lantern")
    assert system.organisation == cast.org_a and system.recipient == cast.org_b
    event = AuditEvent.objects.get(action=AuditAction.PARTNER_SYSTEM_CREATED, target_id=system.uuid)
    assert event.changes["recipient"] == [None, "b"]


def test_bad_input_registers_nothing(systems, cast):
    client = verified_client(cast.a[Role.ORG_ADMIN])
    before = PartnerSystem.objects.count()
    own = client.post(URL, {"name": "Self", "kind": "oscar", "recipient": cast.org_a.pk})
    assert own.status_code == 200  # the own organisation is not offered
    twice = client.post(
        URL, {"name": "CPIMS+ A", "kind": "primero", "recipient": systems["recipient"].pk}
    )
    assert "already has a partner system" in twice.content.decode()
    assert PartnerSystem.objects.count() == before
    with pytest.raises(ValidationError) as refused:
        services.partner_system_create(
            actor=cast.a[Role.ORG_ADMIN], name=" ", kind="fax", recipient=cast.org_a
        )
    assert set(refused.value.message_dict) == {"name", "kind", "recipient"}
    with pytest.raises(PermissionDenied):
        services.partner_system_create(
            actor=cast.a[Role.CASE_WORKER], name="X", kind="oscar", recipient=cast.org_b
        )


def test_a_system_is_disabled_and_enabled_with_its_version(systems, cast):
    client = verified_client(cast.a[Role.ORG_ADMIN])
    system = systems["a"]
    url = f"/interop/{system.uuid}/active/"
    assert client.post(url, {"is_active": "0", "version": system.version}).status_code == 302
    system.refresh_from_db()
    assert not system.is_active
    stale = client.post(url, {"is_active": "1", "version": system.version - 1}, follow=True)
    assert "Someone else changed" in stale.content.decode()
    system.refresh_from_db()
    assert not system.is_active
    client.post(url, {"is_active": "1", "version": system.version})
    system.refresh_from_db()
    assert system.is_active
    changes = (
        AuditEvent.objects.filter(action=AuditAction.PARTNER_SYSTEM_CHANGED, target_id=system.uuid)
        .order_by("seq")
        .values_list("changes", flat=True)
    )
    assert list(changes) == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_another_organisations_system_is_not_found(systems, cast):
    client = verified_client(cast.a[Role.ORG_ADMIN])
    url = f"/interop/{systems['b'].uuid}/active/"
    assert client.post(url, {"is_active": "0", "version": 1}).status_code == 404
    assert PartnerSystem.objects.get(pk=systems["b"].pk).is_active
