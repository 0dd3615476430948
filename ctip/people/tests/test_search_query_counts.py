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


def _searcher(client, url_name):
    """The search and the unfiltered list as each surface makes them: the page searches by
    POST, then shows the `?s=` page it redirects to (the name is never in a URL); the API
    searches by POST with a JSON body."""
    if url_name == "people:list":
        url = client.post(reverse(url_name), {"q": "sok"})["Location"]
        assert "sok" not in url
        return (lambda: client.get(url)), (lambda: client.get(reverse(url_name)))
    search_url = reverse("api-people-search")
    return (
        lambda: client.post(search_url, {"q": "sok"}, content_type="application/json"),
        lambda: client.get(reverse(url_name)),
    )


# The unfiltered lists are pinned (test_query_counts.py, test_api.py): a search costs the same.
@pytest.mark.parametrize("url_name", ["people:list", "api-people"])
def test_people_search_does_not_grow_queries_with_rows(cast, url_name):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    search, listing = _searcher(client, url_name)
    _people(worker, 2)
    search()
    with CaptureQueriesContext(connection) as few:
        search()
    _people(worker, 30)
    with CaptureQueriesContext(connection) as many:
        response = search()
    assert response.status_code == 200
    assert "Child 29" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as listed:
        listing()
    assert len(many) == len(listed), [q["sql"] for q in many.captured_queries]


def test_people_search_lists_in_name_order_within_the_organisation(cast):
    worker = cast.a[Role.CASE_WORKER]
    _people(worker, 3, family="Chan")
    _people(cast.b[Role.CASE_WORKER], 2, family="Chan")
    found = list(people_visible_to(user=worker, query="chan"))
    assert [p.given_name for p in found] == ["Child 0", "Child 1", "Child 2"]
    assert {p.organisation_id for p in found} == {worker.organisation_id}
