from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.care.models import Assessment, Instrument
from ctip.cases.models import Case
from ctip.cases.services import approval_decide, case_open, case_request_closure
from ctip.core.testing import assert_refused, verified_client
from ctip.places.models import Country
from ctip.returns import services
from ctip.returns.models import FollowUpVisit, ReTraffickingFlag, Return
from ctip.returns.selectors import follow_up_dashboard, returns_by_country_year
from ctip.shelters.testing import c_user


@pytest.fixture
def countries(db):
    return {
        code: Country.objects.get_or_create(code=code, defaults={"name_en": name, "alpha3": a3})[0]
        for code, name, a3 in [
            ("TH", "Thailand", "THA"),
            ("VN", "Vietnam", "VNM"),
            ("KH", "Cambodia", "KHM"),
        ]
    }


def record_return(cast, case, country, **values):
    defaults = {
        "direction": "to_kh",
        "crossing_point": "Poipet",
        "planned_on": timezone.localdate() - timedelta(days=30),
    }
    return services.return_record(
        actor=cast.a[Role.CASE_WORKER], case=case, country=country, **(defaults | values)
    )


@pytest.fixture
def plan(cast, case):
    return services.reintegration_plan_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        option="family",
        destination="Mother's house, Prey Veng",
        family_readiness=3,
        community_readiness=4,
        assessed_on=timezone.localdate() - timedelta(days=400),
    )


# --- returns ------------------------------------------------------------------------------------


def test_a_return_home_needs_family_tracing_and_a_home_assessment_first(cast, case, countries):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        record_return(cast, case, countries["TH"], status="returned", returned_on=today)
    assert {"family_traced", "home_assessed_on"} <= set(exc.value.message_dict)
    assert not Return.objects.exists()
    ret = record_return(cast, case, countries["TH"])
    ret = services.return_update(
        actor=cast.a[Role.CASE_WORKER],
        ret=ret,
        expected_version=ret.version,
        family_traced=True,
        home_assessed_on=today - timedelta(days=3),
        home_assessment="Safe home.",
        status="returned",
        returned_on=today,
    )
    assert ret.status == "returned"
    event = AuditEvent.objects.filter(action=AuditAction.RETURN_UPDATED).get()
    assert event.changes["home_assessment"] is None
    with pytest.raises(ValidationError) as exc:
        services.return_update(
            actor=cast.a[Role.CASE_WORKER], ret=ret, expected_version=1, notes="late"
        )
    assert exc.value.code == "concurrent_edit"


def test_it_refuses_bad_return_input(cast, case, countries):
    with pytest.raises(ValidationError):
        record_return(cast, case, countries["KH"])
    with pytest.raises(ValidationError):
        record_return(cast, case, countries["TH"], direction="sideways")
    with pytest.raises(ValidationError):
        record_return(cast, case, countries["TH"], crossing_point=" ")
    with pytest.raises(PermissionDenied):
        services.return_record(
            actor=cast.b[Role.CASE_WORKER],
            case=case,
            direction="to_kh",
            country=countries["TH"],
            crossing_point="Poipet",
            planned_on=timezone.localdate(),
        )


def test_the_returns_table_counts_by_country_and_year(cast, case, countries):
    for country, day in [
        ("TH", date(2025, 3, 1)),
        ("TH", date(2025, 9, 1)),
        ("TH", date(2026, 1, 5)),
        ("VN", date(2025, 6, 1)),
    ]:
        record_return(
            cast,
            case,
            countries[country],
            planned_on=day,
            returned_on=day,
            family_traced=True,
            home_assessed_on=day - timedelta(days=5),
            status="returned",
        )
    record_return(cast, case, countries["VN"])  # planned only: not counted
    table = {
        (r["country"], r["year"]): r["count"]
        for r in returns_by_country_year(user=cast.a[Role.STATISTICS_OFFICER])
    }
    assert table == {("TH", 2025): 2, ("TH", 2026): 1, ("VN", 2025): 1}
    # Another organisation's case worker counts only the returns it may see: none.
    assert returns_by_country_year(user=cast.b[Role.CASE_WORKER]) == []
    page = verified_client(cast.b[Role.STATISTICS_OFFICER]).get(reverse("returns:list"))
    assert "Thailand" in page.content.decode() and case.number not in page.content.decode()


# --- reintegration and follow-up ----------------------------------------------------------------


def test_reintegration_schedules_the_follow_up_visits(cast, plan):
    day = timezone.localdate() - timedelta(days=370)
    plan = services.reintegration_complete(
        actor=cast.a[Role.CASE_WORKER], plan=plan, reintegrated_on=day
    )
    visits = list(plan.visits.all())
    assert [v.months_after for v in visits] == [1, 3, 6, 12, 18, 24, 36]
    assert visits[0].due_on == services.add_months(day, 1)
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    overdue = follow_up_dashboard(user=cast.a[Role.CASE_WORKER])["overdue_follow_ups"]
    assert [v.months_after for v in overdue] == [1, 3, 6, 12]
    assert follow_up_dashboard(user=cast.b[Role.CASE_WORKER])["overdue_follow_ups"] == []


def test_the_schedule_is_configurable(cast, case, settings):
    settings.CTIP_FOLLOW_UP_MONTHS = [2, 4]
    plan = services.reintegration_plan_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        option="independent",
        destination="Room",
        family_readiness=2,
        community_readiness=3,
    )
    assert plan.follow_up_months == [2, 4]
    with pytest.raises(ValidationError):
        services.reintegration_plan_create(
            actor=cast.a[Role.CASE_WORKER],
            case=case,
            option="group_home",
            destination="X",
            family_readiness=2,
            community_readiness=3,
            follow_up_months_=[0],
        )


