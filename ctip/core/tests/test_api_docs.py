"""The OpenAPI schema and its browsable docs are served from this server, no CDN, and only to
verified users: the schema maps every endpoint and field of CTIP (docs/security.md)."""

import pytest
from django.test import Client

from ctip.accounts.roles import Role
from ctip.core.testing import api_token_key, verified_client

pytestmark = pytest.mark.django_db

SCHEMA_JSON = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}


def test_the_schema_describes_the_api(cast):
    response = verified_client(cast.a[Role.CASE_WORKER]).get("/api/schema/", **SCHEMA_JSON)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/people/", "/api/v1/people/{person_uuid}/", "/api/v1/audit-events/"):
        assert path in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_loads_its_assets_from_this_server(cast):
    body = verified_client(cast.a[Role.CASE_WORKER]).get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()


def test_anonymous_gets_neither_the_schema_nor_the_docs():
    schema = Client().get("/api/schema/", **SCHEMA_JSON)
    assert schema.status_code == 401
    assert b"/api/v1/people/" not in schema.content
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")


def test_a_session_still_waiting_for_two_factor_gets_neither(cast):
    client = Client()
    client.force_login(cast.a[Role.CASE_WORKER])  # signed in, TOTP not passed
    for url, headers in (("/api/schema/", SCHEMA_JSON), ("/api/docs/", {})):
        response = client.get(url, **headers)
        assert response.status_code == 403, url
        assert b"/api/v1/people/" not in response.content


def test_an_api_token_reads_the_schema(cast):
    token = api_token_key(cast.a[Role.CASE_WORKER])
    response = Client().get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}", **SCHEMA_JSON)
    assert response.status_code == 200 and "/api/v1/people/" in response.json()["paths"]
