"""Backups that prove themselves: a consistent copy of the database and the uploaded files, and
a manifest that a restore checks row by row.

A backup is a directory:

    manifest.json        row count and SHA-256 per table (over the rows in primary-key order),
                         the audit chain's length and head hash, the append-only triggers, the
                         SHA-256 of the database file and of every uploaded file
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    database.pgdump      PostgreSQL: `pg_dump --format=custom`
    media/               the uploaded files (evidence, photos) under MEDIA_ROOT
    audit-checkpoints/   the signed checkpoints of the audit chain (`audit_checkpoint`), a second
                         place for them: `audit_verify --checkpoints` reads them from here

The manifest describes exactly what is in the copy: on SQLite it is computed from the copy
itself; on PostgreSQL pg_dump and the manifest read one exported snapshot, so writes that land
during the backup are in neither. Table checksums are computed from the values the database
driver returns, so they compare a backup with its restore on the same kind of database, never
SQLite with PostgreSQL.

`manage.py backup OUT` and `manage.py restore IN` (ctip/core/management/commands/) call this
module; docs/operations.md says how to use them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from ctip.audit import triggers
from ctip.audit.checkpoints import FILE_NAME as CHECKPOINT_FILE
from ctip.audit.checkpoints import checkpoint_dir
from ctip.audit.selectors import audit_chain_verify

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
CHECKPOINT_DIR = "audit-checkpoints"
FORMAT = 1
_CHUNK = 5000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


@dataclass
class Verification:
    """What a restore found when it compared the database with the manifest."""

    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    audit_events: int = 0
    audit_head: str = ""
    media_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# --- checksums ------------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    """One value as text, the same every time the same driver returns the same value."""
    if value is None:
        return "\\N"
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        return "x" + bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    if isinstance(value, float | Decimal):
        return repr(value)
    return str(value)


def _rows_digest(rows: Iterable[tuple]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update("\x1f".join(_canonical(v) for v in row).encode())
        digest.update(b"\x1e")
        count += 1
    return count, digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, dict]:
    """Row count and checksum of every table of a SQLite file, read as stored (no converters)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result = {}
    for name in names:
        info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        keys = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        order = ", ".join(_quote(k) for k in keys) if keys else "rowid"
        cursor = conn.execute(f"SELECT * FROM {_quote(name)} ORDER BY {order}")  # noqa: S608
        rows = iter(lambda c=cursor: c.fetchmany(_CHUNK), [])
        count, digest = _rows_digest(row for chunk in rows for row in chunk)
        result[name] = {"rows": count, "sha256": digest}
    return result


def _postgres_tables(pg_conn) -> dict[str, dict]:
    """Row count and checksum of every table in the current schema, in the open transaction.

    Rows stream through server-side cursors, so a national-size table does not fill memory.
    """
    with pg_conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
        names = [r[0] for r in cur.fetchall()]
    result = {}
    for index, name in enumerate(names):
        with pg_conn.cursor() as cur:
            cur.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                [_quote(name)],
            )
            keys = [r[0] for r in cur.fetchall()]
        order = ", ".join(_quote(k) for k in keys) if keys else "1"
        with pg_conn.cursor(name=f"ctip_manifest_{index}") as cur:
            cur.itersize = _CHUNK
            cur.execute(f"SELECT * FROM {_quote(name)} ORDER BY {order}")  # noqa: S608
            count, digest = _rows_digest(cur)
        result[name] = {"rows": count, "sha256": digest}
    return result


def _audit_head(rows: list[tuple]) -> dict:
    """The chain's length and head from its last (seq, hash) row: seq counts from 1 unbroken,
    which the restore's walk of the chain confirms."""
    seq, head = rows[0] if rows else (0, "")
    return {"events": seq, "head_hash": head}


def _media_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): file_sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- backup ---------------------------------------------------------------------------------------


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments and environment naming the configured database."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return ["--dbname", db["NAME"]], env


def _run(args: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}"
        )


