"""The cases API: who is refused, what each role reads, stale writes, query counts."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases import services
from ctip.cases.models import Case, CaseNote
from ctip.core.testing import assert_refused, verified_client
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
JSON = "application/json"


def _urls(case):
    return [
        reverse("api-case", args=[case.uuid]),
        reverse("api-case-notes", args=[case.uuid]),
        reverse("api-case-tasks", args=[case.uuid]),
    ]


def test_another_organisation_gets_404_and_anonymous_401(cast, case):
    for url in _urls(case):
        assert_refused(url, [cast.b[Role.CASE_WORKER], cast.b[Role.CASE_SUPERVISOR]], expect=404)
        assert_refused(url, [None], expect=401)
    assert_refused(reverse("api-cases"), [None], expect=401)
    listed = verified_client(cast.b[Role.CASE_SUPERVISOR]).get(reverse("api-cases")).json()
    assert listed["count"] == 0


def test_roles_without_case_access_get_403(cast, case):
    users = [cast.a[r] for r in (Role.HOTLINE_OPERATOR, Role.STATISTICS_OFFICER, Role.INVESTIGATOR)]
    for url in [reverse("api-cases"), *_urls(case)]:
        assert_refused(url, users, expect=403)


def test_the_list_shows_normal_fields_only_and_the_detail_filters_by_role(cast, case):
    supervisor = cast.a[Role.CASE_SUPERVISOR]
    services.case_update(
        actor=supervisor,
        case=case,
        expected_version=case.version,
        abuse_narrative="Held in a locked room",
        recruiter_relation="friend",
    )
    listed = verified_client(supervisor).get(reverse("api-cases")).json()["results"]
    assert listed[0]["number"] == case.number
    assert "abuse_narrative" not in listed[0] and "recruiter_relation" not in listed[0]
    before = AuditEvent.objects.filter(action=AuditAction.READ).count()
    detail = verified_client(supervisor).get(reverse("api-case", args=[case.uuid])).json()
    assert detail["abuse_narrative"] == "Held in a locked room"
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == before + 1
    worker_view = (
        verified_client(cast.a[Role.CASE_WORKER]).get(reverse("api-case", args=[case.uuid])).json()
    )
    assert "abuse_narrative" not in worker_view and "hiv_status" not in worker_view
    assert worker_view["recruiter_relation"] == "friend"  # confidential: case workers read it
    shelter_view = (
        verified_client(cast.a[Role.SHELTER_MANAGER])
        .get(reverse("api-case", args=[case.uuid]))
        .json()
    )
    assert "abuse_narrative" not in shelter_view


def test_a_case_is_opened_over_the_api_and_bad_input_is_400(cast):
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(actor=worker, given_name="Dara", estimated_age=12)
    client = verified_client(worker)
    bad = client.post(
        reverse("api-cases"),
        {"person": str(person.uuid), "source": "screening"},
        content_type=JSON,
    )
    assert bad.status_code == 400 and "source_reference" in bad.json()
    other = person_create(actor=cast.b[Role.CASE_WORKER], given_name="Other")
    hidden = client.post(reverse("api-cases"), {"person": str(other.uuid)}, content_type=JSON)
    assert hidden.status_code == 400 and "person" in hidden.json()
    missing = client.post(reverse("api-cases"), {"person": str(uuid.uuid4())}, content_type=JSON)
    assert missing.json() == hidden.json()
    created = client.post(
        reverse("api-cases"),
        {"person": str(person.uuid), "supervisor": str(cast.a[Role.CASE_SUPERVISOR].uuid)},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    case = Case.objects.get()
    assert created.json()["number"] == case.number and case.case_worker == worker
    refused = verified_client(cast.a[Role.SHELTER_MANAGER]).post(
        reverse("api-cases"), {"person": str(person.uuid)}, content_type=JSON
    )
    assert refused.status_code == 403


def test_a_stale_update_answers_409_and_changes_nothing(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse("api-case", args=[case.uuid])
    ok = client.patch(
        url,
        {"version": case.version, "exploitation_types": ["ForcedCriminality"]},
        content_type=JSON,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["exploitation_types"] == ["ForcedCriminality"]
    stale = client.patch(
        url, {"version": case.version, "recruiter_relation": "friend"}, content_type=JSON
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.recruiter_relation == "" and case.version == 2
    assert client.patch(url, {"recruiter_relation": "x"}, content_type=JSON).status_code == 400
    # A case worker may not write restricted fields they cannot read.
    blind = client.patch(url, {"version": case.version, "abuse_narrative": "x"}, content_type=JSON)
    assert blind.status_code == 403
    shelter = verified_client(cast.a[Role.SHELTER_MANAGER]).patch(
        url, {"version": case.version, "recruiter_relation": "friend"}, content_type=JSON
    )
    assert shelter.status_code == 403
    other = verified_client(cast.b[Role.CASE_SUPERVISOR]).patch(
        url, {"version": case.version}, content_type=JSON
    )
    assert other.status_code == 404


def test_sensitive_notes_are_withheld_by_policy_and_their_reads_audited(cast, case):
    worker, supervisor = cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]
    url = reverse("api-case-notes", args=[case.uuid])
    client = verified_client(worker)
    created = client.post(
        url,
        {
            "kind": "visit",
            "happened_on": TODAY().isoformat(),
            "text": "Disclosed abuse",
            "is_sensitive": True,
        },
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["withheld"] is True
    client.post(
        url,
        {"kind": "phone", "happened_on": TODAY().isoformat(), "text": "Called the mother"},
        content_type=JSON,
    )
    notes = client.get(url).json()["results"]
    by_kind = {n["kind"]: n for n in notes}
    assert by_kind["visit"]["text"] is None and by_kind["phone"]["text"] == "Called the mother"
    assert not AuditEvent.objects.filter(action=AuditAction.READ, actor=worker).exists()
    seen = verified_client(supervisor).get(url).json()["results"]
    assert {n["text"] for n in seen} == {"Disclosed abuse", "Called the mother"}
    read = AuditEvent.objects.filter(action=AuditAction.READ, target_id=str(case.uuid)).last()
    assert "sensitive_notes" in read.changes
    created_event = AuditEvent.objects.get(
        action=AuditAction.CREATE, target_id=str(CaseNote.objects.get(kind="visit").uuid)
    )
    assert "Disclosed" not in str(created_event.changes)
    empty = client.post(
        url, {"kind": "visit", "happened_on": TODAY().isoformat(), "text": " "}, content_type=JSON
    )
    assert empty.status_code == 400
    shelter = verified_client(cast.a[Role.SHELTER_MANAGER]).post(
        url, {"kind": "visit", "happened_on": TODAY().isoformat(), "text": "x"}, content_type=JSON
    )
    assert shelter.status_code == 403


def test_tasks_are_listed_added_and_done(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse("api-case-tasks", args=[case.uuid])
    bad = client.post(
        url,
        {
            "title": "Visit",
            "due_on": TODAY().isoformat(),
            "assigned_to": str(cast.b[Role.CASE_WORKER].uuid),
        },
        content_type=JSON,
    )
    assert bad.status_code == 400 and "assigned_to" in bad.json()
    created = client.post(
        url,
        {"title": "Home visit", "due_on": TODAY().isoformat(), "is_visit": True},
        content_type=JSON,
    )
    assert created.status_code == 201
    task_uuid = created.json()["uuid"]
    assert client.get(url).json()["results"][0]["title"] == "Home visit"
    done_url = reverse("api-task-done", args=[task_uuid])
    assert verified_client(cast.b[Role.CASE_WORKER]).post(done_url).status_code == 404
    assert verified_client(cast.a[Role.SHELTER_MANAGER]).post(done_url).status_code == 403
    done = client.post(done_url, {}, content_type=JSON)
    assert done.status_code == 200 and done.json()["done_on"] == TODAY().isoformat()
    assert client.post(done_url, {}, content_type=JSON).status_code == 400


def _many_cases(cast, n):
    worker = cast.a[Role.CASE_WORKER]
    for i in range(n):
        person = person_create(actor=worker, given_name=f"Child {i}", estimated_age=12)
        services.case_open(actor=worker, person=person)


def _notes(case, worker, n):
    for i in range(n):
        services.note_add(
            actor=worker, case=case, kind="phone", happened_on=TODAY(), text=f"Note {i}"
        )


@pytest.mark.parametrize(
    ("name", "queries"),
    [("api-cases", 11), ("api-case-notes", 11), ("api-case-tasks", 12)],
)
def test_case_api_lists_do_not_grow_queries_with_rows(
    cast, case, name, queries, django_assert_num_queries
):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse(name) if name == "api-cases" else reverse(name, args=[case.uuid])

    def grow(n):
        _many_cases(cast, n) if name == "api-cases" else None
        _notes(case, worker, n) if name == "api-case-notes" else None
        for i in range(n if name == "api-case-tasks" else 0):
            services.task_add(actor=worker, case=case, title=f"T{i}", due_on=TODAY())

    grow(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(queries):
        client.get(url)
