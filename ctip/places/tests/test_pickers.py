"""Place pickers: district by province, commune by district, the village chosen by name."""

import pytest
from django import forms
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import assert_refused, verified_client
from ctip.intake.forms import ReportForm
from ctip.places.forms import PlaceFieldsMixin, VillageField
from ctip.places.models import District, Province


class VillageForm(forms.Form):
    village = VillageField(label="Village")


class OptionalVillageForm(forms.Form):
    village = VillageField(label="Village", required=False)


def options_url(level: str) -> str:
    return reverse("places:options", args=[level])


def test_district_options_hold_only_the_districts_of_the_province(cast, gazetteer):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    page = client.get(options_url("district"), {"province": "01"}).content.decode()
    assert 'value="0102"' in page  # Mongkol Borey, Banteay Meanchey
    assert 'value="1201"' not in page  # Chamkar Mon, Phnom Penh
    # The picker's own selects are named <field>_province: the same answer.
    page = client.get(options_url("district"), {"home_village_province": "12"}).content.decode()
    assert 'value="1201"' in page and 'value="0102"' not in page


def test_commune_options_hold_only_the_communes_of_the_district(cast, gazetteer):
    client = verified_client(cast.a[Role.CASE_WORKER])
    page = client.get(options_url("commune"), {"x_district": "0102"}).content.decode()
    assert 'value="010201"' in page
    assert 'value="010306"' not in page and 'value="120101"' not in page
    # No district: no commune at all, not 1,600 of them.
    page = client.get(options_url("commune")).content.decode()
    assert page.count("<option") == 1


def test_village_choices_are_found_by_name_within_the_places_chosen(cast, gazetteer):
    client = verified_client(cast.a[Role.PREVENTION_OFFICER])
    url = reverse("places:village_choices")
    page = client.get(url, {"v_q": "trang"}).content.decode()
    assert 'data-code="01020105"' in page and 'data-code="01030609"' in page
    page = client.get(url, {"v_q": "trang", "v_district": "0102"}).content.decode()
    assert 'data-code="01020105"' in page and 'data-code="01030609"' not in page
    # A commune chosen and no name yet: its villages, to pick from.
    page = client.get(url, {"v_commune": "010201"}).content.decode()
    assert 'data-code="01020101"' in page and 'data-code="01030609"' not in page
    assert "No village matches" in client.get(url, {"v_q": "zzzz"}).content.decode()


@pytest.mark.parametrize("name", ["places:village_choices"])
def test_picker_lookups_refuse_anonymous_and_role_less_users(cast, gazetteer, name):
    assert_refused(reverse(name), [None])
    assert_refused(reverse(name), [cast.no_role], expect=403)
    assert_refused(options_url("district"), [None])
    assert_refused(options_url("commune"), [cast.no_role], expect=403)


def report_data(**places) -> dict:
    return {"source": "hotline", "narrative": "A call", "sex_described": "u", **places}


def test_report_form_refuses_a_district_of_another_province(gazetteer):
    form = ReportForm(data=report_data(province="12", district="0102"))
    assert not form.is_valid()
    assert form.errors["district"] == ["This district is not in the province chosen."]


def test_report_form_takes_a_matching_district_and_fills_the_province_from_it(gazetteer):
    form = ReportForm(data=report_data(province="01", district="0102"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["district"] == District.objects.get(code="0102")
    form = ReportForm(data=report_data(district="1201"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["province"] == Province.objects.get(code="12")


def test_report_form_lists_only_the_districts_of_the_province_chosen(gazetteer):
    html = str(ReportForm(data=report_data(province="01"))["district"])
    assert 'value="0102"' in html and 'value="1201"' not in html
    # Nothing chosen (and for pages without scripts): the whole list.
    html = str(ReportForm()["district"])
    assert 'value="0102"' in html and 'value="1201"' in html
    province = str(ReportForm()["province"])
    assert f'hx-get="{options_url("district")}"' in province
    assert 'hx-target="#id_district"' in province


def test_the_mixin_chains_a_province_and_commune_free_form(gazetteer):
    class Plain(PlaceFieldsMixin, forms.Form):
        place_fields = {"province": "p", "district": "d"}
        p = forms.ModelChoiceField(queryset=Province.objects.all())
        d = forms.ModelChoiceField(queryset=District.objects.all(), required=False)

    assert Plain(data={"p": "01", "d": "0102"}).is_valid()
    assert not Plain(data={"p": "01", "d": "1201"}).is_valid()


def test_a_village_is_chosen_by_name_with_its_code_hidden(gazetteer):
    form = VillageForm(data={"village_q": "Ou Thum"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == "01020101"
    form = VillageForm(data={"village_q": "អូរធំ"})  # by its Khmer name too
    assert form.is_valid(), form.errors
    html = str(VillageForm(initial={"village": "01020101"})["village"])
    assert 'type="hidden" name="village" value="01020101"' in html
    assert 'name="village_q"' in html and 'value="Ou Thum"' in html
    assert '<option value="010201" selected>' in html  # its commune, to change it nearby


def test_an_ambiguous_name_asks_for_the_places_first(gazetteer):
    form = VillageForm(data={"village_q": "Trang"})
    assert not form.is_valid()
    assert "2 villages are called “Trang”" in form.errors["village"][0]
    form = VillageForm(data={"village_q": "trang", "village_district": "0103"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == "01030609"


def test_the_picked_code_wins_unless_another_name_was_typed(gazetteer):
    form = VillageForm(data={"village": "01020105", "village_q": "Trang"})
    assert form.is_valid() and form.cleaned_data["village"].code == "01020105"
    form = VillageForm(data={"village": "01020105", "village_q": "Ou Thum"})
    assert form.is_valid() and form.cleaned_data["village"].code == "01020101"


def test_a_village_outside_the_places_chosen_is_refused(gazetteer):
    form = VillageForm(data={"village": "01020101", "village_commune": "010306"})
    assert form.errors["village"] == ["This village is not in the commune chosen."]
    form = VillageForm(data={"village": "01020101", "village_province": "12"})
    assert form.errors["village"] == ["This village is not in the province chosen."]
    form = VillageForm(
        data={"village": "01020101", "village_province": "12", "village_district": "0102"}
    )
    assert form.errors["village"] == ["This district is not in the province chosen."]
    form = VillageForm(data={"village_q": "Nowhere"})
    assert "No village called “Nowhere” there" in form.errors["village"][0]
    assert VillageForm(data={"village": "99999999"}).errors["village"] == [
        "No village has this code. Choose the village by its name."
    ]


def test_an_empty_picker_is_none_or_required(gazetteer):
    assert VillageForm(data={}).errors["village"] == ["This field is required."]
    form = OptionalVillageForm(data={"village_province": "01"})
    assert form.is_valid() and form.cleaned_data["village"] is None
