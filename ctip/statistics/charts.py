"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable on a phone.

Each chart scales to the width of the screen (viewBox) and carries a <title> and an
aria-label; the table under it holds the same figures. Hidden (small-cell) figures are drawn
as a dashed stub with their mark ("<5" or "x"), never as a bar of their true length.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .geo import ATTRIBUTION, province_paths
from .protection import Cell

# Light to dark, colour-blind safe (a single blue hue).
SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
SUPPRESSED_FILL = "url(#ctip-hatch)"
BAR = "#2f6f9f"


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(rows: list[tuple[str, Cell]], *, title: str) -> SafeString:
    """A horizontal bar chart of labelled cells."""
    if not rows:
        return mark_safe("")  # noqa: S308 (constant)
    label_w, bar_w, row_h, top = 190, 330, 26, 8
    height = top + row_h * len(rows) + 8
    biggest = (
        max((c.value or 0) for _l, c in rows if c.shown) if any(c.shown for _l, c in rows) else 0
    )
    parts = [
        f'<svg class="stat-chart" viewBox="0 0 600 {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, cell) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">'
            f"{escape(_short(label))}</text>"
        )
        if cell.shown:
            w = 0 if not biggest else max(1.0, bar_w * (cell.value or 0) / biggest)
            if cell.value == 0:
                w = 0
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{BAR}"><title>{escape(label)}: {escape(str(cell))}</title></rect>'
            )
            text_x = label_w + w + 6
        else:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="18" height="{row_h - 8}" fill="none" '
                f'stroke="#777" stroke-dasharray="3 2"><title>{escape(label)}: '
                f"{escape(str(cell))}</title></rect>"
            )
            text_x = label_w + 24
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + 17}" font-size="13">{escape(str(cell))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def _classes(values: list[int]) -> list[int]:
    """Upper bounds of up to five equal-width classes over the shown values."""
    top = max(values) if values else 0
    if top <= 0:
        return []
    step = max(1, -(-top // len(SHADES)))
    return [step * (i + 1) for i in range(len(SHADES))]


def province_map(cells: dict[str, tuple[str, Cell]], *, title: str) -> SafeString:
    """A map of Cambodia's provinces shaded by `cells` (ISO 3166-2 → (name, protected cell))."""
    paths, (width, height) = province_paths()
    shown = [c.value or 0 for _n, c in cells.values() if c.shown]
    bounds = _classes(shown)
    parts = [
        f'<svg class="stat-map" viewBox="0 0 {width:.0f} {height + 70:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="ctip-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eee"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>',
    ]
    for iso, d in sorted(paths.items()):
        name, cell = cells.get(iso, (iso, Cell(0)))
        if not cell.shown:
            fill = SUPPRESSED_FILL
        elif not cell.value:
            fill = "#ffffff"
        else:
            fill = next(
                (SHADES[i] for i, hi in enumerate(bounds) if (cell.value or 0) <= hi), SHADES[-1]
            )
        parts.append(
            f'<path d="{d}" fill="{fill}" stroke="#555" stroke-width="0.6" '
            f'data-iso="{escape(iso)}"><title>{escape(name)}: {escape(str(cell))}</title></path>'
        )
    # Legend: the classes, the hatch for hidden figures, and the attribution (ODbL).
    y = height + 12
    lo = 1
    for i, hi in enumerate(bounds):
        x = 10 + i * 80
        parts.append(
            f'<rect x="{x}" y="{y}" width="16" height="12" fill="{SHADES[i]}" stroke="#555"/>'
        )
        parts.append(f'<text x="{x + 20}" y="{y + 11}" font-size="11">{lo}–{hi}</text>')
        lo = hi + 1
    x = 10 + len(SHADES) * 80
    parts.append(
        f'<rect x="{min(x, 520)}" y="{y}" width="16" height="12" '
        f'fill="{SUPPRESSED_FILL}" stroke="#555"/>'
    )
    parts.append(
        f'<text x="{min(x, 520) + 20}" y="{y + 11}" font-size="11">{escape(_("hidden"))}</text>'
    )
    parts.append(
        f'<text x="10" y="{y + 40}" font-size="10" fill="#555">{escape(str(ATTRIBUTION))}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)
