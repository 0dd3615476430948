from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ctip.places.models import Village

from .conftest import rows_in


def test_load_reference_data_prints_progress_and_counts(db):
    out = StringIO()
    call_command("load_reference_data", "--provinces", "12,01", stdout=out)
    text = out.getvalue()
    villages = len(rows_in("villages.csv", {"12", "01"}))
    assert f"villages           {villages}\n" in text
    assert "Provinces: 2" in text and "Countries:" in text
    assert "Reference data loaded" in text
    assert Village.objects.filter(is_active=True).count() == villages


def test_load_reference_data_refuses_bad_input(db, tmp_path):
    with pytest.raises(CommandError, match="Unknown province codes: 42"):
        call_command("load_reference_data", "--provinces", "42", stdout=StringIO())
    with pytest.raises(CommandError, match="provinces.csv"):
        call_command("load_reference_data", "--data-dir", str(tmp_path), stdout=StringIO())
