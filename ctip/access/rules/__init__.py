"""Who sees which records, model by model, and how sensitive each field is.

A rule lists scopes: (permission, scope). A user holding the permission sees the records the
scope function selects for them; the union of all such scopes is what they see. A model with no
rule here is visible to nobody.

Every concrete field of a protected model must be classified (a test checks it); a field left
out is treated as restricted.

The rules of each domain stand in their own module below; this package is the one place that
decides, and `ctip.access.policy` the one place that applies them.
"""

from . import (
    aftercare,
    cases,
    foundation,
    intake,
    interop,
    justice,
    matching,
    prevention,
    statistics,
)
from .base import BASE_FIELDS, C, N, R, Rule, Scope, Sensitivity, everything, own_organisation

RULES: dict[str, Rule] = {}
for _module in (
    foundation,
    intake,
    cases,
    justice,
    prevention,
    aftercare,
    matching,
    statistics,
    interop,
):
    _overlap = RULES.keys() & _module.RULES.keys()
    if _overlap:
        raise RuntimeError(f"Access rules defined twice: {sorted(_overlap)}")
    RULES.update(_module.RULES)

__all__ = [
    "BASE_FIELDS",
    "C",
    "N",
    "R",
    "RULES",
    "Rule",
    "Scope",
    "Sensitivity",
    "everything",
    "own_organisation",
]
