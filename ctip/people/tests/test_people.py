"""People: organisation scope, field sensitivity, audit and concurrent edits, pages and API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.people.models import Person
from ctip.people.services import person_create, person_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def dara(cast) -> Person:
    return person_create(
        actor=cast.a[Role.CASE_WORKER],
        given_name="Dara",
        family_name="Sok",
        name_km="សុខ ដារា",
        sex="f",
        estimated_age=14,
        phone="012 345 678",
    )


def _with_notes(cast, person: Person) -> Person:
    return person_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        person=person,
        expected_version=person.version,
        protection_notes="Recruiter is an uncle; never call the family phone.",
    )


def test_another_organisation_gets_404_on_page_and_api(cast, dara):
    others = [cast.b[role] for role in Role.values]
    for url in (
        reverse("people:detail", args=[dara.uuid]),
        reverse("people:edit", args=[dara.uuid]),
        reverse("api-person", args=[dara.uuid]),
    ):
        assert_refused(url, [None, *others])
    # Those of B who may read people get 404, exactly as for a record that does not exist.
    readers_b = [cast.b[r] for r in (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.INVESTIGATOR)]
    assert_refused(reverse("people:detail", args=[dara.uuid]), readers_b, expect=404)
    assert_refused(reverse("api-person", args=[dara.uuid]), readers_b, expect=404)
    assert_refused(
        reverse("api-person", args=[dara.uuid]),
        readers_b,
        method="patch",
        data={"version": 1, "given_name": "X"},
        content_type="application/json",
        expect=404,
    )
    dara.refresh_from_db()
    assert dara.given_name == "Dara"


def test_another_organisation_does_not_find_the_person_in_lists_or_search(cast, dara):
    reader_b = verified_client(cast.b[Role.CASE_WORKER])
    page = reader_b.post(reverse("people:list"), {"q": "Dara"}, follow=True).content.decode()
    assert str(dara.uuid) not in page and "Nobody found" in page
    search = reverse("api-people-search")
    api = reader_b.post(search, {"q": "Dara"}, content_type="application/json").json()
    assert api["count"] == 0
    reader_a = verified_client(cast.a[Role.CASE_WORKER])
    found = reader_a.post(search, {"q": "dar"}, content_type="application/json").json()
    assert found["count"] == 1


def test_roles_without_people_access_are_refused(cast, dara):
    users = [
        cast.a[r]
        for r in (
            Role.STATISTICS_OFFICER,
            Role.ORG_ADMIN,
            Role.SYSTEM_ADMIN,
            Role.PREVENTION_OFFICER,
        )
    ]
    assert_refused(reverse("people:list"), users, expect=403)
    assert_refused(reverse("api-people"), users, expect=403)
    # The detail page too: the permission check comes before any lookup.
    assert_refused(reverse("people:detail", args=[dara.uuid]), users, expect=403)


def test_the_page_and_api_show_only_fields_the_role_may_read(cast, dara):
    dara = _with_notes(cast, dara)
    url = reverse("people:detail", args=[dara.uuid])
    api_url = reverse("api-person", args=[dara.uuid])

    hotline = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    page = hotline.get(url).content.decode()
    assert "Dara" in page and "012 345 678" not in page and "uncle" not in page
    data = hotline.get(api_url).json()
    assert "phone" not in data and "protection_notes" not in data and data["given_name"] == "Dara"

    shelter = verified_client(cast.a[Role.SHELTER_MANAGER])
    page = shelter.get(url).content.decode()
    assert "012 345 678" in page and "uncle" not in page
    data = shelter.get(api_url).json()
    assert data["phone"] == "012 345 678" and "protection_notes" not in data

    supervisor = verified_client(cast.a[Role.CASE_SUPERVISOR])
    assert "uncle" in supervisor.get(url).content.decode()
    assert "uncle" in supervisor.get(api_url).json()["protection_notes"]


def test_lists_never_carry_sensitive_fields_even_for_roles_that_may_read_them(cast, dara):
    # Sensitive fields are read one audited record at a time, never in bulk.
    _with_notes(cast, dara)
    for role in (Role.HOTLINE_OPERATOR, Role.CASE_SUPERVISOR):
        row = verified_client(cast.a[role]).get(reverse("api-people")).json()["results"][0]
        assert row["given_name"] == "Dara"
        assert not {"phone", "date_of_birth", "home_village", "protection_notes"} & set(row)


def test_reading_sensitive_fields_is_audited_and_plain_reads_are_not(cast, dara):
    before = AuditEvent.objects.filter(action=AuditAction.READ).count()
    verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("people:detail", args=[dara.uuid]))
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == before
    verified_client(cast.a[Role.SHELTER_MANAGER]).get(reverse("api-person", args=[dara.uuid]))
    event = AuditEvent.objects.filter(action=AuditAction.READ).latest("seq")
    assert event.actor_id == cast.a[Role.SHELTER_MANAGER].pk
    assert event.target_id == str(dara.uuid)
    assert "phone" in event.changes["shown"] and "protection_notes" not in event.changes["shown"]


def test_writes_are_audited_without_sensitive_values(cast, dara):
    created = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(dara.uuid))
    assert created.changes["given_name"] == [None, "Dara"]
    assert created.changes["phone"] is None  # named, value withheld
    _with_notes(cast, dara)
    updated = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(dara.uuid)).get()
    assert updated.changes == {"protection_notes": None}
    assert "uncle" not in str(AuditEvent.objects.values_list("changes", flat=True))


def test_a_stale_edit_is_refused_and_changes_nothing(cast, dara):
    worker = cast.a[Role.CASE_WORKER]
    person_update(actor=worker, person=dara, expected_version=1, given_name="Dara 2")
    with pytest.raises(ValidationError) as info:
        person_update(actor=worker, person=dara, expected_version=1, family_name="Chan")
    assert info.value.code == "concurrent_edit"
    dara.refresh_from_db()
    assert (dara.given_name, dara.family_name, dara.version) == ("Dara 2", "Sok", 2)

    api = verified_client(worker)
    response = api.patch(
        reverse("api-person", args=[dara.uuid]),
        {"version": 1, "family_name": "Chan"},
        content_type="application/json",
    )
    assert response.status_code == 409
    page = verified_client(worker).post(
        reverse("people:edit", args=[dara.uuid]),
        {"version": 1, "given_name": "Dara", "family_name": "Chan", "sex": "f"},
    )
    assert page.status_code == 200 and "Someone else changed this record" in page.content.decode()
    dara.refresh_from_db()
    assert dara.family_name == "Sok"


def test_bad_input_gets_a_clear_message_and_writes_nothing(cast):
    worker = verified_client(cast.a[Role.CASE_WORKER])
    count, events = Person.objects.count(), AuditEvent.objects.count()
    response = worker.post(reverse("people:create"), {"sex": "f", "date_of_birth": "2999-01-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot be in the future" in body or "at least one name" in body
    response = worker.post(
        reverse("api-people"),
        {"given_name": "A" * 500, "estimated_age": -3},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"given_name", "estimated_age"}
    response = worker.post(reverse("api-people"), {"sex": "m"}, content_type="application/json")
    assert response.status_code == 400 and "at least one name" in str(response.json())
    response = worker.post(reverse("api-people"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert (Person.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_a_user_cannot_write_a_field_they_may_not_read(cast, dara):
    with pytest.raises(PermissionDenied):
        person_update(
            actor=cast.a[Role.CASE_WORKER],
            person=dara,
            expected_version=dara.version,
            protection_notes="overwritten blind",
        )
    response = verified_client(cast.a[Role.CASE_WORKER]).patch(
        reverse("api-person", args=[dara.uuid]),
        {"version": dara.version, "protection_notes": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_creating_in_the_page_records_the_person_for_the_users_organisation(cast):
    worker = verified_client(cast.b[Role.CASE_WORKER])
    response = worker.post(
        reverse("people:create"),
        {"given_name": "Sophal", "family_name": "Chea", "sex": "m", "estimated_age": "12"},
    )
    assert response.status_code == 302
    person = Person.objects.get(given_name="Sophal")
    assert person.organisation == cast.org_b and person.created_by == cast.b[Role.CASE_WORKER]


def test_a_person_with_nationality_and_village_is_recorded_from_the_page(cast):
    from ctip.places.models import Commune, Country, District, Province, Village

    province = Province.objects.create(code="12", iso3166_2="KH-12", name_en="Phnom Penh")
    district = District.objects.create(code="1201", province=province, name_en="Chamkar Mon")
    commune = Commune.objects.create(code="120101", district=district, name_en="Tonle Basak")
    Village.objects.create(code="12010101", commune=commune, name_en="Phum 1")
    Country.objects.create(code="KH", alpha3="KHM", name_en="Cambodia", name_km="កម្ពុជា")
    worker = verified_client(cast.a[Role.CASE_WORKER])
    form = {"given_name": "Srey", "sex": "f", "nationality": "KH", "home_village": "99999999"}
    response = worker.post(reverse("people:create"), form)
    assert "No village has this code" in response.content.decode()
    response = worker.post(reverse("people:create"), form | {"home_village": "12010101"})
    assert response.status_code == 302
    person = Person.objects.get(given_name="Srey")
    assert (person.nationality_id, person.home_village_id) == ("KH", "12010101")
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(person.uuid))
    assert event.changes["nationality"] == [None, "KH"]
    assert event.changes["home_village"] is None  # confidential: named only
