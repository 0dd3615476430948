"""The audit chain is keyed and anchored: whoever owns the database cannot rewrite it unseen.

Each event's hash is an HMAC under an audit key kept outside the database, and signed
checkpoints written outside the database (and into each backup) catch events cut from the end.
"""

import hashlib
import hmac
import importlib
import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from ctip.accounts.roles import Role
from ctip.audit import triggers
from ctip.audit.checkpoints import FILE_NAME, Checkpoint
from ctip.audit.models import GENESIS_HASH, AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.audit.services import audit_record, canonical_payload

from .tamper import execute, set_column, triggers_lifted

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = connection.vendor == "postgresql"
OLD_KEY = "old:old-audit-key-for-tests-0123456789abcdef"
NEW_KEY = "new:new-audit-key-for-tests-fedcba9876543210"
seal_migration = importlib.import_module("ctip.audit.migrations.0004_seal_with_audit_key")


@pytest.fixture
def chain(cast, settings) -> list[AuditEvent]:
    """Five events, seq 1 to 5, sealed with the key `new`."""
    settings.CTIP_AUDIT_KEYS = NEW_KEY
    admin = cast.a[Role.ORG_ADMIN]
    return [
        audit_record(
            actor=admin,
            action=AuditAction.UPDATE,
            target=cast.a[Role.CASE_WORKER],
            changes={"full_name": [f"name {i}", f"name {i + 1}"]},
            reason=f"event {i + 1}",
        )
        for i in range(5)
    ]


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def fails(command: str, *args: str) -> str:
    with pytest.raises(CommandError) as refused:
        run(command, *args)
    assert refused.value.returncode == 1
    return str(refused.value)


def checkpoint_lines(directory: Path | None = None) -> list[dict]:
    path = Path(directory or django_settings.CTIP_AUDIT_CHECKPOINT_DIR) / FILE_NAME
    return [json.loads(line) for line in path.read_text().splitlines()]


