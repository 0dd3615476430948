"""Access rules for cases, consent, assessments, care plans, services, notes (issue 4)."""

from .base import Rule

RULES: dict[str, Rule] = {}
