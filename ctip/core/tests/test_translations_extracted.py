"""Every string marked for translation in the code and templates is in the Khmer catalogue.

`test_translations.py` checks the catalogue that is committed; this checks that the catalogue
holds what the source marks today. It runs Django's own extraction (`makemessages`, as the
README says to) on a copy of the source tree, so the committed .po is never touched, and fails
on a string that was added without running makemessages and translating it, or that is marked
under an alias xgettext does not know (the annual report's titles once used `N_`, and never
reached the translators).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import override

from .test_translations import KHMER, parse_po

CTIP_DIR = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static", "data")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list:
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing. On Debian: apt-get install gettext")
    root = tmp_path_factory.mktemp("extract")
    shutil.copytree(CTIP_DIR, root / "ctip", ignore=SKIP)
    shutil.copy(CTIP_DIR.parent / "manage.py", root / "manage.py")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ctip.settings.test", "PYTHONPATH": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "km", "--no-location"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    _catalogue, entries = parse_po(root / "ctip" / "locale" / "km" / "LC_MESSAGES" / "django.po")
    return entries


def test_every_marked_string_has_a_khmer_translation(extracted):
    missing = [
        e.msgid
        for e in extracted
        if e.msgid and ("fuzzy" in e.flags or not all(e.msgstr.values()) or not e.msgstr)
    ]
    assert not missing, (
        f"{len(missing)} strings lack a Khmer translation (run makemessages -l km "
        f"--no-location, translate, compilemessages): {missing[:20]}"
    )


def test_annual_report_titles_reach_the_catalogue(extracted):
    msgids = {e.msgid for e in extracted}
    assert "People prosecuted, by form of trafficking and sex" in msgids


@pytest.mark.parametrize(
    "field, value",
    [
        (forms.DateField(), "9"),
        (forms.EmailField(), "9"),
        (forms.IntegerField(), "9.5"),
        (forms.CharField(max_length=3), "1234"),
        (forms.ChoiceField(choices=[("a", "A")]), "9"),
        (forms.IntegerField(min_value=5), "4"),
    ],
)
def test_djangos_own_validation_messages_reach_a_khmer_user_in_khmer(field, value):
    """Django's Khmer catalogue lacks most validation messages; CTIP's carries them
    (ctip/core/django_messages_km.py)."""
    with override("km"):
        with pytest.raises(ValidationError) as raised:
            field.clean(value)
        message = " ".join(raised.value.messages)  # lazy: rendered in Khmer only in here
    assert KHMER.search(message), message
    assert not re.search(r"[A-Za-z]{3,}", message), message
