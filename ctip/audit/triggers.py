"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL.

Migration 0002 installs them and its reverse removes them; the tests reuse the same SQL to lift
them while they forge tampering. Keep the SQL here and nowhere else.

Should the trigger SQL ever change, freeze the current statements into migration 0002 first
and add a new migration: a migration must keep doing what it did when it ran.

What the triggers do not stop: a database role that owns the table can still drop or disable
them (or drop the table). In production the application should connect as a role that does
not own `audit_auditevent`; the hash chain (`manage.py audit_verify`) catches what gets past.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

# RAISE(ABORT) is reported as SQLITE_CONSTRAINT, which Django raises as IntegrityError.
# SQLite skips its DELETE-without-WHERE fast path when the table has triggers, so a bare
# `DELETE FROM audit_auditevent` is refused too.
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE is refused'); END
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE is refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

# SQLSTATE 23001 (restrict_violation) makes Django raise IntegrityError, as on SQLite.
# TRUNCATE does not fire row triggers, so it has a statement-level trigger of its own.
POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % is refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse()
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse()",
]

_STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def _statements(connection: BaseDatabaseWrapper, index: int) -> list[str]:
    try:
        return _STATEMENTS[connection.vendor][index]
    except KeyError:
        # Fail closed: a database we cannot protect must not silently get an unprotected log.
        raise NotImplementedError(
            f"No append-only triggers for the {connection.vendor!r} database."
        ) from None


def install(connection: BaseDatabaseWrapper) -> None:
    """Creates the triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    statements = _statements(connection, 0)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drops the triggers; the reverse of `install`."""
    statements = _statements(connection, 1)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """Names of the append-only triggers present on the audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        return {row[0] for row in cursor.fetchall()}
