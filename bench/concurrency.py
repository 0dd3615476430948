"""Simultaneous edits of one record on PostgreSQL: exactly one winner per version, every loser
told with 409 and the message, no silent overwrite, one audit event per winning edit.

    .venv/bin/python bench/concurrency.py                 # 8 clients x 20 rounds, ~2 minutes
    .venv/bin/python bench/concurrency.py --clients 16 --rounds 50

A throwaway PostgreSQL cluster and a live server (`runserver`, threaded, one database
connection per thread), as bench/crash.py sets them up. In each round every client reads the
record, all wait at a barrier, then all PATCH it at once from the version they read. The suite
runs the same contest interleaved on one connection (ctip/core/tests/test_hardening_concurrency.py).
Figures go to stdout and bench/results/concurrency.json; the exit status is 1 on any failure.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash import RESULTS, SETUP_USERS, App, Postgres, Writer, free_port, log  # noqa: E402

CONFLICT = "Someone else changed this record while you were editing it"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ctip-concurrency-"))
    pg = Postgres(tmp, free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ctip.settings.base",
        DATABASE_URL=pg.url(),
        CTIP_VAR_DIR=str(tmp / "var"),
        DEBUG="0",
        SECRET_KEY="concurrency-test-only-" + "k" * 40,
        CTIP_REQUIRE_2FA="1",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="0",
        # Measure the writes, not the API rate limit.
        CTIP_API_RATE_TOKEN="1000000/minute",  # noqa: S106 (a rate, not a secret)
    )
    app = App(tmp, env, free_port())
    problems: list[str] = []
    outcome: Counter = Counter()
    try:
        pg.init()
        pg.start()
        pg.psql("CREATE DATABASE ctip")
        app.manage("migrate", "--noinput")
        setup = app.manage("shell", "-v", "0", "-c", SETUP_USERS.format(n=args.clients))
        tokens = json.loads(setup.strip().splitlines()[-1])
        app.start()
        clients = [Writer(i, t, app.url) for i, t in enumerate(tokens)]
        status, body = clients[0].call(
            "POST", "/api/v1/people/", {"given_name": "Contested", "estimated_age": 1}
        )
        if status != 201:
            raise SystemExit(f"could not create the record: {status}")
        url = f"/api/v1/people/{body['uuid']}/"
        log(f"{args.clients} clients x {args.rounds} rounds on {app.url}{url}")
        started = time.monotonic()
        for round_no in range(args.rounds):
            barrier = threading.Barrier(args.clients)
            answers: list[tuple[int, str, int]] = [(0, "", 0)] * args.clients

            def edit(i: int, client: Writer, barrier=barrier, answers=answers, r=round_no):
                _s, current = client.call("GET", url)
                version = current.get("version", -1)
                barrier.wait()
                age = (r * args.clients + i) % 120
                data = json.dumps({"version": version, "estimated_age": age}).encode()
                status, text = _patch(client, url, data)
                answers[i] = (status, text, age)

            threads = [threading.Thread(target=edit, args=(i, c)) for i, c in enumerate(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses = [a[0] for a in answers]
            outcome.update(str(s) for s in statuses)
            winners = [a for a in answers if a[0] == 200]
            if len(winners) != 1:
                problems.append(f"round {round_no}: {len(winners)} winners {statuses}")
            for status, text, _age in answers:
                if status == 409 and CONFLICT not in text:
                    problems.append(f"round {round_no}: a 409 without the message: {text[:100]}")
                elif status not in (200, 409):
                    problems.append(f"round {round_no}: answered {status}")
            _s, stored = clients[0].call("GET", url)
            if winners and stored.get("estimated_age") != winners[0][2]:
                problems.append(f"round {round_no}: stored {stored} is not the winner's edit")
            if stored.get("version") != round_no + 2:
                problems.append(f"round {round_no}: version {stored.get('version')}")
        seconds = time.monotonic() - started
        query = "SELECT count(*) FROM audit_auditevent WHERE action = 'update' AND target_id = '%s'"
        events = pg.psql(query % body["uuid"], dbname="ctip").strip()  # a uuid from our server
        if int(events) != args.rounds:
            problems.append(f"{events} update events for {args.rounds} winning edits")
        try:
            app.manage("audit_verify")
        except RuntimeError as exc:
            problems.append(f"audit_verify failed: {exc}")
    finally:
        app.kill()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "clients": args.clients,
        "rounds": args.rounds,
        "answers": dict(outcome),
        "update_events": int(events),
        "seconds": round(seconds, 1),
        "problems": problems,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "concurrency.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print("FAILED" if problems else "OK: one winner per round, every loser told")
    return 1 if problems else 0


def _patch(client: Writer, url: str, data: bytes) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310
        client.base + url,
        data=data,
        method="PATCH",
        headers={"Authorization": f"Token {client.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


if __name__ == "__main__":
    sys.exit(main())
