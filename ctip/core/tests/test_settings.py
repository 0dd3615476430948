"""Settings that protect data at rest and in transit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_sqlite_connections_sync_fully_and_enforce_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_file_database_is_in_wal_mode(tmp_path):
    """Opens a real SQLite file the way CTIP does and reads its journal mode back."""
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA synchronous').fetchone()[0])"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "DEBUG": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["wal", "2"]


def _run_check_deploy(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "ctip.settings.production",
        "CTIP_AUDIT_KEYS": "a1:audit-key-for-this-test-only-0123456789",
    } | env_extra
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_production_profile_passes_check_deploy():
    result = _run_check_deploy({"SECRET_KEY": "k3y-" + "x7Qp!z" * 10})
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_production_profile_refuses_a_weak_key_or_relaxed_2fa():
    assert _run_check_deploy({"SECRET_KEY": "short"}).returncode != 0
    relaxed = _run_check_deploy({"SECRET_KEY": "k3y-" + "x7Qp!z" * 10, "CTIP_REQUIRE_2FA": "0"})
    assert relaxed.returncode != 0 and "Two-factor" in relaxed.stderr


def test_sessions_end_after_30_idle_minutes_and_cookies_are_http_only():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY
