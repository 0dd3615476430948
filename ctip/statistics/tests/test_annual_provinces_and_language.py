"""Issue 17, story 10: the annual report names provinces, speaks the user's language, and its
charts keep their numbers readable by the browser whatever the locale's separators."""

import io
import re
from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client

from .conftest import YEAR, make_person

PROVINCE_TABLE = "Victims referred to protection services, by province of origin and sex"
FIRST_TABLE = "Investigations opened, by form of trafficking"
# Attributes of SVG elements that hold numbers (and `points`, `viewBox`: lists of numbers).
NUMBER_ATTRS = re.compile(
    r'\s(x|y|x1|x2|y1|y2|cx|cy|r|width|height|dy|font-size|points|viewBox)="([^"]*)"'
)
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture
def survivors(world):
    """Nine cases in Banteay Meanchey, six in Phnom Penh: no small cell."""
    from ctip.cases.models import Case

    for i, village in enumerate(["01"] * 9 + ["12"] * 6):
        Case.objects.create(
            organisation=world.cast.org_a,
            number=f"PRV-{YEAR}-{i:04d}",
            person=make_person(world, sex="f", age=14, village=village),
            opened_on=date(YEAR, 3, 1),
            case_worker=world.cast.a[Role.CASE_WORKER],
        )
    return world


def _workbook(client, **params):
    from openpyxl import load_workbook

    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
    response = client.get(reverse("statistics:annual_xlsx") + "?" + query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _sheet_titled(book, title: str):
    for sheet in book:
        if title in str(sheet["A1"].value or ""):
            return sheet
    raise AssertionError(f"no sheet titled {title!r}: {[s['A1'].value for s in book]}")


def test_the_annual_report_counts_cases_by_province_under_real_names(survivors, statistician):
    book = _workbook(verified_client(statistician))
    sheet = _sheet_titled(book, PROVINCE_TABLE)
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rows["Banteay Meanchey"][-1] == 9  # the row total: nine girls
    assert rows["Phnom Penh"][-1] == 6
    assert "Siem Reap" in rows  # every province is listed, zeros too
    assert "Unknown" not in rows


def test_a_case_without_a_home_village_is_the_only_unknown_province(survivors, statistician):
    from ctip.cases.models import Case

    for i in range(5):
        Case.objects.create(
            organisation=survivors.cast.org_a,
            number=f"NOV-{YEAR}-{i:04d}",
            person=make_person(survivors, sex="m", age=15),
            opened_on=date(YEAR, 4, 1),
            case_worker=survivors.cast.a[Role.CASE_WORKER],
        )
    sheet = _sheet_titled(_workbook(verified_client(statistician)), PROVINCE_TABLE)
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rows["Unknown"][-1] == 5
    assert rows["Banteay Meanchey"][-1] == 9


def _khmer_client(user):
    client = verified_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    return client


def test_the_annual_report_is_in_khmer_for_a_khmer_user_on_page_xlsx_and_pdf(
    survivors, statistician, monkeypatch
):
    with translation.override("km"):
        title_km = translation.gettext(FIRST_TABLE)
        total_km = translation.gettext("Total")
    assert title_km != FIRST_TABLE, "the km catalogue translates the first table's title"
    client = _khmer_client(statistician)

    page = client.get(reverse("statistics:annual") + f"?year={YEAR}").content.decode()
    assert f"1. {title_km}" in page and FIRST_TABLE not in page

    book = _workbook(client)
    assert book["T1"]["A1"].value == f"1. {title_km}"
    labels = [row[0] for row in book["T1"].iter_rows(min_row=4, values_only=True)]
    assert total_km in labels

    # The PDF follows the user's language unless another is asked for; laid out as text here.
    monkeypatch.setattr("ctip.core.pdf.html_to_pdf", lambda html: html.encode())
    pdf = client.get(reverse("statistics:annual_pdf") + f"?year={YEAR}").content.decode()
    assert title_km in pdf and FIRST_TABLE not in pdf
    english = client.get(reverse("statistics:annual_pdf") + f"?year={YEAR}&lang=en")
    assert FIRST_TABLE in english.content.decode()
    assert f'filename="ctip-annual-report-{YEAR}-en.pdf"' in english["Content-Disposition"]


def _svg_numbers(html: str) -> list[str]:
    values = []
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        for _name, value in NUMBER_ATTRS.findall(svg):
            values.extend(v for v in re.split(r"[\s,]+", value) if v)
    return values


def _assert_parse(values: list[str]) -> None:
    assert values, "no SVG number found"
    bad = [v for v in values if not NUMBER.fullmatch(v)]
    assert not bad, f"SVG numbers the browser cannot read: {bad[:10]}"


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_care_charts_write_svg_numbers_with_a_dot_in_khmer():
    chart = {
        "instrument": "Wellbeing",
        "width": 1200,
        "height": 220,
        "y_labels": [{"y": 182.4, "text": "1"}, {"y": 10.5, "text": "5"}],
        "x_labels": [{"x": 1036.5, "text": "2026-01-02"}],
        "lines": [
            {
                "name": "Health",
                "colour": "#2f6f9f",
                "points": "36.0,182.4 1036.5,10.5",
                "dots": [{"x": 36.0, "y": 182.4, "score": 1}, {"x": 1036.5, "y": 10.5, "score": 5}],
            }
        ],
    }
    with translation.override("km"):
        # The locale really writes these numbers otherwise: the test would catch a regression.
        assert Template("{{ v }}").render(Context({"v": 182.4})) == "182,4"
        html = render_to_string("care/_chart.html", {"chart": chart})
    values = _svg_numbers(html)
    _assert_parse(values)
    assert 'viewBox="0 0 1200 220"' in html
    assert 'cy="182.4"' in html and 'cx="1036.5"' in html


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_statistics_charts_write_svg_numbers_with_a_dot_in_khmer(survivors, statistician):
    client = _khmer_client(statistician)
    url = reverse("statistics:indicator", args=["cases_opened"])
    for query in (f"?year={YEAR}&by=province", f"?year={YEAR}&by=sex"):
        html = client.get(url + query).content.decode()
        assert 'lang="km"' in html
        _assert_parse(_svg_numbers(html))
    dashboard = client.get(reverse("statistics:dashboard") + f"?year={YEAR}&map=cases_opened")
    _assert_parse(_svg_numbers(dashboard.content.decode()))


def test_the_release_names_each_region_beside_its_code(survivors, statistician):
    import csv

    from ctip.cases.models import Case, Consent, ConsentPurpose

    for case in Case.objects.all():
        Consent.objects.create(
            case=case,
            purpose=ConsentPurpose.STATISTICS,
            given_by="child",
            method="written",
            given_on=date(YEAR, 3, 1),
        )
    response = verified_client(statistician).post(reverse("statistics:release"), {"k": 5})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and {r["region"] for r in rows} <= {"01", "12", "tonle_sap", "phnom_penh", "*"}
    names = {"01": "Banteay Meanchey", "12": "Phnom Penh", "tonle_sap": "Tonle Sap"}
    names |= {"phnom_penh": "Phnom Penh", "*": "*"}
    assert all(r["region_name"] == names[r["region"]] for r in rows)
    assert not [r for r in rows if "unknown" in (r["region"], r["region_name"])]
