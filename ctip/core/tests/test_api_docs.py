"""The OpenAPI schema and its browsable docs are served from this server, no CDN."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_describes_the_api():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/people/", "/api/v1/people/{person_uuid}/", "/api/v1/audit-events/"):
        assert path in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_loads_its_assets_from_this_server():
    body = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()
