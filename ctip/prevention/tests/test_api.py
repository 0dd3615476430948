"""Prevention over REST: the same access as the pages, 409 on stale attendance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import ROLES, Perm, Role
from ctip.core.testing import assert_refused, verified_client
from ctip.prevention import services

from .conftest import make_club, past

API = {
    "api-prevention-programmes": {Perm.PREVENTION_VIEW},
    "api-prevention-reach": {Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS},
    "api-prevention-trainings": {Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS},
}


@pytest.mark.parametrize("role", Role.values)
def test_api_follows_the_roles_table(cast, role):
    client = verified_client(cast.a[role])
    granted = ROLES[role].permissions
    for name, needed in API.items():
        status = client.get(reverse(name)).status_code
        expected = 200 if needed & granted else 403
        assert status == expected, f"{role} on {name}: {status}, expected {expected}"


def test_anonymous_is_refused_the_api(db):
    for name in API:
        assert_refused(reverse(name), [None])


def test_programmes_list_only_the_own_organisation(officer, officer_b, club, villages):
    make_club(officer_b, villages["17010101"], name="B club")
    body = verified_client(officer).get(reverse("api-prevention-programmes")).json()
    assert [p["name"] for p in body["results"]] == [club.programme.name]
    assert body["results"][0]["provinces"] == ["17"]


def test_the_programme_list_runs_a_fixed_number_of_queries(
    officer, villages, django_assert_num_queries
):
    client = verified_client(officer)
    make_club(officer, villages["17010101"], name="One")
    url = reverse("api-prevention-programmes")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(5):
        make_club(officer, villages["17010101"], name=f"More {i}", members=1)
    with django_assert_num_queries(len(small)):
        client.get(url)


def test_attendance_is_put_in_one_request_and_a_stale_version_gets_409(officer, club, session):
    client = verified_client(officer)
    url = reverse("api-prevention-attendance", args=[session.uuid])
    body = {
        "version": 1,
        "present": [str(m.uuid) for m in club.members[:2]],
        "walk_ins": [{"name": "Walk-in", "sex": "f", "age_band": "12-14"}],
        "unregistered": {"girls": 2},
    }
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["present"] == 3
    assert response.json()["unregistered"]["girls"] == 2
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 409


def test_attendance_api_refuses_bad_input_and_other_organisations(
    officer, officer_b, club, session, villages
):
    url = reverse("api-prevention-attendance", args=[session.uuid])
    other = make_club(officer_b, villages["17010101"], name="B club")
    client = verified_client(officer)
    response = client.put(
        url,
        {"version": 1, "present": [str(other.members[0].uuid)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.put(
        url,
        {"version": 1, "present": [], "unregistered": {"girls": -1}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert session.attendances.count() == 0
    assert (
        verified_client(officer_b)
        .put(url, {"version": 1, "present": []}, content_type="application/json")
        .status_code
        == 404
    )
    # Statistics officers count sessions, but may never write or look one up.
    stats = verified_client(officer_b.__class__.objects.get(email="statistics_officer@a.test"))
    assert stats.put(url, {}, content_type="application/json").status_code == 403


def test_reach_api_gives_statistics_aggregates_of_every_organisation(
    cast, officer, officer_b, club, session, villages
):
    services.attendance_take(
        actor=officer, session=session, present=club.members, expected_version=1
    )
    other = make_club(officer_b, villages["01020101"], name="B club")
    other_session = services.session_create(
        actor=officer_b, programme=other.programme, group=other.group, topic="T", date=past(2)
    )
    services.attendance_take(
        actor=officer_b, session=other_session, present=other.members[:1], expected_version=1
    )
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    body = client.get(reverse("api-prevention-reach"), {"by": "organisation,province"}).json()
    assert body["total"] == 5
    assert body["rows"] == [
        {"organisation": "a", "province": "17", "people": 4},
        {"organisation": "b", "province": "01", "people": 1},
    ]
    assert "Child" not in str(body)
    body = client.get(reverse("api-prevention-reach"), {"province": "01"}).json()
    assert body["total"] == 1
    assert client.get(reverse("api-prevention-reach"), {"by": "name"}).status_code == 400
    officer_body = verified_client(officer).get(reverse("api-prevention-reach")).json()
    assert officer_body["total"] == 4


def test_training_summaries_api_gives_the_gain_and_no_participant(cast, officer, villages):
    training = services.training_create(
        actor=officer,
        title="Identification",
        topics="Indicators",
        start_date=past(5),
        end_date=past(4),
        province=villages["17010101"].commune.district.province,
    )
    for name, pre, post in (("Officer Vuthy", 40, 70), ("Officer Dara", 60, 80)):
        services.training_participant_add(
            actor=officer,
            training=training,
            name=name,
            sex="m",
            institution="police",
            pre_score=pre,
            post_score=post,
        )
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    [summary] = client.get(reverse("api-prevention-trainings")).json()
    assert summary["gain"] == 25.0
    assert summary["by_institution"] == {"police": 2}
    assert summary["organisation"] == "a" and summary["province"] == "17"
    assert "Officer" not in str(summary)
