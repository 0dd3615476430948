"""Access rules for interoperability with partner case-management systems (issue 8).

An organisation sees its own partner systems and the external references of those systems:
supervisors who sync (interop.sync) and those who manage the systems (interop.manage). Nobody
sees another organisation's systems: a partner system's id from elsewhere answers 404.
"""

from .base import BASE_FIELDS as _BASE
from .base import N, Rule, own_organisation

RULES: dict[str, Rule] = {
    "interop.PartnerSystem": Rule(
        scopes=[
            ("interop.manage", own_organisation()),
            ("interop.sync", own_organisation()),
        ],
        fields=_BASE
        | {
            "organisation": N,
            "recipient": N,
            "name": N,
            "kind": N,
            "is_active": N,
            "last_pulled_at": N,
            "last_pushed_at": N,
        },
        change_permissions=("interop.manage",),
    ),
    "interop.ExternalReference": Rule(
        scopes=[
            ("interop.manage", own_organisation("system__organisation")),
            ("interop.sync", own_organisation("system__organisation")),
        ],
        fields=_BASE | {"system": N, "external_id": N, "case": N, "last_synced_at": N},
        change_permissions=("interop.sync",),
    ),
}
