"""The keys that seal the audit chain and sign its checkpoints, kept outside the database.

`settings.CTIP_AUDIT_KEYS` reads "id1:secret1,id2:secret2" (commas or new lines). The first key
seals new events and signs new checkpoints; the others only verify what was sealed before a
rotation. Each event and checkpoint records the id of the key it was sealed with.

Without the key, someone who owns the database can still delete or edit rows, but can no
longer recompute hashes that verify: an unkeyed SHA-256 chain could be rewritten end to end.

This module imports nothing from Django at load time: the production settings use
`parse_keys` to refuse a missing or weak key before anything starts.
"""

import hashlib
import hmac
import re
from functools import lru_cache

KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")
# What production accepts as a secret (the development fallback is 64 hex characters).
MIN_SECRET_LENGTH = 32


class AuditKeyError(Exception):
    """The audit keys are missing, malformed, or do not include a key an event names."""


def parse_keys(spec: str) -> dict[str, bytes]:
    """{key id: secret}, in the order given: the first is the current key."""
    keys: dict[str, bytes] = {}
    for item in re.split(r"[,\n]", spec):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not secret:
            raise AuditKeyError("Each audit key is written id:secret.")
        if not KEY_ID.fullmatch(key_id):
            raise AuditKeyError(
                f"Audit key id {key_id!r}: use 1 to 16 letters, digits, '.', '_' or '-'."
            )
        if key_id in keys:
            raise AuditKeyError(f"Audit key id {key_id!r} is given twice.")
        keys[key_id] = secret.encode()
    if not keys:
        raise AuditKeyError("No audit key is configured (CTIP_AUDIT_KEYS).")
    return keys


def derived_key(secret_key: str) -> str:
    """The development fallback: a key derived from SECRET_KEY for this one purpose."""
    return hmac.new(secret_key.encode(), b"ctip.audit.key", hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _parsed(spec: str) -> dict[str, bytes]:
    # Cached on the setting's value: every write audits, and tests may override the setting.
    return parse_keys(spec)


def _keys() -> dict[str, bytes]:
    from django.conf import settings

    return _parsed(settings.CTIP_AUDIT_KEYS)


def current_key() -> tuple[str, bytes]:
    """(id, secret) of the key that seals new events."""
    return next(iter(_keys().items()))


def key_for(key_id: str | None) -> bytes:
    """The secret of the key an event or checkpoint names; AuditKeyError if it is not known."""
    try:
        return _keys()[key_id]  # type: ignore[index]
    except KeyError:
        if not key_id:
            raise AuditKeyError("not sealed with an audit key") from None
        raise AuditKeyError(
            f"sealed with audit key {key_id!r}, which is not configured (CTIP_AUDIT_KEYS)"
        ) from None


def mac(secret: bytes, payload: bytes) -> str:
    """HMAC-SHA256 of `payload`, in hex: one per event, so appends stay cheap."""
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()
