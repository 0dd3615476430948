"""Backup and restore: `manage.py backup` then `manage.py restore` into a fresh database gives
the same rows, checksums, uploaded files and a verifying audit chain, with its triggers.

The commands run in subprocesses against databases of their own: the test database is held in
one open transaction (the audit table's triggers forbid the flush of transactional tests), so
its state is first copied out to a file (SQLite) or into a scratch database (PostgreSQL).
"""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.core import backup as backup_module
from ctip.people.services import person_create, person_update

ROOT = Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
ON_POSTGRES = connection.vendor == "postgresql"


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def command_env(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.test",
        "DATABASE_URL": database_url,
        "CTIP_MEDIA_ROOT": str(media),
        "CTIP_VAR_DIR": str(media.parent),
    }


@pytest.fixture
def records(cast, settings, tmp_path):
    """People with an edit history and a photo on disk, written through the services."""
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = cast.a[Role.CASE_WORKER]
    people = []
    for i in range(5):
        person = person_create(
            actor=worker, given_name=f"Backup{i}", family_name="Chan", estimated_age=20 + i
        )
        people.append(person_update(actor=worker, person=person, expected_version=1, phone="012"))
    person_update(
        actor=cast.a[Role.CASE_SUPERVISOR],  # photos are restricted: a supervisor adds them
        person=person_create(actor=worker, given_name="Photo"),
        expected_version=1,
        photo=SimpleUploadedFile("face.png", PNG, content_type="image/png"),
    )
    return people


def copy_test_database_to_file(path: Path) -> None:
    """The test database as it stands inside the test's transaction, as a SQLite file."""
    target = sqlite3.connect(path)
    # iterdump reads through the test's own connection, so it sees the uncommitted rows.
    target.executescript("\n".join(connection.connection.iterdump()))
    target.close()


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite path; the PostgreSQL test is below")
def test_a_sqlite_backup_restores_into_a_fresh_database_with_the_same_rows_and_chain(
    records, tmp_path
):
    source, restored = tmp_path / "source.sqlite3", tmp_path / "restored.sqlite3"
    copy_test_database_to_file(source)
    media = Path(settings.MEDIA_ROOT)
    head = AuditEvent.objects.order_by("-seq").first()

    result = manage(command_env(f"sqlite:///{source}", media), "backup", str(tmp_path / "bk"))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["audit"]["head_hash"] == head.hash
    assert manifest["audit"]["events"] == head.seq
    assert manifest["tables"]["people_person"]["rows"] == 6
    assert set(manifest["audit"]["triggers"]) == {
        "audit_auditevent_no_update",
        "audit_auditevent_no_delete",
    }
    assert len(manifest["media"]) == 1

    # Restore into an empty database, with the uploaded files gone.
    photo = next(media.rglob("*.png"))
    photo.unlink()
    env = command_env(f"sqlite:///{restored}", media)
    result = manage(env, "restore", str(tmp_path / "bk"))
    assert result.returncode == 0, result.stderr
    assert "Restored and verified" in result.stdout and head.hash in result.stdout
    assert photo.read_bytes() == PNG

    # Independently of the command: the same tables, counts and checksums as the source.
    with sqlite3.connect(source) as a, sqlite3.connect(restored) as b:
        assert backup_module._sqlite_tables(a) == backup_module._sqlite_tables(b)
        # The append-only triggers came back and still refuse.
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            b.execute("DELETE FROM audit_auditevent")

    # A second restore over the now non-empty database is refused and changes nothing.
    before = backup_module.file_sha256(restored)
    result = manage(env, "restore", str(tmp_path / "bk"))
    assert result.returncode == 1 and "not empty" in result.stderr
    assert backup_module.file_sha256(restored) == before

    # Changed rows after the restore are caught by --verify-only, naming the table.
    with sqlite3.connect(restored) as b:
        b.execute("UPDATE people_person SET given_name = 'Forged' WHERE given_name = 'Backup0'")
    result = manage(env, "restore", "--verify-only", str(tmp_path / "bk"))
    assert result.returncode == 1 and "people_person: checksum differs" in result.stderr


