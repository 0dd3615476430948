"""HTCDS import pages and the exchange API: who may, who may not, progress, errors, schema."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.exchange.importer import batch_create
from ctip.exchange.models import ImportBatch, ImportStatus
from ctip.exchange.tests.test_import import _csv, _good, countries  # noqa: F401 (fixture)
from ctip.people.models import Person

IMPORT = "/exchange/import/"


def _upload(client, content: bytes, name: str = "cases.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def sup(cast):
    return cast.a[Role.CASE_SUPERVISOR]


def _bad_rows() -> bytes:
    rows = _good(3)
    rows[2][2] = "31/02/2009"
    return _csv(rows)


def test_an_upload_is_imported_by_polling_its_page_and_shows_its_errors(sup, monkeypatch):
    from ctip.exchange import import_views

    monkeypatch.setattr(import_views, "CHUNK_SECONDS", 60.0)  # one poll, however slow the host
    client = verified_client(sup)
    response = _upload(client, _bad_rows())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.uuid}/")

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'hx-post="' in page.content and b"advance/" in page.content

    advance = reverse("exchange:import_advance", args=[batch.uuid])
    polled = client.post(advance, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert polled["HX-Refresh"] == "true"
    assert b"3 of 3 rows done" in polled.content
    assert b"hx-post" not in polled.content  # polling stops

    page = client.get(response["Location"])
    assert b"import-issues" in page.content and b"prs_Birthdate" in page.content
    download = client.get(reverse("exchange:import_errors", args=[batch.uuid]))
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[1][:3] == ["4", "prs_Birthdate", "error"]
    assert Person.objects.count() == 2


def test_a_batch_left_running_is_resumed_from_its_page_without_javascript(sup):
    batch, _created = batch_create(actor=sup, file_name="f.csv", content=_csv(_good(2)))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    client = verified_client(sup)
    response = client.post(reverse("exchange:import_advance", args=[batch.uuid]))
    assert response.status_code == 302
    assert ImportBatch.objects.get().status == ImportStatus.DONE


def test_an_upload_that_is_not_csv_or_xlsx_by_content_is_refused(sup):
    client = verified_client(sup)
    response = _upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "cases.csv")
    assert response.status_code == 200
    assert "CSV (UTF-8) or XLSX" in response.content.decode()
    response = _upload(client, b"name,age\nSok,12\n")
    assert "No HTCDS 2.0 column" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_same_file_uploaded_again_opens_its_batch(sup):
    client = verified_client(sup)
    first = _upload(client, _csv(_good(1)))
    again = _upload(client, _csv(_good(1)), "renamed.csv")
    assert first["Location"] == again["Location"]
    assert ImportBatch.objects.count() == 1


def test_import_pages_are_refused_to_those_without_exchange_import(cast):
    without = [u for r, u in cast.a.items() if r != Role.CASE_SUPERVISOR]
    assert_refused(IMPORT, [*without, None])
    assert_refused(IMPORT, without, expect=403)


def test_another_organisations_batch_answers_404(cast, sup):
    batch, _created = batch_create(actor=sup, file_name="f.csv", content=_csv(_good(1)))
    other = [cast.b[Role.CASE_SUPERVISOR]]
    for name in ("exchange:import_batch", "exchange:import_errors"):
        assert_refused(reverse(name, args=[batch.uuid]), other, expect=404)
    advance = reverse("exchange:import_advance", args=[batch.uuid])
    assert_refused(advance, other, method="post", expect=404)
    assert_refused(f"/api/v1/exchange/imports/{batch.uuid}/", other, expect=404)
    assert ImportBatch.objects.get().rows_done == 0


def test_the_export_page_links_to_the_import(cast, sup):
    assert b'id="htcds-import"' in verified_client(sup).get("/exchange/htcds/").content


def test_the_import_list_takes_a_fixed_number_of_queries(sup, django_assert_num_queries):
    client = verified_client(sup)
    client.get(IMPORT)  # warm the session and caches
    batch_create(actor=sup, file_name="1.csv", content=_csv(_good(1)))
    with django_assert_num_queries(9) as first:
        client.get(IMPORT)
    for n in (2, 3, 4):
        batch_create(actor=sup, file_name=f"{n}.csv", content=_csv(_good(n)))
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(IMPORT)
    assert response.content.count(b"/exchange/import/") >= 4


# --- API ----------------------------------------------------------------------------------------

HTCDS_API = "/api/v1/exchange/htcds/"
IMPORTS_API = "/api/v1/exchange/imports/"


def _consented_case(cast):
    from ctip.exchange.tests.test_htcds import _case

    return _case(cast, "a", "A-1", consent="sharing", name="Sokha")


def test_the_htcds_api_returns_the_download_as_json_or_csv_and_is_audited(cast, sup):
    _consented_case(cast)
    client = verified_client(sup)
    data = client.get(HTCDS_API + "?format=json").json()
    assert data["standard"] == "HTCDS 2.0"
    assert [r["prs_FirstName"] for r in data["records"]] == ["Sokha"]
    page = client.get("/exchange/htcds/export.json").json()
    assert data["records"] == page["records"]

    response = client.get(HTCDS_API + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == client.get("/exchange/htcds/export.csv").content.decode()
    api_events = AuditEvent.objects.filter(
        action=AuditAction.HTCDS_EXPORTED, changes__via="api"
    ).values_list("target_id", flat=True)
    assert sorted(api_events) == ["csv", "json"]
    assert client.get(HTCDS_API + "?format=xml").status_code == 404


def test_the_htcds_api_is_refused_to_those_without_exchange_export(cast):
    without = [u for r, u in cast.a.items() if r != Role.CASE_SUPERVISOR]
    assert_refused(HTCDS_API, without, expect=403)
    assert verified_client(None).get(HTCDS_API).status_code in (401, 403)


def test_an_import_is_uploaded_and_followed_over_the_api(cast, sup):
    client = verified_client(sup)
    response = client.post(IMPORTS_API, {"file": SimpleUploadedFile("f.csv", _bad_rows())})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["rows_imported"], body["rows_failed"]) == ("done", 2, 1)
    assert body["issues"] == [
        {
            "row": 4,
            "column": "prs_Birthdate",
            "level": "error",
            "message": body["issues"][0]["message"],
        }
    ]
    again = client.post(IMPORTS_API, {"file": SimpleUploadedFile("g.csv", _bad_rows())})
    assert again.status_code == 200 and again.json()["uuid"] == body["uuid"]
    detail = client.get(f"{IMPORTS_API}{body['uuid']}/").json()
    assert detail["rows_done"] == 3
    advanced = client.post(f"{IMPORTS_API}{body['uuid']}/advance/")
    assert advanced.status_code == 200 and advanced.json()["status"] == "done"
    assert Person.objects.count() == 2

    bad = client.post(IMPORTS_API, {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400 and "file" in bad.json()


def test_the_imports_api_is_refused_to_those_without_exchange_import(cast):
    without = [u for r, u in cast.a.items() if r != Role.CASE_SUPERVISOR]
    assert_refused(IMPORTS_API, without, expect=403)
    upload = {"file": SimpleUploadedFile("f.csv", _csv(_good(1)))}
    response = verified_client(cast.a[Role.CASE_WORKER]).post(IMPORTS_API, upload)
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_imports_api_list_takes_a_fixed_number_of_queries(sup, django_assert_num_queries):
    client = verified_client(sup)
    batch_create(actor=sup, file_name="1.csv", content=_csv(_good(1)))
    client.get(IMPORTS_API)
    with django_assert_num_queries(10) as first:
        client.get(IMPORTS_API)
    for n in (2, 3):
        batch_create(actor=sup, file_name=f"{n}.csv", content=_csv(_good(n)))
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(IMPORTS_API).json()["count"] == 3


def test_the_openapi_schema_documents_the_exchange_endpoints():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    patterns = [path("api/v1/", include("ctip.exchange.api_urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    export = paths["/api/v1/exchange/htcds/"]["get"]
    assert "format" in {p["name"] for p in export["parameters"]}
    assert {"application/json", "text/csv"} <= set(export["responses"]["200"]["content"])
    assert "post" in paths["/api/v1/exchange/imports/"]
    assert (
        "multipart/form-data"
        in paths["/api/v1/exchange/imports/"]["post"]["requestBody"]["content"]
    )
    assert "get" in paths["/api/v1/exchange/imports/{batch_uuid}/"]
    assert "post" in paths["/api/v1/exchange/imports/{batch_uuid}/advance/"]
