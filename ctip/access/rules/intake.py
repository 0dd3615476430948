"""Access rules for reports, operations, screening (issue 3)."""

from .base import Rule

RULES: dict[str, Rule] = {}
