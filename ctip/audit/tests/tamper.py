"""Helpers that forge tampering with the audit log, for the tests of its defences.

`triggers_lifted()` lifts the append-only triggers for the duration of a `with` block, so a
test can do what an intruder with direct database access would: edit, delete, insert and
reorder rows. On SQLite it drops the triggers and recreates them from the same SQL as the
migration (ctip/audit/triggers.py); on PostgreSQL it disables the table's user triggers.

Use these only in tests with the default `db` fixture, which runs each test in a transaction
that is rolled back: the forged rows and the lifted triggers vanish with it (both DDL changes
are transactional on SQLite and PostgreSQL). Transactional tests (`transactional_db`,
`TransactionTestCase`, `live_server`) cannot be used with this app at all: they empty every
table after each test, with TRUNCATE on PostgreSQL and DELETE on SQLite, and the triggers
refuse both, so the flush fails.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from ctip.audit import triggers
from ctip.audit.models import AuditEvent
from ctip.audit.services import event_hash


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """Within the block, UPDATE and DELETE on the audit table go through."""
    assert connection.in_atomic_block, "use the `db` fixture: the test must be rolled back"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER USER")
        else:
            for sql in triggers.SQLITE_DROP:
                cursor.execute(sql)
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER USER")
        else:
            triggers.install(connection)


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_column(seq: int, column: str, value) -> None:
    """Overwrites one column of the event `seq` (inside `triggers_lifted`)."""
    execute(f"UPDATE {triggers.TABLE} SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608


def rehash(seq: int) -> None:
    """Recomputes and stores the hash of event `seq` from its content, as a careful forger would."""
    event = AuditEvent.objects.get(seq=seq)
    set_column(seq, "hash", event_hash(event))
