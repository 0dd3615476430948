"""The page comparing national figures with UNODC's: figures, suppression, refusal, queries."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from ctip.access.policy import can
from ctip.accounts.roles import Perm, Role
from ctip.core.testing import assert_refused, verified_client
from ctip.exchange import reference as ref

URL = reverse("exchange:compare")
# A constant: the UNODC side is a few grouped queries, the national side a fixed few a year.
EXPECTED_QUERIES = 22
HEADER = ref.UNODC_HEADER


def _row(iso3, country, subregion, indicator, year, value, *, dimension="Total", category="Total"):
    region = "Asia" if subregion.endswith("Asia") else "Europe"
    return (iso3, country, region, subregion, indicator, dimension, category, "Total", "Total",
            year, "Counts", value, "GLOTIP")  # fmt: skip


def _glotip(tmp_path: Path, rows: list[tuple], name: str = "glotip.xlsx") -> Path:
    """A small workbook laid out like data_glotip.xlsx (two title rows, then the header)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["UNODC"])
    sheet.append(["30/05/2023"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / name
    workbook.save(path)
    return path


CONVICTED = "Persons convicted"
VICTIMS = "Detected trafficking victims"
BASE_ROWS = [
    _row("KHM", "Cambodia", "South-eastern Asia", CONVICTED, 2017, "129"),
    _row("THA", "Thailand", "South-eastern Asia", CONVICTED, 2017, "1,282"),
    _row("LAO", "Lao People's Democratic Republic", "South-eastern Asia", CONVICTED, 2017, "<5"),
    _row("DEU", "Germany", "Western Europe", CONVICTED, 2017, "2,000"),
    # A UNODC area aggregate (no country): must not be added to the world's sum.
    ("CAR", None, None, None, CONVICTED, "Total", "Total", "Total", "Total", 2017, "Counts", "77",
     "GLOTIP"),
    _row("KHM", "Cambodia", "South-eastern Asia", VICTIMS, 2017, "12",
         dimension="by form of exploitation", category="Forced labour"),
    _row("KHM", "Cambodia", "South-eastern Asia", VICTIMS, 2017, "<5",
         dimension="by form of exploitation", category="Sexual exploitation"),
    _row("MYS", "Malaysia", "South-eastern Asia", VICTIMS, 2017, "44",
         dimension="by citizenship", category="Cambodia"),
]  # fmt: skip


@pytest.fixture
def glotip(db, tmp_path):
    return ref.import_unodc(path=_glotip(tmp_path, BASE_ROWS))


def _cells(html: str, year: int) -> str:
    start = html.index(f'<th scope="row">{year}</th>')
    return html[start : html.index("</tr>", start)]


def test_an_officer_sees_cambodia_the_subregion_and_the_world_side_by_side(cast, glotip):
    officer = cast.a[Role.STATISTICS_OFFICER]
    response = verified_client(officer).get(URL, {"measure": "convicted", "first": 2014})
    assert response.status_code == 200
    row = _cells(response.content.decode(), 2017)
    assert "129" in row  # Cambodia, as published
    # South-eastern Asia: 129 + 1,282, with Lao's '<5' counted apart, not as zero.
    assert "1,411" in row and "1 figure &lt;5" in row and "3 countries" in row
    # The world adds Germany; UNODC's area aggregates (no country) are not double counted.
    assert "3,411" in row and "4 countries" in row and "3,488" not in row


def test_cambodia_without_a_total_shows_its_parts_and_cambodians_detected_abroad(cast, glotip):
    officer = cast.a[Role.STATISTICS_OFFICER]
    response = verified_client(officer).get(URL, {"measure": "victims", "first": 2014})
    row = _cells(response.content.decode(), 2017)
    assert "Forced labour: 12" in row and "Sexual exploitation: &lt;5" in row
    assert "44" in row  # Cambodian citizens detected in Malaysia


def test_a_page_without_an_import_says_so_and_still_shows_national_figures(cast):
    officer = cast.a[Role.STATISTICS_OFFICER]
    response = verified_client(officer).get(URL)
    assert response.status_code == 200
    assert "import_unodc" in response.content.decode()


def test_an_unknown_measure_or_year_falls_back_to_the_defaults(cast, glotip):
    officer = cast.a[Role.STATISTICS_OFFICER]
    response = verified_client(officer).get(URL, {"measure": "nope", "first": "x"})
    assert response.status_code == 200
    assert response.context["chosen"].key == "victims"
    assert response.context["years"][-1] == timezone.localdate().year


def test_years_are_clamped_to_what_glotip_and_the_calendar_allow():
    today = date(2026, 6, 1)
    assert ref.years_from(None, today=today) == list(range(2019, 2027))
    assert ref.years_from("1990", today=today)[0] == 2003
    assert ref.years_from("2030", today=today)[-1] == 2026
    assert len(ref.years_from("2010", today=today)) == ref.SPAN


def test_roles_without_statistics_view_are_refused_and_anonymous_is_sent_to_sign_in(cast, glotip):
    others = [u for u in cast.everyone() if not can(u, Perm.STATISTICS_VIEW)]
    assert others
    assert_refused(URL, others, expect=403)
    assert_refused(URL, [None])


def test_the_page_query_count_does_not_grow_with_the_reference_rows(
    cast, tmp_path, django_assert_num_queries
):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    ref.import_unodc(path=_glotip(tmp_path, BASE_ROWS, "a.xlsx"))
    client.get(URL, {"measure": "convicted"})  # the session and permissions, once
    with django_assert_num_queries(EXPECTED_QUERIES):
        client.get(URL, {"measure": "convicted"})
    more = BASE_ROWS + [
        _row(f"X{i:02d}", f"Country {i}", "South-eastern Asia", CONVICTED, year, str(i + 5))
        for i in range(40)
        for year in (2019, 2020, 2021)
    ]
    ref.import_unodc(path=_glotip(tmp_path, more, "b.xlsx"))
    with django_assert_num_queries(EXPECTED_QUERIES):
        client.get(URL, {"measure": "convicted"})


def test_a_sum_made_only_of_suppressed_figures_is_not_shown_as_zero(cast, tmp_path):
    rows = [_row("LAO", "Lao People's Democratic Republic", "South-eastern Asia", CONVICTED, 2018,
                 "<5")]  # fmt: skip
    ref.import_unodc(path=_glotip(tmp_path, rows))
    officer = cast.a[Role.STATISTICS_OFFICER]
    response = verified_client(officer).get(URL, {"measure": "convicted", "first": 2014})
    row = _cells(response.content.decode(), 2018)
    unodc = row.split("</td>")[3:]  # after the year, the national figure, Cambodia, abroad
    assert all('<span class="muted">1 figure &lt;5</span>' in cell for cell in unodc[:2])
    assert "+ 1" not in row


# --- National figures beside CTDC's -----------------------------------------------------------

CTDC_URL = URL + "?source=ctdc"


def _ctdc(tmp_path: Path, rows: list[dict], name: str = "ctdc.csv") -> Path:
    """A small CSV laid out like VPsynthetic_condensed.csv (blank = missing)."""
    import csv

    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(ref.CTDC_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({col: row.get(col, "") for col in ref.CTDC_COLUMNS})
    return path


def _victim(gender, majority, region, *, sexual=False, labour=False) -> dict:
    return {
        "gender": gender,
        "majorityStatus": majority,
        "UN_COE_Region": region,
        "isSexualExploit": "1" if sexual else "",
        "isForcedLabour": "1" if labour else "",
    }


CTDC_ROWS = [
    _victim("Female", "Minor", "Asia", sexual=True),
    _victim("Female", "Adult", "Asia", labour=True),
    _victim("Male", "Adult", "Asia", labour=True),
    _victim("", "", "Asia"),  # nothing known: left out of every share
    _victim("Male", "Adult", "Europe", labour=True, sexual=True),
]


@pytest.fixture
def ctdc(db, tmp_path):
    return ref.import_ctdc(path=_ctdc(tmp_path, CTDC_ROWS), version="test")


@pytest.fixture
def national(cast):
    """Cases opened in 2024 by organisation A: six girls sexually exploited, one of whom was
    also in forced labour, and one boy whose form is not recorded yet."""
    from ctip.cases import services as cases
    from ctip.people import services as people

    worker = cast.a[Role.CASE_WORKER]
    for i, (sex, forms) in enumerate(
        [("f", ["SexualExploitation"])] * 5
        + [("f", ["SexualExploitation", "ForcedLabour"]), ("m", [])]
    ):
        person = people.person_create(
            actor=worker,
            given_name=f"Sreypov{i}",
            family_name="Test",
            sex=sex,
            date_of_birth=date(2010, 1, 1),
        )
        case = cases.case_open(actor=worker, person=person, opened_on=date(2024, 3, 1))
        cases.case_update(
            actor=worker, case=case, expected_version=case.version, exploitation_types=forms
        )


def _line(result, section: int, row: int):
    return result.sections[section].lines[row]


def test_ctdc_figures_sit_beside_national_ones_with_shares_of_the_known(
    cast, ctdc, national, settings
):
    settings.CTIP_SMALL_CELL_THRESHOLD = 1
    result = ref.ctdc_comparison(cast.a[Role.STATISTICS_OFFICER], year=2024, region="Asia")
    female = _line(result, 0, 0)
    assert (female.national.value, female.region, female.world) == (6, 2, 2)
    assert female.national_share == Decimal("85.7")  # 6 of 7 cases
    assert female.region_share == Decimal("66.7")  # 2 of the 3 in Asia whose sex is known
    assert female.world_share == Decimal("50.0")
    child = _line(result, 1, 0)
    assert (child.national.value, child.region, child.world) == (7, 1, 1)
    sexual, labour = _line(result, 2, 0), _line(result, 2, 1)
    assert (sexual.national.value, labour.national.value) == (6, 1)
    assert sexual.national_share == Decimal("100.0")  # of the 6 cases with a form recorded
    assert (labour.region, labour.world, sexual.world) == (2, 3, 2)
    assert labour.world_share == Decimal("75.0")  # 3 of the 4 records with a form


def test_small_national_figures_hide_their_shares_but_not_ctdcs(cast, ctdc, national):
    result = ref.ctdc_comparison(cast.a[Role.STATISTICS_OFFICER], year=2024, region="Europe")
    male = _line(result, 0, 1)
    assert not male.national.shown  # one boy: under the threshold of 5
    assert male.national_share is None
    assert _line(result, 0, 0).national_share is None  # would give the hidden figure away
    assert (male.region, male.region_share) == (1, Decimal("100.0"))


def test_the_ctdc_page_shows_figures_and_never_a_person(cast, ctdc, national):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    page = client.get(URL, {"source": "ctdc", "year": 2024, "region": "Asia"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="ctdc-1"' in html and "CTDC: exploited in Asia" in html
    assert "&lt;5" in html  # the boy is a small cell
    assert "Sreypov" not in html
    assert "ctdc-missing" not in html
    unodc = client.get(URL)
    assert "?source=ctdc" in unodc.content.decode()


def test_the_ctdc_page_without_an_import_says_how_to_load_it(cast):
    page = verified_client(cast.a[Role.STATISTICS_OFFICER]).get(CTDC_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="ctdc-missing"' in html and "import_ctdc" in html
    assert page.context["result"].region == "Asia"


def test_an_unknown_region_or_year_on_the_ctdc_page_falls_back(cast, ctdc):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    page = client.get(URL, {"source": "ctdc", "region": "Atlantis", "year": "soon"})
    assert page.context["result"].region == "Asia"
    assert page.context["result"].year == timezone.localdate().year


def test_the_ctdc_page_is_refused_to_roles_without_statistics_view(cast, ctdc):
    others = [u for u in cast.everyone() if not can(u, Perm.STATISTICS_VIEW)]
    assert_refused(CTDC_URL, others, expect=403)
    assert_refused(CTDC_URL, [None])


def test_the_ctdc_page_query_count_does_not_grow_with_the_records(
    cast, tmp_path, django_assert_num_queries
):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    ref.import_ctdc(path=_ctdc(tmp_path, CTDC_ROWS, "a.csv"), version="a")
    client.get(CTDC_URL)  # the session and permissions, once
    with django_assert_num_queries(CTDC_QUERIES):
        client.get(CTDC_URL)
    ref.import_ctdc(path=_ctdc(tmp_path, CTDC_ROWS * 60, "b.csv"), version="b")
    with django_assert_num_queries(CTDC_QUERIES):
        client.get(CTDC_URL)


CTDC_QUERIES = 15  # constant: 5 for the session, 1 + 1 for CTDC, 6 national, 2 saving
