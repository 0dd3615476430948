"""Opening a case from a screening hand-off: who sees the handed-off person, and when."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases import services
from ctip.cases.models import Case, CaseSource
from ctip.core.testing import assert_refused, make_organisation, make_user, verified_client
from ctip.operations import services as ops
from ctip.operations.models import HandOffStatus
from ctip.operations.screening import read_indicator_csv
from ctip.people.models import IdentityDocument, Person
from ctip.people.services import document_add, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def handoff(cast):
    """Organisation A's investigator screens a child (identified victim) and hands her to B."""
    ops.instrument_import(actor=None, version_label="test-1", rows=read_indicator_csv())
    investigator = cast.a[Role.INVESTIGATOR]
    person = person_create(actor=investigator, given_name="Srey Neang", sex="f", estimated_age=14)
    document_add(actor=investigator, person=person, type="birth_certificate", number="BC-1")
    screening = ops.screening_record(
        actor=investigator, person=person, is_child=True, commercial_sexual_exploitation=True
    )
    return ops.screening_hand_off(
        actor=investigator, screening=screening, to_organisation=cast.org_b
    )


def _accept(cast, handoff):
    return ops.handoff_decide(
        actor=cast.b[Role.CASE_WORKER], handoff=handoff, expected_version=None, accept=True
    )


def _visible(user, person) -> bool:
    return visible_to(user, Person).filter(pk=person.pk).exists()


def test_a_pending_or_declined_hand_off_shows_the_receiver_nothing(cast, handoff):
    receiver = cast.b[Role.CASE_WORKER]
    url = reverse("people:detail", args=[handoff.person.uuid])
    assert not _visible(receiver, handoff.person)
    assert_refused(url, [receiver], expect=404)
    ops.handoff_decide(
        actor=receiver, handoff=handoff, expected_version=None, accept=False, reason="Full"
    )
    assert not _visible(receiver, handoff.person)
    assert_refused(url, [receiver], expect=404)


def test_an_accepted_hand_off_shows_the_person_and_documents_to_the_receiver_only(cast, handoff):
    _accept(cast, handoff)
    receiver = cast.b[Role.CASE_WORKER]
    assert _visible(receiver, handoff.person)
    assert visible_to(receiver, IdentityDocument).filter(person=handoff.person).count() == 1
    response = verified_client(receiver).get(reverse("people:detail", args=[handoff.person.uuid]))
    assert response.status_code == 200 and "Srey Neang" in response.content.decode()
    org_c = make_organisation("c", name="Organisation C")
    outsider = make_user(org_c, Role.CASE_WORKER)
    assert not _visible(outsider, handoff.person)
    url = reverse("people:detail", args=[handoff.person.uuid])
    assert_refused(url, [outsider], expect=404)
    # Statistics officers and hotline operators of B never see people through a hand-off.
    assert not _visible(cast.b[Role.STATISTICS_OFFICER], handoff.person)


def test_a_case_opens_from_an_accepted_hand_off_and_names_it(cast, handoff):
    _accept(cast, handoff)
    receiver = cast.b[Role.CASE_WORKER]
    case = services.case_open(
        actor=receiver,
        person=handoff.person,
        source=CaseSource.SCREENING,
        source_reference=str(handoff.uuid),
    )
    assert case.organisation == cast.org_b and case.person == handoff.person
    assert case.number.startswith("B-") and "Srey" not in case.number
    event = AuditEvent.objects.get(action=AuditAction.CASE_OPENED, target_id=str(case.uuid))
    assert event.changes["source_reference"] == [None, str(handoff.uuid)]
    # The screening organisation does not see B's case.
    assert not visible_to(cast.a[Role.CASE_SUPERVISOR], Case).filter(pk=case.pk).exists()


@pytest.mark.parametrize("reference", ["", "not-a-uuid", "6f1c2b7e-3a52-4c1e-9a55-2d1f0c9b8e11"])
def test_a_screening_case_needs_a_real_accepted_hand_off(cast, handoff, reference):
    _accept(cast, handoff)
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=cast.b[Role.CASE_WORKER],
            person=handoff.person,
            source=CaseSource.SCREENING,
            source_reference=reference,
        )
    assert "source_reference" in exc.value.message_dict
    assert not Case.objects.exists()


def test_a_pending_hand_off_or_another_organisation_cannot_open_the_case(cast, handoff):
    kwargs = {
        "person": handoff.person,
        "source": CaseSource.SCREENING,
        "source_reference": str(handoff.uuid),
    }
    with pytest.raises(ValidationError):
        services.case_open(actor=cast.b[Role.CASE_WORKER], **kwargs)
    _accept(cast, handoff)
    org_c = make_organisation("c", name="Organisation C")
    with pytest.raises(ValidationError):
        services.case_open(actor=make_user(org_c, Role.CASE_WORKER), **kwargs)
    # Opening "directly" does not get round the hand-off check.
    with pytest.raises(PermissionDenied):
        services.case_open(actor=cast.b[Role.CASE_WORKER], person=handoff.person)
    assert not Case.objects.exists()


def test_the_hand_off_reference_must_be_for_this_person(cast, handoff):
    _accept(cast, handoff)
    other = person_create(actor=cast.b[Role.CASE_WORKER], given_name="Dara")
    with pytest.raises(ValidationError):
        services.case_open(
            actor=cast.b[Role.CASE_WORKER],
            person=other,
            source=CaseSource.SCREENING,
            source_reference=str(handoff.uuid),
        )


def test_accepting_on_the_page_leads_to_opening_the_case(cast, handoff):
    receiver = cast.b[Role.CASE_WORKER]
    client = verified_client(receiver)
    response = client.post(
        reverse("operations:handoff_decide", args=[handoff.uuid]),
        {"version": handoff.version, "accept": "1"},
    )
    assert response.status_code == 302
    open_url = response["Location"]
    assert open_url.startswith(reverse("cases:open"))
    assert f"source_reference={handoff.uuid}" in open_url
    page = client.get(open_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert str(handoff.uuid) in body and 'value="screening" selected' in body
    # Until a case is open, the hand-offs page offers the button.
    listing = client.get(reverse("operations:handoffs")).content.decode()
    assert f"source_reference={handoff.uuid}" in listing
    form = page.context["form"]
    response = client.post(
        reverse("cases:open"),
        {
            "person": handoff.person.pk,
            "source": "screening",
            "source_reference": str(handoff.uuid),
            "opened_on": form["opened_on"].value(),
            "case_worker": receiver.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.uuid}/")
    assert case.source == CaseSource.SCREENING and case.source_reference == str(handoff.uuid)
    listing = client.get(reverse("operations:handoffs")).content.decode()
    assert f"source_reference={handoff.uuid}" not in listing


def test_the_open_page_explains_a_bad_hand_off_reference(cast, handoff):
    _accept(cast, handoff)
    receiver = cast.b[Role.CASE_WORKER]
    response = verified_client(receiver).post(
        reverse("cases:open"),
        {
            "person": handoff.person.pk,
            "source": "screening",
            "source_reference": str(uuid.uuid4()),
            "opened_on": "2026-01-05",
            "case_worker": receiver.pk,
        },
    )
    assert response.status_code == 200
    assert "accepted by your organisation" in response.content.decode()
    assert not Case.objects.exists()


def test_the_hand_off_status_is_accepted_after_the_page_flow(cast, handoff):
    _accept(cast, handoff)
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.ACCEPTED
