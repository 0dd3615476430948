"""Access rules for vulnerability assessments, programmes, clubs, trainings, campaigns (issue 7)."""

from .base import Rule

RULES: dict[str, Rule] = {}
