"""Issue 17, story 8: the reintegration decision (dated, confirmed) ends the placement and
schedules three years of follow-ups; visits due soon show on the home page; a re-trafficking
flag puts a task on the case for its owner. Story 7: the home assessment cannot be dated
in the future."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.models import CaseTask
from ctip.core.testing import verified_client
from ctip.places.models import Country
from ctip.returns import services
from ctip.returns.models import FollowUpVisit, ReintegrationPlan
from ctip.returns.selectors import follow_up_dashboard
from ctip.shelters import services as shelters
from ctip.shelters.models import Placement

TODAY = timezone.localdate


@pytest.fixture
def placed(cast, case):
    """The survivor placed 100 days ago in a home of the case's own organisation."""
    home = shelters.facility_create(
        actor=cast.a[Role.SHELTER_MANAGER],
        name="Jasmine Home",
        type="aftercare_home",
        bands=[("f", 8, 24, 4)],
    )
    return shelters.placement_admit(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        facility=home,
        admitted_on=TODAY() - timedelta(days=100),
    )


@pytest.fixture
def plan(cast, case):
    return services.reintegration_plan_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        option="family",
        destination="Grandmother's house, Takeo",
        family_readiness=3,
        community_readiness=3,
        assessed_on=TODAY() - timedelta(days=200),
    )


def test_the_decision_ends_the_placement_and_schedules_three_years(cast, placed, plan):
    day = TODAY() - timedelta(days=20)
    services.reintegration_complete(actor=cast.a[Role.CASE_WORKER], plan=plan, reintegrated_on=day)
    placed.refresh_from_db()
    assert placed.discharged_on == day and placed.discharge_reason == "reintegrated"
    assert not Placement.objects.filter(case=plan.case, discharged_on__isnull=True).exists()
    visits = FollowUpVisit.objects.filter(plan=plan)
    assert [v.months_after for v in visits] == [1, 3, 6, 12, 18, 24, 36]
    assert visits.last().due_on == day.replace(year=day.year + 3)


def test_the_placement_cannot_end_before_it_started(cast, placed, plan):
    with pytest.raises(ValidationError) as exc:
        services.reintegration_complete(
            actor=cast.a[Role.CASE_WORKER], plan=plan, reintegrated_on=TODAY() - timedelta(days=150)
        )
    assert "cannot end before it started" in str(exc.value)
    plan.refresh_from_db()
    placed.refresh_from_db()
    assert plan.status == "planned" and placed.discharged_on is None
    assert not FollowUpVisit.objects.exists()


def test_the_decision_form_asks_for_a_date_and_confirmation(cast, placed, plan):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse("returns:plan_complete", args=[plan.uuid])
    assert client.get(url).status_code == 200
    page = client.post(url, {"reintegrated_on": TODAY().isoformat()}).content.decode()
    assert "Confirm the reintegration decision." in page
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    page = client.post(url, {"reintegrated_on": tomorrow, "confirm": "on"}).content.decode()
    assert "This date cannot be in the future." in page
    assert ReintegrationPlan.objects.get(pk=plan.pk).status == "planned"
    response = client.post(url, {"reintegrated_on": TODAY().isoformat(), "confirm": "on"})
    assert response.status_code == 302
    assert ReintegrationPlan.objects.get(pk=plan.pk).status == "reintegrated"
    aftercare = client.get(reverse("returns:case", args=[plan.case.uuid])).content.decode()
    assert "placed now" not in aftercare


def test_an_outsider_cannot_record_the_decision(cast, plan):
    client = verified_client(cast.b[Role.CASE_WORKER])
    url = reverse("returns:plan_complete", args=[plan.uuid])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"reintegrated_on": TODAY().isoformat(), "confirm": "on"}).status_code
        == 404
    )
    assert ReintegrationPlan.objects.get(pk=plan.pk).status == "planned"


def test_follow_ups_due_soon_and_overdue_show_on_the_home_page(cast, plan):
    worker = cast.a[Role.CASE_WORKER]
    # 25 days ago: the 1-month visit is due within days, none overdue.
    services.reintegration_complete(
        actor=worker, plan=plan, reintegrated_on=TODAY() - timedelta(days=25)
    )
    panel = follow_up_dashboard(user=worker)
    assert [v.months_after for v in panel["due_follow_ups"]] == [1]
    assert panel["overdue_follow_ups"] == []
    html = verified_client(worker).get("/").content.decode()
    assert 'id="due-follow-ups"' in html and plan.case.number in html
    assert follow_up_dashboard(user=cast.b[Role.CASE_WORKER])["due_follow_ups"] == []


def test_a_retrafficking_flag_puts_a_task_on_the_case_for_its_owner(cast, case, plan):
    worker = cast.a[Role.CASE_WORKER]
    services.reintegration_complete(actor=worker, plan=plan)
    [flag] = services.retrafficking_flag(
        person=case.person, source="Hotline report 17", actor=cast.b[Role.CASE_WORKER]
    )
    task = CaseTask.objects.get(case=case)
    assert task.assigned_to == worker and "Re-trafficking flag" in task.title
    assert task.due_on == TODAY() + timedelta(days=2)
    # Raising it again adds neither a flag nor a task.
    services.retrafficking_flag(person=case.person, source="Hotline report 17", actor=None)
    assert CaseTask.objects.filter(case=case).count() == 1


def test_a_home_assessment_cannot_be_in_the_future(cast, case):
    thailand, _ = Country.objects.get_or_create(
        code="TH", defaults={"name_en": "Thailand", "alpha3": "THA"}
    )
    with pytest.raises(ValidationError) as exc:
        services.return_record(
            actor=cast.a[Role.CASE_WORKER],
            case=case,
            direction="to_kh",
            country=thailand,
            crossing_point="Poipet",
            planned_on=TODAY(),
            family_traced=True,
            home_assessed_on=TODAY() + timedelta(days=1),
        )
    assert "home_assessed_on" in exc.value.message_dict
