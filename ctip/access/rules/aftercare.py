"""Access rules for shelters, placements, referrals, returns, reintegration (issue 5)."""

from .base import Rule

RULES: dict[str, Rule] = {}
