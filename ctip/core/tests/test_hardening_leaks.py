"""Leak check: a canary survivor (unique name, phone, notes) seeded through the services never
shows in logs, URLs, redirects or error pages, whoever asks and however it fails; no signed-in
response may be cached; the audit log never holds the canary's sensitive values."""

import logging
import re
from unittest import mock
from urllib.parse import quote, quote_plus

import pytest
from django.test import Client

from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.cases.services import case_open
from ctip.core.testing import api_token_key, verified_client
from ctip.people.services import person_create, person_update

pytestmark = pytest.mark.django_db

NAME = "Canaryvathana"
FAMILY = "Zqxolotl"
PHONE = "+855 97 314 1592"
NOTES = "Canary-protection-note: hides at the pagoda on Tuesdays"
ALIAS = "Canaryalias"
SECRETS = (NAME, FAMILY, PHONE, "3141592", NOTES, "pagoda", ALIAS)
SENSITIVE = (PHONE, "3141592", NOTES, "pagoda", ALIAS)  # confidential or restricted fields
URL_ATTRIBUTES = re.compile(
    r'(?:href|src|action|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete|data-url)="([^"]*)"'
)


def _forms(value: str) -> set[str]:
    """The ways a value can appear in a URL or header."""
    return {value, value.lower(), quote(value), quote_plus(value), value.replace(" ", "")}


@pytest.fixture
def canary(cast):
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(
        actor=worker, given_name=NAME, family_name=FAMILY, phone=PHONE, estimated_age=16
    )
    person = person_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        person=person,
        expected_version=person.version,
        protection_notes=NOTES,
        aliases=ALIAS,
    )
    case = case_open(actor=worker, person=person)
    return person, case


class Inspector:
    """Checks every response it is given; collects what it finds."""

    def __init__(self) -> None:
        self.seen = 0
        self.problems: list[str] = []

    def check(self, response, *, who: str, signed_in: bool, may_show: bool) -> None:
        """`may_show`: the page is the record itself, shown to someone allowed to see it."""
        self.seen += 1
        where = f"{who} {response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
        for header, value in response.items():
            for secret in SECRETS:
                if any(form in value for form in _forms(secret)):
                    self.problems.append(f"{where}: {secret!r} in header {header}")
        body = response.content.decode(errors="replace") if not response.streaming else ""
        for url in URL_ATTRIBUTES.findall(body):
            for secret in SECRETS:
                if any(form in url for form in _forms(secret)):
                    self.problems.append(f"{where}: {secret!r} in a link {url[:80]}")
        if not may_show or response.status_code >= 400:
            for secret in SECRETS:
                if secret in body:
                    self.problems.append(f"{where} ({response.status_code}): shows {secret!r}")
        if signed_in:
            cache = response.get("Cache-Control", "")
            if "no-store" not in cache:
                self.problems.append(f"{where}: cacheable ({cache or 'no Cache-Control'})")


