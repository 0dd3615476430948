"""Prevention pages: who may see them, who is refused, forms, and pinned query counts."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import ROLES, Perm, Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.prevention import services
from ctip.prevention.models import AssessmentStatus, Indicator, Session

from .conftest import make_club, past


def _assessment(officer, village):
    return services.vulnerability_assess(
        actor=officer,
        subject="child",
        subject_name="Srey Leak",
        village=village,
        assessed_on=past(1),
        indicators=list(Indicator.objects.filter(code__in=["debt", "work-offer"])),
    )


@pytest.fixture
def records(officer, club, session, villages):
    """One of each record of organisation A, by page name."""
    training = services.training_create(
        actor=officer,
        title="Identification",
        topics="Indicators",
        start_date=past(3),
        end_date=past(2),
        province=villages["17010101"].commune.district.province,
    )
    return {
        "programme": club.programme,
        "group": club.group,
        "session": session,
        "training": training,
        "assessment": _assessment(officer, villages["17010101"]),
    }


def _detail_urls(records) -> dict[str, str]:
    return {
        "programme": reverse("prevention:programme", args=[records["programme"].uuid]),
        "programme_edit": reverse("prevention:programme_edit", args=[records["programme"].uuid]),
        "group": reverse("prevention:group", args=[records["group"].uuid]),
        "session": reverse("prevention:session", args=[records["session"].uuid]),
        "training": reverse("prevention:training", args=[records["training"].uuid]),
        "assessment": reverse("prevention:assessment", args=[records["assessment"].uuid]),
        "group_create": reverse("prevention:group_create", args=[records["programme"].uuid]),
        "session_create": reverse("prevention:session_create", args=[records["programme"].uuid]),
    }


LIST_PAGES = {
    "prevention:home": {Perm.PREVENTION_VIEW},
    "prevention:programme_create": {Perm.PREVENTION_MANAGE},
    "prevention:assessments": {Perm.PREVENTION_ASSESS},
    "prevention:assessment_create": {Perm.PREVENTION_ASSESS},
    "prevention:trainings": {Perm.PREVENTION_VIEW},
    "prevention:training_create": {Perm.PREVENTION_MANAGE},
    "prevention:campaigns": {Perm.PREVENTION_VIEW},
    "prevention:campaign_create": {Perm.PREVENTION_MANAGE},
    "prevention:reach": {Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS},
}


@pytest.mark.parametrize("role", Role.values)
def test_pages_follow_the_roles_table(cast, role):
    client = verified_client(cast.a[role])
    granted = ROLES[role].permissions
    for name, needed in LIST_PAGES.items():
        status = client.get(reverse(name)).status_code
        expected = 200 if needed & granted else 403
        assert status == expected, f"{role} on {name}: {status}, expected {expected}"


def test_the_officer_sees_every_page_of_their_organisation(officer, records):
    client = verified_client(officer)
    for name, url in _detail_urls(records).items():
        assert client.get(url).status_code == 200, name


def test_another_organisation_gets_404_as_if_nothing_existed(cast, records):
    urls = _detail_urls(records)
    assert_refused(urls.pop("programme_edit"), [cast.b[Role.PREVENTION_OFFICER]], expect=404)
    for url in urls.values():
        assert_refused(url, [cast.b[Role.PREVENTION_OFFICER]], expect=404)


def test_roles_without_the_permission_are_refused_the_records(cast, records):
    others = [cast.a[r] for r in Role.values if r != Role.PREVENTION_OFFICER]
    for url in _detail_urls(records).values():
        assert_refused(url, others, expect=403)
        assert_refused(url, [None, cast.no_role])


def test_a_statistics_officer_sees_counts_and_no_name(cast, club, session, officer):
    services.attendance_take(
        actor=officer, session=session, present=club.members, expected_version=1
    )
    response = verified_client(cast.a[Role.STATISTICS_OFFICER]).get(reverse("prevention:reach"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="reach-children">4<' in body
    assert not any(m.name in body for m in club.members)


def test_the_officer_takes_attendance_on_the_sheet(officer, club, session):
    client = verified_client(officer)
    url = reverse("prevention:session", args=[session.uuid])
    page = client.get(url).content.decode()
    assert all(m.name in page for m in club.members)
    response = client.post(
        url,
        {
            "version": session.version,
            "present": [str(m.uuid) for m in club.members[:2]],
            "walkin-0-name": "Walk-in boy",
            "walkin-0-sex": "m",
            "walkin-0-birth_year": "2014",
            "girls": "3",
            "boys": "",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attendances.count() == 3
    assert session.unregistered_girls == 3 and session.unregistered_boys == 0


def test_a_stale_attendance_sheet_shows_the_conflict(officer, club, session):
    services.attendance_take(actor=officer, session=session, present=[], expected_version=1)
    response = verified_client(officer).post(
        reverse("prevention:session", args=[session.uuid]),
        {"version": 1, "present": [str(club.members[0].uuid)]},
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert session.attendances.count() == 0


def test_a_bad_headcount_is_shown_and_changes_nothing(officer, club, session):
    response = verified_client(officer).post(
        reverse("prevention:session", args=[session.uuid]), {"version": 1, "girls": "many"}
    )
    assert response.status_code == 200
    assert "whole numbers" in response.content.decode()
    assert Session.objects.get(pk=session.pk).version == 1


def test_another_organisation_cannot_post_attendance(cast, session):
    assert_refused(
        reverse("prevention:session", args=[session.uuid]),
        [cast.b[Role.PREVENTION_OFFICER]],
        method="post",
        data={"version": 1},
        expect=404,
    )


def test_the_officer_records_an_assessment_and_sees_its_factors(officer, villages):
    client = verified_client(officer)
    response = client.post(
        reverse("prevention:assessment_create"),
        {
            "subject": "household",
            "subject_name": "Household of Kim",
            "village": "17010101",
            "assessed_on": past(1).isoformat(),
            "indicators": ["id-poor", "violence"],
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    for code in ("id-poor", "violence"):
        indicator = Indicator.objects.get(code=code)
        assert indicator.label in page and f"+{indicator.weight}" in page


def test_assessment_form_errors_are_shown(officer, villages):
    response = verified_client(officer).post(
        reverse("prevention:assessment_create"),
        {"subject": "household", "subject_name": "", "village": "99999999"},
    )
    assert response.status_code == 200
    assert "No village has this code" in response.content.decode()


def test_the_officer_refers_a_child_in_danger_to_intake(officer, villages):
    assessment = _assessment(officer, villages["17010101"])
    response = verified_client(officer).post(
        reverse("prevention:assessment", args=[assessment.uuid]),
        {"version": assessment.version, "to": "intake", "reason": "Leaving tonight"},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REFERRED_INTAKE


def test_a_referral_to_a_programme_needs_the_programme(officer, club, villages):
    assessment = _assessment(officer, villages["17010101"])
    url = reverse("prevention:assessment", args=[assessment.uuid])
    client = verified_client(officer)
    response = client.post(url, {"version": 1, "to": "programme", "reason": "x"})
    assert response.status_code == 200 and "Choose the programme" in response.content.decode()
    response = client.post(
        url,
        {"version": 1, "to": "programme", "programme": str(club.programme.uuid), "reason": "x"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.REFERRED_TO_PROGRAMME).exists()


def test_the_officer_creates_a_programme_group_member_session(officer, villages):
    client = verified_client(officer)
    response = client.post(
        reverse("prevention:programme_create"),
        {
            "name": "School programme",
            "kind": "school",
            "target_group": "children",
            "provinces": ["17"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    programme_url = response["Location"]
    uuid = programme_url.rstrip("/").rsplit("/", 1)[1]
    response = client.post(
        reverse("prevention:group_create", args=[uuid]),
        {"name": "Grade 6", "village": "17010101"},
    )
    assert response.status_code == 302
    group_url = response["Location"]
    response = client.post(group_url, {"name": "Dara", "sex": "m", "birth_year": "2013"})
    assert response.status_code == 302
    response = client.post(
        reverse("prevention:session_create", args=[uuid]),
        {"topic": "Safe migration", "date": past(0).isoformat()},
    )
    assert "Give the village" in response.content.decode()  # a community session needs one
    group_uuid = group_url.rstrip("/").rsplit("/", 1)[1]
    response = client.post(
        reverse("prevention:session_create", args=[uuid]),
        {"topic": "Safe migration", "date": past(0).isoformat(), "group": group_uuid},
    )
    assert response.status_code == 302
    assert "Dara" in client.get(group_url).content.decode()


def test_a_stale_programme_edit_shows_the_conflict(officer, club):
    services.programme_update(
        actor=officer, programme=club.programme, expected_version=1, description="new"
    )
    response = verified_client(officer).post(
        reverse("prevention:programme_edit", args=[club.programme.uuid]),
        {
            "version": 1,
            "name": "Renamed",
            "kind": "school",
            "target_group": "children",
            "provinces": ["17"],
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()


def test_the_officer_records_a_training_with_participants_and_a_campaign(officer, villages):
    client = verified_client(officer)
    response = client.post(
        reverse("prevention:training_create"),
        {
            "title": "Border screening",
            "topics": "Screening\nReferral",
            "start_date": past(3).isoformat(),
            "end_date": past(2).isoformat(),
            "province": "17",
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    for name, pre, post in (("A", 40, 70), ("B", 50, 60)):
        response = client.post(
            url,
            {
                "name": name,
                "sex": "f",
                "institution": "border",
                "pre_score": pre,
                "post_score": post,
            },
        )
        assert response.status_code == 302
    assert "a gain of 20.0 points" in client.get(url).content.decode()
    response = client.post(
        reverse("prevention:campaign_create"),
        {
            "name": "Bus stickers",
            "channel": "stickers",
            "start_date": past(3).isoformat(),
            "end_date": past(1).isoformat(),
            "provinces": ["17"],
            "estimated_reach": "1200",
        },
    )
    assert response.status_code == 302
    assert "Bus stickers" in client.get(reverse("prevention:campaigns")).content.decode()


def _grow(officer, villages, n):
    for i in range(n):
        club = make_club(officer, villages["17010102"], name=f"Grown {n}-{i}", members=2)
        services.session_create(
            actor=officer, programme=club.programme, group=club.group, topic="T", date=past(1)
        )
        services.training_create(
            actor=officer,
            title=f"T{n}-{i}",
            topics="x",
            start_date=past(2),
            end_date=past(1),
            province=villages["17010101"].commune.district.province,
        )
        services.campaign_create(
            actor=officer,
            name=f"C{n}-{i}",
            channel="radio",
            start_date=past(2),
            end_date=past(1),
            provinces=[villages["17010101"].commune.district.province],
        )
        _assessment(officer, villages["17010101"])


@pytest.mark.parametrize(
    "name",
    [
        "prevention:home",
        "prevention:assessments",
        "prevention:trainings",
        "prevention:campaigns",
        "prevention:reach",
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    officer, villages, django_assert_num_queries, name
):
    client = verified_client(officer)
    _grow(officer, villages, 1)
    client.get(reverse(name))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    _grow(officer, villages, 4)
    with django_assert_num_queries(len(small)):
        client.get(reverse(name))


def test_pages_with_members_run_a_fixed_number_of_queries(
    officer, club, session, django_assert_num_queries
):
    client = verified_client(officer)
    urls = [
        reverse("prevention:session", args=[session.uuid]),
        reverse("prevention:group", args=[club.group.uuid]),
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx))
    for i in range(10):
        services.member_add(actor=officer, group=club.group, name=f"Extra {i}", sex="f")
    services.attendance_take(
        actor=officer,
        session=session,
        present=list(club.group.members.all()),
        expected_version=session.version,
    )
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            client.get(url)


def test_a_member_who_left_is_off_the_list_but_still_counted_in_past_reach(
    officer, officer_b, club, session
):
    from ctip.prevention import selectors

    services.attendance_take(
        actor=officer, session=session, present=club.members, expected_version=1
    )
    member = club.members[0]
    url = reverse("prevention:member_leave", args=[club.group.uuid, member.uuid])
    left_on = past(0).isoformat()
    assert_refused(
        url, [officer_b], method="post", data={"version": 1, "left_on": left_on}, expect=404
    )
    assert_refused(url, [officer_b], expect=404)
    # Opening the page only asks: nothing changes until the officer confirms with a date.
    page = verified_client(officer).get(url)
    assert page.status_code == 200
    assert "1 session they attended stays in their history" in page.content.decode()
    member.refresh_from_db()
    assert member.is_active
    # No date, no change: a clear message instead.
    response = verified_client(officer).post(url, {"version": 1, "left_on": ""})
    assert response.status_code == 200
    assert "Give the date they left the group." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    response = verified_client(officer).post(
        url, {"version": 1, "left_on": left_on, "reason": "Moved to Battambang"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert member.left_on == past(0)
    assert member not in selectors.members_of(user=officer, group=club.group)
    assert selectors.reach(user=officer).total == len(club.members)
    event = AuditEvent.objects.get(action=AuditAction.DEACTIVATE, target_id=str(member.uuid))
    assert event.changes == {
        "is_active": [True, False],
        "left_on": [None, left_on],
        "left_reason": "changed",
    }
    assert "Moved to Battambang" not in str(event.changes)
    # The group page keeps them, with their history, under former members.
    group_page = verified_client(officer).get(reverse("prevention:group", args=[club.group.uuid]))
    former = group_page.content.decode().split('id="former-members"')[1]
    assert member.name in former and "Moved to Battambang" in former
    # A stale second click says so instead of acting.
    other = club.members[1]
    services.member_leave(actor=officer, member=other, left_on=past(0), expected_version=1)
    response = verified_client(officer).post(
        reverse("prevention:member_leave", args=[club.group.uuid, other.uuid]),
        {"version": 1, "left_on": left_on},
        follow=True,
    )
    assert "has already left the group" in response.content.decode()
    third = club.members[2]
    services.attendance_take(
        actor=officer, session=session, present=club.members[2:], expected_version=2
    )
    response = verified_client(officer).post(
        reverse("prevention:member_leave", args=[club.group.uuid, third.uuid]),
        {"version": 0, "left_on": left_on},
    )
    assert "Someone else changed this record" in response.content.decode()


def test_a_session_not_yet_taken_shows_everyone_ticked_to_untick_the_absent(officer, club, session):
    url = reverse("prevention:session", args=[session.uuid])
    body = verified_client(officer).get(url).content.decode()
    assert "untick who is absent" in body
    assert body.count('name="present"') == len(club.members)
    assert body.count(" checked>") == len(club.members)
    # Two taps: two absent, the others saved present in one go.
    present = [str(m.uuid) for m in club.members[2:]]
    response = verified_client(officer).post(url, {"version": 1, "present": present})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attendances.count() == len(club.members) - 2
    # Once taken, the page shows what was saved, not everyone.
    body = verified_client(officer).get(url).content.decode()
    assert "untick who is absent" not in body
    assert body.count(" checked>") == len(club.members) - 2


def test_the_reach_page_filters_by_programme_and_period(officer, villages, club, session):
    services.attendance_take(
        actor=officer, session=session, present=club.members, expected_version=1
    )
    other = make_club(officer, villages["17010102"], name="Lotus", members=2)
    later = services.session_create(
        actor=officer, programme=other.programme, group=other.group, topic="T", date=past(0)
    )
    services.attendance_take(
        actor=officer, session=later, present=other.members, expected_version=1
    )
    client = verified_client(officer)
    url = reverse("prevention:reach")
    assert 'id="reach-children">6<' in client.get(url).content.decode()
    body = client.get(url, {"programme": str(other.programme.uuid)}).content.decode()
    assert 'id="reach-children">2<' in body
    body = client.get(url, {"end": past(1).isoformat()}).content.decode()
    assert 'id="reach-children">4<' in body
