"""Access rules for record linkage, the duplicate review queue and the network view (issue 9)."""

from .base import Rule

RULES: dict[str, Rule] = {}
