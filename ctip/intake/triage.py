"""Transparent triage rules: each names the facts it reads and the urgency it suggests.

The operator always has the last word: a different urgency needs a reason (services.py). The
rules are listed here, in plain words, and shown on the report so everyone sees why.
Response targets (minutes to first action) can be set per urgency with the setting
`CTIP_RESPONSE_TARGET_MINUTES`, e.g. {"immediate": 15, "urgent": 60, "routine": 1440}.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import URGENCY_RANK, Urgency


@dataclass(frozen=True)
class TriageRule:
    code: str
    label: str | Promise
    urgency: str
    applies: Callable[[dict], bool]


RULES: list[TriageRule] = [
    TriageRule(
        "child_sexual_exploitation",
        _("A child under 18 and sexual exploitation"),
        Urgency.IMMEDIATE,
        lambda f: f.get("flag_child") and f.get("flag_sexual_exploitation"),
    ),
    TriageRule(
        "held_now",
        _("Someone is held now"),
        Urgency.IMMEDIATE,
        lambda f: bool(f.get("flag_held_now")),
    ),
    TriageRule(
        "moving_soon",
        _("Someone is about to be moved"),
        Urgency.IMMEDIATE,
        lambda f: bool(f.get("flag_moving_soon")),
    ),
    TriageRule(
        "injury", _("Injury or violence"), Urgency.URGENT, lambda f: bool(f.get("flag_injury"))
    ),
    TriageRule(
        "child",
        _("A child under 18 is involved"),
        Urgency.URGENT,
        lambda f: bool(f.get("flag_child")),
    ),
    TriageRule(
        "sexual_exploitation",
        _("Sexual exploitation"),
        Urgency.URGENT,
        lambda f: bool(f.get("flag_sexual_exploitation")),
    ),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}

DEFAULT_RESPONSE_TARGET_MINUTES = {
    Urgency.IMMEDIATE: 15,
    Urgency.URGENT: 60,
    Urgency.ROUTINE: 24 * 60,
}


def suggest(facts: dict) -> tuple[str, list[str]]:
    """Returns the suggested urgency and the codes of the rules that matched (routine if none)."""
    matched = [rule for rule in RULES if rule.applies(facts)]
    if not matched:
        return Urgency.ROUTINE, []
    urgency = min((rule.urgency for rule in matched), key=lambda u: URGENCY_RANK[u])
    return urgency, [rule.code for rule in matched]


def response_target(urgency: str) -> timedelta:
    """The time within which a report of this urgency must get its first action."""
    configured = getattr(settings, "CTIP_RESPONSE_TARGET_MINUTES", {}) or {}
    minutes = configured.get(str(urgency), DEFAULT_RESPONSE_TARGET_MINUTES[urgency])
    return timedelta(minutes=minutes)
