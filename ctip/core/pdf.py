"""PDF documents from Django templates, with Khmer shaped correctly.

WeasyPrint lays text out with Pango and HarfBuzz, which shape Khmer (stacked consonants,
vowel signs) as a browser does; the fonts come from the system (Debian's fonts-khmeros),
through fontconfig, not through a URL. Templates extend "core/pdf_base.html". Each line in
Khmer (or another shaped script) carries its text as /ActualText, so that copying, search and
screen readers get the letters that were written (ctip/core/pdf_text.py).

A document fetches nothing it was not shipped with: every URL WeasyPrint would load (images,
stylesheets, @font-face sources, attachments) goes through `LocalOnlyFetcher`, which serves
`data:` URLs and files under CTIP's own static directories, and refuses everything else
(http, https, ftp, and file: anywhere else on the disk). A refused resource is left out of
the document, which still renders.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

# A PDF that could not show Khmer is worse than none: these families must be installed.
KHMER_FONT_FAMILIES = ("Khmer OS", "Khmer OS System", "Noto Sans Khmer")


class FetchRefused(ValueError):
    """A PDF asked for a resource outside CTIP's own static files."""


def allowed_roots() -> list[Path]:
    """The directories a PDF may load files from: the apps' and project's static files."""
    from django.contrib.staticfiles.finders import get_finders

    roots = []
    for finder in get_finders():
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(Path(storage.location))
        for root in getattr(finder, "locations", ()):
            roots.append(Path(root[1] if isinstance(root, tuple) else root))
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _local_file(url: str) -> Path:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query:
        raise FetchRefused(url)
    path = Path(unquote(parts.path)).resolve()  # symlinks and ".." resolved before checking
    if not any(path.is_relative_to(root) for root in allowed_roots()) or not path.is_file():
        raise FetchRefused(url)
    return path


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """Serves data: URLs and CTIP's static files; refuses every other URL (raises)."""

        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise FetchRefused(url)
            path = _local_file(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalOnlyFetcher


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Renders a template to PDF bytes. The context gets `generated_at`."""
    html = render_to_string(
        template_name, {"generated_at": timezone.now()} | context, request=request
    )
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only PDF views need

    from .pdf_text import install as install_actual_text

    # Khmer reads back as Khmer when copied, searched or read aloud (ctip/core/pdf_text.py).
    install_actual_text()
    # No base URL, and a fetcher that loads only CTIP's own files: a document never fetches
    # anything from the network, nor reads the disk outside the static directories.
    return HTML(string=html, base_url=None, url_fetcher=_fetcher_class()()).write_pdf()