def _prepare_out(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: give a new directory for the backup.")
    out.mkdir(parents=True, exist_ok=True)


def backup(out: Path, *, log: Callable[[str], None] = lambda _m: None) -> dict:
    """Writes a backup of the configured database and MEDIA_ROOT into the new directory `out`.

    Returns the manifest. Raises BackupError if `out` is not empty or a tool fails.
    """
    out = Path(out)
    _prepare_out(out)
    # Before the database: every checkpoint copied is then of a head the copy holds.
    checkpoints = _copy_checkpoints(out)
    vendor = connection.vendor
    if vendor == "sqlite":
        db_file = out / SQLITE_FILE
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("Run the backup outside a transaction.")
        destination = sqlite3.connect(db_file)
        try:
            # The online backup API copies a consistent snapshot while others keep writing.
            connection.connection.backup(destination)
            # A self-contained file: no -wal beside it, and its checksum stays put.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
        copy = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            tables = _sqlite_tables(copy)
            audit = _audit_head(
                copy.execute(
                    f"SELECT seq, hash FROM {triggers.TABLE} ORDER BY seq DESC LIMIT 1"  # noqa: S608
                ).fetchall()
            )
            trigger_names = sorted(
                r[0]
                for r in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                    [triggers.TABLE],
                )
            )
        finally:
            copy.close()
        chain_ok = None  # verified on restore; the live file may already hold newer events
    elif vendor == "postgresql":
        db_file = out / PG_FILE
        args, env = _pg_env()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One snapshot for pg_dump, the checksums and the chain: the manifest describes
                # exactly what the dump holds, whatever is written meanwhile.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            log("pg_dump …")
            _run(
                ["pg_dump", "--format=custom", "--snapshot", snapshot, "--file", str(db_file)]
                + args,
                env,
            )
            log("checksumming tables …")
            tables = _postgres_tables(connection.connection)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT seq, hash FROM {triggers.TABLE} ORDER BY seq DESC LIMIT 1"  # noqa: S608
                )
                audit = _audit_head(cursor.fetchall())
            trigger_names = sorted(triggers.installed(connection))
            log("verifying the audit chain …")
            report = audit_chain_verify()
            chain_ok = report.ok and report.head_hash == audit["head_hash"]
    else:
        raise BackupError(f"No backup method for the {vendor!r} database.")

    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        shutil.copytree(media_root, out / MEDIA_DIR)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "database_file": db_file.name,
        "database_sha256": file_sha256(db_file),
        "tables": tables,
        "audit": audit
        | {
            "chain_verified_at_backup": chain_ok,
            "triggers": trigger_names,
            "checkpoints": checkpoints,
        },
        # The copies, which are what a restore puts back.
        "media": _media_files(out / MEDIA_DIR),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _copy_checkpoints(out: Path) -> dict | None:
    """Copies the audit checkpoint file into the backup; its path, lines and SHA-256."""
    source = checkpoint_dir() / CHECKPOINT_FILE
    if not source.is_file():
        return None
    target = out / CHECKPOINT_DIR / CHECKPOINT_FILE
    target.parent.mkdir()
    shutil.copyfile(source, target)
    lines = sum(1 for line in target.read_text(encoding="utf-8").splitlines() if line.strip())
    return {
        "file": f"{CHECKPOINT_DIR}/{CHECKPOINT_FILE}",
        "checkpoints": lines,
        "sha256": file_sha256(target),
    }


