"""The text layer of CTIP's PDFs reads back as the text that was written, Khmer included.

Why this module exists: WeasyPrint (70) draws the glyphs that Pango and HarfBuzz shaped, and
tells readers which characters they stand for with one ToUnicode map per font: one string per
glyph, first use wins. Khmer does not fit that map. A cluster such as ស្រី or មែ is drawn as
several glyphs, not in the order of its characters (a subscript or the vowel ែ goes before or
under its consonant); WeasyPrint gives the whole cluster to one glyph and nothing to the
others, and a glyph reused in another cluster keeps the characters of the first. Copying,
searching or a screen reader then gets other letters (មនុស្ស read back as មនុស្រ្ស, សុខ as
ស្រុ), while the page looks right. One map per font cannot be right for every cluster at once
(upstream: Kozea/WeasyPrint#2841, still open).

What we do: every line of text in a complex script (any character from U+0590 on: Hebrew,
Arabic, the Indic and South-East Asian scripts, Khmer) is wrapped in a marked-content sequence
whose /ActualText is the exact text Pango laid out on that line:

    /Span <</ActualText <FEFF...>>> BDC  ...the glyphs, drawn exactly as before...  EMC

Readers that extract text by the PDF standard take the ActualText instead of the glyph map:
poppler (pdftotext, Evince, Okular; tested in ctip/core/tests/test_pdf_khmer_text.py), Adobe
Acrobat, Chromium's viewer. Viewers that ignore ActualText
(pdf.js in Firefox, Apple Preview) still read WeasyPrint's map. The drawing is untouched: the
wrapper only inserts the two operators around what WeasyPrint's own `draw_first_line`
emitted, so the page shows the same glyphs at the same places (the test compares rasters).

`install()` patches `weasyprint.draw.text.draw_first_line` once; ctip.core.pdf calls it before
every rendering. Check this module again when upgrading WeasyPrint (pyproject pins it).
"""

import functools
import threading

import pydyf

_install_lock = threading.Lock()

# Scripts from Hebrew on are shaped (reordered, split, ligated): their lines carry ActualText.
# Latin text maps one glyph to one character and is left as WeasyPrint writes it.
_SHAPED_FROM = 0x0590


def needs_actual_text(text: str) -> bool:
    """True when `text` has a character of a shaped script, whose glyph map would be lossy."""
    return any(ord(char) >= _SHAPED_FROM for char in text)


def _first_line_text(textbox) -> str:
    """The text Pango laid out on the first line of `textbox` (what draw_first_line drew)."""
    layout = textbox.pango_layout
    line, _next_index = layout.get_first_line()
    utf8 = layout.text.encode()
    return utf8[line.start_index : line.start_index + line.length].decode(errors="replace")


def _with_actual_text(draw_first_line):
    @functools.wraps(draw_first_line)
    def wrapped(stream, textbox, *args, **kwargs):
        start = len(stream.stream)
        result = draw_first_line(stream, textbox, *args, **kwargs)
        if len(stream.stream) == start:
            return result  # nothing drawn (blank or zero-size text)
        text = _first_line_text(textbox)
        if text and needs_actual_text(text):
            # Inserted around what was drawn: the glyph operators stay exactly as they were.
            properties = pydyf.Dictionary({"ActualText": pydyf.String(text)})
            stream.stream[start:start] = ["/Span", properties, b"BDC"]
            stream.stream.append(b"EMC")
        return result

    wrapped.ctip_actual_text = True
    return wrapped


def install() -> None:
    """Makes WeasyPrint write /ActualText for lines in shaped scripts (idempotent)."""
    from weasyprint.draw import text as draw_text

    with _install_lock:  # two first PDFs at once must not wrap it twice
        if not getattr(draw_text.draw_first_line, "ctip_actual_text", False):
            draw_text.draw_first_line = _with_actual_text(draw_text.draw_first_line)
