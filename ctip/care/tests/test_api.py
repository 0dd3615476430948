"""The care API: assessments of a case and its care plans, under the pages' policy."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.care import services
from ctip.care.models import Assessment, Instrument
from ctip.core.testing import assert_refused, verified_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
JSON = "application/json"


def _scores(instrument, value):
    return {d.code: value for d in instrument.domains.all()}


@pytest.fixture
def plan(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    plan = services.care_plan_create(actor=worker, case=case, starts_on=TODAY(), summary="Plan")
    domain = Instrument.objects.get(code="child-status").domains.get(code="education")
    goal = services.goal_add(actor=worker, plan=plan, domain=domain, description="Back to school")
    services.action_add(actor=worker, goal=goal, description="Enrol", owner=cast.org_b)
    return plan


def test_care_endpoints_refuse_other_organisations_roles_and_anonymous(cast, case, plan):
    urls = [
        reverse("api-case-assessments", args=[case.uuid]),
        reverse("api-case-care-plans", args=[case.uuid]),
        reverse("api-care-plan", args=[plan.uuid]),
    ]
    for url in urls:
        assert_refused(url, [cast.b[Role.CASE_WORKER], cast.b[Role.CASE_SUPERVISOR]], expect=404)
        assert_refused(
            url,
            [
                cast.a[Role.HOTLINE_OPERATOR],
                cast.a[Role.STATISTICS_OFFICER],
                cast.a[Role.LEGAL_OFFICER],
            ],
            expect=403,
        )
        assert_refused(url, [None], expect=401)


def test_an_assessment_is_recorded_and_listed_with_its_scores(cast, case):
    worker = cast.a[Role.CASE_WORKER]
    child = Instrument.objects.get(code="child-status")
    url = reverse("api-case-assessments", args=[case.uuid])
    client = verified_client(worker)
    partial = client.post(
        url,
        {"instrument": "child-status", "assessed_on": TODAY().isoformat(), "scores": {"safety": 2}},
        content_type=JSON,
    )
    assert partial.status_code == 400 and not Assessment.objects.exists()
    unknown = client.post(
        url,
        {"instrument": "nope", "assessed_on": TODAY().isoformat(), "scores": {}},
        content_type=JSON,
    )
    assert unknown.status_code == 400 and "instrument" in unknown.json()
    created = client.post(
        url,
        {
            "instrument": "child-status",
            "assessed_on": TODAY().isoformat(),
            "scores": _scores(child, 3),
            "notes": {"safety": "Safe at the shelter"},
            "summary": "Settling in",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["scores"]) == 8 and body["summary"] == "Settling in"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=body["uuid"]).exists()
    listed = client.get(url).json()["results"]
    assert listed[0]["uuid"] == body["uuid"]
    # The shelter manager reads care but may not write it.
    shelter = verified_client(cast.a[Role.SHELTER_MANAGER])
    assert shelter.get(url).status_code == 200
    refused = shelter.post(
        url,
        {"instrument": "child-status", "assessed_on": TODAY().isoformat(), "scores": {}},
        content_type=JSON,
    )
    assert refused.status_code == 403


def test_the_care_plan_reads_with_goals_actions_and_policy_filtered_text(cast, case, plan):
    worker = cast.a[Role.CASE_WORKER]
    detail = verified_client(worker).get(reverse("api-care-plan", args=[plan.uuid])).json()
    assert detail["summary"] == "Plan"
    goal = detail["goals"][0]
    assert goal["domain"] == "education" and goal["description"] == "Back to school"
    assert goal["actions"][0]["owner"] == "b"
    listed = verified_client(worker).get(reverse("api-case-care-plans", args=[case.uuid])).json()
    assert listed["results"][0]["uuid"] == str(plan.uuid)


def _assess(cast, case, n):
    child = Instrument.objects.get(code="child-status")
    for _i in range(n):
        services.assessment_record(
            actor=cast.a[Role.CASE_WORKER],
            case=case,
            instrument=child,
            assessed_on=TODAY(),
            scores=_scores(child, 2),
        )


def _plans(cast, case, n):
    worker = cast.a[Role.CASE_WORKER]
    domain = Instrument.objects.get(code="child-status").domains.get(code="education")
    for _i in range(n):
        plan = services.care_plan_create(actor=worker, case=case, starts_on=TODAY())
        goal = services.goal_add(actor=worker, plan=plan, domain=domain, description="Goal")
        services.action_add(actor=worker, goal=goal, description="Act", owner=cast.org_a)


@pytest.mark.parametrize(
    ("name", "grow", "queries"),
    [("api-case-assessments", _assess, 13), ("api-case-care-plans", _plans, 15)],
)
def test_care_api_lists_do_not_grow_queries_with_rows(
    cast, case, name, grow, queries, django_assert_num_queries
):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse(name, args=[case.uuid])
    grow(cast, case, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(cast, case, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(queries):
        client.get(url)
