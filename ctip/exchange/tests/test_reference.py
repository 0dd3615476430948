"""Reference stores: the CTDC synthetic file reproduces its official tables; GLOTIP parsing."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.shared_data import shared_data_dir
from ctip.exchange import reference as ref
from ctip.exchange.models import CtdcRecord, ReferenceDataset

REPO = Path(__file__).resolve().parents[3]
SHARED = shared_data_dir()


def _shared(relative: str) -> Path:
    """The public file beside the repository (as in CI), else the copy kept in the app."""
    path = SHARED / relative
    return path if path.exists() else ref.DATA_DIR / Path(relative).name


CTDC_CSV = _shared("ctdc/VPsynthetic_condensed.csv")
CTDC_DICT = _shared("ctdc/VPsynthetic_dict_20221201.xlsx")
GLOTIP = _shared("unodc/data_glotip.xlsx")


def test_the_app_keeps_identical_copies_of_the_public_files_with_their_terms():
    for shared, kept in (
        (CTDC_CSV, ref.CTDC_FILE),
        (CTDC_DICT, ref.CTDC_DICTIONARY),
        (GLOTIP, ref.UNODC_FILE),
    ):
        assert ref.sha256_of(shared) == ref.sha256_of(kept)
    notes = (ref.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "CTDC terms of use" in notes and "citation requested" in notes


def test_the_tabstat_sheet_is_read_whole():
    tables = ref.read_tabstat(CTDC_DICT)
    assert set(tables) == set(ref.CTDC_COLUMNS)
    gender = tables["gender"]
    assert [(r.value, r.freq) for r in gender.rows] == [("Female", 9589), ("Male", 7995)]
    assert (gender.valid_total, gender.missing, gender.total) == (17584, 3611, 21195)
    assert tables["yearRegister"].rows[2].value == "2019"
    assert tables["isForcedLabour"].rows[0].value == "1"


@pytest.mark.django_db
def test_the_stored_ctdc_data_reproduce_every_official_frequency_table_exactly(cast):
    ref.import_ctdc(path=CTDC_CSV)
    officer = cast.a[Role.STATISTICS_OFFICER]
    official = ref.read_tabstat(CTDC_DICT)
    checked = 0
    for variable, expected in official.items():
        computed = ref.ctdc_frequencies(officer, variable)
        assert computed.total == expected.total == 21195, variable
        assert computed.missing == expected.missing, variable
        assert computed.valid_total == expected.valid_total, variable
        assert computed.missing_percent == expected.missing_percent, variable
        if expected.valid_percent is not None:  # binary variables print no 'Valid Total' row
            assert computed.valid_percent == expected.valid_percent, variable
        assert [r.value for r in computed.rows] == [r.value for r in expected.rows], variable
        for got, want in zip(computed.rows, expected.rows, strict=True):
            assert (got.freq, got.percent, got.valid, got.cum) == (
                want.freq,
                want.percent,
                want.valid,
                want.cum,
            ), f"{variable}={want.value}"
            checked += 1
    assert checked == 53  # every value row of the sheet


def _small_ctdc(tmp_path: Path, rows: int, *, broken: bool = False) -> Path:
    lines = CTDC_CSV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "small.csv"
    body = lines[1 : rows + 1]
    header = lines[0].replace("gender", "sex") if broken else lines[0]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_reimporting_a_ctdc_version_replaces_it_and_is_audited(tmp_path, capsys):
    small = _small_ctdc(tmp_path, 30)
    call_command("import_ctdc", file=small)
    call_command("import_ctdc", file=small)
    out = capsys.readouterr().out
    assert "30 rows" in out and "Imported" in out
    assert ReferenceDataset.objects.filter(source="ctdc").count() == 1
    assert CtdcRecord.objects.count() == 30
    events = AuditEvent.objects.filter(action=AuditAction.REFERENCE_IMPORTED)
    assert events.count() == 2


@pytest.mark.django_db
def test_a_failed_ctdc_import_leaves_the_previous_one_whole(tmp_path, monkeypatch):
    call_command("import_ctdc", file=_small_ctdc(tmp_path, 25))
    before = ReferenceDataset.objects.get(source="ctdc")

    def failing_rows(path):
        yield from list(ref._ctdc_rows(path))[:5]
        raise RuntimeError("disk gone half-way")

    monkeypatch.setattr(ref, "BATCH", 2)
    monkeypatch.setattr(ref, "_ctdc_rows", failing_rows)
    with pytest.raises(RuntimeError):
        ref.import_ctdc(path=_small_ctdc(tmp_path, 25))
    assert ReferenceDataset.objects.get(source="ctdc").pk == before.pk
    assert CtdcRecord.objects.filter(dataset=before).count() == 25


@pytest.mark.django_db
def test_a_file_that_is_not_the_ctdc_file_is_refused_and_nothing_is_imported(tmp_path):
    with pytest.raises(CommandError, match="columns missing: gender"):
        call_command("import_ctdc", file=_small_ctdc(tmp_path, 5, broken=True))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_ctdc", file=tmp_path / "absent.csv")
    assert not ReferenceDataset.objects.exists()


def test_the_ctdc_command_works_from_the_kept_copy_without_the_shared_folder():
    assert ref.CTDC_FILE.is_relative_to(REPO / "ctip" / "exchange" / "data")
    assert ref.CTDC_FILE.exists() and ref.UNODC_FILE.exists()


@pytest.mark.parametrize(
    ("raw", "value", "suppressed", "below"),
    [
        ("1,282", Decimal(1282), False, None),
        ("12,345,678", Decimal(12345678), False, None),
        ("103", Decimal(103), False, None),
        ("0", Decimal(0), False, None),
        (" 7 ", Decimal(7), False, None),
        ("<5", None, True, 5),
        ("< 5", None, True, 5),
        ("", None, False, None),
        (None, None, False, None),
        (42, Decimal(42), False, None),
        ("2.5", Decimal("2.5"), False, None),
    ],
)
def test_glotip_values_are_parsed_with_separators_and_suppression_kept(
    raw, value, suppressed, below
):
    parsed = ref.parse_glotip_value(raw)
    assert (parsed.value, parsed.suppressed, parsed.below) == (value, suppressed, below)


@pytest.mark.parametrize("raw", ["1,28", "abc", "5<", "1.282,5", ">5"])
def test_an_unreadable_glotip_value_is_an_error_not_a_guess(raw):
    with pytest.raises(ValueError):
        ref.parse_glotip_value(raw)


def _glotip_rows(count: int) -> list[tuple]:
    """The header and the first `count` data rows of the real file, read with openpyxl."""
    import openpyxl

    workbook = openpyxl.load_workbook(GLOTIP, read_only=True)
    rows = []
    for raw in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(raw)
        if len(rows) == count + 3:
            break
    workbook.close()
    return rows


@pytest.mark.django_db
def test_the_glotip_file_is_stored_whole_with_suppressed_counts_kept_as_suppressed(cast):
    dataset = ref.import_unodc(path=GLOTIP)
    assert (dataset.version, dataset.rows) == ("2023-05-30", 46556)
    officer = cast.a[Role.STATISTICS_OFFICER]
    figures = ref.unodc_figures(officer)
    assert figures.count() == 46556
    # Every '<5' stays suppressed, never zero; every other value is a number.
    assert figures.filter(raw_value="<5").count() == figures.filter(suppressed=True).count()
    assert not figures.filter(suppressed=True, value__isnull=False).exists()
    assert not figures.filter(suppressed=False, value__isnull=True).exists()
    assert figures.filter(suppressed=True).first().below == 5
    # Known rows, read from the file itself.
    for row in _glotip_rows(6)[3:]:
        iso3, _c, _r, _s, indicator, dimension, category, sex, age, year, _u, txt, _src = row
        stored = figures.get(
            iso3=iso3,
            indicator=indicator,
            dimension=dimension,
            category=category or "",
            sex=sex,
            age=age,
            year=year,
        )
        assert stored.raw_value == txt
        parsed = ref.parse_glotip_value(txt)
        assert (stored.value, stored.suppressed) == (parsed.value, parsed.suppressed)
    # A value with a thousands separator, parsed.
    separated = figures.filter(raw_value__contains=",").first()
    assert separated is not None
    assert separated.value == Decimal(separated.raw_value.replace(",", ""))
    cambodia = figures.get(
        iso3="KHM", indicator="Persons convicted", dimension="Total", sex="Total", age="Total",
        year=2017,
    )  # fmt: skip
    assert cambodia.value == 129 and cambodia.subregion == "South-eastern Asia"


@pytest.mark.django_db
def test_reference_data_are_read_only_by_statistics_view_holders(cast):
    from ctip.access.policy import can
    from ctip.accounts.roles import Perm

    ref.import_ctdc(path=_small_ctdc_static())
    for user in cast.everyone():
        sees = ref.ctdc_records(user).count()
        assert sees == (3 if can(user, Perm.STATISTICS_VIEW) else 0), user.email
        if not can(user, Perm.STATISTICS_VIEW):
            assert not ref.unodc_figures(user).exists()


def _small_ctdc_static() -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    path = _small_ctdc(folder, 3)
    shutil.copy(path, folder / "copy.csv")
    return path


def test_the_demo_step_loads_the_ctdc_copy_once_and_names_the_unodc_command(
    db, tmp_path, monkeypatch
):
    import io
    import random
    from types import SimpleNamespace

    from ctip.exchange import demo

    small = tmp_path / "ctdc.csv"
    with CTDC_CSV.open(encoding="utf-8") as f:
        small.write_text("".join(f.readline() for _ in range(21)), encoding="utf-8")
    monkeypatch.setattr(demo, "CTDC_FILE", small)
    out = io.StringIO()
    ctx = SimpleNamespace(stdout=out, rng=random.Random(1), orgs={}, users={})
    demo.seed(ctx)
    demo.seed(ctx)
    datasets = ReferenceDataset.objects.filter(source="ctdc")
    assert datasets.count() == 1 and datasets.get().rows == 20
    assert "already imported" in out.getvalue()
    assert "manage.py import_unodc" in out.getvalue()


def test_the_shared_data_folder_is_found_beside_the_repository_or_where_the_environment_says(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("CTIP_SHARED_DATA", raising=False)
    assert shared_data_dir() == REPO.parent / "shared" / "data"
    monkeypatch.setenv("CTIP_SHARED_DATA", str(tmp_path))
    assert shared_data_dir() == tmp_path
