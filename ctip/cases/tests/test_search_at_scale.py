"""The case search by name or number (measured at national scale in docs/benchmarks.md): what
it finds, what it never lists, and a fixed number of queries however many cases match."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.cases.selectors import cases_visible_to
from ctip.cases.services import case_open
from ctip.core.testing import verified_client
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db


def _open(actor, given, family="", name_km=""):
    person = person_create(
        actor=actor, given_name=given, family_name=family, name_km=name_km, estimated_age=15
    )
    return case_open(actor=actor, person=person)


def test_case_search_finds_cases_by_given_family_khmer_name_and_number(cast):
    worker = cast.a[Role.CASE_WORKER]
    by_given = _open(worker, "Sreymom", "Chan")
    by_family = _open(worker, "Dara", "Keomony")
    by_khmer = _open(worker, "Vanna", "Ouk", name_km="អ៊ុក វណ្ណា")
    other = _open(worker, "Bopha", "Lim")

    def found(query):
        return set(cases_visible_to(user=worker, query=query))

    assert found("reymo") == {by_given}
    assert found("KEOMON") == {by_family}
    assert found("វណ្ណា") == {by_khmer}
    assert found(other.number) == {other}
    assert found("nobody-has-this-name") == set()


def test_case_search_never_lists_another_organisations_case_with_the_same_name(cast):
    mine = _open(cast.a[Role.CASE_WORKER], "Sothea", "Meas")
    _open(cast.b[Role.CASE_WORKER], "Sothea", "Meas")
    assert list(cases_visible_to(user=cast.a[Role.CASE_WORKER], query="Sothea")) == [mine]


def _searcher(client, url_name):
    """The search and the unfiltered list as each surface makes them: the page by POST then
    the `?s=` page it redirects to (names never in a URL), the API by POST with a JSON body."""
    terms = {"q": "Sok", "status": "open"}
    if url_name == "cases:list":
        url = client.post(reverse(url_name), terms)["Location"]
        assert "Sok" not in url
        return (lambda: client.get(url)), (lambda: client.get(reverse(url_name)))
    search_url = reverse("api-cases-search")
    return (
        lambda: client.post(search_url, terms, content_type="application/json"),
        lambda: client.get(reverse(url_name)),
    )


# The unfiltered lists are pinned (test_api.py, test_views.py): a search costs the same.
@pytest.mark.parametrize("url_name", ["cases:list", "api-cases"])
def test_case_search_does_not_grow_queries_with_rows(cast, url_name):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    search, listing = _searcher(client, url_name)
    _open(worker, "Dara", "Sok")
    search()
    with CaptureQueriesContext(connection) as few:
        search()
    for i in range(15):
        _open(worker, f"Child {i}", "Sok")
    with CaptureQueriesContext(connection) as many:
        response = search()
    assert response.status_code == 200
    if url_name == "api-cases":
        assert response.json()["count"] == 16
    else:
        assert "Child 14" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as listed:
        listing()
    assert len(many) == len(listed), [q["sql"] for q in many.captured_queries]
