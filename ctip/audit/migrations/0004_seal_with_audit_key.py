"""Seals the existing audit events with the audit key (HMAC-SHA256), once.

Until now each hash was an unkeyed SHA-256, which whoever owns the database could recompute
after editing events. This walks the chain in order, checks each event against its old hash
and link (so that tampering done before the upgrade is not sealed in), and rewrites `key_id`,
`prev_hash` and `hash` under the current audit key (settings.CTIP_AUDIT_KEYS). It then appends
an `audit_resealed` event that records how many events were sealed and the old head hash, so a
head noted before the upgrade (a backup manifest, `audit_verify` output) can still be matched.

If the old chain does not verify, the migration stops and changes nothing. Investigate first
(the previous release's `manage.py audit_verify` names the event); to seal it all the same,
run the migration with CTIP_AUDIT_SEAL_UNVERIFIED=1: the `audit_resealed` event then says
that the old chain was broken, and where. Sequence numbers are kept as they are, so a gap
left by a deleted event stays visible to `audit_verify` after sealing.

The append-only triggers are lifted for the rewrite and put back, in the migration's
transaction (DDL is transactional on SQLite and PostgreSQL), so no other write can slip in.
The hashing is frozen here: a migration must keep doing what it did when it ran. Irreversible:
unsealing would hand the chain back to whoever owns the database.
"""

import hashlib
import hmac
import json
import os
from datetime import UTC

from django.db import migrations
from django.utils import timezone

GENESIS_HASH = "0" * 64
TABLE = "audit_auditevent"
CHUNK = 2000


def _payload(event, prev_hash: str, key_id: str | None, *, legacy: bool) -> bytes:
    body = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "changes": event.changes,
        "reason": event.reason,
        "prev_hash": prev_hash,
    }
    if not legacy:
        body["key_id"] = key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _legacy_problem(event, expected_seq: int, prev_hash: str) -> str:
    if event.seq != expected_seq:
        return f"event seq={event.seq}: sequence expected {expected_seq}"
    if event.prev_hash != prev_hash:
        return f"event seq={event.seq}: previous-hash link does not match"
    if hashlib.sha256(_payload(event, prev_hash, None, legacy=True)).hexdigest() != event.hash:
        return f"event seq={event.seq}: content does not match its hash"
    return ""


class _TriggersLifted:
    """Lifts the append-only triggers, whatever their SQL, and puts the same ones back."""

    def __init__(self, connection):
        self.connection = connection
        self.saved: list[str] = []

    def __enter__(self):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # Deferred foreign-key checks of rows written in this transaction must fire first:
                # PostgreSQL refuses ALTER TABLE while trigger events are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            elif self.connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [TABLE],
                )
                found = cursor.fetchall()
                for name, _sql in found:
                    cursor.execute(f'DROP TRIGGER "{name}"')
                self.saved = [sql for _name, sql in found]
            else:
                raise NotImplementedError(f"Cannot seal the audit log on {self.connection.vendor}.")

    def __exit__(self, *exc):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            else:
                for sql in self.saved:
                    cursor.execute(sql)


def seal(apps, schema_editor):
    from ctip.audit.keys import current_key

    AuditEvent = apps.get_model("audit", "AuditEvent")
    connection = schema_editor.connection
    events = AuditEvent.objects.using(connection.alias)
    if not events.exists():
        return
    key_id, secret = current_key()
    unverified_ok = os.environ.get("CTIP_AUDIT_SEAL_UNVERIFIED") == "1"

    legacy_prev, new_prev, last_id, count, broken = GENESIS_HASH, GENESIS_HASH, 0, 0, ""
    last_seq = 0
    with _TriggersLifted(connection):
        while True:
            chunk = list(events.filter(id__gt=last_id).order_by("id")[:CHUNK])
            if not chunk:
                break
            updates = []
            for event in chunk:
                problem = broken or _legacy_problem(event, count + 1, legacy_prev)
                if problem and not broken:
                    if not unverified_ok:
                        raise RuntimeError(
                            f"The audit chain does not verify ({problem}); nothing was sealed. "
                            "See ctip/audit/migrations/0004_seal_with_audit_key.py."
                        )
                    broken = problem
                legacy_prev = event.hash
                new_hash = hmac.new(
                    secret, _payload(event, new_prev, key_id, legacy=False), hashlib.sha256
                ).hexdigest()
                updates.append((key_id, new_prev, new_hash, event.id))
                new_prev, last_id, count = new_hash, event.id, count + 1
                last_seq = max(last_seq, event.seq)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {TABLE} SET key_id = %s, prev_hash = %s, hash = %s "  # noqa: S608
                    "WHERE id = %s",
                    updates,
                )

    sealed = AuditEvent(
        seq=last_seq + 1,
        created_at=timezone.now(),
        actor_label="",
        action="audit_resealed",
        target_type="",
        target_id="",
        changes={
            "events": count,
            "legacy_head_hash": legacy_prev,
            "legacy_chain_verified": not broken,
            "legacy_problem": broken,
        },
        reason="Existing events sealed with the audit key (HMAC-SHA256).",
        prev_hash=new_prev,
        key_id=key_id,
    )
    sealed.hash = hmac.new(
        secret, _payload(sealed, new_prev, key_id, legacy=False), hashlib.sha256
    ).hexdigest()
    sealed.save(force_insert=True, using=connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_auditevent_key_id"),
    ]

    operations = [
        migrations.RunPython(seal, elidable=False),
    ]
