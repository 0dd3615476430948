"""PDFs render Khmer with a real Khmer font, embedded."""

import shutil
import subprocess
from pathlib import Path

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


# --- a PDF fetches nothing it was not shipped with (docs/security.md) -------------------------


def _png() -> bytes:
    """A valid 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def counting_server():
    """A real HTTP server on loopback that counts the requests it gets."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = _png() if self.path.endswith(".png") else b"body { color: red }"
            self.send_response(200)
            self.send_header(
                "Content-Type", "image/png" if self.path.endswith(".png") else "text/css"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _pdf_tool(tool: str, pdf: bytes, tmp_path) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_a_pdf_fetches_no_url_and_reads_no_file_outside_ctip(tmp_path, counting_server):
    import base64

    base, hits = counting_server
    secret = tmp_path / "secret.png"  # a real image, outside CTIP's static directories
    secret.write_bytes(_png())
    inline = base64.b64encode(_png()).decode()
    html = (
        "<html><head>"
        f'<link rel="stylesheet" href="{base}/style.css">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        f'<link rel="attachment" href="file:///etc/passwd">'
        f'<link rel="attachment" href="{base}/attachment.png">'
        f"<style>@import url({base}/import.css);"
        f"@font-face {{ font-family: X; src: url({base}/font.ttf); }}"
        f"body {{ background: url({base}/background.png); font-family: X, sans-serif }}</style>"
        "</head><body><h1>សុខ ដារា</h1>"
        f'<img src="{base}/x.png"><img src="{secret.as_uri()}"><img src="file:///etc/passwd">'
        f'<img src="data:image/png;base64,{inline}">'
        "</body></html>"
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert hits == []  # nothing reached the network
    assert b"root:" not in pdf
    # No attachment was embedded (neither /etc/passwd nor the server's file)...
    assert "0 embedded files" in _pdf_tool("pdfdetach", pdf, tmp_path)
    # ...and of the images only the inline data: one is in the document.
    images = [line for line in _pdf_tool("pdfimages", pdf, tmp_path).splitlines()[2:] if line]
    assert len(images) == 1, images


def test_the_fetcher_serves_ctip_static_files_and_refuses_the_rest(tmp_path):
    from django.contrib.staticfiles import finders

    from ctip.core.pdf import FetchRefused, _fetcher_class

    fetch = _fetcher_class()()
    css = Path(finders.find("ctip/ctip.css"))
    assert fetch(css.as_uri()).read() == css.read_bytes()
    outside = tmp_path / "x.css"
    outside.write_text("body {}")
    escape = css.parent.as_uri() + "/../../../../../../etc/passwd"
    for url in (
        "file:///etc/passwd",
        outside.as_uri(),
        escape,
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "FILE:///etc/passwd",
    ):
        with pytest.raises(FetchRefused):
            fetch(url)
