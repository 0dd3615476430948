"""Prevention services: rules, refusals, audit and concurrency."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.prevention import services
from ctip.prevention.models import (
    AgeBand,
    AssessmentStatus,
    Indicator,
    Institution,
    RiskLevel,
    Sex,
)

from .conftest import past


def _indicators(*codes):
    return list(Indicator.objects.filter(code__in=codes))


def _assess(officer, village, *codes, **extra):
    values = {
        "subject": "household",
        "subject_name": "Household of Chea",
        "village": village,
        "assessed_on": past(2),
        "indicators": _indicators(*codes),
        "notes": "HIV-positive mother, debt to a broker",
    }
    return services.vulnerability_assess(actor=officer, **(values | extra))


def test_the_indicators_are_held_as_data_with_weights(db):
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {"id-poor", "debt", "out-of-school", "hiv", "work-offer", "violence"} <= codes
    assert all(i.weight > 0 for i in Indicator.objects.all())


def test_it_scores_an_assessment_as_the_sum_of_the_weights_found(officer, villages):
    assessment = _assess(officer, villages["17010101"], "id-poor", "debt", "work-offer")
    weights = {i.code: i.weight for i in Indicator.objects.all()}
    expected = weights["id-poor"] + weights["debt"] + weights["work-offer"]
    assert assessment.score == expected
    factors = {f.indicator.code: f.weight for f in assessment.factors.all()}
    assert factors == {c: weights[c] for c in ("id-poor", "debt", "work-offer")}
    assert assessment.level == services.score_factors(_indicators(*factors))[1]


def test_the_risk_level_follows_the_thresholds(db):
    def level(*weights):
        return services.score_factors([Indicator(weight=w) for w in weights])

    assert level() == (0, RiskLevel.LOW)
    assert level(services.MEDIUM_RISK_FROM - 1) == (services.MEDIUM_RISK_FROM - 1, RiskLevel.LOW)
    assert level(services.MEDIUM_RISK_FROM)[1] == RiskLevel.MEDIUM
    assert level(services.HIGH_RISK_FROM)[1] == RiskLevel.HIGH


def test_a_score_keeps_the_weights_it_was_computed_with(officer, villages):
    assessment = _assess(officer, villages["17010101"], "debt")
    Indicator.objects.filter(code="debt").update(weight=9)
    assessment.refresh_from_db()
    assert [f.weight for f in assessment.factors.all()] == [assessment.score]
    assert assessment.score != 9


def test_it_refuses_an_assessment_without_name_or_in_the_future(officer, villages):
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _assess(officer, villages["17010101"], subject_name=" ", assessed_on=future)
    assert set(exc.value.message_dict) == {"subject_name", "assessed_on"}


def test_it_refuses_an_indicator_no_longer_in_use(officer, villages):
    Indicator.objects.filter(code="debt").update(is_active=False)
    with pytest.raises(ValidationError):
        _assess(officer, villages["17010101"], "debt")


@pytest.mark.parametrize(
    "role", [Role.CASE_WORKER, Role.STATISTICS_OFFICER, Role.HOTLINE_OPERATOR, Role.ORG_ADMIN]
)
def test_only_prevention_officers_assess(cast, villages, role):
    with pytest.raises(PermissionDenied):
        _assess(cast.a[role], villages["17010101"], "debt")


def test_an_assessment_is_audited_without_its_confidential_values(officer, villages):
    assessment = _assess(officer, villages["17010101"], "hiv")
    event = AuditEvent.objects.get(target_id=str(assessment.uuid))
    assert event.action == AuditAction.VULNERABILITY_ASSESSED
    assert event.changes["subject_name"] is None
    assert event.changes["notes"] is None
    assert "hiv" not in str(event.changes).lower()
    assert "Chea" not in str(event.changes)


def test_it_refers_a_child_in_danger_to_intake(officer, villages):
    assessment = _assess(officer, villages["17010101"], "work-offer", subject="child")
    referred = services.vulnerability_refer_to_intake(
        actor=officer,
        assessment=assessment,
        reason="Broker collects him tomorrow",
        expected_version=assessment.version,
    )
    assert referred.status == AssessmentStatus.REFERRED_INTAKE
    assert referred.referred_by == officer and referred.referred_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.REFERRED_TO_INTAKE).get()
    assert event.changes["referral_reason"] is None
    # The child is now in the national intake queue, untriaged, as a partner's report.
    from ctip.intake.models import Report, Source, Status

    report = Report.objects.get(uuid=referred.intake_report_uuid)
    assert (report.source, report.status, report.assigned_to) == (Source.PARTNER, Status.NEW, None)
    assert "Broker collects him tomorrow" in report.narrative
    assert report.province_id == "17" and report.flag_child
    # The prevention officer referred it but cannot see the queue or the report.
    from ctip.access.policy import visible_to

    assert not visible_to(officer, Report).exists()


def test_a_danger_referral_needs_a_reason(officer, villages):
    assessment = _assess(officer, villages["17010101"], "debt")
    with pytest.raises(ValidationError) as exc:
        services.vulnerability_refer_to_intake(
            actor=officer, assessment=assessment, reason="  ", expected_version=1
        )
    assert "reason" in exc.value.message_dict
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.OPEN


def test_it_refers_to_a_programme_of_the_own_organisation_only(officer, officer_b, villages):
    from .conftest import make_club

    own = make_club(officer, villages["17010101"]).programme
    other = make_club(officer_b, villages["17010101"]).programme
    assessment = _assess(officer, villages["17010101"], "debt")
    with pytest.raises(ValidationError):
        services.vulnerability_refer_to_programme(
            actor=officer, assessment=assessment, programme=other, reason="", expected_version=1
        )
    referred = services.vulnerability_refer_to_programme(
        actor=officer, assessment=assessment, programme=own, reason="Join", expected_version=1
    )
    assert referred.referred_programme == own
    with pytest.raises(ValidationError):  # already referred
        services.vulnerability_refer_to_intake(
            actor=officer, assessment=referred, reason="x", expected_version=referred.version
        )


def test_a_stale_referral_is_refused(officer, villages):
    assessment = _assess(officer, villages["17010101"], "debt")
    services.vulnerability_refer_to_intake(
        actor=officer, assessment=assessment, reason="danger", expected_version=1
    )
    with pytest.raises(ValidationError) as exc:
        services.vulnerability_refer_to_intake(
            actor=officer, assessment=assessment, reason="danger", expected_version=1
        )
    assert exc.value.code == "concurrent_edit"


def test_another_organisation_cannot_refer_an_assessment(officer, officer_b, villages):
    assessment = _assess(officer, villages["17010101"], "debt")
    with pytest.raises(PermissionDenied):
        services.vulnerability_refer_to_intake(
            actor=officer_b, assessment=assessment, reason="x", expected_version=1
        )


# --- programmes, groups, members -----------------------------------------------------------------


def test_a_programme_needs_a_unique_name_and_a_province(officer, club):
    with pytest.raises(ValidationError) as exc:
        services.programme_create(
            actor=officer,
            name=club.programme.name,
            kind="school",
            target_group="children",
            provinces=[],
        )
    assert set(exc.value.message_dict) == {"name", "provinces"}


def test_a_programme_update_refuses_a_stale_version(officer, club):
    programme = club.programme
    services.programme_update(
        actor=officer, programme=programme, expected_version=1, description="Weekly"
    )
    with pytest.raises(ValidationError) as exc:
        services.programme_update(
            actor=officer, programme=programme, expected_version=1, description="Monthly"
        )
    assert exc.value.code == "concurrent_edit"
    programme.refresh_from_db()
    assert programme.description == "Weekly" and programme.version == 2


def test_another_organisation_cannot_change_a_programme_or_add_to_its_group(officer_b, club):
    with pytest.raises(PermissionDenied):
        services.programme_update(actor=officer_b, programme=club.programme, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.member_add(actor=officer_b, group=club.group, name="X", sex=Sex.FEMALE)


def test_a_member_gets_an_age_band_from_the_birth_year(officer, club):
    year = timezone.localdate().year
    member = services.member_add(
        actor=officer, group=club.group, name="Dara", sex=Sex.MALE, birth_year=year - 13
    )
    assert member.age_band == AgeBand.FROM_12 and member.is_child
    banded = services.member_add(
        actor=officer, group=club.group, name="Mom", sex=Sex.FEMALE, age_band=AgeBand.FROM_25
    )
    assert banded.birth_year is None and not banded.is_child


def test_a_member_needs_a_name_and_a_plausible_birth_year(officer, club):
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=officer, group=club.group, name="", sex="f", birth_year=3000)
    assert set(exc.value.message_dict) == {"name", "birth_year"}


def test_a_member_is_audited_without_a_name(officer, club):
    member = club.members[0]
    event = AuditEvent.objects.get(target_id=str(member.uuid))
    assert event.action == AuditAction.CREATE
    assert member.name not in str(event.changes)


# --- sessions and attendance ---------------------------------------------------------------------


def test_it_takes_attendance_for_a_whole_group_with_walk_ins_and_headcounts(officer, club, session):
    taken = services.attendance_take(
        actor=officer,
        session=session,
        present=club.members[:3],
        walk_ins=[{"name": "New girl", "sex": Sex.FEMALE, "age_band": AgeBand.FROM_12}],
        unregistered={"girls": 2, "boys": 1, "women": 0, "men": 0},
        expected_version=session.version,
    )
    assert taken.attendances.count() == 4
    walk_in = club.group.members.get(name="New girl")
    assert walk_in.walk_in and walk_in.age_band == AgeBand.FROM_12
    assert taken.unregistered_total == 3
    assert taken.attendance_taken_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.ATTENDANCE_TAKEN).get()
    assert event.changes["present"] == [0, 4]
    assert "New girl" not in str(AuditEvent.objects.values_list("changes", flat=True))


def test_taking_attendance_again_replaces_the_ticks(officer, club, session):
    services.attendance_take(
        actor=officer, session=session, present=club.members[:3], expected_version=1
    )
    services.attendance_take(
        actor=officer, session=session, present=club.members[2:], expected_version=2
    )
    assert set(session.attendances.values_list("member_id", flat=True)) == {
        m.pk for m in club.members[2:]
    }


def test_a_member_leaves_on_a_date_and_keeps_their_attendance(officer, officer_b, club, session):
    services.attendance_take(
        actor=officer, session=session, present=club.members, expected_version=1
    )
    member = club.members[0]
    with pytest.raises(PermissionDenied):
        services.member_leave(actor=officer_b, member=member, left_on=past(0), expected_version=1)
    with pytest.raises(ValidationError) as exc:
        services.member_leave(actor=officer, member=member, left_on=None, expected_version=1)
    assert "left_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.member_leave(actor=officer, member=member, left_on=past(-1), expected_version=1)
    assert "future" in str(exc.value)
    # The session of yesterday was attended: leaving the day before it contradicts it.
    with pytest.raises(ValidationError) as exc:
        services.member_leave(actor=officer, member=member, left_on=past(2), expected_version=1)
    assert past(1).isoformat() in str(exc.value)
    member.refresh_from_db()
    assert member.is_active and member.left_on is None

    left = services.member_leave(
        actor=officer, member=member, left_on=past(0), reason="Moved away", expected_version=1
    )
    assert not left.is_active and left.left_on == past(0) and left.left_reason == "Moved away"
    # Taking the attendance again, without them on the list, keeps the session they attended.
    services.attendance_take(
        actor=officer, session=session, present=club.members[1:2], expected_version=2
    )
    assert set(session.attendances.values_list("member_id", flat=True)) == {
        member.pk,
        club.members[1].pk,
    }


def test_two_phones_taking_the_same_attendance_do_not_merge_silently(officer, club, session):
    services.attendance_take(
        actor=officer, session=session, present=club.members[:1], expected_version=1
    )
    with pytest.raises(ValidationError) as exc:
        services.attendance_take(
            actor=officer, session=session, present=club.members, expected_version=1
        )
    assert exc.value.code == "concurrent_edit"
    assert session.attendances.count() == 1


def test_attendance_refuses_members_of_another_group_and_bad_headcounts(
    officer, villages, club, session
):
    from .conftest import make_club

    other = make_club(officer, villages["17010102"], name="Other", programme=club.programme)
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=officer, session=session, present=other.members[:1], expected_version=1
        )
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=officer,
            session=session,
            present=[],
            unregistered={"girls": -1},
            expected_version=1,
        )
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=officer, session=session, present=[], unregistered={"cats": 1}, expected_version=1
        )
    # Nothing changed, not even a half-registered walk-in.
    assert session.attendances.count() == 0


def test_a_bad_walk_in_leaves_nothing_behind(officer, club, session):
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=officer,
            session=session,
            present=club.members,
            walk_ins=[{"name": "Ok", "sex": "f"}, {"name": "", "sex": "m"}],
            expected_version=1,
        )
    assert club.group.members.count() == len(club.members)
    assert session.attendances.count() == 0


def test_attendance_cannot_be_taken_before_the_session(officer, club):
    future = services.session_create(
        actor=officer,
        programme=club.programme,
        group=club.group,
        topic="Later",
        date=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        services.attendance_take(actor=officer, session=future, present=[], expected_version=1)


def test_a_community_session_takes_headcounts_but_no_walk_ins(officer, club, villages):
    community = services.session_create(
        actor=officer,
        programme=club.programme,
        topic="Village meeting",
        date=past(3),
        village=villages["17010102"],
    )
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=officer,
            session=community,
            present=[],
            walk_ins=[{"name": "A", "sex": "f"}],
            expected_version=1,
        )
    taken = services.attendance_take(
        actor=officer,
        session=community,
        present=[],
        unregistered={"women": 20, "men": 12},
        expected_version=1,
    )
    assert taken.unregistered_total == 32


def test_a_session_needs_a_place_and_its_own_programmes_group(officer, officer_b, villages, club):
    from .conftest import make_club

    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=officer, programme=club.programme, topic="", date=past(1))
    assert set(exc.value.message_dict) == {"village", "topic"}
    other_programme = services.programme_create(
        actor=officer,
        name="Second",
        kind="school",
        target_group="children",
        provinces=[villages["17010101"].commune.district.province],
    )
    with pytest.raises(ValidationError):
        services.session_create(
            actor=officer, programme=other_programme, group=club.group, topic="T", date=past(1)
        )
    other_org = make_club(officer_b, villages["17010101"])
    with pytest.raises(PermissionDenied):
        services.session_create(
            actor=officer, programme=other_org.programme, topic="T", date=past(1)
        )


def test_another_organisation_cannot_take_attendance(officer_b, session):
    with pytest.raises(PermissionDenied):
        services.attendance_take(actor=officer_b, session=session, present=[], expected_version=1)


# --- trainings and campaigns ---------------------------------------------------------------------


def test_a_training_records_participants_and_their_scores(officer, villages):
    province = villages["17010101"].commune.district.province
    training = services.training_create(
        actor=officer,
        title="Victim identification",
        topics="Indicators\nInterviewing",
        start_date=past(10),
        end_date=past(9),
        province=province,
    )
    assert training.topic_list == ["Indicators", "Interviewing"]
    participant = services.training_participant_add(
        actor=officer,
        training=training,
        name="Officer Sok",
        sex=Sex.MALE,
        institution=Institution.POLICE,
        pre_score=40,
        post_score=75,
    )
    assert participant.post_score - participant.pre_score == 35
    with pytest.raises(ValidationError) as exc:
        services.training_participant_add(
            actor=officer,
            training=training,
            name="",
            sex="m",
            institution="police",
            pre_score=101,
        )
    assert set(exc.value.message_dict) == {"name", "pre_score"}


def test_a_training_refuses_dates_out_of_order_and_other_organisations(
    officer, officer_b, villages
):
    province = villages["17010101"].commune.district.province
    with pytest.raises(ValidationError) as exc:
        services.training_create(
            actor=officer,
            title="T",
            topics="x",
            start_date=past(1),
            end_date=past(2),
            province=province,
        )
    assert "end_date" in exc.value.message_dict
    training = services.training_create(
        actor=officer,
        title="T",
        topics="x",
        start_date=past(2),
        end_date=past(1),
        province=province,
    )
    with pytest.raises(PermissionDenied):
        services.training_participant_add(
            actor=officer_b, training=training, name="X", sex="m", institution="police"
        )


def test_a_campaign_needs_provinces_and_dates_in_order(officer, cast, villages):
    province = villages["17010101"].commune.district.province
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=officer,
            name="Radio",
            channel="radio",
            start_date=past(1),
            end_date=past(5),
            provinces=[],
        )
    assert set(exc.value.message_dict) == {"provinces", "end_date"}
    campaign = services.campaign_create(
        actor=officer,
        name="Radio",
        channel="radio",
        start_date=past(5),
        end_date=past(1),
        provinces=[province],
        estimated_reach=5000,
    )
    assert campaign.estimated_reach == 5000
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=cast.a[Role.STATISTICS_OFFICER],
            name="X",
            channel="radio",
            start_date=past(5),
            end_date=past(1),
            provinces=[province],
        )
