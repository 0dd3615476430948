"""PDFs render Khmer with a real Khmer font, embedded."""

import shutil
import subprocess

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from ctip.core.pdf import html_to_pdf

KHMER_DOC = Template(
    '{% extends "core/pdf_base.html" %}{% block content %}'
    "<h1>សុខ ដារា</h1><p>ការជួញដូរមនុស្ស និងការធ្វើអាជីវកម្មផ្លូវភេទ</p>{% endblock %}"
)


def embedded_fonts(pdf: bytes, tmp_path) -> str:
    """What poppler's pdffonts lists for a PDF (Debian package poppler-utils)."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: apt-get install poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_a_pdf_embeds_a_khmer_font_for_khmer_text(tmp_path):
    with translation.override("km"):
        pdf = html_to_pdf(KHMER_DOC.render(Context({"generated_at": timezone.now()})))
    assert pdf.startswith(b"%PDF-")
    fonts = embedded_fonts(pdf, tmp_path)
    khmer = [line for line in fonts.splitlines() if "Khmer-OS" in line]
    assert khmer, fonts
    assert all(" yes yes yes " in line for line in khmer)  # embedded, subset, with Unicode map
