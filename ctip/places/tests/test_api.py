"""The reference-data API: filters by parent, needs `reference.view`, no N+1 queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.places.api import (
    CommuneListApi,
    CountryListApi,
    DistrictListApi,
    ProvinceListApi,
    VillageListApi,
)

from .conftest import rows_in

ENDPOINTS = [
    "/api/v1/provinces/",
    "/api/v1/districts/?province=12",
    "/api/v1/communes/?district=1201",
    "/api/v1/villages/?commune=120101&q=phum",
    "/api/v1/countries/",
]


def test_each_endpoint_names_its_permission():
    for view in (ProvinceListApi, DistrictListApi, CommuneListApi, VillageListApi, CountryListApi):
        assert view.required_permission == "reference.view"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_it_refuses_anonymous_and_role_less_users(cast, gazetteer, path):
    assert_refused(path, [None], expect=401)  # 401: the token scheme asks to authenticate
    assert_refused(path, [cast.no_role], expect=403)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_role_reads_the_lists(cast, gazetteer, path):
    for role in Role.values:
        response = verified_client(cast.a[role]).get(path)
        assert response.status_code == 200, role
        assert response.json()["results"], role


def test_it_lists_provinces(cast, gazetteer):
    data = verified_client(cast.a[Role.CASE_WORKER]).get("/api/v1/provinces/").json()
    assert data["count"] == 2
    assert data["results"][0] == {
        "code": "01",
        "name_en": "Banteay Meanchey",
        "name_km": "បន្ទាយមានជ័យ",
        "iso3166_2": "KH-1",
        "type": "Khaet",
        "is_active": True,
    }


def test_it_filters_by_parent(cast, gazetteer):
    client = verified_client(cast.a[Role.LEGAL_OFFICER])
    data = client.get("/api/v1/districts/", {"province": "12"}).json()
    assert data["count"] == len(rows_in("districts.csv", {"12"}))
    assert {row["province_code"] for row in data["results"]} == {"12"}

    data = client.get("/api/v1/communes/", {"district": "1201"}).json()
    assert data["count"] and {row["district_code"] for row in data["results"]} == {"1201"}

    data = client.get("/api/v1/villages/", {"commune": "120101"}).json()
    assert data["count"] and {row["commune_code"] for row in data["results"]} == {"120101"}
    assert set(data["results"][0]) == {"code", "name_en", "name_km", "commune_code", "is_active"}

    data = client.get("/api/v1/villages/", {"q": "Ta Bun"}).json()
    assert "01020316" in {row["code"] for row in data["results"]}

    assert client.get("/api/v1/districts/", {"province": "99"}).json()["count"] == 0


def test_it_lists_retired_codes_only_on_request(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    current = client.get("/api/v1/villages/", {"q": "01"}).json()["count"]
    everything = client.get("/api/v1/villages/", {"q": "01", "include_retired": "true"}).json()
    assert everything["count"] > current


def test_it_rejects_malformed_filters(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    assert client.get("/api/v1/districts/", {"province": "1"}).status_code == 400
    assert client.get("/api/v1/communes/", {"district": "12x1"}).status_code == 400
    assert client.get("/api/v1/villages/", {"q": "x" * 101}).status_code == 400


def test_it_lists_countries_with_khmer_names(cast, gazetteer):
    client = verified_client(cast.a[Role.STATISTICS_OFFICER])
    data = client.get("/api/v1/countries/", {"page": 1}).json()
    assert data["count"] >= 249
    pages = [data["results"]]
    while data["next"]:
        data = client.get(data["next"]).json()
        pages.append(data["results"])
    by_code = {row["code"]: row for page in pages for row in page}
    assert by_code["KH"]["name_km"] == "កម្ពុជា"
    assert by_code["TH"] == {"code": "TH", "alpha3": "THA", "name_en": "Thailand", "name_km": "ថៃ"}


def test_query_count_does_not_grow_with_the_page(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    client.get("/api/v1/villages/")  # warm the session

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    assert queries("/api/v1/villages/?commune=120101") == queries("/api/v1/villages/")
    assert queries("/api/v1/districts/?province=12") == queries("/api/v1/provinces/")
