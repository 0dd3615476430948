"""Judging an uploaded file's type by its content, never by its name or declared type.

One table of signatures serves every upload (evidence, photos, imports): each caller names
the types it accepts. Anything else is refused — no HTML, SVG, scripts or executables posing
as something harmless.
"""

from collections.abc import Callable, Iterable

# (content type, test on the first bytes). The first match wins.
SIGNATURES: list[tuple[str, Callable[[bytes], bool]]] = [
    ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ("audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    ("audio/ogg", lambda h: h[:4] == b"OggS"),
    ("audio/mpeg", lambda h: h[:3] == b"ID3" or h[:2] in (b"\xff\xfb", b"\xff\xf3")),
    ("video/mp4", lambda h: h[4:8] == b"ftyp"),
]

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def sniff_binary_type(head: bytes, accepted: Iterable[str]) -> str | None:
    """The accepted content type whose signature the first bytes carry; None otherwise."""
    accepted = frozenset(accepted)
    for content_type, test in SIGNATURES:
        if content_type in accepted and test(head):
            return content_type
    return None
