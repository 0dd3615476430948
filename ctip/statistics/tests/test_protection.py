"""Small-cell protection: small counts are hidden, and cannot be recomputed from the totals."""

from itertools import product

import pytest

from ctip.statistics.protection import TOTAL, Cell, protect, small_cell_threshold

from .conftest import YEAR, make_person


def _lines(grid):
    """Every sum relation of a protected grid: (cells, total)."""
    inner = [c for c in grid.columns if c != TOTAL]
    lines = []
    for r in [*grid.rows, TOTAL]:
        if inner:
            lines.append(([(r, c) for c in inner], (r, TOTAL)))
    for c in grid.columns:
        lines.append(([(r, c) for r in grid.rows], (TOTAL, c)))
    return lines


def assert_no_lone_unknown(grid):
    """No row or column has exactly one hidden figure: none can be worked out by subtraction."""
    for members, total in _lines(grid):
        hidden = [k for k in [*members, total] if not grid.cells[k].shown]
        assert len(hidden) != 1, f"{hidden} can be recomputed from its line"


def test_the_threshold_is_a_setting_defaulting_to_five(settings):
    del settings.CTIP_SMALL_CELL_THRESHOLD
    assert small_cell_threshold() == 5
    settings.CTIP_SMALL_CELL_THRESHOLD = 10
    assert small_cell_threshold() == 10


def test_cells_below_the_threshold_show_as_less_than_five_and_zeros_stay():
    grid = protect(
        {("a", TOTAL): 3, ("b", TOTAL): 0, ("c", TOTAL): 12, ("d", TOTAL): 7},
        rows=["a", "b", "c", "d"],
        threshold=5,
    )
    assert str(grid.get("a")) == "<5"
    assert grid.get("a").value is None and grid.get("a").suppressed == "primary"
    assert str(grid.get("b")) == "0"
    # The lone hidden 3 would be total − 12 − 7: the next smallest non-zero cell goes too.
    assert grid.get("d").suppressed == "secondary" and str(grid.get("d")) == "x"
    assert grid.get("c").value == 12
    assert grid.total.value == 22
    assert_no_lone_unknown(grid)


def test_a_small_total_is_hidden_too():
    grid = protect({("a", TOTAL): 2, ("b", TOTAL): 1}, rows=["a", "b"], threshold=5)
    assert not grid.total.shown
    assert not grid.get("a").shown and not grid.get("b").shown


def test_a_lone_small_total_is_hidden_and_shown_as_less_than_five():
    grid = protect({}, rows=[], totals={(TOTAL, TOTAL): 3}, threshold=5)
    assert str(grid.total) == "<5"


def test_a_single_cell_line_hides_its_total():
    grid = protect({("a", TOTAL): 3}, rows=["a"], totals={(TOTAL, TOTAL): 40}, threshold=5)
    assert not grid.get("a").shown
    assert not grid.total.shown
    assert_no_lone_unknown(grid)


def test_two_way_tables_protect_every_row_and_column():
    values = {
        ("sex", "f"): 12,
        ("sex", "m"): 2,
        ("sex", "x"): 0,
        ("labour", "f"): 7,
        ("labour", "m"): 9,
        ("labour", "x"): 1,
        ("other", "f"): 6,
        ("other", "m"): 8,
        ("other", "x"): 0,
    }
    grid = protect(values, rows=["sex", "labour", "other"], columns=["f", "m", "x"], threshold=5)
    assert str(grid.get("sex", "m")) == "<5"
    assert str(grid.get("labour", "x")) == "<5"
    assert_no_lone_unknown(grid)
    # Margins are sums of the true values.
    assert grid.get(TOTAL, "f").value == 25
    assert grid.total.value == 45


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_leave_a_recomputable_cell(seed):
    import random

    rng = random.Random(seed)
    rows, cols = (
        [f"r{i}" for i in range(rng.randint(1, 5))],
        [f"c{j}" for j in range(rng.randint(1, 4))],
    )
    values = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 40]) for r, c in product(rows, cols)}
    grid = protect(values, rows=rows, columns=cols, threshold=5)
    assert_no_lone_unknown(grid)
    for key, value in values.items():
        if 0 < value < 5:
            assert not grid.cells[key].shown
        if grid.cells[key].shown:
            assert grid.cells[key].value == value


def test_cells_serialise_to_numbers_or_their_marks():
    assert Cell(7).as_json() == 7
    assert Cell(None, "primary", 5).as_json() == "<5"
    assert Cell(None, "secondary", 5).as_json() == "x"


def test_statistics_hide_small_cells_and_withhold_drill_downs_into_hidden_ones(
    world, statistician, settings
):
    """End to end: three cases in Phnom Penh, seven in Siem Reap; drilling into Phnom Penh
    would reveal the hidden 3, so the drill-down is withheld."""
    from datetime import date

    from ctip.cases.models import Case
    from ctip.statistics.selectors import breakdown, year_bounds

    settings.CTIP_SMALL_CELL_THRESHOLD = 5
    cast = world.cast
    for i, village in enumerate(["12"] * 3 + ["17"] * 7 + ["01"] * 9):
        Case.objects.create(
            organisation=cast.org_a,
            number=f"P-{i}",
            person=make_person(world, sex="f" if i % 2 else "m", age=15, village=village),
            opened_on=date(YEAR, 3, 1),
            case_worker=cast.a["case_worker"],
        )
    start, end = year_bounds(YEAR)
    result = breakdown(user=statistician, code="cases_opened", start=start, end=end, by="province")
    cells = {row.key: row.cell for row in result.rows}
    assert str(cells["12"]) == "<5"
    assert str(cells["17"]) == "x"  # secondary: else 19 − 9 − 7 gives Phnom Penh away
    assert cells["01"].value == 9
    assert result.total.value == 19
    drilled = breakdown(
        user=statistician,
        code="cases_opened",
        start=start,
        end=end,
        by="sex",
        filters={"province": "12"},
    )
    assert drilled.withheld
    assert all(not row.cell.shown or row.cell.value == 0 for row in drilled.rows)
    assert not drilled.total.shown
    open_drill = breakdown(
        user=statistician,
        code="cases_opened",
        start=start,
        end=end,
        by="sex",
        filters={"province": "01"},
    )
    assert not open_drill.withheld and open_drill.total.value == 9
