"""Care: assessments and the chart, care plans and their approval, services and partners."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.care import services
from ctip.care.models import CarePlanStatus, DeliveryStatus, Instrument, ServiceType
from ctip.care.selectors import score_charts
from ctip.cases import services as case_services
from ctip.cases.models import Approval
from ctip.core.testing import assert_refused, verified_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _scores(instrument, value):
    return {d.code: value for d in instrument.domains.all()}


def test_the_seeded_instruments_and_catalogue_are_data():
    child = Instrument.objects.get(code="child-status")
    assert child.domains.count() == 8 and child.levels.count() == 4
    assert Instrument.objects.get(code="risk").kind == "risk"
    assert ServiceType.objects.filter(code__in=["hairdressing", "cash-support"]).count() == 2


def test_an_assessment_scores_every_domain_on_the_scale_and_charts_over_time(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    child = Instrument.objects.get(code="child-status")
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=worker, case=case, instrument=child, assessed_on=TODAY(), scores={"safety": 2}
        )
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=worker, case=case, instrument=child, assessed_on=TODAY(), scores=_scores(child, 9)
        )
    first = services.assessment_record(
        actor=worker,
        case=case,
        instrument=child,
        assessed_on=TODAY() - timedelta(days=90),
        scores=_scores(child, 1),
    )
    services.assessment_record(
        actor=worker, case=case, instrument=child, assessed_on=TODAY(), scores=_scores(child, 3)
    )
    assert first.next_due_on == first.assessed_on + timedelta(days=90)
    charts = score_charts(list(case.assessments.all()))
    assert len(charts) == 1 and len(charts[0].lines) == 8
    assert all(len(line["dots"]) == 2 for line in charts[0].lines)
    page = verified_client(worker).get(reverse("cases:detail", args=[case.uuid])).content.decode()
    assert "<svg" in page and "<polyline" in page and "<script" not in page.split("<svg")[1][:2000]
    with pytest.raises(PermissionDenied):
        services.assessment_record(
            actor=cast.b[Role.CASE_WORKER],
            case=case,
            instrument=child,
            assessed_on=TODAY(),
            scores=_scores(child, 2),
        )


def test_a_care_plan_waits_for_approval_where_the_organisation_asks(cast, case):
    worker, supervisor = cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]
    plan = services.care_plan_create(actor=worker, case=case, starts_on=TODAY())
    assert plan.status == CarePlanStatus.ACTIVE
    case_services.case_settings_update(
        actor=supervisor, organisation=cast.org_a, expected_version=None, care_plan_approval=True
    )
    second = services.care_plan_create(actor=worker, case=case, starts_on=TODAY())
    assert second.status == CarePlanStatus.PENDING
    approval = Approval.objects.get(subject_uuid=second.uuid)
    case_services.approval_decide(actor=supervisor, approval=approval, approve=True)
    plan.refresh_from_db()
    second.refresh_from_db()
    assert (plan.status, second.status) == (CarePlanStatus.ENDED, CarePlanStatus.ACTIVE)


def test_goals_actions_and_reviews_keep_the_plan_on_schedule(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    plan = services.care_plan_create(
        actor=worker, case=case, starts_on=TODAY(), review_every_days=30
    )
    domain = Instrument.objects.get(code="child-status").domains.get(code="education")
    goal = services.goal_add(actor=worker, plan=plan, domain=domain, description="Back to school")
    action = services.action_add(actor=worker, goal=goal, description="Enrol", owner=cast.org_b)
    services.action_complete(actor=worker, action=action)
    with pytest.raises(ValidationError):
        services.review_add(actor=worker, plan=plan, reviewed_on=TODAY(), notes=" ")
    services.review_add(actor=worker, plan=plan, reviewed_on=TODAY(), notes="On track")
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY() + timedelta(days=30)
    url = reverse("care:plan", args=[plan.uuid])
    assert_refused(url, [cast.b[Role.CASE_WORKER]], expect=404)
    assert_refused(url, [cast.a[Role.HOTLINE_OPERATOR]], expect=403)
    assert "Back to school" in verified_client(worker).get(url).content.decode()


def test_a_partner_service_needs_consent_and_the_partner_confirms_it(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    legal = ServiceType.objects.get(code="legal-aid")
    with pytest.raises(ValidationError) as info:
        services.service_record(actor=worker, case=case, service=legal, provider=cast.org_b)
    assert "provider" in info.value.message_dict
    delivery = services.service_record(
        actor=cast.a[Role.CASE_SUPERVISOR],
        case=case,
        service=legal,
        provider=cast.org_b,
        consent_override_reason="Hearing tomorrow; guardian unreachable.",
    )
    assert delivery.status == DeliveryStatus.REQUESTED
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_OVERRIDDEN).count() == 1
    partner = cast.b[Role.LEGAL_OFFICER]
    page = verified_client(partner).get(reverse("care:requests")).content.decode()
    assert case.number in page and case.person.given_name not in page
    assert_refused(reverse("cases:detail", args=[case.uuid]), [partner])
    with pytest.raises(PermissionDenied):
        services.service_respond(actor=cast.a[Role.LEGAL_OFFICER], delivery=delivery, confirm=True)
    with pytest.raises(ValidationError):
        services.service_respond(actor=partner, delivery=delivery, confirm=False)
    delivery = services.service_respond(actor=partner, delivery=delivery, confirm=True)
    delivery = services.service_mark_delivered(
        actor=partner, delivery=delivery, delivered_on=TODAY(), outcome="Represented"
    )
    assert delivery.status == DeliveryStatus.DELIVERED


def test_an_own_service_needs_its_date(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    food = ServiceType.objects.get(code="food")
    with pytest.raises(ValidationError):
        services.service_record(actor=worker, case=case, service=food)
    delivery = services.service_record(
        actor=worker, case=case, service=food, delivered_on=TODAY(), outcome="Rice for a month"
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(delivery.uuid))
    assert event.changes["outcome"] is None
