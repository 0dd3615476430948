"""The work queue on the home page: each source lists the right work for the right users and
never another organisation's; items are ordered most urgent first; counts; fixed queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.services import task_add
from ctip.core import work_queue
from ctip.core.testing import make_user, verified_client
from ctip.core.work_queue import (
    IMMEDIATE,
    LIMIT,
    ROUTINE,
    URGENT,
    WorkItem,
    sort_key,
    sources_for,
    work_queue_for,
)
from ctip.intake import services as intake
from ctip.referrals.services import referral_create
from ctip.shelters.testing import case, consent_to_b, survivor  # noqa: F401

pytestmark = pytest.mark.django_db


def kinds(user) -> dict[str, int]:
    return {c.kind: c.count for c in work_queue_for(user=user).counts}


def titles(user) -> list[str]:
    return [row.item.title for row in work_queue_for(user=user).rows]


def a_report(cast, **values):
    values.setdefault("narrative", "Two girls held in a karaoke bar.")
    return intake.report_create(actor=cast.a[Role.HOTLINE_OPERATOR], **values)


# --- ordering ------------------------------------------------------------------------------------


def test_it_orders_most_urgent_first_then_most_overdue_then_newest():
    old = datetime(2026, 1, 1, tzinfo=UTC)
    new = datetime(2026, 2, 1, tzinfo=UTC)
    items = [
        WorkItem("k", "routine", "/", ROUTINE, date(2026, 1, 1), old),
        WorkItem("k", "urgent-later", "/", URGENT, date(2026, 3, 1), old),
        WorkItem("k", "urgent-overdue", "/", URGENT, date(2026, 1, 5), old),
        WorkItem("k", "urgent-no-due-new", "/", URGENT, None, new),
        WorkItem("k", "urgent-no-due-old", "/", URGENT, None, old),
        WorkItem("k", "immediate", "/", IMMEDIATE, None, old),
    ]
    ordered = [i.title for i in sorted(items, key=sort_key)]
    assert ordered == [
        "immediate",
        "urgent-overdue",
        "urgent-later",
        "urgent-no-due-new",
        "urgent-no-due-old",
        "routine",
    ]


def test_a_source_runs_only_for_users_holding_its_permission(cast):
    functions = {s.function for s in sources_for(cast.a[Role.STATISTICS_OFFICER])}
    assert functions == {"ctip.statistics.queues.annual_report_due"}
    assert sources_for(cast.no_role) == []
    assert work_queue_for(user=cast.no_role).total == 0


# --- intake -------------------------------------------------------------------------------------


def test_the_hotline_sees_reports_to_triage_and_responders_do_not(cast):
    report = a_report(cast, flag_child=True, flag_sexual_exploitation=True)
    hotline = work_queue_for(user=cast.a[Role.HOTLINE_OPERATOR])
    row = next(r for r in hotline.rows if report.reference in r.item.title)
    assert row.item.kind == "reports_to_triage" and row.item.urgency == IMMEDIATE
    assert row.item.url == f"/intake/{report.uuid}/"
    # The caller's story never shows in the queue.
    assert "karaoke" not in row.item.title + row.item.detail
    for role in (Role.INVESTIGATOR, Role.CASE_WORKER):
        assert report.reference not in " ".join(titles(cast.a[role]))


def test_a_dispatched_report_reaches_its_organisation_and_no_other(cast):
    report = a_report(cast)
    # Dispatched by the other organisation's hotline: nobody dispatches to their own.
    intake.report_dispatch(
        actor=cast.b[Role.HOTLINE_OPERATOR],
        report=report,
        expected_version=None,
        organisation=cast.org_a,
    )
    for role in (Role.INVESTIGATOR, Role.CASE_WORKER):
        assert report.reference in " ".join(titles(cast.a[role]))
        assert kinds(cast.a[role])["reports_dispatched"] == 1
        assert report.reference not in " ".join(titles(cast.b[role]))
        assert "reports_dispatched" not in kinds(cast.b[role])
    # Once dispatched, it has left the hotline's triage queue.
    assert report.reference not in " ".join(titles(cast.a[Role.HOTLINE_OPERATOR]))


# --- cases --------------------------------------------------------------------------------------


def test_a_case_worker_sees_own_tasks_overdue_first_and_nobody_elses(cast, case):  # noqa: F811
    worker = cast.a[Role.CASE_WORKER]
    today = timezone.localdate()
    task_add(actor=worker, case=case, title="Visit the family", due_on=today + timedelta(days=3))
    task_add(actor=worker, case=case, title="Call the school", due_on=today - timedelta(days=2))
    task_add(actor=worker, case=case, title="Far away", due_on=today + timedelta(days=60))
    queue = work_queue_for(user=worker)
    tasks = [r for r in queue.rows if r.item.kind == "tasks"]
    assert [r.item.title for r in tasks] == [
        f"{case.number} · Call the school",
        f"{case.number} · Visit the family",
    ]
    assert tasks[0].overdue and tasks[0].item.urgency == URGENT
    assert not tasks[1].overdue and tasks[1].item.urgency == ROUTINE
    count = next(c for c in queue.counts if c.kind == "tasks")
    assert (count.count, count.overdue) == (2, 1)
    # The survivor's name is never in the queue.
    assert all("Srey" not in r.item.title and "Chan" not in r.item.title for r in queue.rows)
    for other in (cast.b[Role.CASE_WORKER], cast.b[Role.CASE_SUPERVISOR]):
        assert case.number not in " ".join(titles(other))


def test_counts_say_how_many_even_past_the_listed_items(cast, case):  # noqa: F811
    worker = cast.a[Role.CASE_WORKER]
    today = timezone.localdate()
    for i in range(LIMIT + 5):
        task_add(actor=worker, case=case, title=f"Task {i}", due_on=today)
    queue = work_queue_for(user=worker)
    assert kinds(worker)["tasks"] == LIMIT + 5
    assert len([r for r in queue.rows if r.item.kind == "tasks"]) == LIMIT


# --- referrals ----------------------------------------------------------------------------------


def test_a_referral_waits_for_the_receiving_organisation_only(cast, case, consent_to_b):  # noqa: F811
    referral = referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        reason="Needs a shelter place.",
        urgency="urgent",
        sections=["identity"],
        service="shelter",
    )
    shelter_b = work_queue_for(user=cast.b[Role.SHELTER_MANAGER])
    row = next(r for r in shelter_b.rows if r.item.kind == "referrals_to_answer")
    assert row.item.url == f"/referrals/{referral.uuid}/" and row.item.urgency == URGENT
    assert case.number in row.item.title and "Srey" not in row.item.title
    assert "referrals_to_answer" in kinds(cast.b[Role.LEGAL_OFFICER])
    for outsider in (cast.a[Role.SHELTER_MANAGER], cast.a[Role.LEGAL_OFFICER]):
        assert "referrals_to_answer" not in kinds(outsider)


# --- accounts and statistics --------------------------------------------------------------------


def test_admins_see_users_waiting_for_a_role_of_their_own_organisation(cast):
    waiting = cast.no_role  # organisation A
    own = work_queue_for(user=cast.a[Role.ORG_ADMIN])
    assert [r.item.url for r in own.rows] == [f"/accounts/users/{waiting.uuid}/"]
    assert "users_without_role" not in kinds(cast.b[Role.ORG_ADMIN])
    assert kinds(cast.b[Role.SYSTEM_ADMIN])["users_without_role"] == 1
    make_user(cast.org_b, email="new@b.test")
    assert kinds(cast.b[Role.ORG_ADMIN])["users_without_role"] == 1
    assert kinds(cast.a[Role.ORG_ADMIN])["users_without_role"] == 1


def test_the_statistics_officer_is_reminded_of_last_years_annual_report(cast):
    from ctip.audit.models import AuditAction
    from ctip.audit.services import audit_record

    officer = cast.a[Role.STATISTICS_OFFICER]
    last_year = timezone.localdate().year - 1
    assert f"Annual report {last_year}" in titles(officer)
    audit_record(
        actor=officer,
        action=AuditAction.STATISTICS_EXPORTED,
        target_type="statistics.annual_report",
        target_id=str(last_year),
        changes={"format": "pdf"},
    )
    assert f"Annual report {last_year}" not in titles(officer)


# --- queries ------------------------------------------------------------------------------------


def test_each_source_runs_at_most_three_queries(cast, case):  # noqa: F811
    # Two (the count and the list), plus at most one the access scope needs (cases: which
    # cases are restricted to their assigned staff).
    for role in Role.values:
        user = cast.a[role]
        user.roles, user.permissions  # noqa: B018 (load the roles outside the count)
        for source in sources_for(user):
            function = work_queue.import_string(source.function)
            with CaptureQueriesContext(connection) as ctx:
                function(user=user)
            assert len(ctx) <= 3, f"{source.function} ran {len(ctx)} queries for {role}"


def _grow(cast, case, n: int) -> None:  # noqa: F811
    today = timezone.localdate()
    for i in range(n):
        report = a_report(cast)
        intake.report_dispatch(
            actor=cast.b[Role.HOTLINE_OPERATOR],
            report=report,
            expected_version=None,
            organisation=cast.org_a,
        )
        a_report(cast)
        task_add(actor=cast.a[Role.CASE_WORKER], case=case, title=f"T{i}", due_on=today)
        make_user(cast.org_a, email=f"waiting{i}-{n}@a.test")


@pytest.mark.parametrize("role", Role.values)
def test_the_home_page_runs_a_fixed_number_of_queries(cast, case, role, django_assert_num_queries):  # noqa: F811
    client = verified_client(cast.a[role])
    _grow(cast, case, 1)
    client.get("/")  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    _grow(cast, case, 4)
    with django_assert_num_queries(len(small)):
        client.get("/")


# --- the page -----------------------------------------------------------------------------------


def test_the_home_page_shows_counts_then_items_as_links(cast, case):  # noqa: F811
    worker = cast.a[Role.CASE_WORKER]
    task_add(
        actor=worker,
        case=case,
        title="Call the school",
        due_on=timezone.localdate() - timedelta(days=1),
    )
    page = verified_client(worker).get("/").content.decode()
    assert 'id="work-queue"' in page
    assert 'data-kind="tasks"' in page and "Tasks due" in page
    assert f'href="/cases/{case.uuid}/"' in page
    assert page.index('class="wq-counts"') < page.index('class="wq-items"')
    assert "overdue since" in page
    # Another organisation's case worker sees neither the case nor the task.
    other = verified_client(cast.b[Role.CASE_WORKER]).get("/").content.decode()
    assert case.number not in other and "Call the school" not in other


def test_the_home_page_says_plainly_when_nothing_waits(cast):
    page = verified_client(cast.b[Role.PREVENTION_OFFICER]).get("/").content.decode()
    assert "Nothing waits for you right now" in page
    assert 'class="wq-items"' not in page
