import csv
from pathlib import Path

import pytest

from ctip.places.services import DEFAULT_DATA_DIR, reference_data_load

# Phnom Penh and Banteay Meanchey: small, and they hold double spaces and zero-width spaces.
SLICE = {"12", "01"}


def csv_rows(name: str, data_dir: Path = DEFAULT_DATA_DIR) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rows_in(name: str, provinces: set[str]) -> list[dict[str, str]]:
    return [row for row in csv_rows(name) if row["code"][:2] in provinces]


@pytest.fixture
def gazetteer(db) -> dict[str, int]:
    """Provinces 12 and 01 with everything under them, and all countries."""
    return reference_data_load(data_dir=DEFAULT_DATA_DIR, province_codes=SLICE)
