"""Operation, screening, hand-off and instrument pages: who sees them, who is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.intake.models import EstablishmentType
from ctip.operations import services
from ctip.operations.models import FoundPerson, HandOffStatus, InstrumentStatus, Screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(cast, found, instrument):
    return services.screening_record(
        actor=cast.a[Role.INVESTIGATOR],
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
        indicator_codes=["cd_forced_tasks_or_clients"],
    )


def test_investigators_of_another_organisation_get_404(cast, operation, screening):
    others = [cast.b[Role.INVESTIGATOR]]
    for url in (
        reverse("operations:detail", args=[operation.uuid]),
        reverse("operations:found_add", args=[operation.uuid]),
        reverse("operations:screening", args=[screening.uuid]),
        reverse("operations:screening_revise", args=[screening.uuid]),
    ):
        assert_refused(url, others, expect=404)
    listing = verified_client(cast.b[Role.INVESTIGATOR]).get(reverse("operations:list"))
    assert operation.reference not in listing.content.decode()
    api = verified_client(cast.b[Role.INVESTIGATOR]).get(reverse("api-operations")).json()
    assert api["count"] == 0


def test_roles_without_operations_access_are_refused(cast, operation):
    users = [
        cast.a[r]
        for r in (
            Role.HOTLINE_OPERATOR,
            Role.CASE_WORKER,
            Role.SHELTER_MANAGER,
            Role.STATISTICS_OFFICER,
            Role.SYSTEM_ADMIN,
        )
    ] + [cast.no_role]
    for url in (
        reverse("operations:list"),
        reverse("operations:detail", args=[operation.uuid]),
        reverse("api-operations"),
    ):
        assert_refused(url, users, expect=403)
    assert_refused(reverse("operations:list"), [None])
    assert_refused(reverse("api-operations"), [None], expect=401)


def test_the_investigator_plans_an_operation_and_records_people_found(cast, province):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    response = client.post(
        reverse("operations:create"),
        {
            "planned_for": "2026-11-20T22:00",
            "province": province.pk,
            "location_text": "Fishing pier",
            "establishment_type": EstablishmentType.FISHING_BOAT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = client.get(response["Location"])
    assert "Fishing pier" in detail.content.decode()
    add = response["Location"] + "found/"
    response = client.post(add, {"given_name": "Bora", "sex": "m", "estimated_age": "16"})
    assert response.status_code == 302
    assert FoundPerson.objects.get().person.given_name == "Bora"
    # No name at all: the person service refuses, the form says why, nothing is recorded.
    response = client.post(add, {"sex": "u"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert FoundPerson.objects.count() == 1


def test_the_screening_page_shows_the_provisional_status_and_records_a_result(
    cast, found, instrument
):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("operations:screen", args=[found.person.uuid]) + f"?found={found.uuid}"
    page = client.get(url).content.decode()
    assert "Provisional instrument" in page and "Deceived about" in page
    response = client.post(
        url,
        {
            "is_child": "on",
            "indicator_codes": ["ex_excessive_working_days_hours", "ex_low_or_no_salary"],
        },
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.found_person == found
    detail = client.get(response["Location"]).content.decode()
    assert screening.get_result_display() in detail
    assert "Excessive working days or hours" in detail


def test_a_case_worker_of_another_organisation_cannot_screen_a_person_not_theirs(cast, found):
    assert_refused(
        reverse("operations:screen", args=[found.person.uuid]),
        [cast.b[Role.CASE_WORKER]],
        expect=404,
    )


def test_hand_off_through_the_pages(cast, screening):
    investigator = verified_client(cast.a[Role.INVESTIGATOR])
    investigator.post(
        reverse("operations:screening_hand_off", args=[screening.uuid]),
        {"to_organisation": cast.org_b.pk, "note": "Tonight"},
    )
    handoff = screening.handoffs.get()
    receiver = verified_client(cast.b[Role.CASE_WORKER])
    page = receiver.get(reverse("operations:handoffs")).content.decode()
    assert cast.org_a.name in page
    # Investigators see hand-offs but do not decide them; others' hand-offs are 404.
    assert_refused(
        reverse("operations:handoff_decide", args=[handoff.uuid]),
        [cast.b[Role.INVESTIGATOR]],
        method="post",
        data={"version": handoff.version, "accept": "1"},
        expect=403,
    )
    assert_refused(
        reverse("operations:handoff_decide", args=[handoff.uuid]),
        [cast.a[Role.CASE_WORKER]],
        method="post",
        data={"version": handoff.version, "accept": "1"},
    )
    receiver.post(
        reverse("operations:handoff_decide", args=[handoff.uuid]),
        {"version": handoff.version, "accept": "1"},
    )
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.ACCEPTED
    api = receiver.get(reverse("api-handoffs-pending")).json()
    assert api["count"] == 0


def test_the_instrument_page_shows_source_and_status_and_admins_validate(cast, instrument):
    page = verified_client(cast.a[Role.INVESTIGATOR]).get(reverse("operations:instrument"))
    content = page.content.decode()
    assert "WCMS_105023" in content and "Provisional" in content
    assert "Mark this version validated" not in content
    assert (
        verified_client(cast.a[Role.INVESTIGATOR])
        .post(reverse("operations:instrument"), {"reason": "x"})
        .status_code
        == 403
    )
    admin = verified_client(cast.a[Role.SYSTEM_ADMIN])
    assert (
        "Mark this version validated"
        in admin.get(reverse("operations:instrument")).content.decode()
    )
    admin.post(reverse("operations:instrument"), {"reason": "Checked against the brochure"})
    instrument.refresh_from_db()
    assert instrument.status == InstrumentStatus.VALIDATED
    assert_refused(reverse("operations:instrument"), [cast.a[Role.STATISTICS_OFFICER]], expect=403)


def _operations(actor, province, n):
    for i in range(n):
        services.operation_create(
            actor=actor,
            planned_for=timezone.now(),
            province=province,
            location_text=f"Site {i}",
            establishment_type=EstablishmentType.FARM,
        )


@pytest.mark.parametrize("url_name", ["operations:list", "api-operations"])
def test_operation_lists_do_not_grow_queries_with_rows(
    cast, province, url_name, django_assert_num_queries
):
    actor = cast.a[Role.INVESTIGATOR]
    client = verified_client(actor)
    _operations(actor, province, 2)
    client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    _operations(actor, province, 15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few)
    with django_assert_num_queries(len(few)):
        client.get(reverse(url_name))
    assert len(few) <= 10


def test_the_operation_page_does_not_grow_queries_with_people_found(cast, operation, instrument):
    actor = cast.a[Role.INVESTIGATOR]
    client = verified_client(actor)
    url = reverse("operations:detail", args=[operation.uuid])

    def add(n):
        for i in range(n):
            found = services.found_person_record(
                actor=actor, operation=operation, given_name=f"P{i}", estimated_age=15
            )
            services.screening_record(actor=actor, person=found.person, is_child=True)

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_pending_hand_off_list_does_not_grow_queries(cast, found, instrument, province):
    receiver = verified_client(cast.b[Role.CASE_WORKER])
    actor = cast.a[Role.INVESTIGATOR]

    def add(n):
        for i in range(n):
            f = services.found_person_record(
                actor=actor, operation=found.operation, given_name=f"H{i}", estimated_age=12
            )
            s = services.screening_record(
                actor=actor, person=f.person, is_child=True, commercial_sexual_exploitation=True
            )
            services.screening_hand_off(actor=actor, screening=s, to_organisation=cast.org_b)

    add(1)
    for name in ("operations:handoffs", "api-handoffs-pending"):
        receiver.get(reverse(name))
        with CaptureQueriesContext(connection) as few:
            receiver.get(reverse(name))
        add(3)
        with CaptureQueriesContext(connection) as many:
            receiver.get(reverse(name))
        assert len(many) == len(few), name


def test_the_revise_page_needs_a_reason_and_records_the_revision(cast, screening):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("operations:screening_revise", args=[screening.uuid])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"version": screening.version, "is_child": "on"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    good = client.post(
        url,
        {"version": screening.version, "reason": "She is 19, documents seen"},
    )
    assert good.status_code == 302
    screening.refresh_from_db()
    assert not screening.is_child and screening.revision_reason == "She is 19, documents seen"
    stale = client.post(url, {"version": 1, "reason": "again", "is_child": "on"})
    assert "Someone else changed this record" in stale.content.decode()
