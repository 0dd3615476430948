"""The chain of custody is sealed with the audit key: whoever owns the database cannot rewrite
it unseen. Court bundles still verify offline, without the key."""

import hashlib
import hmac
import importlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.evidence import services, triggers
from ctip.evidence.bundles import verify_bundle
from ctip.evidence.models import GENESIS_HASH, CustodyEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLD_KEY = "old:old-custody-key-for-tests-0123456789abcdef"
NEW_KEY = "new:new-custody-key-for-tests-fedcba9876543210"
TABLE = "evidence_custodyevent"
seal_migration = importlib.import_module(
    "ctip.evidence.migrations.0005_seal_custody_with_audit_key"
)


@contextmanager
def custody_triggers_lifted() -> Iterator[None]:
    """What an intruder with direct database access does first (rolled back with the test)."""
    assert connection.in_atomic_block, "use the `db` fixture: the test must be rolled back"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written in this transaction must fire first:
            # PostgreSQL refuses ALTER TABLE while trigger events are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            for sql in triggers.SQLITE_DROP:
                cursor.execute(sql)
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            triggers.install(connection)


def set_columns(event_id: int, **values) -> None:
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET {columns} WHERE id = %s",  # noqa: S608
            [*values.values(), event_id],
        )


def events_of(item) -> list[CustodyEvent]:
    return list(CustodyEvent.objects.filter(item=item).order_by("seq"))


def plain_sha256(event: CustodyEvent, item, prev_hash: str, key_id: str | None) -> str:
    return hashlib.sha256(
        services.custody_payload(
            item_uuid=item.uuid,
            seq=event.seq,
            created_at=event.created_at,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            location=event.location,
            reason=event.reason,
            handed_to=event.handed_to,
            prev_hash=prev_hash,
            key_id=key_id,
        )
    ).hexdigest()


def make_item(cast, proceeding, title="Ledger"):
    actor = cast.a[Role.INVESTIGATOR]
    item = services.item_create(
        actor=actor,
        investigation=proceeding["inv"],
        kind="document",
        title=title,
        collected_on=date(2025, 3, 2),
        upload=PDF,
        original_name="ledger.pdf",
    )
    services.custody_record(
        actor=actor, item=item, action="transferred", reason="to the lab", handed_to="Lab clerk"
    )
    services.custody_record(
        actor=actor, item=item, action="returned", reason="examined", handed_to="Evidence room"
    )
    return item


@pytest.fixture
def item(cast, proceeding, settings):
    # The key the fixtures' audit events were sealed with stays, to verify them.
    settings.CTIP_AUDIT_KEYS = f"{NEW_KEY},{settings.CTIP_AUDIT_KEYS}"
    return make_item(cast, proceeding)


def export(cast, proceeding, items) -> bytes:
    return services.bundle_export(
        actor=cast.a[Role.LEGAL_OFFICER],
        investigation=proceeding["inv"],
        items=items,
        reason="Phnom Penh Municipal Court",
    )


# --- Sealed in the database -----------------------------------------------------------------


def test_each_custody_event_is_an_hmac_under_the_audit_key_it_names(item):
    events = events_of(item)
    assert [e.key_id for e in events] == ["new", "new", "new"]
    secret = NEW_KEY.split(":", 1)[1].encode()
    prev = GENESIS_HASH
    for event in events:
        payload = services.custody_payload(
            item_uuid=item.uuid,
            seq=event.seq,
            created_at=event.created_at,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            location=event.location,
            reason=event.reason,
            handed_to=event.handed_to,
            prev_hash=prev,
            key_id="new",
        )
        assert event.prev_hash == prev
        assert event.hash == hmac.new(secret, payload, hashlib.sha256).hexdigest()
        assert event.hash != plain_sha256(event, item, prev, "new")
        prev = event.hash
    assert services.verify_custody(events, item.uuid) == []


