"""Identity documents page, the restricted photo, and the link to screening."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.people import services
from ctip.people.models import IdentityDocument

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def person(cast):
    return services.person_create(
        actor=cast.a[Role.CASE_WORKER], given_name="Sophea", family_name="Kim", estimated_age=13
    )


def _with_photo(cast, person, data=PNG, name="face.png"):
    return services.person_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        person=person,
        expected_version=person.version,
        photo=SimpleUploadedFile(name, data, content_type="image/png"),
    )


# --- identity documents -------------------------------------------------------------------------


def test_a_case_worker_adds_a_document_and_its_number_is_not_logged(cast, person):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse("people:documents", args=[person.uuid])
    page = client.get(url)
    assert page.status_code == 200 and "Add the document" in page.content.decode()
    response = client.post(
        url, {"type": "national_id", "number": "010203040", "held_by": "Her aunt"}
    )
    assert response.status_code == 302
    document = IdentityDocument.objects.get()
    assert document.number == "010203040" and document.created_by == cast.a[Role.CASE_WORKER]
    created = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(document.uuid))
    assert "010203040" not in str(created.changes) and "aunt" not in str(created.changes)
    listing = client.get(url).content.decode()
    assert "010203040" in listing and "Her aunt" in listing
    read = AuditEvent.objects.filter(action=AuditAction.READ, target_id=str(person.uuid)).last()
    assert read.changes["documents"] == [str(document.uuid)]


def test_bad_document_input_is_explained_and_nothing_is_saved(cast, person):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse("people:documents", args=[person.uuid])
    response = client.post(url, {"type": "spaceship", "expires_on": "not a date"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"type", "expires_on"}
    assert not IdentityDocument.objects.exists()
    with pytest.raises(ValidationError):
        services.document_add(
            actor=cast.a[Role.CASE_WORKER], person=person, type="passport", number="x" * 61
        )


def test_readers_without_confidential_access_see_no_numbers_and_no_form(cast, person):
    services.document_add(
        actor=cast.a[Role.CASE_WORKER], person=person, type="passport", number="N1234567"
    )
    url = reverse("people:documents", args=[person.uuid])
    hotline = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    page = hotline.get(url).content.decode()
    assert "Passport" in page and "N1234567" not in page and "Add the document" not in page
    assert hotline.post(url, {"type": "passport"}).status_code == 403
    assert not AuditEvent.objects.filter(
        action=AuditAction.READ, actor=cast.a[Role.HOTLINE_OPERATOR]
    ).exists()


def test_the_documents_page_refuses_outsiders(cast, person):
    url = reverse("people:documents", args=[person.uuid])
    assert_refused(url, [cast.b[Role.CASE_WORKER], cast.b[Role.CASE_SUPERVISOR]], expect=404)
    assert_refused(url, [cast.a[Role.STATISTICS_OFFICER], cast.a[Role.ORG_ADMIN]], expect=403)
    assert_refused(url, [None])
    assert_refused(
        url, [cast.b[Role.CASE_WORKER]], method="post", data={"type": "passport"}, expect=404
    )
    assert not IdentityDocument.objects.exists()


def test_the_documents_page_does_not_grow_queries_with_rows(cast, person):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse("people:documents", args=[person.uuid])
    services.document_add(actor=worker, person=person, type="passport", number="1")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        services.document_add(actor=worker, person=person, type="other", number=str(i))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- the photo ----------------------------------------------------------------------------------


def test_a_photo_is_checked_by_content_not_by_name(cast, person):
    with pytest.raises(ValidationError) as exc:
        _with_photo(cast, person, b"<html><script>alert(1)</script></html>", "face.png")
    assert "photo" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _with_photo(cast, person, b"GIF89a" + b"\x00" * 20, "face.gif")
    with pytest.raises(ValidationError):
        _with_photo(cast, person, b'<svg xmlns="http://www.w3.org/2000/svg"/>', "face.svg")
    person.refresh_from_db()
    assert not person.photo
    # A real JPEG passes, whatever it is called.
    assert _with_photo(cast, person, JPEG, "face.dat").photo


def test_the_photo_is_served_only_to_restricted_readers_as_a_checked_image(cast, person):
    person = _with_photo(cast, person)
    url = reverse("people:photo", args=[person.uuid])
    supervisor = cast.a[Role.CASE_SUPERVISOR]
    response = verified_client(supervisor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PNG
    read = AuditEvent.objects.filter(action=AuditAction.READ, actor=supervisor).last()
    assert read.changes == {"shown": ["photo"]} and read.target_id == str(person.uuid)
    # Case workers may see the person but not the restricted photo: it looks like no photo.
    assert_refused(url, [cast.a[Role.CASE_WORKER], cast.a[Role.HOTLINE_OPERATOR]], expect=404)
    assert_refused(url, [cast.b[Role.CASE_SUPERVISOR]], expect=404)
    assert_refused(url, [cast.a[Role.STATISTICS_OFFICER]], expect=403)
    assert_refused(url, [None])


def test_no_photo_answers_404_and_the_page_shows_it_only_to_restricted_readers(cast, person):
    url = reverse("people:photo", args=[person.uuid])
    assert_refused(url, [cast.a[Role.CASE_SUPERVISOR]], expect=404)
    person = _with_photo(cast, person)
    detail = reverse("people:detail", args=[person.uuid])
    assert url in verified_client(cast.a[Role.CASE_SUPERVISOR]).get(detail).content.decode()
    assert url not in verified_client(cast.a[Role.CASE_WORKER]).get(detail).content.decode()


# --- screening link -----------------------------------------------------------------------------


def test_the_person_page_links_to_screening_for_screeners_only(cast, person):
    detail = reverse("people:detail", args=[person.uuid])
    screen = reverse("operations:screen", args=[person.uuid])
    for role in (Role.CASE_WORKER, Role.INVESTIGATOR):
        assert screen in verified_client(cast.a[role]).get(detail).content.decode(), role
    for role in (Role.SHELTER_MANAGER, Role.HOTLINE_OPERATOR):
        assert screen not in verified_client(cast.a[role]).get(detail).content.decode(), role
