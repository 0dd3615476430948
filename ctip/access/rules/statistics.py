"""Access rules for statistics, releases and data exchange (issue 8)."""

from .base import Rule

RULES: dict[str, Rule] = {}
