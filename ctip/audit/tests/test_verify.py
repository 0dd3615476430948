"""`manage.py audit_verify` finds each kind of tampering and names the first bad event."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ctip.accounts.roles import Role
from ctip.audit.models import GENESIS_HASH, AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.audit.services import audit_record, event_hash

from .tamper import execute, rehash, set_column, triggers_lifted


@pytest.fixture
def chain(cast) -> list[AuditEvent]:
    """Five events, seq 1 to 5."""
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


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        verify(*args)
    assert refused.value.returncode == 1
    return str(refused.value)


def assert_first_bad(message: str, event: AuditEvent, *, seq: int, problem: str) -> None:
    assert f"seq={seq} id={event.pk}:" in message
    assert problem in message


# --- An intact chain ------------------------------------------------------------------------------


def test_it_passes_an_intact_chain_and_prints_count_and_head(chain):
    out, err = verify()

    assert "intact: 5 events" in out
    assert chain[-1].hash in out
    assert err == ""


def test_it_passes_an_empty_log(db):
    out, _ = verify()

    assert "intact: 0 events" in out
    assert GENESIS_HASH in out


def test_it_streams_in_chunks_and_reports_progress(chain):
    out, err = verify("--chunk-size", "2", "--progress-every", "2")

    assert "intact: 5 events" in out
    assert err.splitlines() == ["… 2 events verified", "… 4 events verified"]


def test_it_refuses_nonsense_options(db):
    assert "at least 1" in verify_fails("--progress-every", "0")


# --- Each kind of tampering -----------------------------------------------------------------------


def test_it_catches_an_edited_row(chain):
    with triggers_lifted():
        set_column(3, "reason", "nothing to see here")

    message = verify_fails()

    assert_first_bad(message, chain[2], seq=3, problem="content does not match its hash")
    assert "2 events before it verified intact" in message


def test_it_catches_an_edited_row_whose_hash_was_recomputed(chain):
    with triggers_lifted():
        set_column(3, "reason", "nothing to see here")
        rehash(3)

    # Event 3 now fits its own hash, but event 4 still points at the old one.
    assert_first_bad(verify_fails(), chain[3], seq=4, problem="previous-hash link")


def test_it_catches_an_edit_to_the_json_of_changes(chain):
    with triggers_lifted():
        AuditEvent.objects.filter(seq=2).update(changes={"full_name": ["name 1", "forged"]})

    assert_first_bad(verify_fails(), chain[1], seq=2, problem="content does not match its hash")


def test_it_catches_a_deleted_row(chain):
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq = 3")

    message = verify_fails()

    assert_first_bad(message, chain[3], seq=4, problem="sequence is 4, expected 3")


def test_it_catches_a_deleted_first_row(chain):
    with triggers_lifted():
        AuditEvent.objects.filter(seq=1).delete()

    message = verify_fails()

    assert_first_bad(message, chain[1], seq=2, problem="sequence is 2, expected 1")
    assert "0 events before it" in message


def test_it_catches_a_row_inserted_in_the_middle(chain):
    # The forger makes room after event 2 and inserts an event that links to it correctly.
    with triggers_lifted():
        for seq in (5, 4, 3):
            execute("UPDATE audit_auditevent SET seq = seq + 1 WHERE seq = %s", [seq])
    forged = AuditEvent(
        seq=3,
        created_at=chain[1].created_at,
        action=AuditAction.LOGIN,
        reason="forged",
        prev_hash=chain[1].hash,
        key_id=chain[1].key_id,
    )
    forged.hash = event_hash(forged)
    forged.save(force_insert=True)

    # The forged event fits; the original event 3, now numbered 4, does not.
    assert_first_bad(verify_fails(), chain[2], seq=4, problem="sequence is 4, expected 3")


def test_it_catches_a_row_appended_around_audit_record(chain):
    forged = AuditEvent(
        seq=6,
        created_at=chain[-1].created_at,
        action=AuditAction.LOGIN,
        reason="forged",
        prev_hash="f" * 64,
        key_id=chain[1].key_id,
    )
    forged.hash = event_hash(forged)
    forged.save(force_insert=True)

    assert_first_bad(verify_fails(), forged, seq=6, problem="previous-hash link")


def test_it_catches_reordered_rows(chain):
    # Events 2 and 3 trade places; each is rehashed so that it fits its own hash.
    with triggers_lifted():
        set_column(2, "seq", 1000)
        set_column(3, "seq", 2)
        set_column(1000, "seq", 3)
        rehash(2)
        rehash(3)

    assert_first_bad(verify_fails(), chain[1], seq=3, problem="sequence is 3, expected 2")


def test_it_catches_reordered_rows_even_when_read_by_sequence(chain):
    # As above, and the ids are swapped too, so rows read in `seq` order look in place.
    with triggers_lifted():
        set_column(2, "seq", 1000)
        set_column(3, "seq", 2)
        set_column(1000, "seq", 3)
        rehash(2)
        rehash(3)
        execute("UPDATE audit_auditevent SET id = 0 WHERE id = %s", [chain[1].pk])
        execute("UPDATE audit_auditevent SET id = %s WHERE id = %s", [chain[1].pk, chain[2].pk])
        execute("UPDATE audit_auditevent SET id = %s WHERE id = 0", [chain[2].pk])

    # The event now numbered 2 (it was 3) points at event 2's hash, not event 1's.
    assert_first_bad(verify_fails(), chain[1], seq=2, problem="previous-hash link")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL columns are typed")
@pytest.mark.parametrize(
    "garbage",
    [
        "yesterday, around noon",  # SQLite's converter gives None
        "2026-13-45 10:00:00",  # SQLite's converter raises while the rows are fetched
    ],
)
def test_it_names_a_row_whose_stored_values_no_longer_decode(chain, garbage):
    with triggers_lifted():
        set_column(3, "created_at", garbage)

    message = verify_fails()

    assert_first_bad(message, chain[2], seq=3, problem="stored values cannot be read")
    assert "2 events before it verified intact" in message


# --- Cutting the end, the chain's limit -----------------------------------------------------------


def test_it_cannot_see_events_cut_from_the_end_by_itself_without_a_checkpoint(chain):
    # test_keyed_chain.py: a checkpoint catches it.
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")

    out, _ = verify()

    assert "intact: 3 events" in out


def test_it_counts_one_event_in_the_singular(chain):
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 2")

    out, err = verify("--progress-every", "1")

    assert "intact: 1 event;" in out
    assert err == "… 1 event verified\n"


def test_it_catches_events_cut_from_the_end_given_a_head_noted_earlier(chain):
    noted = chain[-1].hash
    assert "intact: 5 events" in verify("--expect-head", noted)[0]
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE seq >= 4")

    message = verify_fails("--expect-head", noted.upper())

    assert "Audit chain verified up to 3 events" in message
    assert "expected head hash is not in the chain" in message


def test_it_accepts_an_earlier_head_as_long_as_it_is_in_the_chain(chain):
    report = audit_chain_verify(expect_head=chain[1].hash)

    assert report.ok and report.count == 5
