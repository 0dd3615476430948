"""Access rules for suspects, proceedings, evidence (issue 6)."""

from .base import Rule

RULES: dict[str, Rule] = {}
