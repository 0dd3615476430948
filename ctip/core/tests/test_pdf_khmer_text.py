"""Khmer PDFs read back as Khmer: copying, searching and screen readers get the letters written.

WeasyPrint's glyph-to-character map loses Khmer clusters (coeng subscripts, reordered vowels);
ctip/core/pdf_text.py gives each line in Khmer its text as /ActualText, without changing what
is drawn. Needs poppler-utils (pdftotext, pdftoppm), like the other PDF tests.
"""

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ctip.accounts.roles import Role
from ctip.cases.services import case_open
from ctip.core.pdf import html_to_pdf
from ctip.core.pdf_text import needs_actual_text
from ctip.core.testing import verified_client
from ctip.people.services import person_create

# Clusters with coeng subscripts and vowels drawn before their consonant.
SENTENCE = "ខ្មែរ ស្រី ការជួញដូរមនុស្ស សុខ ដារា"


def _poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils")
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text layer as poppler's pdftotext reads it."""
    return _poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8")


def _words(text: str) -> list[str]:
    return text.split()


def _reads(text: str, sentence: str) -> bool:
    """`sentence` appears, word for word, in extracted `text` (whatever the line breaks)."""
    return " ".join(_words(sentence)) in " ".join(_words(text))


def content(pdf: bytes) -> bytes:
    """The PDF's streams, decompressed (WeasyPrint compresses page content)."""
    import re
    import zlib

    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            # A decompressor object tolerates the end-of-line before "endstream".
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            parts.append(match.group(1))
    return b"\n".join(parts)


def _without_actual_text(monkeypatch) -> None:
    """WeasyPrint as shipped: the original draw_first_line, and install() a no-op."""
    from weasyprint.draw import text as draw_text

    from ctip.core import pdf_text

    original = getattr(draw_text.draw_first_line, "__wrapped__", draw_text.draw_first_line)
    monkeypatch.setattr(draw_text, "draw_first_line", original)
    monkeypatch.setattr(pdf_text, "install", lambda: None)


def _document(body: str) -> str:
    from django.template import Context, Template

    template = Template(
        '{% extends "core/pdf_base.html" %}{% block content %}' + body + "{% endblock %}"
    )
    with translation.override("km"):
        return template.render(Context({"generated_at": timezone.now()}))


def test_khmer_text_reads_back_exactly(tmp_path):
    text = pdf_text(html_to_pdf(_document(f"<p>{SENTENCE}</p>")), tmp_path)
    assert _reads(text, SENTENCE), text


def test_without_actual_text_the_glyph_map_alone_loses_khmer_letters(tmp_path, monkeypatch):
    # The cause, kept as a test: if WeasyPrint one day maps Khmer right by itself, this fails
    # and ctip/core/pdf_text.py can go.
    _without_actual_text(monkeypatch)
    text = pdf_text(html_to_pdf(_document(f"<p>{SENTENCE}</p>")), tmp_path)
    assert "ដារា" in text  # the document was read
    assert not _reads(text, SENTENCE), text


def test_the_page_draws_the_same_glyphs_with_and_without_actual_text(tmp_path, monkeypatch):
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils")
    html = _document(f"<h1>{SENTENCE}</h1><p>Latin text, 2026 · {SENTENCE}</p>")
    after = html_to_pdf(html)
    _without_actual_text(monkeypatch)
    before = html_to_pdf(html)
    assert b"/ActualText" in content(after) and b"/ActualText" not in content(before)
    rasters = []
    for name, pdf in (("before", before), ("after", after)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "72", "-gray", str(path), str(tmp_path / name)], check=True
        )
        rasters.append(sorted(tmp_path.glob(f"{name}-*.pgm")))
    assert len(rasters[0]) == len(rasters[1]) >= 1
    for page_before, page_after in zip(*rasters, strict=True):
        assert page_before.read_bytes() == page_after.read_bytes()


def test_latin_only_lines_are_left_as_weasyprint_writes_them():
    assert not needs_actual_text("PNH-2026-000123 · Case summary")
    assert needs_actual_text("Case ស្រី")
    pdf = html_to_pdf("<p>Case summary PNH-2026-000123</p>")
    assert b"PNH" not in pdf and b"/ActualText" not in content(pdf)
    assert b"/ActualText" in content(html_to_pdf(f"<p>Case {SENTENCE}</p>"))


@pytest.mark.django_db
def test_the_khmer_case_summary_pdf_reads_back_in_khmer(cast, tmp_path):
    caseworker = cast.a[Role.CASE_WORKER]
    survivor = person_create(
        actor=caseworker,
        given_name="Srey",
        family_name="Chan",
        name_km="ចាន់ ស្រី",
        languages="ខ្មែរ",
        sex="f",
        estimated_age=15,
        age_estimation="self",
    )
    case = case_open(
        actor=caseworker,
        person=survivor,
        supervisor=cast.a[Role.CASE_SUPERVISOR],
        opened_on=timezone.localdate(),
    )
    response = verified_client(caseworker).get(
        reverse("cases:pdf", args=[case.uuid]), {"lang": "km"}
    )
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    words = _words(text)
    assert "ខ្មែរ" in words and "ស្រី" in words and "ចាន់" in words
    assert case.number in text
    with translation.override("km"):
        labels = [gettext(label) for label in ("Case summary", "Survivor", "Consent", "Status")]
    for label in labels:
        assert needs_actual_text(label), f"{label!r} is not translated to Khmer"
        assert label in text, label
