"""Appending to the audit log. Every service write calls `audit_record` in its transaction."""

import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .keys import current_key, key_for, mac
from .models import GENESIS_HASH, AuditAction, AuditEvent

# Any constant will do: it names the PostgreSQL advisory lock that serialises appends.
_PG_CHAIN_LOCK = 0x43544950  # "CTIP"


def canonical_payload(
    *,
    seq: int,
    created_at,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    changes: dict,
    reason: str,
    prev_hash: str,
    key_id: str,
) -> bytes:
    """The bytes that an event's hash covers. Field order and separators are load-bearing."""
    body = {
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "organisation_id": organisation_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "changes": changes,
        "reason": reason,
        "prev_hash": prev_hash,
        "key_id": key_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    """Recomputes the hash an event must carry, from its stored content: HMAC-SHA256 under the
    audit key the event names (AuditKeyError if that key is not configured)."""
    secret = key_for(event.key_id)
    payload = canonical_payload(
        seq=event.seq,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        organisation_id=event.organisation_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        changes=event.changes,
        reason=event.reason,
        prev_hash=event.prev_hash,
        key_id=event.key_id,
    )
    return mac(secret, payload)


def _lock_chain() -> None:
    # SQLite: every transaction starts IMMEDIATE (see settings), so writers are already serial.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])


def _contains_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_contains_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_float(v) for v in value)
    return False


class _AuditJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, which also writes a record (e.g. a foreign key's value) as its name:
    its uuid, or its pk, as `target_label` and `core.services.apply_changes` do."""

    def default(self, o: Any) -> Any:
        if isinstance(o, models.Model):
            return str(getattr(o, "uuid", None) or o.pk)
        return super().default(o)


def _as_stored(changes: dict) -> dict:
    """Returns `changes` exactly as the database will give them back, so the hash matches.

    PostgreSQL's jsonb rewrites some numbers (1e20 comes back as the integer
    100000000000000000000, -0.0 as 0.0), so on PostgreSQL values holding a float take the same
    trip through jsonb before they are hashed. Everything else survives JSON unchanged.
    """
    changes = json.loads(json.dumps(changes, cls=_AuditJSONEncoder))
    if connection.vendor == "postgresql" and _contains_float(changes):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::jsonb::text", [json.dumps(changes)])
            changes = json.loads(cursor.fetchone()[0])
    return changes


def target_label(target: models.Model) -> tuple[str, str]:
    """Returns (type, id) naming a record: its app label and model, and its uuid or pk."""
    meta = target._meta
    ident = getattr(target, "uuid", None) or target.pk
    return f"{meta.app_label}.{meta.model_name}", str(ident)


@transaction.atomic
def audit_record(
    *,
    actor,
    action: AuditAction | str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    changes: dict[str, Any] | None = None,
    sensitive_fields: set[str] | frozenset[str] = frozenset(),
    reason: str = "",
    organisation=None,
) -> AuditEvent:
    """Appends one event to the chain, in the caller's transaction.

    Values of `sensitive_fields` are replaced by null: the log says that they changed, never
    what they were. `organisation` defaults to the actor's.
    """
    if target is not None:
        target_type, target_id = target_label(target)
    clean_changes = {
        name: (None if name in sensitive_fields else value)
        for name, value in (changes or {}).items()
    }
    # Hash exactly the value that the database will return.
    clean_changes = _as_stored(clean_changes)
    actor_id = getattr(actor, "pk", None)
    if organisation is None and actor is not None:
        organisation = getattr(actor, "organisation", None)

    key_id, _secret = current_key()
    _lock_chain()
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    event = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=getattr(actor, "email", "") or "",
        organisation_id=getattr(organisation, "pk", None),
        action=str(action),
        target_type=target_type,
        target_id=str(target_id),
        changes=clean_changes,
        reason=reason,
        prev_hash=head.hash if head else GENESIS_HASH,
        key_id=key_id,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event
