"""Loading the gazetteer and the countries: counts, idempotence, retired codes, clean names."""

import shutil

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.places.models import Commune, Country, District, Province, Village
from ctip.places.services import DEFAULT_DATA_DIR, clean_name, reference_data_load

from .conftest import SLICE, csv_rows, rows_in

MODELS = {"provinces": Province, "districts": District, "communes": Commune, "villages": Village}


def table_state() -> dict[str, list[tuple]]:
    return {
        key: list(model.objects.order_by("code").values_list())
        for key, model in (MODELS | {"countries": Country}).items()
    }


def test_it_loads_exactly_the_rows_of_the_slice(gazetteer):
    for key, model in MODELS.items():
        expected = {row["code"] for row in rows_in(f"{key}.csv", SLICE)}
        assert expected, key
        assert gazetteer[key] == len(expected)
        assert set(model.objects.filter(is_active=True).values_list("code", flat=True)) == expected
    assert gazetteer["provinces"] == 2
    assert not Village.objects.exclude(code__startswith="12").exclude(code__startswith="01")


def test_it_keeps_codes_as_text_with_leading_zeros(gazetteer):
    province = Province.objects.get(code="01")
    assert province.name_en == "Banteay Meanchey"
    assert province.iso3166_2 == "KH-1"
    assert province.name_ungegn == "Bântéay Méanchoăy"
    assert District.objects.get(code="0102").province_id == "01"
    assert Village.objects.get(code="01020101").commune_id == "010201"


def test_it_changes_nothing_when_run_again(gazetteer):
    before = table_state()
    audit_before = AuditEvent.objects.count()

    again = reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes=SLICE)

    assert table_state() == before
    assert again["created"] == again["updated"] == again["deactivated"] == 0
    assert {**again, "created": 0} == {**gazetteer, "created": 0}
    assert gazetteer["created"] == sum(len(rows) for rows in before.values())
    assert AuditEvent.objects.count() == audit_before + 1


def test_it_records_one_audit_event_per_load(gazetteer):
    event = AuditEvent.objects.get(action=AuditAction.REFERENCE_LOADED)
    assert (event.target_type, event.target_id) == ("places", "gazetteer")
    assert event.actor_id is None
    assert event.changes["villages"] == gazetteer["villages"]
    assert event.changes["province_codes"] == ["01", "12"]
    assert audit_chain_verify().ok


def test_it_records_the_acting_system_admin(cast):
    admin = cast.a[Role.SYSTEM_ADMIN]
    reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12"}, actor=admin)
    event = AuditEvent.objects.get(action=AuditAction.REFERENCE_LOADED)
    assert event.actor_id == admin.pk


def test_it_refuses_a_user_without_reference_manage(cast):
    for user in (cast.a[Role.CASE_SUPERVISOR], cast.a[Role.ORG_ADMIN], cast.no_role):
        with pytest.raises(PermissionDenied):
            reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12"}, actor=user)
    assert not Province.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.REFERENCE_LOADED).exists()


def test_it_refuses_an_unknown_province_code(db):
    with pytest.raises(ValueError, match="99"):
        reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12", "99"})
    assert not Province.objects.exists()


def test_it_loads_retired_codes_as_inactive_places(db):
    # Kampong Speu (05) holds the one retired district, 0505 Odongk, with communes and villages.
    counts = reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"05"})
    retired = [row for row in csv_rows("retired_codes_ncdd2020.csv") if row["code"][:2] == "05"]
    by_level = {
        level: {row["code"] for row in retired if row["level"] == level}
        for level in ("district", "commune", "village")
    }
    assert by_level["district"] == {"0505"}
    assert counts["retired_districts"] == 1
    assert counts["retired_communes"] == len(by_level["commune"])
    assert counts["retired_villages"] == len(by_level["village"])
    assert counts["retired_skipped"] == 0

    odongk = District.objects.get(code="0505")
    assert not odongk.is_active
    assert (odongk.name_en, odongk.name_km, odongk.type) == ("Odongk", "ឧដុង្គ", "Srok")
    inactive_communes = Commune.objects.filter(is_active=False).values_list("code", flat=True)
    assert set(inactive_communes) == by_level["commune"]
    inactive_villages = Village.objects.filter(is_active=False).values_list("code", flat=True)
    assert set(inactive_villages) == by_level["village"]
    current = {row["code"] for row in rows_in("villages.csv", {"05"})}
    assert Village.objects.filter(is_active=True).count() == len(current)


