"""The audit API: the same events and the same refusals as the pages."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction
from ctip.core.testing import assert_refused, verified_client

from .conftest import record_many

LIST = reverse("api-audit-events")


def detail(event) -> str:
    return reverse("api-audit-event", args=[event.seq])


def get_json(user, url: str = LIST, **params) -> dict:
    response = verified_client(user).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def seqs(user, **params) -> list[int]:
    return [row["seq"] for row in get_json(user, **params)["results"]]


# --- Who sees what --------------------------------------------------------------------------------


def test_an_org_admin_lists_the_events_of_their_organisation_only(cast, events):
    assert seqs(cast.a[Role.ORG_ADMIN]) == [events.a.seq]
    assert seqs(cast.b[Role.ORG_ADMIN]) == [events.b.seq]


def test_a_system_admin_lists_every_event_newest_first(cast, events):
    assert seqs(cast.b[Role.SYSTEM_ADMIN]) == [events.system.seq, events.b.seq, events.a.seq]


def test_it_refuses_the_list_to_users_without_an_audit_permission(cast, events):
    users = [
        None,
        cast.a[Role.CASE_WORKER],
        cast.a[Role.STATISTICS_OFFICER],
        cast.b[Role.CASE_SUPERVISOR],
        cast.no_role,
    ]
    assert_refused(LIST, users)
    assert_refused(LIST, users[1:], expect=403)


def test_an_org_admin_reads_their_organisations_event(cast, events):
    body = get_json(cast.a[Role.ORG_ADMIN], detail(events.a))

    assert body["seq"] == events.a.seq
    assert body["hash"] == events.a.hash


def test_an_org_admin_gets_404_for_another_organisations_event(cast, events):
    assert_refused(detail(events.b), [cast.a[Role.ORG_ADMIN]], expect=404)
    assert_refused(detail(events.system), [cast.a[Role.ORG_ADMIN]], expect=404)
    assert_refused(detail(events.a), [cast.b[Role.ORG_ADMIN]], expect=404)
    assert_refused(reverse("api-audit-event", args=[999]), [cast.a[Role.ORG_ADMIN]], expect=404)


def test_a_system_admin_reads_any_event(cast, events):
    for event in (events.a, events.b, events.system):
        assert get_json(cast.a[Role.SYSTEM_ADMIN], detail(event))["hash"] == event.hash


def test_it_refuses_the_detail_to_users_without_an_audit_permission(cast, events):
    users = [None, cast.a[Role.CASE_WORKER], cast.a[Role.STATISTICS_OFFICER], cast.no_role]
    assert_refused(detail(events.a), users)


# --- What it shows --------------------------------------------------------------------------------


def test_it_shows_an_event_without_sensitive_values_or_database_ids(cast, events):
    body = get_json(cast.a[Role.ORG_ADMIN], detail(events.a))

    assert body == {
        "seq": events.a.seq,
        "created_at": body["created_at"],
        "actor": "org_admin@a.test",
        "organisation": "a",
        "action": "update",
        "action_label": "Updated",
        "target_type": "accounts.user",
        "target_id": str(cast.a[Role.CASE_WORKER].uuid),
        "changes": {"full_name": ["Sok Dara", "Sok Dara Chan"], "password": None},
        "reason": "reason-of-org-a",
        "prev_hash": events.a.prev_hash,
        "hash": events.a.hash,
    }


def test_it_shows_events_without_actor_or_organisation(cast, events):
    body = get_json(cast.a[Role.SYSTEM_ADMIN], detail(events.system))

    assert (body["actor"], body["organisation"]) == ("", None)


# --- Filters and paging ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": AuditAction.ROLES_CHANGED}, ["b"]),
        ({"actor": "ORG_ADMIN@A"}, ["a"]),
        ({"target_type": "accounts.user"}, ["system", "b", "a"]),
        ({"target_type": "accounts.organisation"}, []),
        ({"actor": "", "target_type": ""}, ["system", "b", "a"]),
    ],
)
def test_it_filters_the_list(cast, events, params, expected):
    wanted = [getattr(events, name).seq for name in expected]

    assert seqs(cast.a[Role.SYSTEM_ADMIN], **params) == wanted


def test_filters_never_widen_what_an_org_admin_sees(cast, events):
    assert seqs(cast.a[Role.ORG_ADMIN], actor="org_admin@b") == []


def test_it_answers_400_to_an_unknown_action(cast, events):
    response = verified_client(cast.a[Role.SYSTEM_ADMIN]).get(LIST, {"action": "nonsense"})

    assert response.status_code == 400
    assert "action" in response.json()


def test_it_pages_by_fifty(cast):
    record_many(51, actor=cast.a[Role.ORG_ADMIN])

    first = get_json(cast.a[Role.ORG_ADMIN])
    second = get_json(cast.a[Role.ORG_ADMIN], page=2)

    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert [row["seq"] for row in second["results"]] == [1]


# --- Query counts ---------------------------------------------------------------------------------

# Session, user, OTP device, the user's organisation, their roles, the count, one page of events
# with their organisations joined (7), then the session save: savepoint, update, release (3).
# It must not grow with the number of events shown.
LIST_QUERIES = 10


@pytest.mark.parametrize("n", [1, 60])
def test_the_list_runs_a_fixed_number_of_queries(cast, django_assert_num_queries, n):
    record_many(n, actor=cast.a[Role.ORG_ADMIN])
    record_many(n, actor=cast.b[Role.ORG_ADMIN])
    client = verified_client(cast.a[Role.SYSTEM_ADMIN])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert response.status_code == 200
