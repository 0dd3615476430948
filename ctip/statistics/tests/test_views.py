"""Statistics pages and API: who is refused, that no person reaches them, downloads, queries."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client

from .conftest import YEAR, make_person

PAGES = [
    reverse("statistics:dashboard"),
    reverse("statistics:definitions"),
    reverse("statistics:indicator", args=["cases_opened"]),
    reverse("statistics:annual"),
    reverse("statistics:annual_xlsx"),
    reverse("statistics:annual_pdf"),
]
APIS = [
    reverse("api-statistics-indicators"),
    reverse("api-statistics-indicator", args=["cases_opened"]) + f"?year={YEAR}",
]


@pytest.fixture
def survivors(world):
    """Nine cases in Banteay Meanchey and three in Phnom Penh; names that must never show."""
    from ctip.cases.models import Case

    cast = world.cast
    for i, village in enumerate(["01"] * 9 + ["12"] * 3):
        person = make_person(world, sex="f", age=14, village=village)
        person.given_name = f"Sreymom{i}"
        person.save()
        Case.objects.create(
            organisation=cast.org_a,
            number=f"BMC-{YEAR}-{i:04d}",
            person=person,
            opened_on=date(YEAR, 3, 1),
            case_worker=cast.a[Role.CASE_WORKER],
        )
    return world


def test_every_other_role_is_refused_every_statistics_page_and_api(cast):
    others = [u for u in cast.everyone() if Role.STATISTICS_OFFICER not in u.roles]
    for url in PAGES:
        assert_refused(url, others, expect=403)
        assert_refused(url, [None])
    for url in APIS:
        for user in others:
            assert verified_client(user).get(url).status_code == 403
        assert verified_client(None).get(url).status_code in (401, 403)


def test_the_statistics_officer_sees_aggregates_and_never_a_person(survivors, statistician):
    client = verified_client(statistician)
    year = f"?year={YEAR}"
    pages = [
        reverse("statistics:dashboard") + year + "&map=cases_opened",
        reverse("statistics:indicator", args=["cases_opened"]) + year + "&by=province",
        reverse("statistics:indicator", args=["cases_opened"]) + year + "&by=sex&f_province=01",
        reverse("statistics:annual") + year,
        reverse("statistics:definitions"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Sreymom" not in html and "BMC-" not in html
        for person in survivors.people:
            assert str(person.uuid) not in html
    html = client.get(pages[1]).content.decode()
    assert "&lt;5" in html  # Phnom Penh's three cases
    assert "<svg" in html and "data-iso=" in html  # the map, drawn on the server
    api = client.get(APIS[1] + "&by=province").json()
    assert "Sreymom" not in str(api)
    values = {row["key"]: row["value"] for row in api["rows"]}
    assert values["12"] == "<5"
    assert values["01"] == "x"  # secondary: else 12 − 9 would give Phnom Penh away
    assert api["total"] == 12


def test_unknown_indicator_answers_404(statistician):
    client = verified_client(statistician)
    assert client.get(reverse("statistics:indicator", args=["nope"])).status_code == 404
    assert (
        client.get(reverse("api-statistics-indicator", args=["nope"]) + "?year=2025").status_code
        == 404
    )


def test_the_api_refuses_a_dimension_the_indicator_lacks(statistician):
    url = reverse("api-statistics-indicator", args=["reports_received"]) + "?year=2025&by=sex"
    assert verified_client(statistician).get(url).status_code == 400


def test_drilling_into_a_hidden_cell_shows_nothing(survivors, statistician):
    url = reverse("statistics:indicator", args=["cases_opened"])
    html = verified_client(statistician).get(f"{url}?year={YEAR}&by=sex&f_province=12").content
    assert b"stat-withheld" in html


def test_the_annual_report_downloads_as_xlsx_and_pdf_and_is_audited(survivors, statistician):
    from openpyxl import load_workbook

    client = verified_client(statistician)
    response = client.get(reverse("statistics:annual_xlsx") + f"?year={YEAR}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "About" in book.sheetnames and "T10" in book.sheetnames
    # Table 10: cases opened by sex and age: 12 girls, all children, no small cell.
    sheet = book["T10"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert any(row[0] == "Female" and 12 in row for row in values)
    pdf = client.get(reverse("statistics:annual_pdf") + f"?year={YEAR}&lang=km")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action=AuditAction.STATISTICS_EXPORTED)
    assert events.count() == 2
    assert {e.changes["format"] for e in events} == {"xlsx", "pdf"}


def test_xlsx_exports_hide_small_cells(survivors, statistician):
    from openpyxl import load_workbook

    from ctip.cases.models import Case

    for i in range(2):  # two boys: a small cell in table 10 (cases by sex and age)
        Case.objects.create(
            organisation=survivors.cast.org_b,
            number=f"BOY-{i}",
            person=make_person(survivors, sex="m", age=13, village="17"),
            opened_on=date(YEAR, 5, 1),
            case_worker=survivors.cast.b[Role.CASE_WORKER],
        )
    client = verified_client(statistician)
    response = client.get(reverse("statistics:annual_xlsx") + f"?year={YEAR}")
    book = load_workbook(io.BytesIO(response.content))
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    # No published number is between 1 and 4, anywhere in the workbook.
    assert not [v for v in values if isinstance(v, int) and 0 < v < 5]
    table_10 = [[c.value for c in row] for row in book["T10"].iter_rows(min_row=4)]
    male = next(row for row in table_10 if row[0] == "Male")
    assert "<5" in male
    assert all("Sreymom" not in str(v) for v in values)


def test_the_dashboard_query_count_is_pinned_and_does_not_grow(
    survivors, statistician, django_assert_max_num_queries
):
    client = verified_client(statistician)
    url = reverse("statistics:dashboard") + f"?year={YEAR}"
    client.get(url)
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    make_more = survivors
    from ctip.cases.models import Case

    for i in range(10):
        Case.objects.create(
            organisation=make_more.cast.org_b,
            number=f"MORE-{i}",
            person=make_person(make_more, sex="m", age=30, village="17"),
            opened_on=date(YEAR, 4, 1),
            case_worker=make_more.cast.b[Role.CASE_WORKER],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_an_indicator_page_has_a_fixed_number_of_queries(
    survivors, statistician, django_assert_num_queries
):
    from ctip.cases.models import Case

    client = verified_client(statistician)
    url = reverse("statistics:indicator", args=["cases_opened"]) + f"?year={YEAR}&by=province"
    client.get(url)
    # By province: three more than by sex (the provinces, their names, their ISO codes).
    with django_assert_num_queries(13):
        client.get(url)
    for i in range(10):
        Case.objects.create(
            organisation=survivors.cast.org_b,
            number=f"MORE-{i}",
            person=make_person(survivors, sex="m", age=30, village="17"),
            opened_on=date(YEAR, 4, 1),
            case_worker=survivors.cast.b[Role.CASE_WORKER],
        )
    with django_assert_num_queries(13):
        client.get(url)
    with django_assert_num_queries(10):
        client.get(url.replace("by=province", "by=sex"))


def test_the_statistics_widget_shows_on_the_home_page(survivors, statistician):
    html = verified_client(statistician).get(reverse("core:home")).content.decode()
    assert 'id="statistics-widget"' in html


def test_the_annual_report_command_writes_a_workbook_as_a_statistics_officer(
    survivors, statistician, tmp_path
):
    from django.core.management import CommandError, call_command

    out = tmp_path / "report.xlsx"
    call_command(
        "annual_report", year=YEAR, email=statistician.email, format="xlsx", output=str(out)
    )
    assert out.read_bytes().startswith(b"PK")
    assert AuditEvent.objects.filter(action=AuditAction.STATISTICS_EXPORTED).count() == 1
    caseworker = survivors.cast.a[Role.CASE_WORKER]
    with pytest.raises(CommandError):
        call_command("annual_report", year=YEAR, email=caseworker.email, output=str(out))


def test_the_figures_api_has_a_fixed_number_of_queries(
    survivors, statistician, django_assert_num_queries
):
    from ctip.cases.models import Case

    client = verified_client(statistician)
    url = APIS[1] + "&by=sex"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for i in range(5):
        Case.objects.create(
            organisation=survivors.cast.org_b,
            number=f"API-{i}",
            person=make_person(survivors, sex="m", age=30, village="17"),
            opened_on=date(YEAR, 4, 1),
            case_worker=survivors.cast.b[Role.CASE_WORKER],
        )
    with django_assert_num_queries(before):
        response = client.get(url)
    assert response.json()["total"] == 17
