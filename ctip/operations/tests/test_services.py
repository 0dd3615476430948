"""Operations, people found, screening, instrument validation and hand-off services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.intake.models import EstablishmentType
from ctip.intake.services import report_create, report_dispatch
from ctip.operations import services
from ctip.operations.models import (
    HandOffStatus,
    InstrumentStatus,
    OperationStatus,
    ScreeningResult,
)
from ctip.operations.selectors import handoffs_pending_for
from ctip.people.models import Person

pytestmark = pytest.mark.django_db


def test_an_investigator_records_an_operation_with_the_reports_that_led_to_it(cast, province):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = report_create(actor=hotline, narrative="Girls in a karaoke bar")
    investigator = cast.b[Role.INVESTIGATOR]
    kwargs = {
        "actor": investigator,
        "planned_for": timezone.now(),
        "province": province,
        "location_text": "Street 271",
        "establishment_type": EstablishmentType.KARAOKE,
    }
    # A report not dispatched to the investigator's organisation is not theirs to name.
    with pytest.raises(ValidationError):
        services.operation_create(reports=[report], **kwargs)
    report_dispatch(actor=hotline, report=report, expected_version=None, organisation=cast.org_b)
    operation = services.operation_create(reports=[report], **kwargs)
    assert operation.organisation == cast.org_b and list(operation.reports.all()) == [report]
    assert operation.reference.startswith("OP-")
    event = AuditEvent.objects.get(action=AuditAction.OPERATION_RECORDED)
    assert "Street 271" not in str(event.changes)  # the location is confidential


def test_only_investigators_plan_operations(cast, province):
    for role in (Role.CASE_WORKER, Role.HOTLINE_OPERATOR, Role.STATISTICS_OFFICER):
        with pytest.raises(PermissionDenied):
            services.operation_create(
                actor=cast.a[role],
                planned_for=timezone.now(),
                province=province,
                location_text="x",
                establishment_type=EstablishmentType.FARM,
            )


def test_an_operation_without_a_location_is_refused(cast, province):
    with pytest.raises(ValidationError) as exc:
        services.operation_create(
            actor=cast.a[Role.INVESTIGATOR],
            planned_for=timezone.now(),
            province=province,
            location_text=" ",
            establishment_type=EstablishmentType.FARM,
        )
    assert "location_text" in exc.value.message_dict


def test_people_found_are_recorded_minimally_as_people_of_the_organisation(cast, found):
    assert found.person.organisation == cast.org_a
    assert found.person.given_name == "Srey Neang" and found.person.phone == ""
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_FOUND).count() == 1


def test_another_organisation_cannot_add_people_to_the_operation(cast, operation):
    with pytest.raises(PermissionDenied):
        services.found_person_record(
            actor=cast.b[Role.INVESTIGATOR], operation=operation, given_name="X"
        )
    with pytest.raises(ValidationError):
        services.found_person_record(
            actor=cast.a[Role.INVESTIGATOR], operation=operation, phone="012"
        )
    assert Person.objects.count() == 0


def test_a_cancelled_operation_takes_no_more_people(cast, operation):
    services.operation_update(
        actor=cast.a[Role.INVESTIGATOR],
        operation=operation,
        expected_version=operation.version,
        status=OperationStatus.CANCELLED,
    )
    operation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.found_person_record(
            actor=cast.a[Role.INVESTIGATOR], operation=operation, given_name="Y"
        )


def test_the_child_rule_identifies_a_victim_with_a_provisional_instrument(cast, found, instrument):
    assert instrument.status == InstrumentStatus.PROVISIONAL
    screening = services.screening_record(
        actor=cast.a[Role.INVESTIGATOR],
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
    )
    assert screening.result == ScreeningResult.IDENTIFIED
    assert screening.basis["child_rule"] is True
    assert screening.basis["instrument_status"] == InstrumentStatus.PROVISIONAL
    assert screening.list_code == "child_labour"


def test_the_child_rule_works_with_no_instrument_indicators_at_all(cast, found):
    # An instrument with a single unrelated indicator and an empty rule: the child rule holds.
    from ctip.operations.screening import IndicatorRow

    empty = services.instrument_import(
        actor=None,
        version_label="empty",
        rows=[IndicatorRow("adult_labour", "x", "X", "weak", "x_1", "Unrelated")],
        rule={},
    )
    screening = services.screening_record(
        actor=cast.a[Role.INVESTIGATOR],
        person=found.person,
        is_child=True,
        commercial_sexual_exploitation=True,
        instrument=empty,
    )
    assert screening.result == ScreeningResult.IDENTIFIED


def test_the_screener_may_choose_another_result_only_with_a_reason(cast, found, instrument):
    actor = cast.a[Role.INVESTIGATOR]
    with pytest.raises(ValidationError) as exc:
        services.screening_record(
            actor=actor, person=found.person, is_child=False, result=ScreeningResult.POSSIBLE
        )
    assert "override_reason" in exc.value.message_dict
    screening = services.screening_record(
        actor=actor,
        person=found.person,
        is_child=False,
        result=ScreeningResult.POSSIBLE,
        override_reason="Would not talk in front of the owner",
    )
    assert screening.computed_result == ScreeningResult.NOT_VICTIM
    assert screening.result == ScreeningResult.POSSIBLE


def test_unknown_indicators_are_refused(cast, found, instrument):
    with pytest.raises(ValidationError):
        services.screening_record(
            actor=cast.a[Role.INVESTIGATOR],
            person=found.person,
            is_child=True,
            indicator_codes=["no_such_code"],
        )


def test_a_screening_is_revised_with_a_reason_and_audited(cast, found, instrument):
    actor = cast.a[Role.INVESTIGATOR]
    screening = services.screening_record(actor=actor, person=found.person, is_child=True)
    assert screening.result == ScreeningResult.NOT_VICTIM
    with pytest.raises(ValidationError):
        services.screening_revise(
            actor=actor, screening=screening, expected_version=screening.version, reason=""
        )
    revised = services.screening_revise(
        actor=actor,
        screening=screening,
        expected_version=screening.version,
        reason="She told the social worker more",
        commercial_sexual_exploitation=True,
    )
    assert revised.result == ScreeningResult.IDENTIFIED and revised.revised_at
    event = AuditEvent.objects.get(action=AuditAction.SCREENING_REVISED)
    assert event.reason == "She told the social worker more"
    assert event.changes["result"] == ["not_victim", "identified"]
    # The indicators and the exploitation type are confidential: names only in the log.
    assert event.changes["commercial_sexual_exploitation"] is None
    with pytest.raises(ValidationError) as exc:
        services.screening_revise(
            actor=actor, screening=screening, expected_version=screening.version, reason="again"
        )
    assert exc.value.code == "concurrent_edit"


def test_another_organisation_may_not_screen_or_revise(cast, found, instrument):
    with pytest.raises(PermissionDenied):
        services.screening_record(
            actor=cast.b[Role.INVESTIGATOR], person=found.person, is_child=True
        )
    screening = services.screening_record(
        actor=cast.a[Role.INVESTIGATOR], person=found.person, is_child=True
    )
    with pytest.raises(PermissionDenied):
        services.screening_revise(
            actor=cast.b[Role.INVESTIGATOR], screening=screening, expected_version=None, reason="x"
        )


def test_only_an_administrator_validates_the_instrument(cast, instrument):
    with pytest.raises(PermissionDenied):
        services.instrument_validate(
            actor=cast.a[Role.INVESTIGATOR], instrument=instrument, reason="x"
        )
    admin = cast.a[Role.SYSTEM_ADMIN]
    with pytest.raises(ValidationError):
        services.instrument_validate(actor=admin, instrument=instrument, reason="")
    validated = services.instrument_validate(
        actor=admin, instrument=instrument, reason="Checked against WCMS_105023"
    )
    assert validated.status == InstrumentStatus.VALIDATED and validated.validated_by == admin
    assert services.instrument_current() == validated
    with pytest.raises(ValidationError):
        services.instrument_validate(actor=admin, instrument=validated, reason="again")


@pytest.fixture
def identified(cast, found, instrument):
    return services.screening_record(
        actor=cast.a[Role.INVESTIGATOR],
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
    )


def test_an_identified_victim_is_handed_off_and_the_receiver_sees_it_pending(cast, identified):
    handoff = services.screening_hand_off(
        actor=cast.a[Role.INVESTIGATOR],
        screening=identified,
        to_organisation=cast.org_b,
        note="Needs a shelter tonight",
    )
    assert handoff.status == HandOffStatus.PENDING and handoff.person == identified.person
    assert list(handoffs_pending_for(user=cast.b[Role.CASE_WORKER])) == [handoff]
    assert list(handoffs_pending_for(user=cast.a[Role.CASE_WORKER])) == []
    event = AuditEvent.objects.get(action=AuditAction.HANDOFF_CREATED)
    assert "shelter" not in str(event.changes)
    with pytest.raises(ValidationError):
        services.screening_hand_off(
            actor=cast.a[Role.INVESTIGATOR], screening=identified, to_organisation=cast.org_b
        )


def test_the_receiver_accepts_or_declines_with_a_reason(cast, identified):
    handoff = services.screening_hand_off(
        actor=cast.a[Role.INVESTIGATOR], screening=identified, to_organisation=cast.org_b
    )
    with pytest.raises(PermissionDenied):
        services.handoff_decide(
            actor=cast.a[Role.CASE_WORKER], handoff=handoff, expected_version=None, accept=True
        )
    with pytest.raises(ValidationError):
        services.handoff_decide(
            actor=cast.b[Role.CASE_WORKER], handoff=handoff, expected_version=None, accept=False
        )
    decided = services.handoff_decide(
        actor=cast.b[Role.CASE_WORKER],
        handoff=handoff,
        expected_version=handoff.version,
        accept=True,
    )
    assert (
        decided.status == HandOffStatus.ACCEPTED and decided.decided_by == cast.b[Role.CASE_WORKER]
    )
    assert list(handoffs_pending_for(user=cast.b[Role.CASE_WORKER])) == []
    with pytest.raises(ValidationError):
        services.handoff_decide(
            actor=cast.b[Role.CASE_WORKER],
            handoff=decided,
            expected_version=None,
            accept=False,
            reason="x",
        )


def test_someone_not_a_victim_is_not_handed_off(cast, found, instrument):
    screening = services.screening_record(
        actor=cast.a[Role.INVESTIGATOR], person=found.person, is_child=False
    )
    with pytest.raises(ValidationError):
        services.screening_hand_off(
            actor=cast.a[Role.INVESTIGATOR], screening=screening, to_organisation=cast.org_b
        )


def test_instrument_imports_refuse_duplicates_and_outsiders(cast, instrument):
    from ctip.operations.screening import read_indicator_csv

    with pytest.raises(ValidationError):
        services.instrument_import(actor=None, version_label="test-1", rows=read_indicator_csv())
    with pytest.raises(ValidationError):
        services.instrument_import(actor=None, version_label="empty", rows=[])
    with pytest.raises(PermissionDenied):
        services.instrument_import(
            actor=cast.a[Role.INVESTIGATOR], version_label="x", rows=read_indicator_csv()
        )


def test_an_operation_update_without_changes_writes_nothing(cast, operation):
    before = AuditEvent.objects.count()
    same = services.operation_update(
        actor=cast.a[Role.INVESTIGATOR],
        operation=operation,
        expected_version=operation.version,
        agencies=operation.agencies,
    )
    assert same.version == operation.version and AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.operation_update(
            actor=cast.b[Role.INVESTIGATOR], operation=operation, expected_version=None, notes="x"
        )
