"""The interop API: changed-since lists, upserts by external id, consent, access, audit."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases import services as cases
from ctip.cases.models import Case, Consent, ConsentPurpose
from ctip.core.testing import api_token_key, make_organisation, verified_client
from ctip.interop import services
from ctip.interop.models import ExternalReference, PartnerKind
from ctip.people.models import Person
from ctip.people.services import person_create

LIST = "/api/v1/interop/cases/"


def one(system, external_id):
    return f"/api/v1/interop/cases/{system.uuid}/{external_id}/"


def primero_record(**overrides):
    record = {
        "name_first": "Dara",
        "name_last": "Sok",
        "sex": "female",
        "date_of_birth": "2000-04-02",
        "status": "open",
    }
    return record | overrides


ADULT_CONSENT = {"given_by": "child", "given_on": "2026-01-05", "method": "written"}


@pytest.fixture
def setup(cast):
    recipient = make_organisation("mosvy", name="Ministry (CPIMS+)")
    admin_a, admin_b = cast.a[Role.ORG_ADMIN], cast.b[Role.ORG_ADMIN]
    primero = services.partner_system_create(
        actor=admin_a, name="CPIMS+", kind=PartnerKind.PRIMERO, recipient=recipient
    )
    oscar = services.partner_system_create(
        actor=admin_a, name="OSCaR", kind=PartnerKind.OSCAR, recipient=cast.org_b
    )
    other_org_system = services.partner_system_create(
        actor=admin_b, name="CPIMS+ B", kind=PartnerKind.PRIMERO, recipient=recipient
    )
    sup = cast.a[Role.CASE_SUPERVISOR]
    return {
        "primero": primero,
        "oscar": oscar,
        "b_system": other_org_system,
        "sup": sup,
        "client": verified_client(sup),
        "recipient": recipient,
    }


def put(client, url, body, **headers):
    return client.put(url, body, content_type="application/json", headers=headers)


def create(setup, external_id, **record):
    response = put(
        setup["client"],
        one(setup["primero"], external_id),
        {"record": primero_record(**record), "consent": ADULT_CONSENT},
    )
    assert response.status_code == 201, response.json()
    return response


def own_case(cast, *, consent_for=None, withdrawn=False, name="Vanna") -> Case:
    """A CTIP case opened through the services, with a sharing consent for `consent_for`."""
    sup = cast.a[Role.CASE_SUPERVISOR]
    person = person_create(
        actor=sup, given_name=name, family_name="Chan", sex="f", date_of_birth=date(1999, 1, 1)
    )
    case = cases.case_open(actor=sup, person=person)
    if consent_for is not None:
        consent = cases.consent_record(
            actor=sup,
            case=case,
            purpose=ConsentPurpose.SHARING,
            partner=consent_for,
            given_by="child",
            given_on=date(2026, 1, 2),
            method="written",
        )
        if withdrawn:
            cases.consent_withdraw(actor=sup, consent=consent, withdrawn_on=date(2026, 1, 3))
    return case


# --- upsert -------------------------------------------------------------------------------------


def test_it_creates_a_person_a_case_and_the_consent_once(setup):
    response = create(setup, "cpims-1")
    body = response.json()
    assert body["external_id"] == "cpims-1"
    assert body["record"]["name"] == "Sok Dara"
    assert body["record"]["status"] == "open"
    assert body["record"]["protection_concerns"] == ["slavery_sale_abduction"]
    assert response["ETag"] == body["version"]
    case = Case.objects.get(uuid=body["ctip_id"])
    assert case.organisation == setup["sup"].organisation
    assert cases.consent_given(
        case=case, purpose=ConsentPurpose.SHARING, organisation=setup["recipient"]
    )
    # The same payload again: one record, nothing changed, no If-Match needed.
    again = put(
        setup["client"],
        one(setup["primero"], "cpims-1"),
        {"record": primero_record(), "consent": ADULT_CONSENT},
    )
    assert again.status_code == 200
    assert again.json()["version"] == body["version"]
    assert Case.objects.count() == 1
    assert Person.objects.count() == 1
    assert Consent.objects.count() == 1
    assert ExternalReference.objects.get().case == case


def test_it_updates_with_the_version_and_refuses_a_stale_one(setup):
    created = create(setup, "cpims-2").json()
    url = one(setup["primero"], "cpims-2")
    changed = put(
        setup["client"],
        url,
        {"record": primero_record(name_first="Dary")},
        **{"If-Match": created["version"]},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["record"]["name_first"] == "Dary"
    assert changed.json()["version"] != created["version"]
    stale = put(
        setup["client"],
        url,
        {"record": primero_record(name_first="Darith")},
        **{"If-Match": created["version"]},
    )
    assert stale.status_code == 409
    assert Person.objects.get().given_name == "Dary"
    missing = put(setup["client"], url, {"record": primero_record(name_first="Darith")})
    assert missing.status_code == 428
    assert Person.objects.get().given_name == "Dary"


def test_a_change_made_in_ctip_makes_the_partners_version_stale(setup, cast):
    created = create(setup, "cpims-3").json()
    person = Person.objects.get()
    from ctip.people.services import person_update

    person_update(
        actor=setup["sup"], person=person, expected_version=person.version, given_name="Daro"
    )
    response = put(
        setup["client"],
        one(setup["primero"], "cpims-3"),
        {"record": primero_record(name_first="Dara2")},
        **{"If-Match": created["version"]},
    )
    assert response.status_code == 409
    assert Person.objects.get().given_name == "Daro"


def test_bad_input_is_refused_by_field_and_changes_nothing(setup):
    url = one(setup["primero"], "cpims-4")
    events = AuditEvent.objects.count()
    bad_type = put(
        setup["client"],
        url,
        {"record": primero_record(sex="girl", date_of_birth="yesterday"), "consent": ADULT_CONSENT},
    )
    assert bad_type.status_code == 400
    assert set(bad_type.json()["record"]) == {"sex", "date_of_birth"}
    no_name = put(
        setup["client"],
        url,
        {"record": primero_record(name_first="", name_last=""), "consent": ADULT_CONSENT},
    )
    assert no_name.status_code == 400
    assert "name_first" in no_name.json()["record"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad_consent = put(
        setup["client"],
        url,
        {"record": primero_record(), "consent": ADULT_CONSENT | {"given_on": future}},
    )
    assert bad_consent.status_code == 400
    assert "given_on" in bad_consent.json()["consent"]
    no_consent = put(setup["client"], url, {"record": primero_record()})
    assert no_consent.status_code == 400
    assert "consent" in no_consent.json()
    closing = put(
        setup["client"], url, {"record": primero_record(status="closed"), "consent": ADULT_CONSENT}
    )
    assert closing.status_code == 400
    assert "status" in closing.json()["record"]
    assert Person.objects.count() == 0
    assert Case.objects.count() == 0
    assert ExternalReference.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_child_needs_the_guardian_who_consented(setup):
    url = one(setup["primero"], "cpims-5")
    child = primero_record(date_of_birth="2014-03-03")
    alone = put(setup["client"], url, {"record": child, "consent": ADULT_CONSENT})
    assert alone.status_code == 400
    assert "given_by" in alone.json()["consent"]
    consent = {
        "given_by": "both",
        "given_on": "2026-01-05",
        "method": "thumbprint",
        "guardian_given_name": "Srey",
        "guardian_family_name": "Sok",
        "guardian_relationship": "mother",
    }
    response = put(setup["client"], url, {"record": child, "consent": consent})
    assert response.status_code == 201, response.json()
    assert Person.objects.count() == 2
    assert Consent.objects.get().guardian.given_name == "Srey"


def test_an_update_of_a_case_whose_consent_was_withdrawn_is_refused(setup):
    created = create(setup, "cpims-6").json()
    consent = Consent.objects.get()
    cases.consent_withdraw(
        actor=setup["sup"], consent=consent, withdrawn_on=timezone.localdate(), reason="asked"
    )
    response = put(
        setup["client"],
        one(setup["primero"], "cpims-6"),
        {"record": primero_record(name_first="Other")},
        **{"If-Match": Case.objects.get().person and created["version"]},
    )
    assert response.status_code == 403
    assert "consent" in response.json()["detail"]
    assert Person.objects.get().given_name == "Dara"
    refused = AuditEvent.objects.filter(action=AuditAction.INTEROP_REFUSED).get()
    assert refused.target_id == created["ctip_id"]
    # Nor is it read any more.
    assert setup["client"].get(one(setup["primero"], "cpims-6")).status_code == 404


def test_oscar_clients_use_oscars_names_and_statuses(setup):
    url = one(setup["oscar"], "oscar-1")
    body = {
        "record": {
            "given_name": "Vannak",
            "family_name": "Chan",
            "gender": "male",
            "date_of_birth": "2001-01-15",
            "location_current_village_code": None,
            "status": "Active",
        },
        "consent": ADULT_CONSENT,
    }
    response = put(setup["client"], url, body)
    assert response.status_code == 201, response.json()
    record = response.json()["record"]
    assert record["gender"] == "male" and record["status"] == "Active"
    assert Case.objects.get().status == "active"
    assert cases.consent_given(
        case=Case.objects.get(),
        purpose=ConsentPurpose.SHARING,
        organisation=setup["oscar"].recipient,
    )


def test_a_case_read_from_ctip_is_linked_by_its_ctip_id_not_duplicated(setup, cast):
    case = own_case(cast, consent_for=setup["recipient"])
    url = one(setup["primero"], "cpims-7")
    listed = setup["client"].get(LIST, {"system": setup["primero"].uuid}).json()["results"]
    assert [r["ctip_id"] for r in listed] == [str(case.uuid)]
    assert listed[0]["external_id"] is None
    response = put(setup["client"], url, {"record": listed[0]["record"], "ctip_id": str(case.uuid)})
    assert response.status_code == 200, response.json()
    assert ExternalReference.objects.get().case == case
    assert Case.objects.count() == 1
    listed = setup["client"].get(LIST, {"system": setup["primero"].uuid}).json()["results"]
    assert listed[0]["external_id"] == "cpims-7"
    # A case without consent for this system cannot be linked.
    unshared = own_case(cast, name="Nosh")
    refused = put(
        setup["client"],
        one(setup["primero"], "cpims-8"),
        {"record": {}, "ctip_id": str(unshared.uuid)},
    )
    assert refused.status_code == 404


# --- changed since ------------------------------------------------------------------------------


def test_changed_since_lists_exactly_the_shared_cases_that_changed(setup, cast):
    old = own_case(cast, consent_for=setup["recipient"], name="Old")
    Case.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=10))
    Person.objects.filter(pk=old.person_id).update(updated_at=timezone.now() - timedelta(days=10))
    Consent.objects.filter(case=old).update(updated_at=timezone.now() - timedelta(days=10))
    since = timezone.now() - timedelta(days=1)
    fresh = own_case(cast, consent_for=setup["recipient"], name="Fresh")
    own_case(cast, name="Noconsent")
    own_case(cast, consent_for=cast.org_b, name="Otherpartner")
    own_case(cast, consent_for=setup["recipient"], withdrawn=True, name="Withdrawn")
    # Another organisation's case, consented to the same recipient.
    sup_b = cast.b[Role.CASE_SUPERVISOR]
    person_b = person_create(actor=sup_b, given_name="Bee", family_name="B", sex="f")
    case_b = cases.case_open(actor=sup_b, person=person_b)
    cases.consent_record(
        actor=sup_b,
        case=case_b,
        purpose=ConsentPurpose.SHARING,
        partner=setup["recipient"],
        given_by="child",
        given_on=date(2026, 1, 2),
        method="written",
    )
    response = setup["client"].get(
        LIST, {"system": setup["primero"].uuid, "changed_since": since.isoformat()}
    )
    assert response.status_code == 200
    assert [r["ctip_id"] for r in response.json()["results"]] == [str(fresh.uuid)]
    everything = setup["client"].get(LIST, {"system": setup["primero"].uuid}).json()
    assert {r["ctip_id"] for r in everything["results"]} == {str(old.uuid), str(fresh.uuid)}
    # The list applies consent_given exactly.
    for case in Case.objects.filter(organisation=cast.org_a):
        listed = str(case.uuid) in {r["ctip_id"] for r in everything["results"]}
        assert listed == cases.consent_given(
            case=case, purpose=ConsentPurpose.SHARING, organisation=setup["recipient"]
        )
    # Touching the old case brings it back.
    person = Person.objects.get(pk=old.person_id)
    from ctip.people.services import person_update

    person_update(actor=setup["sup"], person=person, expected_version=person.version, phone="1")
    again = setup["client"].get(
        LIST, {"system": setup["primero"].uuid, "changed_since": since.isoformat()}
    )
    assert [r["ctip_id"] for r in again.json()["results"]] == [str(fresh.uuid), str(old.uuid)]


def test_paging_is_stable_while_records_change(setup, cast):
    made = [own_case(cast, consent_for=setup["recipient"], name=f"P{i}") for i in range(5)]
    client, system = setup["client"], setup["primero"]
    first = client.get(LIST, {"system": system.uuid, "limit": 2}).json()
    assert [r["ctip_id"] for r in first["results"]] == [str(c.uuid) for c in made[:2]]
    # A case already sent changes while the partner pages: it comes again at the end;
    # nothing is skipped, nothing repeated within the pass.
    person = Person.objects.get(pk=made[0].person_id)
    from ctip.people.services import person_update

    person_update(actor=setup["sup"], person=person, expected_version=person.version, phone="2")
    seen = [r["ctip_id"] for r in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(LIST, {"system": system.uuid, "limit": 2, "cursor": cursor}).json()
        seen += [r["ctip_id"] for r in page["results"]]
        cursor = page["next_cursor"]
    assert seen == [str(c.uuid) for c in made[:2]] + [str(c.uuid) for c in made[2:]] + [
        str(made[0].uuid)
    ]
    assert first["next"].startswith("http://testserver/api/v1/interop/cases/?")
    bad = client.get(LIST, {"system": system.uuid, "cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert client.get(LIST, {"system": system.uuid, "changed_since": "soon"}).status_code == 400
    # Without `system`: several active systems must be told apart.
    assert client.get(LIST, {}).status_code == 400


def test_the_list_shows_only_fields_the_caller_may_read(setup, cast):
    case = own_case(cast, consent_for=setup["recipient"])
    # A supervisor reads confidential fields (date of birth); the audit names them.
    record = setup["client"].get(LIST, {"system": setup["primero"].uuid}).json()["results"][0]
    assert record["record"]["date_of_birth"] == "1999-01-01"
    event = AuditEvent.objects.filter(action=AuditAction.INTEROP_CASES_PULLED).latest("seq")
    assert event.changes["cases"] == [str(case.uuid)]
    assert "date_of_birth" in event.changes["shown"]
    from ctip.interop import mapping

    readable = {"people.Person": {"given_name", "family_name", "sex"}, "cases.Case": {"status"}}
    maps = mapping.readable_maps(PartnerKind.PRIMERO, readable)
    assert {m.partner for m in maps} == {"name", "name_first", "name_last", "sex", "status"}


def test_the_list_query_count_is_pinned_and_does_not_grow_with_rows(
    setup, cast, django_assert_num_queries
):
    """Session, user, device, organisation, roles; the system; one page of cases and their
    external ids; the pull record (system stamp and audit event, in savepoints); the session."""
    own_case(cast, consent_for=setup["recipient"], name="Q0")
    client, system = setup["client"], setup["primero"]
    # PostgreSQL takes the audit chain's advisory lock in one more query.
    expected = 18 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        assert len(client.get(LIST, {"system": system.uuid}).json()["results"]) == 1
    for i in range(6):
        own_case(cast, consent_for=setup["recipient"], name=f"Q{i + 1}")
    with django_assert_num_queries(expected):
        assert len(client.get(LIST, {"system": system.uuid}).json()["results"]) == 7


# --- who may not --------------------------------------------------------------------------------


def test_roles_without_sync_are_refused_and_anonymous_is_unauthorised(setup, cast):
    system = setup["primero"]
    for role in Role.values:
        if role == Role.CASE_SUPERVISOR:
            continue
        user = cast.a[role]
        client = verified_client(user)
        assert client.get(LIST, {"system": system.uuid}).status_code == 403, role
        response = put(client, one(system, "x1"), {"record": primero_record()})
        assert response.status_code == 403, role
    anonymous = Client()
    assert anonymous.get(LIST, {"system": system.uuid}).status_code in (401, 403)
    assert put(anonymous, one(system, "x1"), {"record": {}}).status_code in (401, 403)
    assert Case.objects.count() == 0


def test_another_organisations_system_is_not_found(setup, cast):
    b_system = setup["b_system"]
    assert setup["client"].get(LIST, {"system": b_system.uuid}).status_code == 404
    response = put(
        setup["client"],
        one(b_system, "x2"),
        {"record": primero_record(), "consent": ADULT_CONSENT},
    )
    assert response.status_code == 404
    # Supervisor B does not see A's cases through B's own system either.
    created = create(setup, "cpims-9").json()
    client_b = verified_client(cast.b[Role.CASE_SUPERVISOR])
    listed = client_b.get(LIST, {"system": b_system.uuid}).json()["results"]
    assert created["ctip_id"] not in {r["ctip_id"] for r in listed}
    assert client_b.get(one(setup["primero"], "cpims-9")).status_code == 404


def test_a_disabled_system_is_refused(setup):
    system = setup["primero"]
    services.partner_system_set_active(
        actor=setup["sup"], system=system, is_active=False, expected_version=system.version
    )
    response = setup["client"].get(LIST, {"system": system.uuid})
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]


def test_a_partner_calls_with_a_token(setup):
    key = api_token_key(setup["sup"])
    client = Client(headers={"Authorization": f"Token {key}"})
    response = put(
        client,
        one(setup["primero"], "tok-1"),
        {"record": primero_record(), "consent": ADULT_CONSENT},
    )
    assert response.status_code == 201
    assert client.get(one(setup["primero"], "tok-1")).json()["external_id"] == "tok-1"
    assert Client(headers={"Authorization": "Token nope"}).get(LIST).status_code == 401


# --- audit and schema ---------------------------------------------------------------------------


def test_every_step_is_audited_without_sensitive_values(setup):
    created = create(setup, "cpims-10").json()
    actions = list(
        AuditEvent.objects.filter(actor=setup["sup"])
        .order_by("seq")
        .values_list("action", flat=True)
    )
    for expected in (
        AuditAction.CREATE,  # the person
        AuditAction.CASE_OPENED,
        AuditAction.CONSENT_RECORDED,
        AuditAction.INTEROP_CASE_CREATED,
    ):
        assert expected in actions
    person_event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="people.person")
    assert person_event.changes["date_of_birth"] is None  # confidential: never its value
    put(
        setup["client"],
        one(setup["primero"], "cpims-10"),
        {"record": primero_record(date_of_birth="2001-02-02")},
        **{"If-Match": created["version"]},
    )
    update = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_type="people.person").get()
    assert update.changes["date_of_birth"] is None
    interop = AuditEvent.objects.filter(action=AuditAction.INTEROP_CASE_UPDATED).latest("seq")
    assert interop.changes["fields"] == ["date_of_birth"]
    setup["client"].get(LIST, {"system": setup["primero"].uuid})
    assert AuditEvent.objects.filter(action=AuditAction.INTEROP_CASES_PULLED).exists()


def test_the_openapi_schema_documents_the_endpoints():
    # Generated from this app's routes alone, mounted as ctip/urls.py mounts them, so that
    # another app's schema trouble cannot hide ours (the full schema is served at /api/schema/).
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    patterns = [path("api/v1/", include("ctip.interop.api_urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    listing = paths["/api/v1/interop/cases/"]["get"]
    assert {"system", "changed_since", "cursor", "limit"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert listing["responses"]["200"]["content"]["application/json"]["examples"]
    detail = paths["/api/v1/interop/cases/{system_uuid}/{external_id}/"]
    assert {"get", "put"} <= set(detail)
    put_op = detail["put"]
    assert {"200", "201", "400", "403", "404", "409", "428"} <= set(put_op["responses"])
    assert "If-Match" in {p["name"] for p in put_op["parameters"]}
    assert put_op["requestBody"]["content"]["application/json"]["examples"]
    components = schema["components"]["schemas"]
    assert {"PrimeroCaseRecord", "OscarClientRecord", "ConsentInputRequest"} <= set(components)
    assert "name_first" in components["PrimeroCaseRecord"]["properties"]
    assert "given_name" in components["OscarClientRecord"]["properties"]


def test_without_a_system_the_only_active_one_is_used(setup, cast):
    case = own_case(cast, consent_for=setup["recipient"])
    sup = setup["sup"]
    oscar = setup["oscar"]
    services.partner_system_set_active(
        actor=sup, system=oscar, is_active=False, expected_version=oscar.version
    )
    listed = setup["client"].get(LIST).json()["results"]
    assert [r["ctip_id"] for r in listed] == [str(case.uuid)]
    primero = setup["primero"]
    services.partner_system_set_active(
        actor=sup, system=primero, is_active=False, expected_version=primero.version
    )
    # No active system: nothing is shared with anyone.
    assert setup["client"].get(LIST).json() == {"results": [], "next_cursor": None, "next": None}
