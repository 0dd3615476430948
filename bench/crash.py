"""Crash durability on PostgreSQL: no acknowledged write lost, no record without its audit event.

    .venv/bin/python bench/crash.py                   # defaults: about 2-3 minutes
    .venv/bin/python bench/crash.py --rounds 20 --writers 8

What it does:
1. initdb a throwaway PostgreSQL cluster in a temporary directory with fsync, synchronous_commit
   and full_page_writes ON (durability is the point), start it, migrate, create one case worker
   and API token per writer.
2. Start the application (`manage.py runserver --noreload`, DEBUG off, production-like).
3. N writer threads create people (POST /api/v1/people/) and edit them (PATCH with the version
   they hold). Each keeps, per record, the highest version the server acknowledged with 2xx and
   the value written at that version. A 409 after a lost response means our earlier edit did
   land: the writer re-reads the record and carries on from there.
4. K rounds: at a random moment SIGKILL the application server, or the whole PostgreSQL process
   group (postmaster and backends), or both; restart what was killed (PostgreSQL runs crash
   recovery), and carry on.
5. Afterwards, straight from the database: every acknowledged record exists with at least its
   acknowledged version (and the acknowledged value when the version is the same); every person
   has its CREATE audit event and one UPDATE event per version after the first (the audit row
   is written in the same transaction as the change); `manage.py audit_verify` passes.

Figures go to stdout and bench/results/crash.json; the exit status is 1 if anything was lost.

What SIGKILL does not model: a power cut. The kernel's page cache survives a killed process, so
this proves that CTIP acknowledges only committed transactions and that PostgreSQL's recovery
keeps them and the audit chain consistent; fsync=on is what carries that over a power cut.
Must run as root (it starts PostgreSQL as the `postgres` user) or as the postgres user.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- PostgreSQL -----------------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster whose whole process group can be SIGKILLed and restarted."""

    def __init__(self, tmp: Path, port: int) -> None:
        self.tmp, self.port = tmp, port
        self.data = tmp / "pgdata"
        self.user = "postgres" if os.geteuid() == 0 else None
        self.process: subprocess.Popen | None = None
        self.log = tmp / "postgres.log"

    def _popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(args, user=self.user, **kwargs)  # noqa: S603

    def init(self) -> None:
        if self.user:
            shutil.chown(self.tmp, self.user)
        initdb = [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
        if self._popen(initdb, stdout=subprocess.DEVNULL).wait() != 0:
            raise SystemExit("initdb failed")

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = self._popen(
                [
                    str(PG_BIN / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.tmp),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    # Durability is what is under test: the defaults, stated.
                    "-c",
                    "fsync=on",
                    "-c",
                    "synchronous_commit=on",
                    "-c",
                    "full_page_writes=on",
                    "-c",
                    "max_connections=100",
                    # Recovery syncs the data directory with one syncfs() instead of an fsync()
                    # per file: as safe, and seconds faster on restart.
                    "-c",
                    "recovery_init_sync_method=syncfs",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready = subprocess.run(  # noqa: S603
                [
                    str(PG_BIN / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            if self.process.poll() is not None:
                raise SystemExit(f"postgres exited:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise SystemExit("postgres did not become ready")

    def kill(self) -> None:
        """SIGKILL to the postmaster and every backend at once, like a crash of the server."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def url(self, dbname: str = "ctip") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        return subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", dbname]
            + ["-Atqc", sql],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


# --- the application ------------------------------------------------------------------------------


class App:
    def __init__(self, tmp: Path, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tmp / "runserver.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload"]
                + ["--skip-checks", f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise SystemExit(f"the app did not start:\n{self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


SETUP_USERS = """
import json
from ctip.accounts.models import Organisation, OrganisationType, User, UserRole
from ctip.core.testing import api_token_key
org = Organisation.objects.create(
    code="crash", name="Crash test", type=OrganisationType.NGO_SHELTER
)
tokens = []
for i in range({n}):
    user = User.objects.create_user(f"writer{{i}}@crash.test", "crash-test-password-1234",
                                    full_name=f"Writer {{i}}", organisation=org)
    UserRole.objects.create(user=user, role="case_worker")
    tokens.append(api_token_key(user))  # as from a session verified by TOTP
print(json.dumps(tokens))
"""


# --- writers --------------------------------------------------------------------------------------


@dataclass
class Writer:
    index: int
    token: str
    base: str
    # uuid -> (acknowledged version, estimated_age written at that version)
    acked: dict[str, tuple[int, int]] = field(default_factory=dict)
    known: dict[str, int] = field(default_factory=dict)  # the version to send next
    outcomes: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
                self.latencies.append(time.perf_counter() - started)
                return response.status, payload
        except urllib.error.HTTPError as exc:
            return exc.code, {}
        except (OSError, urllib.error.URLError, json.JSONDecodeError):
            return 0, {}  # refused, reset or cut off: the write may or may not have landed

    def step(self, rng: random.Random, serial: int) -> None:
        if not self.known or rng.random() < 0.35:
            status, body = self.call(
                "POST",
                "/api/v1/people/",
                {
                    "given_name": f"W{self.index}-{serial}",
                    "family_name": "Crash",
                    "estimated_age": 1,
                },
            )
            self.outcomes[f"create {status}"] += 1
            if status == 201:
                self.acked[body["uuid"]] = (body["version"], 1)
                self.known[body["uuid"]] = body["version"]
            elif status in (0, 429) or status >= 500:
                time.sleep(0.2)  # the server is down or restarting
            return
        uuid = rng.choice(list(self.known))
        version = self.known[uuid]
        age = (version % 100) + 1
        status, body = self.call(
            "PATCH", f"/api/v1/people/{uuid}/", {"version": version, "estimated_age": age}
        )
        self.outcomes[f"update {status}"] += 1
        if status == 200:
            if body["version"] != version + 1:
                self.outcomes["update skipped a version"] += 1
            self.acked[uuid] = (body["version"], body["estimated_age"])
            self.known[uuid] = body["version"]
        elif status == 409:
            # An edit of ours whose answer was lost did land: read the record and go on.
            status, body = self.call("GET", f"/api/v1/people/{uuid}/")
            if status == 200:
                self.known[uuid] = body["version"]
        elif status in (0, 429) or status >= 500:
            time.sleep(0.2)

    def run(self, stop: threading.Event, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        serial = 0
        while not stop.is_set():
            serial += 1
            self.step(rng, serial)


# --- verification ---------------------------------------------------------------------------------


def verify(pg: Postgres, app: App, writers: list[Writer]) -> dict:
    rows = pg.psql(
        "SELECT uuid, version, coalesce(estimated_age, -1) FROM people_person", dbname="ctip"
    )
    stored = {}
    for line in rows.splitlines():
        uuid, version, age = line.split("|")
        stored[uuid] = (int(version), int(age))
    lost, stale = [], []
    acked = 0
    for writer in writers:
        for uuid, (version, age) in writer.acked.items():
            acked += 1
            if uuid not in stored:
                lost.append(uuid)
            elif stored[uuid][0] < version or (
                stored[uuid][0] == version and stored[uuid][1] != age
            ):
                stale.append((uuid, version, stored[uuid]))
    events = pg.psql(
        "SELECT target_id, action, count(*) FROM audit_auditevent "
        "WHERE target_type = 'people.person' AND action IN ('create', 'update') "
        "GROUP BY target_id, action",
        dbname="ctip",
    )
    counts: dict[tuple[str, str], int] = {}
    for line in events.splitlines():
        target, action, count = line.split("|")
        counts[(target, action)] = int(count)
    without_create = [u for u in stored if counts.get((u, "create"), 0) != 1]
    update_mismatch = [u for u, (v, _a) in stored.items() if counts.get((u, "update"), 0) != v - 1]
    orphan_events = [t for (t, a) in counts if a == "create" and t not in stored]
    try:
        chain = app.manage("audit_verify").strip()
        chain_ok = True
    except RuntimeError as exc:
        chain, chain_ok = str(exc)[-500:], False
    return {
        "records_stored": len(stored),
        "records_acknowledged": acked,
        "acknowledged_records_lost": len(lost),
        "acknowledged_versions_lost": len(stale),
        "records_without_create_event": len(without_create),
        "records_whose_update_events_do_not_match_version": len(update_mismatch),
        "create_events_without_record": len(orphan_events),
        "audit_verify_ok": chain_ok,
        "audit_verify": chain,
        "examples": {"lost": lost[:5], "stale": stale[:5], "no_event": without_create[:5]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8, help="kill rounds (default 8)")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writers (default 4)")
    parser.add_argument(
        "--max-interval", type=float, default=8.0, help="most seconds between kills (default 8)"
    )
    parser.add_argument("--port", type=int, default=0, help="PostgreSQL port (default: free)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)  # noqa: S311

    tmp = Path(tempfile.mkdtemp(prefix="ctip-crash-"))
    pg = Postgres(tmp, args.port or free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ctip.settings.base",
        DATABASE_URL=pg.url(),
        CTIP_VAR_DIR=str(tmp / "var"),
        DEBUG="0",
        SECRET_KEY="crash-test-only-" + "k" * 40,
        CTIP_REQUIRE_2FA="1",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
        # Measure the writes, not the API rate limit.
        CTIP_API_RATE_TOKEN="1000000/minute",  # noqa: S106 (a rate, not a secret)
    )
    app = App(tmp, env, free_port())
    started = time.monotonic()
    kills: Counter = Counter()
    recovery: list[float] = []
    try:
        log(f"cluster in {tmp} on port {pg.port} (fsync=on, synchronous_commit=on); seed {seed}")
        pg.init()
        pg.start()
        pg.psql("CREATE DATABASE ctip")
        app.manage("migrate", "--noinput")
        setup = app.manage("shell", "-v", "0", "-c", SETUP_USERS.format(n=args.writers))
        tokens = json.loads(setup.strip().splitlines()[-1])
        app.start()
        log(f"app on {app.url}; {args.writers} writers, {args.rounds} kill rounds")

        writers = [Writer(i, token, app.url) for i, token in enumerate(tokens)]
        stop = threading.Event()
        threads = [
            threading.Thread(target=w.run, args=(stop, seed + w.index), daemon=True)
            for w in writers
        ]
        for thread in threads:
            thread.start()
        for round_no in range(1, args.rounds + 1):
            time.sleep(rng.uniform(2.0, args.max_interval))
            victim = rng.choice(["app", "database", "both"])
            kills[victim] += 1
            acked = sum(len(w.acked) for w in writers)
            log(f"round {round_no}: SIGKILL {victim} ({acked} records acknowledged so far)")
            began = time.monotonic()
            if victim in ("app", "both"):
                app.kill()
            if victim in ("database", "both"):
                pg.kill()
                time.sleep(rng.uniform(0, 1))
                pg.start()  # crash recovery replays the WAL
            if victim in ("app", "both"):
                app.start()
            recovery.append(time.monotonic() - began)
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)

        log("verifying …")
        result = verify(pg, app, writers)
        outcomes: Counter = Counter()
        latencies: list[float] = []
        for writer in writers:
            outcomes.update(writer.outcomes)
            latencies.extend(writer.latencies)
        latencies.sort()
        result.update(
            seed=seed,
            rounds=args.rounds,
            writers=args.writers,
            kills=dict(kills),
            seconds=round(time.monotonic() - started, 1),
            restart_seconds_max=round(max(recovery, default=0), 2),
            requests=dict(sorted(outcomes.items())),
            writes_acknowledged=outcomes["create 201"] + outcomes["update 200"],
            latency_ms_p50=round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
            postgres={"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"},
        )
    finally:
        app.kill()
        pg.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "crash.json").write_text(json.dumps(result, indent=2) + "\n")
    failed = (
        result["acknowledged_records_lost"]
        or result["acknowledged_versions_lost"]
        or result["records_without_create_event"]
        or result["records_whose_update_events_do_not_match_version"]
        or result["create_events_without_record"]
        or not result["audit_verify_ok"]
    )
    for key in (
        "seconds",
        "kills",
        "requests",
        "writes_acknowledged",
        "records_acknowledged",
        "records_stored",
        "acknowledged_records_lost",
        "acknowledged_versions_lost",
        "records_without_create_event",
        "records_whose_update_events_do_not_match_version",
        "create_events_without_record",
        "audit_verify",
        "restart_seconds_max",
    ):
        print(f"{key:>50}: {result[key]}")
    print("FAILED: acknowledged data or audit events were lost" if failed else "OK: nothing lost")
    print(f"written {RESULTS / 'crash.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
