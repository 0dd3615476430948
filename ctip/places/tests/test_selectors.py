"""Reads of reference data: everyone with a role sees it all, nobody else sees any of it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from ctip.accounts.roles import Role
from ctip.places import selectors
from ctip.places.models import Village

from .conftest import rows_in


def test_every_role_sees_reference_data(cast, gazetteer):
    for user in cast.everyone():
        if user is cast.no_role:
            continue
        assert selectors.provinces_visible_to(user=user).count() == 2
        assert selectors.countries_visible_to(user=user).filter(code="KH").exists()


def test_users_without_reference_view_see_nothing(cast, gazetteer):
    for user in (cast.no_role, AnonymousUser(), None):
        assert not selectors.provinces_visible_to(user=user).exists()
        assert not selectors.districts_visible_to(user=user, province_code="12").exists()
        assert not selectors.communes_visible_to(user=user).exists()
        assert not selectors.villages_visible_to(user=user).exists()
        assert not selectors.village_search(user=user, query="Prey").exists()
        assert not selectors.countries_visible_to(user=user).exists()
        with pytest.raises(Http404):
            selectors.province_get_for_user(user=user, code="12")
        with pytest.raises(Http404):
            selectors.commune_get_for_user(user=user, code="120101")


def test_it_lists_the_children_of_a_parent(cast, gazetteer):
    user = cast.a[Role.CASE_WORKER]
    districts = selectors.districts_visible_to(user=user, province_code="12")
    assert [d.code for d in districts] == [row["code"] for row in rows_in("districts.csv", {"12"})]
    communes = selectors.communes_visible_to(user=user, district_code="1201")
    assert communes and all(c.district_id == "1201" for c in communes)
    villages = selectors.villages_visible_to(user=user, commune_code="120101")
    assert villages and all(v.commune_id == "120101" for v in villages)
    assert not selectors.districts_visible_to(user=user, province_code="99").exists()


def test_it_hides_retired_codes_unless_asked(cast, gazetteer):
    user = cast.b[Role.PREVENTION_OFFICER]
    retired = Village.objects.filter(is_active=False).first()
    assert retired is not None
    code = retired.commune_id
    shown = selectors.villages_visible_to(user=user, commune_code=code)
    assert retired not in shown
    assert retired in selectors.villages_visible_to(
        user=user, commune_code=code, include_retired=True
    )


def test_it_finds_villages_by_latin_or_khmer_name_or_code(cast, gazetteer):
    user = cast.a[Role.HOTLINE_OPERATOR]
    assert "01020316" in {v.code for v in selectors.village_search(user=user, query="ta bun")}
    khmer = Village.objects.get(code="01020101").name_km  # អូរធំ
    assert "01020101" in {v.code for v in selectors.village_search(user=user, query=khmer)}
    # A zero-width space typed by a Khmer keyboard does not hide the match.
    typed = khmer[:2] + "\u200b" + khmer[2:]
    assert "01020101" in {v.code for v in selectors.village_search(user=user, query=typed)}
    by_code = selectors.village_search(user=user, query="120101")
    assert by_code and all(v.code.startswith("120101") for v in by_code)
    assert not selectors.village_search(user=user, query="   ").exists()


def test_it_reads_each_list_in_one_query(cast, gazetteer, django_assert_num_queries):
    user = cast.a[Role.CASE_WORKER]
    user.permissions  # noqa: B018 - roles are read once per user; count only the list
    with django_assert_num_queries(1):
        results = list(selectors.village_search(user=user, query="Prey"))
        for village in results:
            str(village.commune.district.province)
    assert len(results) > 10
    with django_assert_num_queries(1):
        list(selectors.communes_visible_to(user=user, district_code="1201"))
    with django_assert_num_queries(1):
        commune = selectors.commune_get_for_user(user=user, code="120101")
        assert commune.district.province.code == "12"
