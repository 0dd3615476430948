"""Report pages and API: who sees what, who is refused, the console, dispatch, queue."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.intake import services
from ctip.intake.models import Report, Status, Urgency

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast) -> Report:
    return services.report_create(
        actor=cast.a[Role.HOTLINE_OPERATOR],
        narrative="Girl of 14 kept in a massage parlour",
        caller_name="Sokha",
        caller_phone="012 999 888",
        caller_may_contact=True,
        flag_child=True,
        flag_sexual_exploitation=True,
    )


NOT_INTAKE = (
    Role.SHELTER_MANAGER,
    Role.LEGAL_OFFICER,
    Role.PREVENTION_OFFICER,
    Role.STATISTICS_OFFICER,
    Role.ORG_ADMIN,
    Role.SYSTEM_ADMIN,
)


def test_hotline_operators_see_every_report_with_the_callers_details(cast, report):
    for operator in (cast.a[Role.HOTLINE_OPERATOR], cast.b[Role.HOTLINE_OPERATOR]):
        page = verified_client(operator).get(reverse("intake:detail", args=[report.uuid]))
        assert page.status_code == 200
        assert "012 999 888" in page.content.decode()
    # Each read of the caller's details is logged.
    assert AuditEvent.objects.filter(action=AuditAction.READ, target_id=str(report.uuid)).count()


def test_other_organisations_see_a_report_only_once_it_is_dispatched_to_them(cast, report):
    url = reverse("intake:detail", args=[report.uuid])
    api = reverse("api-report", args=[report.uuid])
    responders_b = [cast.b[r] for r in (Role.INVESTIGATOR, Role.CASE_WORKER)]
    assert_refused(url, responders_b, expect=404)
    assert_refused(api, responders_b, expect=404)
    services.report_dispatch(
        actor=cast.a[Role.HOTLINE_OPERATOR],
        report=report,
        expected_version=None,
        organisation=cast.org_b,
    )
    assert verified_client(cast.b[Role.INVESTIGATOR]).get(url).status_code == 200
    # ... and not another organisation's investigator.
    assert_refused(url, [cast.a[Role.INVESTIGATOR]], expect=404)


def test_roles_without_intake_access_are_refused(cast, report):
    users = [cast.a[r] for r in NOT_INTAKE] + [cast.no_role]
    for url in (
        reverse("intake:queue"),
        reverse("intake:detail", args=[report.uuid]),
        reverse("api-reports"),
    ):
        assert_refused(url, users, expect=403)
    assert_refused(reverse("intake:console"), users + [cast.a[Role.CASE_WORKER]], expect=403)
    assert_refused(reverse("intake:queue"), [None])
    assert_refused(reverse("api-reports"), [None], expect=401)
    assert_refused(reverse("api-report", args=[report.uuid]), [None], expect=401)


def test_actions_are_refused_to_those_who_may_not_take_them(cast, report):
    url = reverse("intake:dispatch", args=[report.uuid])
    data = {"version": report.version, "organisation": cast.org_b.pk}
    assert_refused(url, [cast.a[Role.STATISTICS_OFFICER]], method="post", data=data, expect=403)
    assert_refused(url, [cast.b[Role.INVESTIGATOR]], method="post", data=data, expect=403)
    assert_refused(
        reverse("intake:triage", args=[report.uuid]),
        [cast.b[Role.CASE_WORKER]],
        method="post",
        data={"version": 1, "urgency": "routine"},
        expect=403,
    )
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_the_operator_records_a_call_on_the_console(cast):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    response = client.post(
        reverse("intake:console"),
        {
            "source": "hotline",
            "narrative": "Boy of 12 begging for a gang at the night market",
            "flag_child": "on",
            "caller_anonymous": "on",
            "caller_name": "should be dropped",
            "sex_described": "m",
            "urgency": "",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.urgency == Urgency.URGENT and report.caller_name == ""
    assert client.get(response["Location"]).status_code == 200


def test_the_console_shows_errors_and_records_nothing_on_bad_input(cast):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    response = client.post(
        reverse("intake:console"),
        {
            "source": "hotline",
            "narrative": "x",
            "sex_described": "u",
            "flag_held_now": "on",
            "urgency": "routine",
        },
    )
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    assert not Report.objects.exists()


def test_dispatch_and_accept_through_the_pages(cast, report):
    operator = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    operator.post(
        reverse("intake:dispatch", args=[report.uuid]),
        {"version": report.version, "organisation": cast.org_b.pk},
    )
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.assigned_to == cast.org_b
    police = verified_client(cast.b[Role.INVESTIGATOR])
    police.post(reverse("intake:accept", args=[report.uuid]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_a_stale_form_shows_the_concurrency_message(cast, report):
    operator = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    url = reverse("intake:triage", args=[report.uuid])
    operator.post(url, {"version": report.version, "urgency": "immediate"})
    response = operator.post(
        url, {"version": report.version, "urgency": "urgent", "reason": "x"}, follow=True
    )
    assert "Someone else changed this record" in response.content.decode()


def test_the_queue_puts_the_most_urgent_first(cast, report):
    routine = services.report_create(actor=cast.a[Role.HOTLINE_OPERATOR], narrative="later")
    page = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("intake:queue"))
    content = page.content.decode()
    assert content.index(report.reference) < content.index(routine.reference)


def test_the_api_list_leaves_out_confidential_fields(cast, report):
    data = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("api-reports")).json()
    assert data["count"] == 1
    assert "narrative" not in data["results"][0] and "caller_phone" not in data["results"][0]


def test_the_api_creates_a_report(cast):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    response = client.post(
        reverse("api-reports"),
        {"narrative": "Held in a house", "flag_held_now": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["urgency"] == Urgency.IMMEDIATE
    bad = client.post(
        reverse("api-reports"),
        {"narrative": "x", "flag_held_now": True, "urgency": "routine"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "urgency_reason" in bad.json()


def _reports(actor, n):
    for i in range(n):
        services.report_create(actor=actor, narrative=f"Report {i}", flag_child=bool(i % 2))


@pytest.mark.parametrize("url_name", ["intake:queue", "api-reports"])
def test_report_lists_do_not_grow_queries_with_rows(cast, url_name, django_assert_num_queries):
    from django.db import connection

    operator = cast.a[Role.HOTLINE_OPERATOR]
    client = verified_client(operator)
    _reports(operator, 2)
    client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    _reports(operator, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(len(few)):
        client.get(reverse(url_name))
    # Session, user, device, roles (x2), organisation, count, rows, queue summary...
    assert len(few) <= 11


def test_the_api_triages_and_dispatches_with_409_on_a_stale_version(cast, report):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    triage = reverse("api-report-triage", args=[report.uuid])
    dispatch = reverse("api-report-dispatch", args=[report.uuid])
    ok = client.post(
        triage, {"version": report.version, "urgency": "immediate"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == Status.TRIAGED
    stale = client.post(
        dispatch,
        {"version": report.version, "organisation": cast.org_b.code},
        content_type="application/json",
    )
    assert stale.status_code == 409
    no_reason = client.post(
        triage,
        {"version": ok.json()["version"], "urgency": "routine"},
        content_type="application/json",
    )
    assert no_reason.status_code == 400 and "urgency_reason" in no_reason.json()
    done = client.post(
        dispatch,
        {"version": ok.json()["version"], "organisation": cast.org_b.code},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["assigned_to"] == cast.org_b.code
    # Responders may not dispatch; another organisation's responder does not even see it.
    assert_refused(
        dispatch,
        [cast.b[Role.INVESTIGATOR], cast.a[Role.STATISTICS_OFFICER]],
        method="post",
        data={"version": 1, "organisation": "a"},
        content_type="application/json",
        expect=403,
    )


def test_the_queue_counts_open_reports_and_those_past_their_target(cast):
    from datetime import timedelta

    from django.utils import timezone

    services.report_create(
        actor=cast.a[Role.HOTLINE_OPERATOR],
        narrative="Held now",
        flag_held_now=True,
        received_at=timezone.now() - timedelta(hours=1),
    )
    page = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("intake:queue"))
    content = page.content.decode()
    assert "1 report waits past its response target" in content
    assert 'class="breach' in content or "breach" in content


def test_the_dashboard_panel_selector_renders_for_the_hotline(cast, report):
    from django.template.loader import render_to_string

    from ctip.intake.selectors import intake_dashboard

    context = intake_dashboard(user=cast.a[Role.HOTLINE_OPERATOR])
    html = render_to_string("intake/_dashboard_panel.html", context)
    assert report.reference in html and "1 immediate danger" in html
    assert intake_dashboard(user=cast.a[Role.INVESTIGATOR])["rows"] == []