def test_it_refuses_reintegration_when_not_ready(cast, case):
    plan = services.reintegration_plan_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        option="family",
        destination="Home",
        family_readiness=1,
        community_readiness=3,
    )
    with pytest.raises(ValidationError):
        services.reintegration_complete(actor=cast.a[Role.CASE_WORKER], plan=plan)
    assert not FollowUpVisit.objects.exists()


def test_a_follow_up_visit_records_outcomes_on_the_care_domains(cast, plan):
    plan = services.reintegration_complete(
        actor=cast.a[Role.CASE_WORKER],
        plan=plan,
        reintegrated_on=timezone.localdate() - timedelta(days=100),
    )
    visit = plan.visits.first()
    instrument = Instrument.objects.get(code="child-status")
    with pytest.raises(ValidationError):
        services.follow_up_record(
            actor=cast.a[Role.CASE_WORKER],
            visit=visit,
            visited_on=visit.due_on,
            instrument=instrument,
            scores={},
        )
    visit = services.follow_up_record(
        actor=cast.a[Role.CASE_WORKER],
        visit=visit,
        visited_on=visit.due_on,
        instrument=instrument,
        scores={d.code: 3 for d in instrument.domains.all()},
        notes="Back at school.",
        living_where_planned=True,
    )
    assert visit.assessment.case == plan.case
    assert Assessment.objects.filter(case=plan.case).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.FOLLOW_UP_RECORDED)
    assert event.changes["notes"] is None
    page = verified_client(cast.a[Role.CASE_WORKER]).get(reverse("returns:plan", args=[plan.uuid]))
    assert page.status_code == 200 and "<td>3</td>" in page.content.decode()


def test_reintegration_pages_refuse_outsiders(cast, plan, org_c):
    url = reverse("returns:plan", args=[plan.uuid])
    assert_refused(url, [cast.b[Role.CASE_WORKER], c_user(org_c, Role.CASE_SUPERVISOR)], expect=404)
    assert_refused(url, [cast.a[Role.HOTLINE_OPERATOR], cast.no_role], expect=403)
    assert_refused(url, [None])
    case_url = reverse("returns:case", args=[plan.case.uuid])
    assert_refused(case_url, [cast.b[Role.CASE_SUPERVISOR]], expect=404)
    assert verified_client(cast.a[Role.CASE_WORKER]).get(case_url).status_code == 200
    with pytest.raises(PermissionDenied):
        services.reintegration_complete(actor=cast.b[Role.CASE_SUPERVISOR], plan=plan)


def test_the_dashboard_shows_overdue_follow_ups(cast, plan):
    services.reintegration_complete(
        actor=cast.a[Role.CASE_WORKER],
        plan=plan,
        reintegrated_on=timezone.localdate() - timedelta(days=45),
    )
    page = verified_client(cast.a[Role.CASE_WORKER]).get("/").content.decode()
    assert "Overdue follow-up visits" in page and plan.case.number in page


def test_the_follow_up_panel_takes_a_fixed_number_of_queries(cast, plan, django_assert_num_queries):
    user = cast.a[Role.CASE_WORKER]
    services.reintegration_complete(
        actor=user, plan=plan, reintegrated_on=timezone.localdate() - timedelta(days=400)
    )
    follow_up_dashboard(user=user)
    with django_assert_num_queries(3):
        panel = follow_up_dashboard(user=user)
    assert len(panel["overdue_follow_ups"]) == 4
    # 400 days after: the 12-month visit is overdue, the 18-month one is not yet due.
    assert [v.months_after for v in panel["overdue_follow_ups"]] == [1, 3, 6, 12]


# --- re-trafficking -----------------------------------------------------------------------------


def test_a_new_case_for_a_reintegrated_person_raises_a_flag(cast, case, plan):
    worker, supervisor = cast.a[Role.CASE_WORKER], cast.a[Role.CASE_SUPERVISOR]
    services.reintegration_complete(
        actor=worker, plan=plan, reintegrated_on=timezone.localdate() - timedelta(days=300)
    )
    approval = case_request_closure(actor=worker, case=case, reason="Stable at follow-up.")
    approval_decide(actor=supervisor, approval=approval, approve=True)
    assert not ReTraffickingFlag.objects.exists()
    new = case_open(actor=worker, person=case.person)
    flag = ReTraffickingFlag.objects.get()
    assert flag.plan == plan and flag.source_uuid == str(new.uuid)
    assert flag.organisation == cast.org_a
    assert AuditEvent.objects.filter(action=AuditAction.RETRAFFICKING_FLAGGED).exists()
    # Raising again for the same source adds nothing.
    assert services.retrafficking_flag(person=case.person, source=new, actor=worker) == []
    assert visible_to(worker, ReTraffickingFlag).count() == 1
    assert not visible_to(cast.b[Role.CASE_WORKER], ReTraffickingFlag).exists()
    page = verified_client(worker).get("/").content.decode()
    assert "Re-trafficking flags" in page
    services.retrafficking_flag_review(
        actor=worker, flag=flag, notes="Found working in Poipet; new case opened."
    )
    assert not follow_up_dashboard(user=worker)["open_flags"]


def test_no_flag_without_a_completed_reintegration(cast, case, plan):
    assert services.retrafficking_flag(person=case.person, source="report", actor=None) == []


def test_a_flag_from_another_source_by_label(cast, case, plan):
    services.reintegration_complete(actor=cast.a[Role.CASE_WORKER], plan=plan)
    flags = services.retrafficking_flag(
        person=case.person, source="intake.Report", actor=cast.b[Role.CASE_WORKER]
    )
    assert len(flags) == 1 and flags[0].raised_by_organisation == cast.org_b
    assert Case.objects.count() == 1
