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


# Pinned like the lists without a search (test_api.py): a search costs no extra query.
@pytest.mark.parametrize(("url_name", "queries"), [("cases:list", 11), ("api-cases", 11)])
def test_case_search_does_not_grow_queries_with_rows(
    cast, url_name, queries, django_assert_num_queries
):
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    url = reverse(url_name) + "?q=Sok&status=open"
    _open(worker, "Dara", "Sok")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        _open(worker, f"Child {i}", "Sok")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_num_queries(queries):
        client.get(url)
