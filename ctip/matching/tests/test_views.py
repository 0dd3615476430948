"""The review queue and its API: who sees what, who is refused, decisions, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.matching import services
from ctip.matching.models import CandidateStatus, MatchCandidate
from ctip.people.services import person_create


@pytest.fixture
def queued(twins):
    for person in twins.values():
        services.person_match(person=person)

    def pair(p, q):
        a, b = sorted([p.pk, q.pk])
        return MatchCandidate.objects.get(person_a_id=a, person_b_id=b)

    return {
        "same_org": pair(twins["first"], twins["swapped"]),
        "cross": pair(twins["first"], twins["other_org"]),
        **twins,
    }


def test_a_reviewer_sees_both_records_of_their_own_organisation(cast, queued):
    client = verified_client(cast.a[Role.CASE_WORKER])
    response = client.get(reverse("matching:detail", args=[queued["same_org"].uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chan Sophal" in body and "Sophall Chan" in body
    assert "the same date of birth" in body and "Date of birth or age" in body  # evidence


def test_across_organisations_only_the_existence_and_the_organisation_are_shown(
    cast, queued, agreement
):
    agreement("contact")  # the agreement reveals the organisation (test_agreements.py)
    for user in (cast.a[Role.CASE_WORKER], cast.b[Role.CASE_WORKER]):
        client = verified_client(user)
        queue = client.get(reverse("matching:queue")).content.decode()
        detail = client.get(reverse("matching:detail", args=[queued["cross"].uuid]))
        assert detail.status_code == 200
        body = detail.content.decode()
        mine_a = user.organisation_id == cast.org_a.pk
        other_names = ["Chann Sophol"] if mine_a else ["Chan Sophal", "Sophall Chan"]
        for name in other_names:
            assert name not in body and name not in queue
        other_org = cast.org_b if mine_a else cast.org_a
        assert other_org.name in body
        # Which fields agreed would tell something of the other record: not shown.
        assert "same number" not in body and "Evidence" not in body


def test_the_queue_and_the_pair_are_refused_to_those_without_review(cast, queued):
    url = reverse("matching:detail", args=[queued["same_org"].uuid])
    assert_refused(reverse("matching:queue"), [None])
    assert_refused(url, [None])
    for role in (Role.SHELTER_MANAGER, Role.STATISTICS_OFFICER, Role.HOTLINE_OPERATOR):
        assert_refused(url, [cast.a[role]], expect=403)
        assert_refused(reverse("matching:queue"), [cast.a[role]], expect=403)
    # Organisation B holds neither record: the pair does not exist for it.
    assert_refused(url, [cast.b[Role.CASE_WORKER], cast.b[Role.INVESTIGATOR]], expect=404)
    assert_refused(
        reverse("matching:detail", args=[queued["first"].uuid]),
        [cast.a[Role.CASE_WORKER]],
        expect=404,
    )


def test_a_reviewer_confirms_on_the_page_and_a_stale_form_is_refused(cast, queued):
    candidate = queued["same_org"]
    url = reverse("matching:detail", args=[candidate.uuid])
    client = verified_client(cast.a[Role.CASE_WORKER])
    data = {"decision": "confirm", "note": "", "version": candidate.version}
    response = client.post(url, data)
    assert response.status_code == 302
    assert MatchCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.CONFIRMED
    stale = verified_client(cast.a[Role.CASE_SUPERVISOR]).post(
        url, data | {"decision": "undo", "note": "a mistake"}
    )
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    undo = client.post(url, {"decision": "undo", "note": "", "version": candidate.version + 1})
    assert "Say why the link is undone" in undo.content.decode()


def test_the_api_lists_and_decides_with_the_same_privacy(cast, queued, agreement):
    agreement("contact", contact_a="Sophea, 012 000 111")
    client = verified_client(cast.b[Role.CASE_WORKER])
    listing = client.get(reverse("api-match-candidates")).json()
    items = {item["uuid"]: item for item in listing["results"]}
    cross = items[str(queued["cross"].uuid)]
    assert cross["other"] == {
        "organisation": "a",
        "person": None,
        "name": None,
        "contact": "Sophea, 012 000 111",
    }
    assert cross["evidence"] == {}
    assert str(queued["same_org"].uuid) not in items
    url = reverse("api-match-candidate", args=[queued["cross"].uuid])
    response = client.post(url, {"decision": "confirm", "version": queued["cross"].version})
    assert response.status_code == 200 and response.json()["status"] == "requested"
    stale = client.post(url, {"decision": "reject", "version": queued["cross"].version})
    assert stale.status_code == 409
    bad = client.post(url, {"decision": "merge", "version": 2})
    assert bad.status_code == 400
    other = verified_client(cast.b[Role.CASE_WORKER]).post(
        reverse("api-match-candidate", args=[queued["same_org"].uuid]),
        {"decision": "confirm", "version": 1},
    )
    assert other.status_code == 404
    assert verified_client(cast.b[Role.SHELTER_MANAGER]).get(url).status_code == 403
    assert verified_client(None).get(url).status_code in (401, 403)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_queue_costs_the_same_queries_however_many_pairs(cast, queued):
    client = verified_client(cast.a[Role.CASE_WORKER])
    page, api = reverse("matching:queue"), reverse("api-match-candidates")
    client.get(page)  # warm the session
    before = {url: _count(client, url) for url in (page, api)}
    assert before[page] <= 12
    worker = cast.a[Role.CASE_WORKER]
    for _n in range(3):
        p = person_create(actor=worker, given_name="Dara", family_name="Sok", estimated_age=12)
        services.person_keys_refresh(person=p)
        services.person_match(person=p)
    assert MatchCandidate.objects.count() > 4
    assert {url: _count(client, url) for url in (page, api)} == before
