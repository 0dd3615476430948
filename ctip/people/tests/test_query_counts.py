"""List pages and endpoints run a fixed number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db


def _people(actor, n):
    for i in range(n):
        person_create(actor=actor, given_name=f"Child {i}", family_name="Sok", estimated_age=10)


# Session, user, TOTP device, roles, organisation, count, rows, session save... Pinned: a change
# here means a new query per request, which every list page pays.
@pytest.mark.parametrize(("url_name", "queries"), [("people:list", 10), ("api-people", 10)])
def test_people_lists_do_not_grow_queries_with_rows(
    cast, url_name, queries, django_assert_num_queries
):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    _people(worker, 2)
    client.get(reverse(url_name))  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    _people(worker, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(queries):
        client.get(reverse(url_name))
