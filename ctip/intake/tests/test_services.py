"""Reports: triage rules, override with reason, status flow, repeats, audit, concurrency."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.intake import services
from ctip.intake.models import Outcome, Report, Source, Status, Urgency
from ctip.intake.selectors import report_clock, report_possible_repeats

pytestmark = pytest.mark.django_db


def call(cast, **values) -> Report:
    values.setdefault("narrative", "Two girls held in a karaoke bar.")
    return services.report_create(actor=cast.a[Role.HOTLINE_OPERATOR], **values)


def test_it_suggests_immediate_danger_for_a_child_in_sexual_exploitation(cast):
    report = call(cast, flag_child=True, flag_sexual_exploitation=True)
    assert report.suggested_urgency == Urgency.IMMEDIATE
    assert "child_sexual_exploitation" in report.triage_rules
    assert report.status == Status.NEW and report.first_action_at is None


def test_it_suggests_routine_when_no_rule_matches(cast):
    report = call(cast)
    assert report.suggested_urgency == Urgency.ROUTINE and report.triage_rules == []


def test_an_operator_triaging_during_the_call_starts_the_report_triaged(cast):
    report = call(cast, flag_held_now=True, urgency=Urgency.IMMEDIATE)
    assert report.status == Status.TRIAGED and report.first_action_at is not None


def test_overriding_the_suggested_urgency_needs_a_reason(cast):
    with pytest.raises(ValidationError) as exc:
        call(cast, flag_held_now=True, urgency=Urgency.ROUTINE)
    assert "urgency_reason" in exc.value.message_dict
    assert not Report.objects.exists()
    report = call(cast, flag_held_now=True, urgency=Urgency.ROUTINE, urgency_reason="Old news")
    assert report.urgency == Urgency.ROUTINE and report.urgency_reason == "Old news"


def test_bad_input_is_refused_with_a_message_and_changes_nothing(cast):
    with pytest.raises(ValidationError) as exc:
        call(cast, narrative="  ")
    assert "narrative" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        call(cast, caller_may_contact=True, caller_phone="")
    assert "caller_phone" in exc.value.message_dict
    assert not Report.objects.exists()


def test_only_roles_that_take_reports_may_record_them(cast):
    for role in (Role.STATISTICS_OFFICER, Role.SHELTER_MANAGER, Role.PREVENTION_OFFICER):
        with pytest.raises(PermissionDenied):
            services.report_create(actor=cast.a[role], narrative="x")


def test_the_report_flows_from_triage_to_dispatch_acceptance_and_closure(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    police = cast.b[Role.INVESTIGATOR]
    report = call(cast, flag_child=True)
    report = services.report_triage(
        actor=hotline, report=report, expected_version=report.version, urgency=Urgency.URGENT
    )
    assert report.status == Status.TRIAGED and report.first_action_at
    report = services.report_dispatch(
        actor=hotline, report=report, expected_version=report.version, organisation=cast.org_b
    )
    assert report.status == Status.DISPATCHED
    with pytest.raises(ValidationError):
        services.report_close(
            actor=police, report=report, expected_version=report.version, outcome="operation"
        )
    report = services.report_accept(actor=police, report=report, expected_version=report.version)
    assert report.status == Status.ACCEPTED
    report = services.report_close(
        actor=police,
        report=report,
        expected_version=report.version,
        outcome=Outcome.OPERATION,
    )
    assert report.status == Status.CLOSED and report.outcome == Outcome.OPERATION
    actions = list(
        AuditEvent.objects.filter(target_id=str(report.uuid))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.REPORT_RECEIVED,
        AuditAction.REPORT_TRIAGED,
        AuditAction.REPORT_DISPATCHED,
        AuditAction.REPORT_ACCEPTED,
        AuditAction.REPORT_CLOSED,
    ]


def test_only_the_organisation_it_was_dispatched_to_may_accept_or_decline(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = call(cast)
    report = services.report_dispatch(
        actor=hotline, report=report, expected_version=None, organisation=cast.org_b
    )
    for outsider in (cast.a[Role.INVESTIGATOR], cast.a[Role.CASE_WORKER]):
        with pytest.raises(PermissionDenied):
            services.report_accept(actor=outsider, report=report, expected_version=None)
    with pytest.raises(ValidationError) as exc:
        services.report_decline(
            actor=cast.b[Role.CASE_WORKER], report=report, expected_version=None, reason=""
        )
    assert "reason" in exc.value.message_dict
    report = services.report_decline(
        actor=cast.b[Role.CASE_WORKER], report=report, expected_version=None, reason="Not ours"
    )
    assert report.status == Status.TRIAGED and report.assigned_to is None
    event = AuditEvent.objects.get(action=AuditAction.REPORT_DECLINED)
    assert event.reason == "Not ours"


def test_closing_with_no_action_needs_a_reason(cast):
    report = call(cast)
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    with pytest.raises(ValidationError) as exc:
        services.report_close(
            actor=hotline, report=report, expected_version=None, outcome=Outcome.NO_ACTION
        )
    assert "reason" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_a_stale_version_is_refused(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = call(cast)
    stale = report.version
    services.report_triage(
        actor=hotline, report=report, expected_version=stale, urgency=Urgency.ROUTINE
    )
    with pytest.raises(ValidationError) as exc:
        services.report_triage(
            actor=hotline,
            report=report,
            expected_version=stale,
            urgency=Urgency.URGENT,
            reason="Because",
        )
    assert exc.value.code == "concurrent_edit"


def test_audit_withholds_caller_details_and_narrative(cast):
    report = call(cast, caller_name="Sokha", caller_phone="012 999 888", caller_may_contact=True)
    event = AuditEvent.objects.get(action=AuditAction.REPORT_RECEIVED, target_id=str(report.uuid))
    flat = str(event.changes)
    assert "Sokha" not in flat and "012 999 888" not in flat
    assert "Two girls" not in flat


def test_repeats_by_phone_or_place_are_flagged_and_can_be_linked(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    first = call(cast, caller_phone="012 111 222", caller_may_contact=True)
    again = call(cast, caller_phone="012 111 222", caller_may_contact=True)
    other = call(cast, location_text="Somewhere else")
    assert report_possible_repeats(user=hotline, report=again) == [first]
    assert report_possible_repeats(user=hotline, report=other) == []
    again = services.report_link(
        actor=hotline, report=again, expected_version=again.version, original=first
    )
    assert again.linked_to == first
    # A repeat of a repeat links to the first report, so chains never loop.
    third = call(cast, caller_phone="012 111 222")
    third = services.report_link(actor=hotline, report=third, expected_version=None, original=again)
    assert third.linked_to == first
    with pytest.raises(ValidationError):
        services.report_link(actor=hotline, report=first, expected_version=None, original=third)


def test_the_clock_shows_time_to_first_action_and_breaches(cast):
    report = call(cast, flag_held_now=True, received_at=timezone.now() - timedelta(minutes=40))
    clock = report_clock(report)
    assert not clock.actioned and clock.breached and clock.minutes >= 40
    routine = call(cast, received_at=timezone.now() - timedelta(minutes=40))
    assert not report_clock(routine).breached


def test_the_response_target_is_configurable(cast, settings):
    settings.CTIP_RESPONSE_TARGET_MINUTES = {"routine": 10}
    routine = call(cast, received_at=timezone.now() - timedelta(minutes=40))
    assert report_clock(routine).breached


def test_a_public_tip_gets_a_code_and_a_secret_that_only_work_together(db):
    report, code, secret = services.tip_submit(narrative="Children at a kiln", flag_child=True)
    assert report.source == Source.WEB and report.status == Status.NEW
    assert secret not in report.tip_secret_hash
    assert services.tip_find(code=code, secret=secret) == report
    assert services.tip_find(code=code.lower(), secret=secret.lower()) == report
    assert services.tip_find(code=code, secret="WRONG") is None
    assert services.tip_find(code="NOPE-NOPE", secret=secret) is None
    services.tip_add_information(code=code, secret=secret, text="They are moved on Fridays.")
    assert report.additions.count() == 1
    with pytest.raises(ValidationError):
        services.tip_add_information(code=code, secret="WRONG", text="x")
    assert report.additions.count() == 1


def test_a_public_tip_cannot_choose_urgency_or_status(db):
    with pytest.raises(ValidationError):
        services.tip_submit(narrative="x", urgency="routine")
    with pytest.raises(ValidationError):
        services.tip_submit(narrative="x", caller_name="Me")


def test_a_gateway_message_creates_one_report_however_often_it_arrives(db):
    report, created = services.sms_receive(message_id="gw-1", sender="+85517", text="help")
    again, created_again = services.sms_receive(message_id="gw-1", sender="+85517", text="help")
    assert created and not created_again and again == report
    assert report.source == Source.SMS and Report.objects.count() == 1


def test_a_report_recorded_by_police_is_theirs_to_act_on(cast):
    police = cast.b[Role.INVESTIGATOR]
    report = services.report_create(actor=police, source=Source.POLICE, narrative="Walk-in")
    assert report.assigned_to == cast.org_b and report.status == Status.ACCEPTED
    from ctip.intake.selectors import reports_visible_to

    assert list(reports_visible_to(user=police)) == [report]
    assert list(reports_visible_to(user=cast.a[Role.INVESTIGATOR])) == []


def test_edge_refusals_change_nothing(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = call(cast)
    cast.org_b.is_active = False
    cast.org_b.save()
    with pytest.raises(ValidationError):
        services.report_dispatch(
            actor=hotline, report=report, expected_version=None, organisation=cast.org_b
        )
    with pytest.raises(PermissionDenied):
        services.report_triage(
            actor=cast.a[Role.INVESTIGATOR], report=report, expected_version=None, urgency="urgent"
        )
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=hotline, report=report, expected_version=None)
    closed = services.report_close(
        actor=hotline, report=report, expected_version=None, outcome=Outcome.CASE_OPENED
    )
    with pytest.raises(ValidationError):
        services.report_triage(
            actor=hotline, report=closed, expected_version=None, urgency=Urgency.ROUTINE
        )
    with pytest.raises(ValidationError):
        services.report_close(
            actor=hotline, report=closed, expected_version=None, outcome=Outcome.OPERATION
        )
    with pytest.raises(ValidationError):
        services.report_create(actor=hotline, source="web", narrative="x")


def test_a_link_can_be_undone(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    first, again = call(cast), call(cast)
    again = services.report_link(actor=hotline, report=again, expected_version=None, original=first)
    again = services.report_link(actor=hotline, report=again, expected_version=None, original=None)
    assert again.linked_to is None
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_LINKED).count() == 2