def test_a_damaged_backup_is_refused_before_the_database_is_touched(tmp_path, db):
    out = tmp_path / "bk"
    out.mkdir()
    name = backup_module.PG_FILE if ON_POSTGRES else backup_module.SQLITE_FILE
    (out / name).write_bytes(b"not what was backed up")
    manifest = {
        "format": 1,
        "vendor": connection.vendor,
        "database_file": name,
        "database_sha256": "0" * 64,
        "tables": {},
        "audit": {"events": 0, "head_hash": "", "triggers": []},
        "media": {},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    tables_before = backup_module.database_tables()
    with pytest.raises(backup_module.BackupError, match="does not match its checksum"):
        backup_module.restore(out)
    assert backup_module.database_tables() == tables_before


def test_a_backup_never_writes_into_a_directory_that_holds_files(tmp_path):
    (tmp_path / "keep.txt").write_text("someone's files")
    with pytest.raises(backup_module.BackupError, match="not empty"):
        backup_module.backup(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_restore_refuses_a_backup_of_another_kind_of_database(tmp_path, db):
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": 1, "vendor": "oracle", "database_file": "x"})
    )
    with pytest.raises(backup_module.BackupError, match="oracle"):
        backup_module.restore(tmp_path)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_scratch_database(name: str):
    import psycopg
    from psycopg import sql

    db = connection.settings_dict
    params = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    params = {k: v for k, v in params.items() if v}

    def execute(statement):
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(statement)

    execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    return url, lambda: execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


SEED = """
from ctip.core.testing import make_cast
from ctip.accounts.roles import Role
from ctip.people.services import person_create, person_update
cast = make_cast()
w = cast.a[Role.CASE_WORKER]
for i in range(5):
    p = person_create(actor=w, given_name=f"Backup{i}", estimated_age=20 + i)
    person_update(actor=w, person=p, expected_version=1, phone="012")
"""


@pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL pointing at PostgreSQL")
def test_a_postgresql_backup_restores_into_a_fresh_database_with_the_same_rows_and_chain(
    db, tmp_path
):
    suffix = uuid.uuid4().hex[:8]
    (source_url, drop_source) = _pg_scratch_database(f"ctip_bk_src_{suffix}")
    (restored_url, drop_restored) = _pg_scratch_database(f"ctip_bk_dst_{suffix}")
    media = tmp_path / "media"
    try:
        # The test database's committed state (migrated, reference data) as the starting point.
        db_settings = connection.settings_dict
        pg_env = os.environ | {"PGPASSWORD": db_settings["PASSWORD"] or ""}
        dump = tmp_path / "schema.pgdump"
        host = ["-h", db_settings["HOST"] or "localhost", "-p", str(db_settings["PORT"] or 5432)]
        user = ["-U", db_settings["USER"]]
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(dump), *host, *user, db_settings["NAME"]],
            check=True,
            env=pg_env,
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", source_url, str(dump)], check=True, env=pg_env
        )
        env = command_env(source_url, media)
        seeded = manage(env, "shell", "-c", SEED)
        assert seeded.returncode == 0, seeded.stderr

        result = manage(env, "backup", str(tmp_path / "bk"))
        assert result.returncode == 0, result.stderr
        manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
        assert manifest["audit"]["chain_verified_at_backup"] is True
        assert manifest["tables"]["people_person"]["rows"] >= 5
        assert manifest["audit"]["events"] >= 10

        env = command_env(restored_url, media)
        result = manage(env, "restore", str(tmp_path / "bk"))
        assert result.returncode == 0, result.stderr
        assert manifest["audit"]["head_hash"] in result.stdout
        result = manage(env, "restore", str(tmp_path / "bk"))
        assert result.returncode == 1 and "not empty" in result.stderr
        # The triggers are back: deleting audit rows in the restored database is refused.
        import psycopg

        with psycopg.connect(restored_url) as conn, pytest.raises(psycopg.Error):
            conn.execute("DELETE FROM audit_auditevent")
    finally:
        drop_source()
        drop_restored()
