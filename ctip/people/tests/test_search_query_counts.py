"""Searching people by name runs a fixed number of queries, however many people match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.people.selectors import people_visible_to
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db


def _people(actor, n, family="Sok"):
    for i in range(n):
        person_create(actor=actor, given_name=f"Child {i}", family_name=family, estimated_age=10)


@pytest.mark.parametrize(("url_name", "queries"), [("people:list", 10), ("api-people", 10)])
def test_people_search_does_not_grow_queries_with_rows(
    cast, url_name, queries, django_assert_num_queries
):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse(url_name) + "?q=sok"
    _people(worker, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _people(worker, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(queries):
        client.get(url)


def test_people_search_lists_in_name_order_within_the_organisation(cast):
    worker = cast.a[Role.CASE_WORKER]
    _people(worker, 3, family="Chan")
    _people(cast.b[Role.CASE_WORKER], 2, family="Chan")
    found = list(people_visible_to(user=worker, query="chan"))
    assert [p.given_name for p in found] == ["Child 0", "Child 1", "Child 2"]
    assert {p.organisation_id for p in found} == {worker.organisation_id}
