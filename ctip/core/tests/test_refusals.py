"""A refusal (403) says what is missing in the user's language, never which record; only a
pending two-factor verification says two-factor (docs/security.md)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ctip.access.refusals import TWO_FACTOR_PENDING
from ctip.accounts.roles import Role
from ctip.core.testing import api_token_key, verified_client

pytestmark = pytest.mark.django_db

TWO_FACTOR = "two-factor"


def test_a_page_refused_for_a_missing_role_names_the_roles_not_two_factor(cast):
    # A statistics officer may not open the matching queue: the page says which roles may.
    response = verified_client(cast.a[Role.STATISTICS_OFFICER]).get(reverse("matching:queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Case supervisor" in body  # a role that reviews matches
    assert TWO_FACTOR not in body.lower()


def test_the_api_refused_for_a_missing_role_names_the_roles_not_two_factor(cast):
    response = verified_client(cast.a[Role.STATISTICS_OFFICER]).get(reverse("api-match-candidates"))
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "Case supervisor" in detail
    assert TWO_FACTOR not in detail.lower()
    token = api_token_key(cast.a[Role.SHELTER_MANAGER])
    by_token = Client().get(reverse("api-match-candidates"), HTTP_AUTHORIZATION=f"Token {token}")
    assert by_token.status_code == 403 and TWO_FACTOR not in by_token.json()["detail"].lower()


def test_a_session_waiting_for_two_factor_is_told_two_factor(cast):
    client = Client()
    client.force_login(cast.a[Role.CASE_SUPERVISOR])  # TOTP not passed
    response = client.get(reverse("api-match-candidates"))
    assert response.status_code == 403
    assert response.json()["detail"] == str(TWO_FACTOR_PENDING)


def test_an_inactive_organisation_is_told_so(cast):
    client = verified_client(cast.a[Role.CASE_SUPERVISOR])
    cast.org_a.is_active = False
    cast.org_a.save()
    response = client.get(reverse("api-match-candidates"))
    assert response.status_code == 403
    assert "organisation is not active" in response.json()["detail"]


def test_the_refusal_is_in_the_users_language(cast):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    with translation.override("km"):
        role_km = str(Role.CASE_SUPERVISOR.label)
    response = client.get(reverse("api-match-candidates"), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 403
    assert role_km in response.json()["detail"]
    page = client.get(reverse("matching:queue"), HTTP_ACCEPT_LANGUAGE="km")
    assert page.status_code == 403 and role_km in page.content.decode()


def test_a_refusal_does_not_name_the_record(cast):
    # Another organisation's record answers 404 before any refusal could describe it.
    from ctip.people.services import person_create

    person = person_create(actor=cast.b[Role.CASE_WORKER], given_name="Sreyneang", sex="f")
    response = verified_client(cast.a[Role.CASE_WORKER]).get(
        reverse("people:detail", args=[person.uuid])
    )
    assert response.status_code == 404 and "Sreyneang" not in response.content.decode()
