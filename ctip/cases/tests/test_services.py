"""Case services: numbers, workflow and approvals, consent, notes, tasks, settings."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases import services
from ctip.cases.models import (
    ApprovalStatus,
    Case,
    CaseSource,
    CaseStatus,
    ConsentOverride,
    ConsentPurpose,
)
from ctip.people.services import family_link_add, person_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_case_number_comes_from_the_organisation_code_and_never_the_name(case, survivor):
    year = TODAY().year
    assert case.number == f"A-{year}-000001"
    assert "Srey" not in case.number and "Chan" not in case.number
    other = person_create(actor=case.case_worker, given_name="Dara", estimated_age=9)
    second = services.case_open(actor=case.case_worker, person=other)
    assert second.number == f"A-{year}-000002"
    assert case.status == CaseStatus.OPEN and case.source == CaseSource.DIRECT


def test_opening_is_audited_and_refused_to_roles_without_permission(cast, survivor):
    for role in (Role.HOTLINE_OPERATOR, Role.STATISTICS_OFFICER, Role.INVESTIGATOR):
        with pytest.raises(PermissionDenied):
            services.case_open(actor=cast.a[role], person=survivor)
    with pytest.raises(PermissionDenied):  # another organisation's person
        services.case_open(actor=cast.b[Role.CASE_WORKER], person=survivor)
    case = services.case_open(actor=cast.a[Role.CASE_WORKER], person=survivor)
    event = AuditEvent.objects.get(action=AuditAction.CASE_OPENED, target_id=str(case.uuid))
    assert event.changes["number"] == [None, case.number]


def test_a_case_from_a_hand_off_needs_its_reference_and_a_person_has_one_open_case(cast, survivor):
    worker = cast.a[Role.CASE_WORKER]
    with pytest.raises(ValidationError) as info:
        services.case_open(actor=worker, person=survivor, source=CaseSource.SCREENING)
    assert "source_reference" in info.value.message_dict
    services.case_open(
        actor=worker, person=survivor, source=CaseSource.REFERRAL, source_reference="REF-7"
    )
    with pytest.raises(ValidationError):
        services.case_open(actor=worker, person=survivor)
    assert Case.objects.count() == 1


def test_the_supervisor_must_be_a_supervisor_of_the_same_organisation(cast, survivor):
    with pytest.raises(ValidationError) as info:
        services.case_open(
            actor=cast.a[Role.CASE_WORKER], person=survivor, supervisor=cast.b[Role.CASE_SUPERVISOR]
        )
    assert "supervisor" in info.value.message_dict


def test_concurrent_openings_get_distinct_numbers(cast):
    worker = cast.a[Role.CASE_WORKER]
    people = [person_create(actor=worker, given_name=f"P{i}", estimated_age=12) for i in range(4)]
    numbers = [services.case_open(actor=worker, person=p).number for p in people]
    assert len(set(numbers)) == 4
    assert sorted(numbers) == numbers


def test_the_profile_takes_htcds_values_including_forced_criminality(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    case = services.case_update(
        actor=worker,
        case=case,
        expected_version=case.version,
        exploitation_types=["ForcedCriminality", "ForcedLabour"],
        means_of_control=["DebtBondage", "WithholdsDocuments"],
        recruiter_relation="broker",
        exploitation_started_on=TODAY() - timedelta(days=100),
        exploitation_ended_on=TODAY() - timedelta(days=10),
    )
    assert case.exploitation_days == 90
    with pytest.raises(ValidationError) as info:
        services.case_update(
            actor=worker, case=case, expected_version=case.version, exploitation_types=["Bogus"]
        )
    assert "exploitation_types" in info.value.message_dict


def test_a_case_worker_cannot_write_restricted_fields_and_a_supervisor_can(cast, case):
    with pytest.raises(PermissionDenied):
        services.case_update(
            actor=cast.a[Role.CASE_WORKER], case=case, expected_version=1, hiv_status="positive"
        )
    case = services.case_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        case=case,
        expected_version=1,
        hiv_status="positive",
        abuse_narrative="Held in a compound for months.",
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(case.uuid)).get()
    assert event.changes == {"hiv_status": None, "abuse_narrative": None}


def test_a_stale_profile_edit_is_refused_and_changes_nothing(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    services.case_update(actor=worker, case=case, expected_version=1, age_when_trafficked=14)
    with pytest.raises(ValidationError) as info:
        services.case_update(actor=worker, case=case, expected_version=1, age_when_trafficked=15)
    assert info.value.code == "concurrent_edit"
    case.refresh_from_db()
    assert case.age_when_trafficked == 14


def test_the_workflow_moves_one_step_at_a_time_and_closure_needs_approval(cast, case):
    worker, supervisor = cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]
    with pytest.raises(ValidationError):
        services.case_change_status(
            actor=worker, case=case, status=CaseStatus.FOLLOW_UP, expected_version=1
        )
    with pytest.raises(ValidationError):
        services.case_change_status(
            actor=worker, case=case, status=CaseStatus.CLOSED, expected_version=1
        )
    for status in (CaseStatus.ACTIVE, CaseStatus.REINTEGRATION, CaseStatus.FOLLOW_UP):
        case = services.case_change_status(
            actor=worker, case=case, status=status, expected_version=case.version
        )
    with pytest.raises(ValidationError):
        services.case_request_closure(actor=worker, case=case, reason="  ")
    approval = services.case_request_closure(
        actor=worker, case=case, reason="Reintegrated with family; stable for 6 months."
    )
    with pytest.raises(ValidationError):  # one request at a time
        services.case_request_closure(actor=worker, case=case, reason="again")
    with pytest.raises(PermissionDenied):  # case workers do not approve
        services.approval_decide(actor=worker, approval=approval, approve=True)
    with pytest.raises(PermissionDenied):  # nor do other organisations' supervisors
        services.approval_decide(
            actor=cast.b[Role.CASE_SUPERVISOR], approval=approval, approve=True
        )
    services.approval_decide(actor=supervisor, approval=approval, approve=True, comment="Agreed")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == TODAY()
    assert case.closure_reason.startswith("Reintegrated")
    with pytest.raises(ValidationError):
        services.note_add(
            actor=worker, case=case, kind="visit", happened_on=TODAY(), text="after closure"
        )
    with pytest.raises(PermissionDenied):
        services.case_reopen(actor=worker, case=case, reason="x", expected_version=case.version)
    case = services.case_reopen(
        actor=supervisor,
        case=case,
        reason="Family moved; risk again.",
        expected_version=case.version,
    )
    assert case.status == CaseStatus.ACTIVE and case.closed_on is None
    assert AuditEvent.objects.filter(action=AuditAction.CASE_REOPENED).get().reason


def test_sending_back_a_closure_needs_a_comment_and_nobody_decides_their_own(cast, case):
    supervisor = cast.a[Role.CASE_SUPERVISOR]
    own = services.case_request_closure(actor=supervisor, case=case, reason="Moved away")
    with pytest.raises(ValidationError):
        services.approval_decide(actor=supervisor, approval=own, approve=True)
    # Another supervisor of A may decide it.
    from ctip.core.testing import make_user

    second = make_user(cast.org_a, Role.CASE_SUPERVISOR, email="sup2@a.test")
    with pytest.raises(ValidationError):
        services.approval_decide(actor=second, approval=own, approve=False)
    decided = services.approval_decide(
        actor=second, approval=own, approve=False, comment="Visit first"
    )
    assert decided.status == ApprovalStatus.REJECTED
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def _guardian(cast, case):
    mother = person_create(
        actor=cast.a[Role.CASE_WORKER], given_name="Mother", estimated_age=40, age_estimation="self"
    )
    family_link_add(
        actor=cast.a[Role.CASE_WORKER],
        person=case.person,
        relative=mother,
        relationship="mother",
        is_guardian=True,
    )
    return mother


def test_consent_follows_age_rules_and_can_be_withdrawn(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    # Aged 15: the child and a guardian must both consent (defaults: guardian under 18,
    # assent from 12).
    with pytest.raises(ValidationError) as info:
        services.consent_record(
            actor=worker,
            case=case,
            purpose=ConsentPurpose.SERVICES,
            given_by="child",
            given_on=TODAY(),
            method="written",
        )
    assert "given_by" in info.value.message_dict
    mother = _guardian(cast, case)
    consent = services.consent_record(
        actor=worker,
        case=case,
        purpose=ConsentPurpose.SERVICES,
        given_by="both",
        guardian=mother,
        given_on=TODAY(),
        method="written",
    )
    assert services.consent_given(case=case, purpose=ConsentPurpose.SERVICES)
    assert not services.consent_given(case=case, purpose=ConsentPurpose.STATISTICS)
    services.consent_withdraw(actor=worker, consent=consent, withdrawn_on=TODAY(), reason="asked")
    assert not services.consent_given(case=case, purpose=ConsentPurpose.SERVICES)
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).count() == 1


def test_sharing_consent_names_the_partner_and_counts_only_for_it(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    mother = _guardian(cast, case)
    with pytest.raises(ValidationError) as info:
        services.consent_record(
            actor=worker,
            case=case,
            purpose=ConsentPurpose.SHARING,
            given_by="both",
            guardian=mother,
            given_on=TODAY(),
            method="thumbprint",
        )
    assert "partner" in info.value.message_dict
    services.consent_record(
        actor=worker,
        case=case,
        purpose=ConsentPurpose.SHARING,
        partner=cast.org_b,
        given_by="both",
        guardian=mother,
        given_on=TODAY(),
        method="thumbprint",
    )
    assert services.consent_given(case=case, purpose="sharing", organisation=cast.org_b)
    assert not services.consent_given(case=case, purpose="sharing")


def test_an_override_needs_a_reason_and_the_permission_and_is_audited(cast, case):
    worker, supervisor = cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]
    assert not services.consent_check(actor=supervisor, case=case, purpose="statistics")
    with pytest.raises(PermissionDenied):
        services.consent_check(
            actor=worker, case=case, purpose="statistics", override_reason="Needed"
        )
    assert services.consent_check(
        actor=supervisor,
        case=case,
        purpose="sharing",
        organisation=cast.org_b,
        override_reason="Child in danger; police must know today.",
    )
    assert ConsentOverride.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_OVERRIDDEN)
    assert event.reason.startswith("Child in danger") and event.actor_id == supervisor.pk


def test_sensitive_notes_are_audited_without_their_text(cast, case):
    note = services.note_add(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        kind="visit",
        happened_on=TODAY(),
        text="Disclosed abuse by uncle",
        is_sensitive=True,
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(note.uuid))
    assert event.changes["text"] is None
    assert "uncle" not in str(AuditEvent.objects.values_list("changes", flat=True))
    with pytest.raises(ValidationError):
        services.note_add(
            actor=cast.a[Role.CASE_WORKER],
            case=case,
            kind="visit",
            happened_on=TODAY() + timedelta(days=1),
            text="x",
        )


def test_tasks_default_to_the_case_worker_and_reminders_come_first(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    task = services.task_add(
        actor=worker, case=case, title="Home visit", due_on=TODAY(), is_visit=True
    )
    assert task.assigned_to == worker
    with pytest.raises(ValidationError):
        services.task_add(
            actor=worker,
            case=case,
            title="x",
            due_on=TODAY(),
            remind_on=TODAY() + timedelta(days=2),
        )
    with pytest.raises(ValidationError):
        services.task_add(
            actor=worker, case=case, title="x", due_on=TODAY(), assigned_to=cast.b[Role.CASE_WORKER]
        )
    services.task_complete(actor=worker, task=task)
    with pytest.raises(ValidationError):
        services.task_complete(actor=worker, task=task)


def test_restricting_to_assigned_cases_hides_other_workers_cases(cast, case):
    from ctip.core.testing import make_user

    other_worker = make_user(cast.org_a, Role.CASE_WORKER, email="cw2@a.test")
    assert visible_to(other_worker, Case).count() == 1
    with pytest.raises(PermissionDenied):
        services.case_settings_update(
            actor=cast.a[Role.CASE_WORKER],
            organisation=cast.org_a,
            expected_version=None,
            restrict_to_assigned=True,
        )
    with pytest.raises(PermissionDenied):  # another organisation's settings
        services.case_settings_update(
            actor=cast.b[Role.CASE_SUPERVISOR],
            organisation=cast.org_a,
            expected_version=None,
            restrict_to_assigned=True,
        )
    services.case_settings_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        organisation=cast.org_a,
        expected_version=None,
        restrict_to_assigned=True,
    )
    from ctip.accounts.models import User

    other_worker = User.objects.get(pk=other_worker.pk)  # fresh: the setting is cached per user
    assert visible_to(other_worker, Case).count() == 0
    with pytest.raises(PermissionDenied):
        services.note_add(
            actor=other_worker, case=case, kind="visit", happened_on=TODAY(), text="x"
        )
    assigned = User.objects.get(pk=cast.a[Role.CASE_WORKER].pk)
    assert visible_to(assigned, Case).count() == 1
    supervisor = User.objects.get(pk=cast.a[Role.CASE_SUPERVISOR].pk)
    assert visible_to(supervisor, Case).count() == 1
