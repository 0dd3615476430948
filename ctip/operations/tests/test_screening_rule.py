"""The decision: the child rule stands alone; the rest follows the instrument's data."""

from ctip.operations.models import ScreeningResult
from ctip.operations.screening import DEFAULT_RULE, decide, read_indicator_csv

R = DEFAULT_RULE


def test_a_child_in_commercial_sexual_exploitation_is_a_victim_without_any_indicator():
    decision = decide(rule=R, observed=[], is_child=True, commercial_sexual_exploitation=True)
    assert decision.result == ScreeningResult.IDENTIFIED and decision.child_rule


def test_the_child_rule_holds_whatever_the_instrument_says():
    # An empty or even hostile rule cannot undo it: it is not data.
    for rule in ({}, {"dimension_positive": [], "child": {"identified_when_all": [["x"]]}}):
        decision = decide(
            rule=rule, observed=[], is_child=True, commercial_sexual_exploitation=True
        )
        assert decision.result == ScreeningResult.IDENTIFIED


def test_an_adult_needs_recruitment_exploitation_and_coercion_to_be_identified():
    observed = [
        ("deceptive_recruitment", "strong"),
        ("deceptive_recruitment", "medium"),
        ("exploitative_conditions", "medium"),
        ("exploitative_conditions", "medium"),
        ("exploitative_conditions", "medium"),
    ]
    partial = decide(
        rule=R, observed=observed, is_child=False, commercial_sexual_exploitation=False
    )
    assert partial.result == ScreeningResult.POSSIBLE
    assert partial.positive_dimensions == ["deceptive_recruitment", "exploitative_conditions"]
    full = decide(
        rule=R,
        observed=observed + [("coercion_at_destination", "strong")] * 2,
        is_child=False,
        commercial_sexual_exploitation=False,
    )
    assert full.result == ScreeningResult.IDENTIFIED and not full.child_rule


def test_each_combination_makes_a_dimension_positive():
    for combo in (
        ["strong", "strong"],
        ["strong", "weak"],
        ["medium", "medium", "medium"],
        ["medium", "medium", "weak"],
    ):
        d = decide(
            rule=R,
            observed=[("coercion_at_destination", s) for s in combo],
            is_child=False,
            commercial_sexual_exploitation=False,
        )
        assert d.positive_dimensions == ["coercion_at_destination"], combo
    d = decide(
        rule=R,
        observed=[("coercion_at_destination", "medium"), ("coercion_at_destination", "weak")],
        is_child=False,
        commercial_sexual_exploitation=False,
    )
    assert d.positive_dimensions == [] and d.result == ScreeningResult.NOT_VICTIM


def test_a_child_with_any_indicator_needs_further_assessment():
    d = decide(
        rule=R,
        observed=[("recruitment_abuse_of_vulnerability", "medium")],
        is_child=True,
        commercial_sexual_exploitation=False,
    )
    assert d.result == ScreeningResult.POSSIBLE


def test_the_rule_is_data_that_can_be_changed():
    stricter = R | {"dimension_positive": [{"strong": 3}]}
    d = decide(
        rule=stricter,
        observed=[("exploitative_conditions", "strong")] * 2,
        is_child=True,
        commercial_sexual_exploitation=False,
    )
    assert d.positive_dimensions == [] and d.result == ScreeningResult.POSSIBLE


def test_the_shipped_indicator_list_has_both_labour_lists():
    rows = read_indicator_csv()
    lists = {r.list_code for r in rows}
    assert lists == {"adult_labour", "child_labour"}
    assert len(rows) == 132
    assert {r.strength for r in rows} <= {"strong", "medium", "weak"}