# --- restore --------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: {source} is not a CTIP backup.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def database_tables() -> list[str]:
    """Tables of the configured database (empty for a database that was never migrated)."""
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def restore(
    source: Path, *, force: bool = False, log: Callable[[str], None] = lambda _m: None
) -> Verification:
    """Restores the backup in `source` into the configured database and MEDIA_ROOT, then
    verifies it against the manifest (returned; the caller decides what a problem means).

    Refuses a database that holds any table, unless `force` (which replaces it).
    """
    source = Path(source)
    manifest = read_manifest(source)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['vendor']} database; the configured one is {vendor}."
        )
    db_file = source / manifest["database_file"]
    if not db_file.is_file() or file_sha256(db_file) != manifest["database_sha256"]:
        raise BackupError(f"{db_file} is missing or does not match its checksum in the manifest.")
    existing = database_tables()
    if existing and not force:
        raise BackupError(
            f"The database is not empty ({len(existing)} tables). Restore into an empty "
            "database, or pass --force to replace everything in it."
        )
    media_root = Path(settings.MEDIA_ROOT)
    _check_media_target(source, manifest, media_root, force)

    if vendor == "sqlite":
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"])
        backup_copy = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            backup_copy.backup(target)
        finally:
            backup_copy.close()
            target.close()
    elif vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        # One transaction: a restore that fails leaves the database as it was.
        command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        if existing:
            command += ["--clean", "--if-exists"]
        log("pg_restore …")
        _run([*command, *args, str(db_file)], env)
    else:
        raise BackupError(f"No restore method for the {vendor!r} database.")

    if manifest["media"]:
        shutil.copytree(source / MEDIA_DIR, media_root, dirs_exist_ok=True)
    log("verifying …")
    return verify(manifest)


def _check_media_target(source: Path, manifest: dict, media_root: Path, force: bool) -> None:
    for name, digest in manifest["media"].items():
        stored = source / MEDIA_DIR / name
        if not stored.is_file() or file_sha256(stored) != digest:
            raise BackupError(f"Uploaded file {name} in the backup is missing or corrupt.")
        present = media_root / name
        if present.exists() and not force and file_sha256(present) != digest:
            raise BackupError(f"{present} exists with other content. Pass --force to overwrite it.")


def current_tables() -> dict[str, dict]:
    """Row counts and checksums of the configured database, as a manifest records them."""
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True)
        try:
            return _sqlite_tables(conn)
        finally:
            conn.close()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _postgres_tables(connection.connection)


def verify(manifest: dict) -> Verification:
    """Compares the configured database and MEDIA_ROOT with a manifest; walks the audit chain."""
    result = Verification()
    connection.close()  # see the restored database, not a connection opened before it
    tables = current_tables()
    expected = manifest["tables"]
    for name in sorted(set(expected) | set(tables)):
        want, have = expected.get(name), tables.get(name)
        if want is None:
            result.problems.append(f"table {name} is not in the backup")
        elif have is None:
            result.problems.append(f"table {name} is missing")
        elif want["rows"] != have["rows"]:
            result.problems.append(f"table {name}: {have['rows']} rows, expected {want['rows']}")
        elif want["sha256"] != have["sha256"]:
            result.problems.append(f"table {name}: checksum differs from the backup")
    result.tables = len(tables)
    result.rows = sum(t["rows"] for t in tables.values())

    audit = manifest["audit"]
    report = audit_chain_verify(expect_head=audit["head_hash"])
    result.audit_events, result.audit_head = report.count, report.head_hash
    if not report.ok:
        result.problems.append(f"audit chain: {report.problem} (seq {report.first_bad_seq})")
    elif (report.count, report.head_hash) != (audit["events"], audit["head_hash"]):
        result.problems.append(
            f"audit chain ends at {report.count} events ({report.head_hash}); the backup's "
            f"ended at {audit['events']} ({audit['head_hash']})"
        )
    missing = set(audit["triggers"]) - triggers.installed(connection)
    if missing or not audit["triggers"]:
        result.problems.append(
            "the audit table's append-only triggers are missing: "
            + (", ".join(sorted(missing)) or "none were in the backup")
        )

    media_root = Path(settings.MEDIA_ROOT)
    for name, digest in manifest["media"].items():
        path = media_root / name
        if not path.is_file() or file_sha256(path) != digest:
            result.problems.append(f"uploaded file {name} is missing or differs")
    result.media_files = len(manifest["media"])
    return result