def test_it_skips_retired_codes_whose_parent_is_missing(db, tmp_path):
    for name in ("provinces", "districts", "communes", "villages"):
        shutil.copy(DEFAULT_DATA_DIR / f"{name}.csv", tmp_path)
    (tmp_path / "retired_codes_ncdd2020.csv").write_text(
        "level,code,parent_code,name_en,name_km,type_km,official_note_km\n"
        "commune,129901,1299,Nowhere,គ្មាន,ឃុំ,\n"  # district 1299 does not exist
        "village,12990101,129901,Nowhere Village,ភូមិគ្មាន,ភូមិ,\n"  # nor its commune
        "village,12010199,120101,Kept Village,ភូមិនៅ,ភូមិ,\n",
        encoding="utf-8",
    )
    counts = reference_data_load(data_dir=tmp_path, province_codes={"12"})
    assert counts["retired_skipped"] == 2
    assert counts["retired_communes"] == 0
    assert counts["retired_villages"] == 1
    assert not Commune.objects.filter(code="129901").exists()
    assert Village.objects.get(code="12010199").is_active is False


def test_it_deactivates_places_the_data_no_longer_lists(db, tmp_path):
    reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12"})
    for name in ("provinces", "districts", "communes", "retired_codes_ncdd2020"):
        shutil.copy(DEFAULT_DATA_DIR / f"{name}.csv", tmp_path)
    lines = (DEFAULT_DATA_DIR / "villages.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("12010101,")]
    assert len(kept) == len(lines) - 1
    (tmp_path / "villages.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")

    counts = reference_data_load(data_dir=tmp_path, province_codes={"12"})

    assert counts["deactivated"] == 1
    assert Village.objects.get(code="12010101").is_active is False
    # Back in the data, it is current again.
    counts = reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12"})
    assert (counts["updated"], counts["deactivated"]) == (1, 0)
    assert Village.objects.get(code="12010101").is_active is True


def test_a_slice_leaves_other_provinces_alone(gazetteer):
    before = table_state()
    counts = reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"12"})
    assert counts["deactivated"] == 0
    assert table_state() == before


def test_it_cleans_the_quirks_of_the_source(gazetteer):
    # Double spaces (12091612, 01020316) and a zero-width space (01100403) in the slice.
    assert Village.objects.get(code="12091612").name_en == "Angk Kaev"
    assert Village.objects.get(code="01020316").name_en == "Ta Bun"
    assert Village.objects.get(code="01100403").name_en == "Kbal Spean 1"
    for field in ("name_en", "name_km"):
        assert not Village.objects.filter(**{f"{field}__contains": "\u200b"}).exists()
        assert not Village.objects.filter(**{f"{field}__contains": "  "}).exists()
        assert not Village.objects.filter(**{f"{field}__startswith": " "}).exists()
        assert not Village.objects.filter(**{f"{field}__endswith": " "}).exists()


def test_it_cleans_khmer_names_and_keeps_the_rest_as_given(db):
    reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes={"02", "03", "05", "14"})
    assert Commune.objects.get(code="140107").name_km == "ស្ពឺ ក"
    assert Village.objects.get(code="03050407").name_km == "ទី៦ «ក»"
    assert Village.objects.get(code="14010802").name_km == "ចាន់រ៉ា ក"
    assert Village.objects.get(code="02140110").name_en == "Preaek Chik Muoy"
    # The stray backtick is a quirk of the source that the loader keeps, as it keeps accents.
    assert Village.objects.get(code="05031320").name_km == "លិចបឹង`"
    # A village without a Latin name shows its Khmer one.
    nameless = Village.objects.get(code="02010508")
    assert nameless.name_en == ""
    assert nameless.display_name == "ប៉ៃឡាំ"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Kbal Spean\u200b 1", "Kbal Spean 1"),
        ("S\u200ba ang", "Sa ang"),
        ("Angkor Chey  Ti  Pir", "Angkor Chey Ti Pir"),
        (" Preaek Chik Muoy", "Preaek Chik Muoy"),
        (" ", ""),
        ("ដង\u200bរ៉ែក", "ដងរ៉ែក"),
        ("Kratié", "Kratié"),
        (None, ""),
    ],
)
def test_clean_name_removes_only_the_listed_quirks(raw, clean):
    assert clean_name(raw) == clean


def test_it_loads_countries_with_khmer_names(gazetteer):
    assert gazetteer["countries"] == Country.objects.count() >= 249
    cambodia = Country.objects.get(code="KH")
    assert (cambodia.alpha3, cambodia.name_en, cambodia.name_km) == ("KHM", "Cambodia", "កម្ពុជា")
    thailand = Country.objects.get(code="TH")
    assert (thailand.name_en, thailand.name_km) == ("Thailand", "ថៃ")
    assert Country.objects.get(code="LA").name_en == "Laos"
    assert Country.objects.get(code="VN").name_km == "វៀតណាម"
    assert not Country.objects.filter(name_km="").exists()
    with translation.override("km"):
        assert thailand.display_name == "ថៃ"
    with translation.override("en"):
        assert thailand.display_name == "Thailand"