@pytest.mark.parametrize("forged_key_id", ["new", None])
def test_an_event_rewritten_with_plain_sha256_hashes_is_detected(item, forged_key_id):
    """The intruder edits who handed the item over, then recomputes every hash after it, as
    the unkeyed chain allowed (keeping the key id, or clearing it to look like old data)."""
    with custody_triggers_lifted():
        events = events_of(item)
        set_columns(events[1].id, actor_label="someone@else.test")
        prev = events[0].hash
        for event in events_of(item)[1:]:
            digest = plain_sha256(event, item, prev, forged_key_id)
            set_columns(event.id, prev_hash=prev, hash=digest, key_id=forged_key_id)
            prev = digest

    events = events_of(item)
    assert events[1].actor_label == "someone@else.test"
    problems = services.verify_custody(events, item.uuid)
    expected = "was altered" if forged_key_id else "not sealed with an audit key"
    assert any(expected in p and "Event 2" in p for p in problems), problems
    assert any("Event 3" in p for p in problems), problems


def test_an_event_sealed_with_a_guessed_key_is_detected(item):
    with custody_triggers_lifted():
        event = events_of(item)[2]
        set_columns(event.id, reason="never examined")
        event.refresh_from_db()
        forged = hmac.new(
            b"a-guess-at-the-key",
            services.custody_payload(
                item_uuid=item.uuid,
                seq=event.seq,
                created_at=event.created_at,
                action=event.action,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                location=event.location,
                reason=event.reason,
                handed_to=event.handed_to,
                prev_hash=event.prev_hash,
                key_id="new",
            ),
            hashlib.sha256,
        ).hexdigest()
        set_columns(event.id, hash=forged)
    assert services.verify_custody(events_of(item), item.uuid) == ["Event 3 was altered."]


def test_events_sealed_before_and_after_a_key_rotation_all_verify(cast, proceeding, settings):
    settings.CTIP_AUDIT_KEYS = OLD_KEY
    item = make_item(cast, proceeding)
    settings.CTIP_AUDIT_KEYS = f"{NEW_KEY},{OLD_KEY}"  # the new key seals from now on
    services.custody_record(
        actor=cast.a[Role.INVESTIGATOR], item=item, action="received", reason="back from court"
    )
    events = events_of(item)
    assert [e.key_id for e in events] == ["old", "old", "old", "new"]
    assert services.verify_custody(events, item.uuid) == []
    assert verify_bundle_bytes(export(cast, proceeding, [item])).ok

    # Dropping the old key too early leaves its events unverifiable, and no bundle is made.
    settings.CTIP_AUDIT_KEYS = NEW_KEY
    problems = services.verify_custody(events_of(item), item.uuid)
    assert len(problems) == 3 and all("'old', which is not configured" in p for p in problems)
    exported_before = CustodyEvent.objects.filter(item=item, action="exported").count()
    with pytest.raises(ValidationError, match="does not verify"):
        export(cast, proceeding, [item])
    assert CustodyEvent.objects.filter(item=item, action="exported").count() == exported_before


# --- Court bundles: checked offline, without the key ----------------------------------------


def verify_bundle_bytes(data: bytes):
    """What the court does with the bundle: `manage.py verify_bundle` on a copy of the file."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bundle.zip"
        path.write_bytes(data)
        return verify_bundle(path)


def test_a_bundle_verifies_offline_without_the_key_and_carries_the_content_chain(
    cast, proceeding, item, settings
):
    data = export(cast, proceeding, [item])
    settings.CTIP_AUDIT_KEYS = "other:a-key-that-never-sealed-anything-0123456789"
    report = verify_bundle_bytes(data)
    assert report.ok, report.problems
    assert report.events == 4

    zf = zipfile.ZipFile(io.BytesIO(data))
    log = json.loads(zf.read("custody_log.json"))[str(item.uuid)]
    manifest = json.loads(zf.read("manifest.json"))
    stored = events_of(item)
    prev = GENESIS_HASH
    for entry, event in zip(log, stored, strict=True):
        # The unkeyed content chain: the same bytes the previous release hashed.
        assert entry["prev_hash"] == prev
        assert entry["hash"] == plain_sha256(event, item, prev, None)
        assert entry["seal"] == event.hash and entry["key_id"] == "new"
        prev = entry["hash"]
    assert manifest["items"][0]["custody_head"] == prev

    # The export is in the audit log with the bundle's own SHA-256.
    exported = AuditEvent.objects.filter(action=AuditAction.EVIDENCE_EXPORTED).latest("seq")
    assert exported.changes["bundle_sha256"] == [None, hashlib.sha256(data).hexdigest()]


def test_no_bundle_is_made_from_a_chain_rewritten_in_the_database(cast, proceeding, item):
    with custody_triggers_lifted():
        event = events_of(item)[0]
        set_columns(event.id, location="Somewhere else")
    with pytest.raises(ValidationError) as refused:
        export(cast, proceeding, [item])
    assert (
        "Ledger" in refused.value.messages[0]
        and "Event 1 was altered" in (refused.value.messages[0])
    )
    assert not CustodyEvent.objects.filter(item=item, action="exported").exists()


# --- The migration that seals the events written before the key -----------------------------


def make_legacy(item) -> str:
    """Turns an item's chain into what the previous release wrote: unkeyed SHA-256, no key id."""
    prev = GENESIS_HASH
    with custody_triggers_lifted():
        for event in events_of(item):
            digest = plain_sha256(event, item, prev, None)
            set_columns(event.id, prev_hash=prev, hash=digest, key_id=None)
            prev = digest
    return prev