def test_the_canary_never_leaks_through_pages_api_errors_logs_or_caches(cast, canary, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    person, case = canary
    inspector = Inspector()
    pages = {
        "list": "/people/",
        "detail": f"/people/{person.uuid}/",
        "edit": f"/people/{person.uuid}/edit/",
        "documents": f"/people/{person.uuid}/documents/",
        "cases": "/cases/",
        "case": f"/cases/{case.uuid}/",
        "case profile": f"/cases/{case.uuid}/profile/",
        "home": "/",
        "audit": "/audit/",
        "missing": "/people/00000000-0000-0000-0000-000000000000/",
        "nowhere": "/no-such-page/",
    }
    apis = {
        "api list": "/api/v1/people/",
        "api detail": f"/api/v1/people/{person.uuid}/",
        "api case": f"/api/v1/cases/{case.uuid}/",
        "api missing": "/api/v1/people/00000000-0000-0000-0000-000000000000/",
    }
    readers = {
        "owner's case worker": cast.a[Role.CASE_WORKER],
        "owner's supervisor": cast.a[Role.CASE_SUPERVISOR],
        "owner's hotline operator": cast.a[Role.HOTLINE_OPERATOR],
        "owner's statistics officer": cast.a[Role.STATISTICS_OFFICER],
        "other organisation's case worker": cast.b[Role.CASE_WORKER],
        "other organisation's supervisor": cast.b[Role.CASE_SUPERVISOR],
    }
    for who, user in readers.items():
        owner = user.organisation_id == person.organisation_id
        client = verified_client(user)
        for url in pages.values():
            response = client.get(url)
            inspector.check(response, who=who, signed_in=True, may_show=owner)
        token = api_token_key(user)
        api = Client(HTTP_AUTHORIZATION=f"Token {token}")
        for url in apis.values():
            inspector.check(api.get(url), who=who, signed_in=True, may_show=owner)
    anonymous = Client()
    for url in [*pages.values(), *apis.values()]:
        inspector.check(anonymous.get(url), who="anonymous", signed_in=False, may_show=False)

    # Writes that fail validation, a stale version, and writes that succeed and redirect.
    worker = cast.a[Role.CASE_WORKER]
    client = verified_client(worker)
    bad = client.post(pages["edit"], {"version": person.version, "estimated_age": "999"})
    assert bad.status_code == 200 and "estimated_age" in bad.content.decode()
    inspector.check(bad, who="case worker", signed_in=True, may_show=True)
    stale = client.post(
        pages["edit"], {"version": 1, "given_name": NAME, "family_name": FAMILY, "sex": "f"}
    )
    inspector.check(stale, who="case worker", signed_in=True, may_show=True)
    good = client.post(
        pages["edit"],
        {
            "version": person.version,
            "given_name": NAME,
            "family_name": FAMILY,
            "sex": "f",
            "phone": PHONE,
            "estimated_age": "17",
        },
    )
    assert good.status_code == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", good.content.decode())
    inspector.check(good, who="case worker", signed_in=True, may_show=False)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token_key(worker)}")
    for body in (
        {"version": 1, "given_name": NAME},  # stale: 409
        {"version": 99, "estimated_age": 500},  # invalid: 400
        {"given_name": NAME + "x" * 200},  # too long and no version: 400
    ):
        response = api.patch(apis["api detail"], body, content_type="application/json")
        assert response.status_code in (400, 409)
        inspector.check(response, who="api case worker", signed_in=True, may_show=False)
    response = api.post("/api/v1/people/", {"phone": PHONE}, content_type="application/json")
    assert response.status_code == 400  # no name given
    inspector.check(response, who="api case worker", signed_in=True, may_show=False)

    # The 500 page, with DEBUG off, after the record was loaded into the view.
    crashing = verified_client(worker)
    crashing.raise_request_exception = False
    with mock.patch("ctip.people.views.render", side_effect=RuntimeError("template exploded")):
        response = crashing.get(pages["detail"])
    assert response.status_code == 500
    inspector.check(response, who="case worker", signed_in=True, may_show=False)
    with mock.patch("ctip.people.api.PersonOutput.to_representation", side_effect=KeyError):
        response = Client(
            HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"], raise_request_exception=False
        ).get(apis["api detail"])
    assert response.status_code == 500
    inspector.check(response, who="api case worker", signed_in=True, may_show=False)

    assert inspector.seen > 100
    assert not inspector.problems, "\n".join(inspector.problems)
    assert "Internal Server Error" in caplog.text  # the logs were captured, errors included
    logged = caplog.text
    for secret in SECRETS:
        assert secret not in logged and secret.lower() not in logged.lower(), secret

    # The audit log names the sensitive fields that changed, never their values.
    stored = repr(list(AuditEvent.objects.values_list("target_id", "changes", "reason")))
    for secret in SENSITIVE:
        assert secret not in stored, secret


def test_a_page_seen_after_sign_out_is_not_in_the_browser_cache(cast, canary):
    person, _case = canary
    client = verified_client(cast.a[Role.CASE_WORKER])
    page = client.get(f"/people/{person.uuid}/")
    assert NAME in page.content.decode()
    cache = page["Cache-Control"]
    assert "no-store" in cache and "private" in cache and "max-age=0" in cache
    assert page.has_header("Expires")
    client.post("/accounts/logout/")
    again = client.get(f"/people/{person.uuid}/")
    assert again.status_code == 302 and NAME not in again.content.decode()
