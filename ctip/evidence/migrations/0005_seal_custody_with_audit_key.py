"""Seals the existing custody events with the audit key (HMAC-SHA256), once.

Until now each custody event's hash was an unkeyed SHA-256, which whoever owns the database
could recompute after editing events. This first checks every item's chain as the previous
release wrote it (sequence from 1, each link, each hash), then rewrites `key_id`, `prev_hash`
and `hash` of every event under the current audit key (settings.CTIP_AUDIT_KEYS, the same keys
as the audit log: ctip/audit/keys.py). It appends an `audit_resealed` event to the audit log
that says how many custody events and items were sealed.

Nothing in an event's content changes, so the unkeyed content chain that court bundles carry
(services.custody_content_hashes) is the same before and after: a custody head written in a
bundle exported before the upgrade still matches one exported after it.

If any item's old chain does not verify, the migration stops and changes nothing. Investigate
first. To upgrade all the same, run it with CTIP_CUSTODY_SEAL_UNVERIFIED=1: the items whose
chains do not verify are then left exactly as they are, unsealed, so that verify_custody keeps
reporting them and no court bundle is made from them; the `audit_resealed` event lists them and
what was wrong. A broken chain is never sealed: sealing would make it look intact.

The custody table's append-only triggers are lifted for the rewrite and put back, in the
migration's transaction (DDL is transactional on SQLite and PostgreSQL), so no other write can
slip in. The hashing is frozen here, including that of the audit event (as written by
ctip/audit/migrations/0004_seal_with_audit_key.py): a migration must keep doing what it did when
it ran. Irreversible: unsealing would hand the chains back to whoever owns the database.
"""

import hashlib
import hmac
import json
import os
from datetime import UTC

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

GENESIS_HASH = "0" * 64
TABLE = "evidence_custodyevent"
CHUNK = 2000
_PG_CHAIN_LOCK = 0x43544950  # the advisory lock that serialises audit appends


def _custody_payload(event, item_uuid, prev_hash: str, key_id: str | None) -> bytes:
    body = {
        "item": str(item_uuid),
        "seq": event["seq"],
        "created_at": event["created_at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "action": event["action"],
        "actor_id": event["actor_id"],
        "actor_label": event["actor_label"],
        "location": event["location"],
        "reason": event["reason"],
        "handed_to": event["handed_to"],
        "prev_hash": prev_hash,
    }
    if key_id is not None:
        body["key_id"] = key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _audit_payload(event, key_id: str) -> bytes:
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
        "prev_hash": event.prev_hash,
        "key_id": key_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_FIELDS = (
    "id",
    "item_id",
    "item__uuid",
    "seq",
    "created_at",
    "action",
    "actor_id",
    "actor_label",
    "location",
    "reason",
    "handed_to",
    "prev_hash",
    "hash",
)


def _chains(events):
    """Yields (item_id, item uuid, [event dicts in seq order]) for every item, in chunks."""
    last_item, last_seq = 0, 0
    current: list[dict] = []
    while True:
        chunk = list(
            events.filter(Q(item_id__gt=last_item) | Q(item_id=last_item, seq__gt=last_seq))
            .order_by("item_id", "seq")
            .values(*_FIELDS)[:CHUNK]
        )
        if not chunk:
            break
        for event in chunk:
            if current and current[0]["item_id"] != event["item_id"]:
                yield current[0]["item_id"], current[0]["item__uuid"], current
                current = []
            current.append(event)
        last_item, last_seq = chunk[-1]["item_id"], chunk[-1]["seq"]
    if current:
        yield current[0]["item_id"], current[0]["item__uuid"], current


def _legacy_problem(item_uuid, chain: list[dict]) -> str:
    prev = GENESIS_HASH
    for expected_seq, event in enumerate(chain, start=1):
        if event["seq"] != expected_seq:
            return f"event {expected_seq} is missing or out of order"
        if event["prev_hash"] != prev:
            return f"event {event['seq']}: previous-hash link does not match"
        digest = hashlib.sha256(_custody_payload(event, item_uuid, prev, None)).hexdigest()
        if digest != event["hash"]:
            return f"event {event['seq']}: content does not match its hash"
        prev = event["hash"]
    return ""


class _TriggersLifted:
    """Lifts the custody table's append-only triggers, whatever their SQL, and puts the same
    ones back."""

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
                raise NotImplementedError(
                    f"Cannot seal the custody log on {self.connection.vendor}."
                )

    def __exit__(self, *exc):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            else:
                for sql in self.saved:
                    cursor.execute(sql)


def seal(apps, schema_editor):
    from ctip.audit.keys import current_key

    CustodyEvent = apps.get_model("evidence", "CustodyEvent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    connection = schema_editor.connection
    events = CustodyEvent.objects.using(connection.alias)
    if not events.exists():
        return
    key_id, secret = current_key()
    unverified_ok = os.environ.get("CTIP_CUSTODY_SEAL_UNVERIFIED") == "1"

    # First pass, read only: which items' old chains verify.
    broken: dict[int, tuple[str, str]] = {}
    for item_id, item_uuid, chain in _chains(events):
        problem = _legacy_problem(item_uuid, chain)
        if problem:
            broken[item_id] = (str(item_uuid), problem)
    if broken and not unverified_ok:
        listed = "; ".join(f"item {uuid}: {problem}" for uuid, problem in broken.values())
        raise RuntimeError(
            f"The chain of custody of {len(broken)} item(s) does not verify ({listed}); "
            "nothing was sealed. See "
            "ctip/evidence/migrations/0005_seal_custody_with_audit_key.py."
        )

    # Second pass: seal every chain that verified.
    sealed_events, sealed_items = 0, 0
    with _TriggersLifted(connection):
        updates = []
        for item_id, item_uuid, chain in _chains(events):
            if item_id in broken:
                continue
            prev = GENESIS_HASH
            for event in chain:
                new_hash = hmac.new(
                    secret, _custody_payload(event, item_uuid, prev, key_id), hashlib.sha256
                ).hexdigest()
                updates.append((key_id, prev, new_hash, event["id"]))
                prev = new_hash
            sealed_events += len(chain)
            sealed_items += 1
            if len(updates) >= CHUNK:
                _write(connection, updates)
                updates = []
        _write(connection, updates)

    # Record the sealing in the audit log, sealed as audit 0004 seals.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    audit = AuditEvent.objects.using(connection.alias)
    head = audit.order_by("-seq").only("seq", "hash").first()
    record = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        created_at=timezone.now(),
        actor_label="",
        action="audit_resealed",
        target_type="evidence.custodyevent",
        target_id="",
        changes={
            "custody_events": sealed_events,
            "items": sealed_items,
            "legacy_chains_verified": not broken,
            "unsealed_items": {uuid: problem for uuid, problem in broken.values()},
        },
        reason="Existing custody events sealed with the audit key (HMAC-SHA256).",
        prev_hash=head.hash if head else GENESIS_HASH,
        key_id=key_id,
    )
    record.hash = hmac.new(secret, _audit_payload(record, key_id), hashlib.sha256).hexdigest()
    record.save(force_insert=True, using=connection.alias)


def _write(connection, updates: list[tuple]) -> None:
    if not updates:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {TABLE} SET key_id = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            updates,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_custodyevent_key_id"),
        ("audit", "0004_seal_with_audit_key"),
    ]

    operations = [
        migrations.RunPython(seal, elidable=False),
    ]
