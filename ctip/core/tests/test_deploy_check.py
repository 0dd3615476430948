"""`make check`'s deploy check, run as the Makefile runs it: the production settings with exactly
the environment of the Makefile's DEPLOY_ENV, nothing inherited, pass `check --deploy` clean.

test_settings.py proves the production profile loads and refuses weak settings; this proves the
gate CI runs stays green: a setting that starts needing a new environment variable in
production, or a new deploy warning, fails here with the message, not only in `make check`.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MAKEFILE = ROOT / "Makefile"


def makefile_variable(name: str) -> str:
    """The value of `NAME := ...` in the Makefile, continuation lines joined."""
    text = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(rf"^{name}\s*:?=\s*(.*)$", text, flags=re.MULTILINE)
    assert found, f"{name} is not set in the Makefile"
    return found.group(1).strip()


def deploy_env() -> dict[str, str]:
    pairs = [item.split("=", 1) for item in shlex.split(makefile_variable("DEPLOY_ENV"))]
    assert all(len(pair) == 2 for pair in pairs), pairs
    return dict(pairs)


def test_make_check_runs_check_deploy_with_deploy_env_and_fails_on_a_warning():
    text = MAKEFILE.read_text(encoding="utf-8")
    assert "$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING" in text
    assert deploy_env()["DJANGO_SETTINGS_MODULE"] == "ctip.settings.production"


def test_check_deploy_with_the_makefile_environment_reports_no_issue():
    # Nothing from the developer's shell (DEBUG, SECRET_KEY, DATABASE_URL...): only what a
    # clean CI shell has, plus DEPLOY_ENV.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env |= deploy_env()
    result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS:" not in output and "ERRORS:" not in output, output
    assert re.fullmatch(
        r"System check identified no issues( \(\d+ silenced\))?\.\n", result.stdout
    ), output