def payload_of(event: AuditEvent) -> bytes:
    return canonical_payload(
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


def rehash_from(seq: int, digest) -> None:
    """What a forger who owns the database does after editing event `seq`: recompute every hash
    from there to the head, each linked to the one before, with `digest(payload)`."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        prev = digest(payload_of(event))
        set_column(event.seq, "prev_hash", event.prev_hash)
        set_column(event.seq, "hash", prev)


# --- The key: recomputing the chain needs it -------------------------------------------------


def test_each_hash_is_an_hmac_under_the_current_key_named_in_the_event(chain):
    event = AuditEvent.objects.get(seq=3)

    assert event.key_id == "new"
    secret = NEW_KEY.split(":", 1)[1].encode()
    assert event.hash == hmac.new(secret, payload_of(event), hashlib.sha256).hexdigest()
    assert event.hash != hashlib.sha256(payload_of(event)).hexdigest()


def test_an_old_event_edited_and_the_chain_recomputed_with_unkeyed_sha256_is_caught(chain):
    with triggers_lifted():
        set_column(2, "reason", "nothing happened")
        rehash_from(2, lambda payload: hashlib.sha256(payload).hexdigest())

    message = fails("audit_verify")

    assert f"seq=2 id={chain[1].pk}: content does not match its hash" in message


def test_an_old_event_edited_and_the_chain_recomputed_with_a_wrong_key_is_caught(chain):
    with triggers_lifted():
        set_column(2, "reason", "nothing happened")
        rehash_from(2, lambda p: hmac.new(b"a guessed key", p, hashlib.sha256).hexdigest())

    assert "seq=2" in fails("audit_verify")
    assert not audit_chain_verify().ok


def test_events_resealed_under_a_key_id_that_is_not_configured_are_caught(chain):
    with triggers_lifted():
        set_column(2, "reason", "nothing happened")
        execute("UPDATE audit_auditevent SET key_id = 'mine' WHERE seq >= 2")
        rehash_from(2, lambda p: hmac.new(b"my own key", p, hashlib.sha256).hexdigest())

    message = fails("audit_verify")

    assert "seq=2" in message and "audit key 'mine', which is not configured" in message


def test_an_event_without_a_key_id_is_caught(chain):
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET key_id = NULL WHERE seq = 4")

    assert "seq=4" in fails("audit_verify")


# --- Rotation: old keys stay verifiable ------------------------------------------------------


def test_events_sealed_before_and_after_a_rotation_all_verify(cast, settings):
    admin = cast.a[Role.ORG_ADMIN]
    settings.CTIP_AUDIT_KEYS = OLD_KEY
    for _ in range(2):
        audit_record(actor=admin, action=AuditAction.LOGIN, target=admin)
    run("audit_checkpoint")

    settings.CTIP_AUDIT_KEYS = f"{NEW_KEY},{OLD_KEY}"  # the new key first: it seals from now on
    for _ in range(2):
        audit_record(actor=admin, action=AuditAction.LOGOUT, target=admin)
    run("audit_checkpoint")

    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == [
        "old",
        "old",
        "new",
        "new",
    ]
    assert [line["key_id"] for line in checkpoint_lines()] == ["old", "new"]
    out = run("audit_verify")
    assert "intact: 4 events" in out and "2 checkpoint(s) agree" in out

    # Dropping the old key too early leaves its events, and its checkpoint, unverifiable.
    settings.CTIP_AUDIT_KEYS = NEW_KEY
    message = fails("audit_verify")
    assert "seq=1" in message and "audit key 'old', which is not configured" in message
    assert "its signature cannot be checked" in message


# --- Checkpoints: cutting the end, rewriting, forging ----------------------------------------


def test_an_intact_chain_agrees_with_its_checkpoints(chain):
    written = run("audit_checkpoint")
    assert "seq 5" in written

    out = run("audit_verify")

    assert f"Audit chain intact: 5 events; head hash {chain[-1].hash}" in out
    assert "1 checkpoint(s) agree" in out
    (line,) = checkpoint_lines()
    assert (line["seq"], line["count"], line["head_hash"], line["key_id"]) == (
        5,
        5,
        chain[-1].hash,
        "new",
    )


def test_deleting_the_newest_events_is_caught_by_a_checkpoint(chain):
    run("audit_checkpoint")
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")

    message = fails("audit_verify")

    assert "now ends at seq 3: events were removed from its end" in message
    # The chain itself, what is left of it, still fits together: only the checkpoint sees it.
    assert audit_chain_verify().ok


def test_events_cut_and_replaced_by_new_ones_are_caught_by_a_checkpoint(chain, cast):
    run("audit_checkpoint")
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")
    # The application goes on writing: the head's seq passes the checkpoint's again.
    for _ in range(3):
        audit_record(actor=None, action=AuditAction.LOGIN_FAILED, target_id="x@a.test")

    message = fails("audit_verify")

    assert "event seq=5 now has hash" in message and "the chain was rewritten" in message


def test_a_checkpoint_edited_to_match_a_shorter_chain_is_caught_as_forged(chain):
    run("audit_checkpoint")
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")
    path = Path(django_settings.CTIP_AUDIT_CHECKPOINT_DIR) / FILE_NAME
    line = json.loads(path.read_text())
    line |= {"seq": 3, "count": 3, "head_hash": chain[2].hash}
    path.write_text(json.dumps(line) + "\n")

    message = fails("audit_verify")

    assert "its signature does not match: the checkpoint was forged or altered" in message


def test_a_checkpoint_signed_with_another_key_or_unreadable_is_caught(chain):
    forged = Checkpoint(
        seq=5,
        head_hash=chain[-1].hash,
        count=5,
        created_at="2026-01-01T00:00:00+00:00",
        key_id="new",
    )
    forged = Checkpoint(
        **(
            forged.__dict__
            | {"signature": hmac.new(b"guess", forged.signed_bytes(), "sha256").hexdigest()}
        )
    )
    directory = Path(django_settings.CTIP_AUDIT_CHECKPOINT_DIR)
    directory.mkdir()
    (directory / FILE_NAME).write_text(forged.to_line() + "not json at all\n")

    message = fails("audit_verify")

    assert f"{FILE_NAME}:1: its signature does not match" in message
    assert f"{FILE_NAME}:2: not a CTIP audit checkpoint" in message


def test_no_checkpoint_is_written_over_a_broken_chain(chain):
    run("audit_checkpoint")
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")

    message = fails("audit_checkpoint")

    assert "No checkpoint written" in message and "removed from its end" in message
    assert len(checkpoint_lines()) == 1


def test_a_copy_elsewhere_is_checked_too(chain, tmp_path):
    partner = tmp_path / "partner-share"
    run("audit_checkpoint", "--copy-to", str(partner))
    assert checkpoint_lines(partner) == checkpoint_lines()
    # The checkpoint lost from the usual place: the partner's copy still catches the cut.
    (Path(django_settings.CTIP_AUDIT_CHECKPOINT_DIR) / FILE_NAME).unlink()
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq = 5")

    assert "intact: 4 events" in run("audit_verify")
    assert "removed from its end" in fails("audit_verify", "--checkpoints", str(partner))


# --- The backup: a second place for the checkpoints ------------------------------------------


@pytest.mark.skipif(ON_POSTGRES, reason="the backup runs on a SQLite copy of the test database")
def test_a_backup_holds_the_checkpoints_and_they_catch_a_later_cut(chain, tmp_path):
    run("audit_checkpoint")
    source = tmp_path / "source.sqlite3"
    target = sqlite3.connect(source)
    target.executescript("\n".join(connection.connection.iterdump()))
    target.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.test",
        "DATABASE_URL": f"sqlite:///{source}",
        "CTIP_VAR_DIR": str(tmp_path),  # so the checkpoint directory is this test's
        "CTIP_AUDIT_KEYS": NEW_KEY,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "backup", str(tmp_path / "bk")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    copied = tmp_path / "bk" / "audit-checkpoints"
    assert (copied / FILE_NAME).read_bytes() == (
        Path(django_settings.CTIP_AUDIT_CHECKPOINT_DIR) / FILE_NAME
    ).read_bytes()
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["audit"]["checkpoints"]["checkpoints"] == 1
    # The live checkpoint file is lost along with the newest events: the backup's copy tells.
    (Path(django_settings.CTIP_AUDIT_CHECKPOINT_DIR) / FILE_NAME).unlink()
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 3")
    assert "removed from its end" in fails("audit_verify", "--checkpoints", str(copied))


# --- Sealing the events written before the key ----------------------------------------------


def make_legacy(chain: list[AuditEvent]) -> str:
    """Turns the chain into what the previous release wrote: unkeyed SHA-256, no key id."""
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET key_id = NULL")
        prev = GENESIS_HASH
        for event in AuditEvent.objects.order_by("seq"):
            body = json.loads(payload_of(event))
            del body["key_id"]
            body["prev_hash"] = prev
            data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            set_column(event.seq, "prev_hash", prev)
            prev = hashlib.sha256(data.encode()).hexdigest()
            set_column(event.seq, "hash", prev)
    return prev


def seal() -> None:
    seal_migration.seal(django_apps, SimpleNamespace(connection=connection))


def test_the_migration_seals_a_legacy_chain_and_notes_its_old_head(chain):
    legacy_head = make_legacy(chain)
    assert "seq=1" in fails("audit_verify")  # unkeyed events no longer pass

    seal()

    assert "intact: 6 events" in run("audit_verify")
    sealed = AuditEvent.objects.get(seq=6)
    assert sealed.action == AuditAction.AUDIT_RESEALED
    assert sealed.changes["events"] == 5 and sealed.changes["legacy_head_hash"] == legacy_head
    assert sealed.changes["legacy_chain_verified"] is True
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {"new"}
    assert list(AuditEvent.objects.order_by("seq").values_list("reason", flat=True))[:5] == [
        f"event {i}" for i in range(1, 6)
    ]
    assert triggers.installed(connection) == set(
        {
            "sqlite": ["audit_auditevent_no_update", "audit_auditevent_no_delete"],
            "postgresql": ["audit_auditevent_no_update_delete", "audit_auditevent_no_truncate"],
        }[connection.vendor]
    )


def test_the_migration_refuses_to_seal_a_tampered_legacy_chain(chain):
    make_legacy(chain)
    with triggers_lifted():
        set_column(3, "reason", "nothing happened")
    before = list(AuditEvent.objects.order_by("seq").values_list("hash", "key_id"))

    with pytest.raises(RuntimeError, match="seq=3: content does not match"):
        seal()

    assert list(AuditEvent.objects.order_by("seq").values_list("hash", "key_id")) == before


# --- Production refuses to start without a real audit key -----------------------------------


def load_production(**extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_", "CTIP_AUDIT"))
        and k not in ("DEBUG", "SECRET_KEY")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.production",
        "SECRET_KEY": "k3y-" + "x7Qp!z" * 10,
    } | extra
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_audit_key():
    assert "CTIP_AUDIT_KEYS" in load_production().stderr
    assert "at least 32" in load_production(CTIP_AUDIT_KEYS="k1:short").stderr
    same = load_production(CTIP_AUDIT_KEYS="k1:k3y-" + "x7Qp!z" * 10)
    assert "not SECRET_KEY" in same.stderr
    assert load_production(CTIP_AUDIT_KEYS="k1:" + "Zq8!r" * 8).returncode == 0