def seal() -> None:
    seal_migration.seal(django_apps, SimpleNamespace(connection=connection))


def installed_custody_triggers() -> set[str]:
    return {name for name in triggers.installed(connection) if name.startswith(TABLE)}


def test_the_migration_seals_legacy_chains_and_records_it_in_the_audit_log(cast, proceeding, item):
    other = make_item(cast, proceeding, title="Phone")
    make_legacy(item)
    make_legacy(other)
    contents_before = list(CustodyEvent.objects.order_by("id").values_list("reason", "actor_label"))
    assert "not sealed" in services.verify_custody(events_of(item), item.uuid)[0]
    triggers_before = installed_custody_triggers()

    seal()

    for sealed in (item, other):
        events = events_of(sealed)
        assert {e.key_id for e in events} == {"new"}
        assert services.verify_custody(events, sealed.uuid) == []
    assert (
        list(CustodyEvent.objects.order_by("id").values_list("reason", "actor_label"))
        == contents_before
    )
    assert installed_custody_triggers() == triggers_before != set()
    record = AuditEvent.objects.latest("seq")
    assert record.action == AuditAction.AUDIT_RESEALED
    assert record.target_type == "evidence.custodyevent"
    assert record.changes == {
        "custody_events": 6,
        "items": 2,
        "legacy_chains_verified": True,
        "unsealed_items": {},
    }
    assert audit_chain_verify().ok


def test_the_migration_refuses_to_seal_a_tampered_legacy_chain(cast, proceeding, item):
    make_legacy(item)
    with custody_triggers_lifted():
        set_columns(events_of(item)[1].id, handed_to="Nobody")
    before = list(CustodyEvent.objects.order_by("id").values_list("hash", "key_id"))
    audit_head = AuditEvent.objects.latest("seq").seq

    with pytest.raises(RuntimeError, match="event 2: content does not match"):
        seal()

    assert list(CustodyEvent.objects.order_by("id").values_list("hash", "key_id")) == before
    assert AuditEvent.objects.latest("seq").seq == audit_head


def test_when_told_to_the_migration_seals_the_rest_and_leaves_a_broken_chain_unsealed(
    cast, proceeding, item, monkeypatch
):
    other = make_item(cast, proceeding, title="Phone")
    make_legacy(item)
    make_legacy(other)
    with custody_triggers_lifted():
        set_columns(events_of(item)[1].id, handed_to="Nobody")
    monkeypatch.setenv("CTIP_CUSTODY_SEAL_UNVERIFIED", "1")

    seal()

    assert services.verify_custody(events_of(other), other.uuid) == []
    assert {e.key_id for e in events_of(item)} == {None}
    assert services.verify_custody(events_of(item), item.uuid)  # still reported
    record = AuditEvent.objects.latest("seq")
    assert record.changes["legacy_chains_verified"] is False
    assert record.changes["unsealed_items"] == {
        str(item.uuid): "event 2: content does not match its hash"
    }
    assert audit_chain_verify().ok
