"""Database triggers that make evidence append-only, on SQLite and PostgreSQL.

Items, custody events and medical certificates are written once: UPDATE and DELETE (and
TRUNCATE on PostgreSQL) are refused by the database itself, as for the audit table
(ctip/audit/triggers.py, whose approach this follows). Migration 0003 installs them.

Should the SQL ever change, freeze the current statements into migration 0003 first and add a
new migration. A database role that owns these tables can still drop the triggers; in
production connect as a role that does not own them. The SHA-256 of each file and the custody
hash chain catch what gets past.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("evidence_evidenceitem", "evidence_custodyevent", "evidence_medicalcertificate")
MESSAGE = "evidence is append-only"


def _sqlite_create(table: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE is refused'); END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE is refused'); END
        """,
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


POSTGRESQL_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION evidence_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % is refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """


def _pg_create(table: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION evidence_refuse()
        """,
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse()
        """,
    ]


def _pg_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
    ]


SQLITE_CREATE = [sql for t in TABLES for sql in _sqlite_create(t)]
SQLITE_DROP = [sql for t in TABLES for sql in _sqlite_drop(t)]
POSTGRESQL_CREATE = [POSTGRESQL_FUNCTION] + [sql for t in TABLES for sql in _pg_create(t)]
POSTGRESQL_DROP = [sql for t in TABLES for sql in _pg_drop(t)] + [
    "DROP FUNCTION IF EXISTS evidence_refuse()"
]

_STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def _statements(connection: BaseDatabaseWrapper, index: int) -> list[str]:
    try:
        return _STATEMENTS[connection.vendor][index]
    except KeyError:
        # Fail closed: evidence we cannot protect must not be stored unprotected.
        raise NotImplementedError(
            f"No append-only triggers for the {connection.vendor!r} database."
        ) from None


def install(connection: BaseDatabaseWrapper) -> None:
    """Creates the triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, 0):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drops the triggers; the reverse of `install`."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, 1):
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """Names of the append-only triggers present on the evidence tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s)",
                list(TABLES),
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                "(%s::regclass, %s::regclass, %s::regclass)",
                list(TABLES),
            )
        return {row[0] for row in cursor.fetchall()}
