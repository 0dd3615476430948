"""The screening decision: indicators observed → positive dimensions → result.

The indicators and the combination rule are data (an `Instrument`), so a national authority can
revise them without code. One rule is law, not data, and stands here on its own: a child in
commercial sexual exploitation is a victim regardless of means (Palermo Protocol, art. 3(c)).
It never depends on the instrument, its status or its indicators.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .models import ScreeningResult

DATA_DIR = Path(__file__).resolve().parent / "data"
ILO_CSV = DATA_DIR / "ilo_indicators.csv"

ILO_SOURCE = (
    "ILO, Operational indicators of trafficking in human beings. Results from a Delphi survey "
    "implemented by the ILO and the European Commission (WCMS_105023), Geneva, March 2009, "
    "revised September 2009. Transcribed from a secondary synthesis: the adult and child "
    "sexual-exploitation lists are missing and the decision rule is unverified. Provisional "
    "until validated against the brochure by the national authority."
)

# The secondary transcription of the rule (see data/README.md). Data, not code: an instrument
# version carries its own copy, which an administrator can revise.
DEFAULT_RULE: dict = {
    # A dimension is positive when the indicators observed in it meet any one of these.
    "dimension_positive": [
        {"strong": 2},
        {"strong": 1, "medium_or_weak": 1},
        {"medium": 3},
        {"medium": 2, "weak": 1},
    ],
    # Identified when every group has at least one positive dimension.
    "adult": {
        "identified_when_all": [
            ["deceptive_recruitment", "coercive_recruitment"],
            ["exploitative_conditions"],
            ["coercion_at_destination"],
        ]
    },
    "child": {"identified_when_all": [["exploitative_conditions"]]},
    # Lists used for adults and for children.
    "lists": {"adult": "adult_labour", "child": "child_labour"},
}


@dataclass(frozen=True)
class IndicatorRow:
    list_code: str
    dimension: str
    dimension_label: str
    strength: str
    code: str
    text: str


def read_indicator_csv(path: Path = ILO_CSV) -> list[IndicatorRow]:
    """Reads an indicator list in the layout of data/ilo_indicators.csv."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            IndicatorRow(
                r["list"],
                r["dimension"],
                r["dimension_label"],
                r["strength"],
                r["code"],
                r["indicator"],
            )
            for r in csv.DictReader(fh)
        ]


@dataclass
class Decision:
    result: str
    child_rule: bool = False
    positive_dimensions: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    explanation: str = ""

    def as_basis(self) -> dict:
        return {
            "child_rule": self.child_rule,
            "positive_dimensions": self.positive_dimensions,
            "counts": self.counts,
            "explanation": self.explanation,
        }


def _meets(counts: dict[str, int], combination: dict[str, int]) -> bool:
    strong, medium, weak = counts.get("strong", 0), counts.get("medium", 0), counts.get("weak", 0)
    return (
        strong >= combination.get("strong", 0)
        and medium >= combination.get("medium", 0)
        and weak >= combination.get("weak", 0)
        and medium + weak >= combination.get("medium_or_weak", 0)
    )


def decide(
    *,
    rule: dict,
    observed: list[tuple[str, str]],
    is_child: bool,
    commercial_sexual_exploitation: bool,
) -> Decision:
    """Applies the child rule, then the instrument's rule, to (dimension, strength) pairs."""
    counts: dict[str, dict[str, int]] = {}
    for dimension, strength in observed:
        counts.setdefault(dimension, {}).setdefault(strength, 0)
        counts[dimension][strength] += 1
    positive = sorted(
        d
        for d, c in counts.items()
        if any(_meets(c, combo) for combo in rule.get("dimension_positive", []))
    )
    if is_child and commercial_sexual_exploitation:
        return Decision(
            ScreeningResult.IDENTIFIED,
            child_rule=True,
            positive_dimensions=positive,
            counts=counts,
            explanation="child_rule",
        )
    groups = rule.get("child" if is_child else "adult", {}).get("identified_when_all", [])
    if groups and all(any(d in positive for d in group) for group in groups):
        return Decision(ScreeningResult.IDENTIFIED, False, positive, counts, "rule_met")
    any_strong = any(c.get("strong") for c in counts.values())
    # Children are given the benefit of the doubt: any indicator calls for a closer look.
    if positive or any_strong or (is_child and counts):
        return Decision(ScreeningResult.POSSIBLE, False, positive, counts, "some_indicators")
    return Decision(ScreeningResult.NOT_VICTIM, False, positive, counts, "no_indicators")
