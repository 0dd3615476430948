"""Pages of reference data: every role may read them; anonymous and role-less users may not."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.places.models import Village

PAGES = [
    ("places:provinces", {}),
    ("places:province", {"code": "12"}),
    ("places:district", {"code": "1201"}),
    ("places:commune", {"code": "120101"}),
    ("places:village_search", {}),
    ("places:countries", {}),
]


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_it_refuses_anonymous_and_role_less_users(cast, gazetteer, name, kwargs):
    assert_refused(url(name, **kwargs), [None])
    assert_refused(url(name, **kwargs), [cast.no_role], expect=403)


def test_every_role_reads_the_pages(cast, gazetteer):
    for role in Role.values:
        client = verified_client(cast.b[role])
        for name, kwargs in PAGES:
            response = client.get(url(name, **kwargs))
            assert response.status_code == 200, f"{role} on {name}"


def test_it_lists_provinces_with_both_names_and_iso_code(cast, gazetteer):
    response = verified_client(cast.a[Role.CASE_WORKER]).get(url("places:provinces"))
    page = response.content.decode()
    for text in ("Phnom Penh", "ភ្នំពេញ", "KH-12", "Banteay Meanchey", "KH-1"):
        assert text in page
    assert url("places:province", code="12") in page
    assert 'id="village-results"' in page and "hx-get" in page


def test_it_drills_down_to_villages(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    page = client.get(url("places:province", code="12")).content.decode()
    assert url("places:district", code="1201") in page
    page = client.get(url("places:district", code="1201")).content.decode()
    assert url("places:commune", code="120101") in page
    response = client.get(url("places:commune", code="120101"))
    village = Village.objects.filter(commune_id="120101").first()
    assert village.code in response.content.decode()


def test_it_paginates_villages(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    total = Village.objects.filter(commune_id="120210", is_active=True).count()
    assert total > 20
    first = client.get(url("places:commune", code="120210"))
    assert len(first.context["page"]) == 20
    assert "page=2" in first.content.decode()
    second = client.get(url("places:commune", code="120210"), {"page": 2})
    assert len(second.context["page"]) == total - 20


def test_it_answers_404_for_an_unknown_code(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    assert client.get(url("places:province", code="99")).status_code == 404
    assert client.get(url("places:commune", code="999999")).status_code == 404
    assert client.get("/reference/provinces/1/").status_code == 404


def test_it_shows_retired_codes_on_request(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    retired = Village.objects.filter(is_active=False).first()
    path = url("places:commune", code=retired.commune_id)
    assert retired.code not in client.get(path).content.decode()
    page = client.get(path, {"retired": "1"}).content.decode()
    assert retired.code in page and "retired" in page


def test_village_search_answers_a_fragment_to_htmx(cast, gazetteer):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    path = url("places:village_search")
    fragment = client.get(path, {"q": "Ta Bun"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "01020316" in body and "<html" not in body
    assert "HX-Request" in fragment["Vary"]
    full = client.get(path, {"q": "Ta Bun"})
    assert "<html" in full.content.decode() and "01020316" in full.content.decode()


def test_village_search_pages_keep_the_query(cast, gazetteer):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    response = client.get(url("places:village_search"), {"q": "12"})
    assert response.context["page"].paginator.count > 20
    assert "q=12&amp;page=2" in response.content.decode()
    empty = client.get(url("places:village_search"), {"q": "zzzz"})
    assert "No village matches" in empty.content.decode()


def test_pages_show_khmer_names_in_khmer(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    response = client.get(url("places:province", code="12"), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200
    assert "<title>ភ្នំពេញ" in response.content.decode()
