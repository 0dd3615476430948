"""Shared by the benchmarks: the server under test, signing in, percentiles, results files."""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DEMO_PASSWORD = "mekong-demo-2026"  # noqa: S105 (the demo password, printed by seed_demo)
DEMO_DOMAIN = "demo.ctip.test"

# The server runs with production-like settings: DEBUG off, templates cached, static files from
# whitenoise. Two-factor authentication is relaxed (CTIP_REQUIRE_2FA=0) so that scripted users
# can sign in: the TOTP check costs one request at sign-in, nothing afterwards.
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "b" * 40,
    "CTIP_REQUIRE_2FA": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CONN_MAX_AGE": "600",
    "LOG_LEVEL": "ERROR",
    "AXES_FAILURE_LIMIT": "1000",
    # The API's rate limits would throttle the load the benchmarks measure.
    "CTIP_API_RATE_USER": "1000000/minute",
    "CTIP_API_RATE_TOKEN": "1000000/minute",
}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database made by bench/generate.py.")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`bench/serve.py` in a child process: WORKERS processes of a threaded WSGI server."""

    def __init__(self, workers: int = 2, threads: bool = True) -> None:
        self.port = free_port()
        self.workers = workers
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            **SERVER_ENV,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}",
        }
        subprocess.run(  # noqa: S603 (our own interpreter and script)
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        self.proc = subprocess.Popen(  # noqa: S603
            [PYTHON, "bench/serve.py", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 60
        import requests

        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code < 500:
                    return self
            except requests.RequestException:
                time.sleep(0.3)
        self.proc.kill()
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def sign_in(base: str, login: str):
    """A requests.Session signed in as a demo login (email + password; no TOTP, see above)."""
    import requests

    session = requests.Session()
    page = session.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        base + "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": f"{login}@{DEMO_DOMAIN}",
            "password": DEMO_PASSWORD,
        },
        headers={"Referer": base + "/accounts/login/"},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {login}: HTTP {response.status_code}")
    return session


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version()}
    info["cpus"] = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["cpu"] = model
        info["memory_gib"] = round(
            int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1
        )
        info["load_average_at_start"] = os.getloadavg()
    except (OSError, StopIteration):
        pass
    return info


def data_scale() -> dict:
    """The rows in the benchmark database (from bench/generate.py's state table)."""
    import psycopg

    with psycopg.connect(_psycopg_url()) as conn:
        try:
            rows = conn.execute("SELECT step, rows FROM bench_generate_state ORDER BY step")
            return dict(rows.fetchall())
        except psycopg.Error:
            return {}


def _psycopg_url() -> str:
    return database_url().replace("postgres://", "postgresql://", 1)


def connect_sql():
    """A plain psycopg connection to the benchmark database, for the hand-written SQL."""
    import psycopg

    return psycopg.connect(_psycopg_url(), autocommit=True)


def write_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
