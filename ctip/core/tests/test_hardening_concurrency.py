"""Many people editing the same record from the same version: exactly one wins, every other is
told (409 with the message in the API, the message on the form page), nothing is overwritten
silently, and the audit log holds exactly the winning edits.

The requests here are interleaved, not simultaneous: the test database lives in one
transaction that other connections cannot see. bench/concurrency.py runs the same contest with
truly simultaneous clients on separate connections against a live server on PostgreSQL.
"""

import pytest
from django.test import Client

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import api_token_key, make_user, verified_client
from ctip.people.models import Person
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else changed this record while you were editing it"


@pytest.fixture
def editors(cast):
    """Ten case workers of organisation A, each with an API token."""
    users = [make_user(cast.org_a, Role.CASE_WORKER, email=f"w{i}@a.test") for i in range(10)]
    return [(u, Client(HTTP_AUTHORIZATION=f"Token {api_token_key(u)}")) for u in users]


def _updates(person) -> int:
    return AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(person.uuid)).count()


def test_api_editors_racing_from_one_version_get_one_winner_and_409s_for_the_rest(cast, editors):
    person = person_create(actor=cast.a[Role.CASE_WORKER], given_name="Race", estimated_age=10)
    url = f"/api/v1/people/{person.uuid}/"
    for round_no in range(3):
        # Everyone loads the record first, then everyone saves.
        versions = [api.get(url).json()["version"] for _, api in editors]
        assert len(set(versions)) == 1
        answers = [
            api.patch(
                url,
                {"version": version, "estimated_age": 20 + i, "given_name": f"By{i}-{round_no}"},
                content_type="application/json",
            )
            for i, ((_, api), version) in enumerate(zip(editors, versions, strict=True))
        ]
        statuses = [a.status_code for a in answers]
        assert statuses.count(200) == 1 and statuses.count(409) == len(editors) - 1, statuses
        for answer in answers:
            if answer.status_code == 409:
                assert CONFLICT in str(answer.json())
        winner = statuses.index(200)
        person.refresh_from_db()
        assert (person.given_name, person.estimated_age) == (f"By{winner}-{round_no}", 20 + winner)
        assert person.version == versions[0] + 1
        assert _updates(person) == round_no + 1


def test_form_editors_racing_from_one_version_are_told_and_their_input_is_kept(cast):
    person = person_create(actor=cast.a[Role.CASE_WORKER], given_name="Race", estimated_age=10)
    url = f"/people/{person.uuid}/edit/"
    users = [cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]]
    users += [make_user(cast.org_a, Role.CASE_WORKER, email=f"f{i}@a.test") for i in range(3)]
    clients = [verified_client(u) for u in users]
    forms = [c.get(url) for c in clients]
    assert all(f.status_code == 200 for f in forms)
    answers = [
        c.post(url, {"version": 1, "given_name": f"Form{i}", "sex": "u", "estimated_age": 30 + i})
        for i, c in enumerate(clients)
    ]
    assert [a.status_code for a in answers] == [302] + [200] * (len(clients) - 1)
    for i, answer in enumerate(answers[1:], start=1):
        page = answer.content.decode()
        assert CONFLICT in page
        assert f'value="Form{i}"' in page  # what they typed is still there to re-apply
    person.refresh_from_db()
    assert (person.given_name, person.estimated_age, person.version) == ("Form0", 30, 2)
    assert _updates(person) == 1


def test_a_stale_edit_of_one_field_never_undoes_another_editors_change(cast, editors):
    person = person_create(actor=cast.a[Role.CASE_WORKER], given_name="Keep", estimated_age=10)
    url = f"/api/v1/people/{person.uuid}/"
    (_, first), (_, second) = editors[:2]
    ok = first.patch(url, {"version": 1, "estimated_age": 11}, "application/json")
    assert ok.status_code == 200
    late = second.patch(url, {"version": 1, "given_name": "Other"}, "application/json")
    assert late.status_code == 409
    person = Person.objects.get(pk=person.pk)
    assert (person.given_name, person.estimated_age, person.version) == ("Keep", 11, 2)
    # Told, the loser reloads and re-applies: both changes now stand.
    version = second.get(url).json()["version"]
    again = second.patch(url, {"version": version, "given_name": "Other"}, "application/json")
    assert again.status_code == 200
    person.refresh_from_db()
    assert (person.given_name, person.estimated_age, person.version) == ("Other", 11, 3)
