"""PDF documents from Django templates, with Khmer shaped correctly.

WeasyPrint lays text out with Pango and HarfBuzz, which shape Khmer (stacked consonants,
vowel signs) as a browser does; the fonts come from the system (Debian's fonts-khmeros).
Templates extend "core/pdf_base.html".
"""

from django.template.loader import render_to_string
from django.utils import timezone

# A PDF that could not show Khmer is worse than none: these families must be installed.
KHMER_FONT_FAMILIES = ("Khmer OS", "Khmer OS System", "Noto Sans Khmer")


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Renders a template to PDF bytes. The context gets `generated_at`."""
    html = render_to_string(
        template_name, {"generated_at": timezone.now()} | context, request=request
    )
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDF views need

    # No base URL: a document never fetches anything, from the network or the disk.
    return HTML(string=html, base_url=None).write_pdf()
