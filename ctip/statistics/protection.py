"""Small-cell protection: the one function that decides which figures may be published.

A cell counting fewer than the threshold (but more than none) is suppressed and shown as
"<5" the way the UNODC Global Report does ("primary" suppression). Because a table carries
totals, one hidden cell in a row or column could be worked out by subtraction; so whenever a
line (a row or column with its total) has exactly one hidden figure, a second one is hidden
too ("secondary" suppression, shown as "x"), until no line has a lone unknown.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

TOTAL = "__total__"


def small_cell_threshold() -> int:
    """The smallest count that may be published (setting CTIP_SMALL_CELL_THRESHOLD, default 5)."""
    value = int(getattr(settings, "CTIP_SMALL_CELL_THRESHOLD", 5))
    return max(value, 1)


@dataclass(frozen=True)
class Cell:
    """One published figure: its value, or the reason it is hidden."""

    value: int | None
    suppressed: str = ""  # "", "primary" or "secondary"
    threshold: int = 5

    @property
    def shown(self) -> bool:
        return not self.suppressed

    def __str__(self) -> str:
        if self.suppressed == "primary":
            return f"<{self.threshold}"
        if self.suppressed == "secondary":
            return "x"
        return f"{self.value:,}"

    def as_json(self) -> int | str:
        """The figure for machines: the number, or the same mark the pages show."""
        return self.value if self.shown and self.value is not None else str(self)


@dataclass
class Grid:
    """A protected table: cells by (row, column), with totals under the key TOTAL."""

    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[tuple[Hashable, Hashable], Cell] = field(default_factory=dict)
    threshold: int = 5

    def get(self, row: Hashable, column: Hashable = TOTAL) -> Cell:
        return self.cells[(row, column)]

    @property
    def total(self) -> Cell:
        return self.cells[(TOTAL, TOTAL)]

    @property
    def suppressed_count(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.suppressed)


def protect(
    values: dict[tuple[Hashable, Hashable], int],
    *,
    rows: Sequence[Hashable],
    columns: Sequence[Hashable] = (TOTAL,),
    totals: dict[tuple[Hashable, Hashable], int] | None = None,
    threshold: int | None = None,
) -> Grid:
    """Protects a table of counts and returns it with its totals.

    `values` maps (row, column) to a count; missing cells count 0. A one-way table has the
    single column TOTAL. Totals are summed from the cells unless `totals` gives them (for
    distinct counts, where a person may fall in two rows, the sum would overstate them).
    """
    limit = small_cell_threshold() if threshold is None else threshold
    rows, columns = list(rows), list(columns)
    one_way = columns == [TOTAL]
    inner_cols = [] if one_way else columns
    raw: dict[tuple[Hashable, Hashable], int] = {}
    for r in rows:
        for c in inner_cols:
            raw[(r, c)] = int(values.get((r, c), 0) or 0)
        if one_way:
            raw[(r, TOTAL)] = int(values.get((r, TOTAL), 0) or 0)
        else:
            raw[(r, TOTAL)] = sum(raw[(r, c)] for c in inner_cols)
    for c in inner_cols:
        raw[(TOTAL, c)] = sum(raw[(r, c)] for r in rows)
    raw[(TOTAL, TOTAL)] = sum(raw[(r, TOTAL)] for r in rows)
    for key, value in (totals or {}).items():
        raw[key] = int(value or 0)

    hidden: dict[tuple[Hashable, Hashable], str] = {
        key: "primary" for key, value in raw.items() if 0 < value < limit
    }
    # Each line is a sum: its cells add up to its total. A line with one unknown gives it away.
    lines: list[tuple[list[tuple], tuple]] = []
    for r in [*rows, TOTAL]:
        if inner_cols:
            lines.append(([(r, c) for c in inner_cols], (r, TOTAL)))
    for c in [*inner_cols, TOTAL]:
        lines.append(([(r, c) for r in rows], (TOTAL, c)))
    changed = True
    while changed:
        changed = False
        for members, total_key in lines:
            unknown = [k for k in [*members, total_key] if k in hidden]
            if len(unknown) != 1:
                continue
            candidates = [k for k in members if k not in hidden]
            # Hide the smallest other figure: the least information lost. Prefer a non-zero
            # one, since hiding a zero that the reader could guess protects little.
            nonzero = [k for k in candidates if raw[k] > 0]
            pool = nonzero or candidates
            pick = min(pool, key=lambda k: (raw[k], str(k))) if pool else total_key
            if pick in hidden:  # a line without cells: its total is all there is
                continue
            hidden[pick] = "secondary"
            changed = True

    grid = Grid(rows=rows, columns=[*inner_cols, TOTAL], threshold=limit)
    for key, value in raw.items():
        reason = hidden.get(key, "")
        grid.cells[key] = Cell(None if reason else value, reason, limit)
    return grid


def legend(threshold: int | None = None) -> str:
    """The footnote every protected table carries."""
    limit = small_cell_threshold() if threshold is None else threshold
    return _(
        "<%(n)s: fewer than %(n)s, not shown to protect the people counted. "
        "x: not shown, so that a hidden figure cannot be worked out from the totals."
    ) % {"n": limit}
