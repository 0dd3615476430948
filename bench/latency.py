"""Latency of the busiest pages and API calls under 1, 10 and 50 concurrent users, against the
time of the equivalent hand-written SQL on the same database.

Needs the database made by bench/generate.py (DATABASE_URL). Starts the app with DEBUG off
under bench/serve.py (2 worker processes, threads; gunicorn is not installed), signs in demo
users over HTTP (a case worker, the hotline operator, a statistics officer; two-factor relaxed
with CTIP_REQUIRE_2FA=0, so the benchmark can sign in), then for each scenario and each level of
concurrency runs that many clients in a thread pool (keep-alive sessions, like browsers) for
`--seconds` and records every response time. Each scenario's hand-written SQL (psycopg, same
filters, same page size, including the COUNT the paginator needs) is timed on one connection.

    DATABASE_URL=postgres://postgres@127.0.0.1:55434/ctip_full .venv/bin/python bench/latency.py
    ... bench/latency.py --seconds 5 --users 1,10       # quicker
    ... bench/latency.py --only case_list,case_detail   # some scenarios

Prints a table and writes bench/results/latency.json (`--out` names another file, e.g. to
keep the figures from before a fix).
"""

# The SQL below is constant text with %(name)s parameters; random only picks test values.
# ruff: noqa: S311, S608

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    Server,
    connect_sql,
    data_scale,
    machine,
    percentile,
    sign_in,
    write_results,
)

STATUSES = ["active", "open", "follow_up", "reintegration", "closed"]


@dataclass
class Context:
    """What the scenarios need from the database: ids, uuids and search words."""

    caseworker_id: int
    caseworker_org: int
    case_uuids: list[str]
    family_names: list[str]
    year: int
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def pick(self, values: list):
        return self.rng.choice(values)


def load_context() -> Context:
    with connect_sql() as conn:
        user_id, org_id = conn.execute(
            "SELECT id, organisation_id FROM accounts_user WHERE email = %s",
            ["caseworker@demo.ctip.test"],
        ).fetchone()
        uuids = [
            str(u)
            for (u,) in conn.execute(
                "SELECT uuid FROM cases_case WHERE organisation_id = %s "
                "ORDER BY md5(uuid::text) LIMIT 300",
                [org_id],
            )
        ]
        names = [
            n
            for (n,) in conn.execute(
                "SELECT family_name FROM people_person WHERE organisation_id = %s "
                "GROUP BY family_name ORDER BY count(*) DESC LIMIT 40",
                [org_id],
            )
        ]
    return Context(user_id, org_id, uuids, names, 2025)


# --- the hand-written SQL: what a programmer would write for each page --------------------------
# Name searches use upper(col) LIKE upper(q), the form the trigram index (people 0004) serves.

CASE_LIST_WHERE = """
FROM cases_case c JOIN people_person p ON p.id = c.person_id
WHERE c.organisation_id = %(org)s AND c.status = %(status)s
  AND (c.number ILIKE %(q)s OR upper(p.given_name::text) LIKE upper(%(q)s)
       OR upper(p.family_name::text) LIKE upper(%(q)s)
       OR upper(p.name_km::text) LIKE upper(%(q)s))"""
CASE_LIST_SQL = [
    "SELECT count(*) " + CASE_LIST_WHERE,
    """SELECT c.uuid, c.number, c.status, c.opened_on, p.given_name, p.family_name, p.name_km,
       u.full_name, o.name
    """
    + CASE_LIST_WHERE.replace(
        "WHERE",
        "JOIN accounts_user u ON u.id = c.case_worker_id "
        "JOIN accounts_organisation o ON o.id = c.organisation_id WHERE",
    )
    + " ORDER BY c.opened_on DESC, c.id DESC LIMIT 50",
]
PERSON_SEARCH_WHERE = """
FROM people_person p WHERE p.organisation_id = %(org)s
  AND (upper(p.given_name::text) LIKE upper(%(q)s) OR upper(p.family_name::text) LIKE upper(%(q)s)
       OR upper(p.name_km::text) LIKE upper(%(q)s))"""
PERSON_SEARCH_SQL = [
    "SELECT count(*) " + PERSON_SEARCH_WHERE,
    "SELECT p.uuid, p.given_name, p.family_name, p.name_km, p.sex, p.date_of_birth "
    + PERSON_SEARCH_WHERE
    + " ORDER BY p.family_name, p.given_name, p.id LIMIT 50",
]
CASE_DETAIL_SQL = [
    """SELECT c.*, p.given_name, p.family_name, p.name_km, u.full_name, o.name
    FROM cases_case c JOIN people_person p ON p.id = c.person_id
    JOIN accounts_user u ON u.id = c.case_worker_id
    JOIN accounts_organisation o ON o.id = c.organisation_id
    WHERE c.uuid = %(uuid)s AND c.organisation_id = %(org)s""",
    "SELECT n.kind, n.happened_on, n.text, n.is_sensitive FROM cases_casenote n "
    "JOIN cases_case c ON c.id = n.case_id WHERE c.uuid = %(uuid)s "
    "ORDER BY n.happened_on DESC",
    "SELECT t.type, t.happened_on, t.place FROM cases_traffickingevent t "
    "JOIN cases_case c ON c.id = t.case_id WHERE c.uuid = %(uuid)s",
    "SELECT a.assessed_on, a.next_due_on FROM care_assessment a "
    "JOIN cases_case c ON c.id = a.case_id WHERE c.uuid = %(uuid)s",
    "SELECT s.status, s.requested_on FROM care_servicedelivery s "
    "JOIN cases_case c ON c.id = s.case_id WHERE c.uuid = %(uuid)s",
]
OPEN = "('new', 'triaged', 'dispatched', 'accepted')"
QUEUE_SQL = [
    f"SELECT count(*) FROM intake_report WHERE status IN {OPEN}",
    f"""SELECT r.uuid, r.reference, r.status, r.urgency, r.received_at, pr.name_en, d.name_en,
       o.name FROM intake_report r
    LEFT JOIN places_province pr ON pr.code = r.province_id
    LEFT JOIN places_district d ON d.code = r.district_id
    LEFT JOIN accounts_organisation o ON o.id = r.assigned_to_id
    WHERE r.status IN {OPEN}
    ORDER BY CASE r.urgency WHEN 'immediate' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END,
             r.received_at, r.id LIMIT 50""",
    f"SELECT urgency, count(*), count(*) FILTER (WHERE first_action_at IS NULL) "
    f"FROM intake_report WHERE status IN {OPEN} GROUP BY urgency",
]
YEAR = "BETWEEN %(start)s AND %(end)s"
DASHBOARD_SQL = [
    f"SELECT count(*) FROM intake_report WHERE received_at {YEAR}",
    f"SELECT count(*) FROM cases_case WHERE opened_on {YEAR}",
    f"SELECT count(*) FROM cases_case WHERE closed_on {YEAR}",
    "SELECT count(*) FROM cases_case WHERE opened_on <= %(end)s "
    "AND (closed_on IS NULL OR closed_on > %(end)s)",
    f"SELECT count(*) FROM care_servicedelivery WHERE delivered_on {YEAR}",
    f"SELECT count(DISTINCT case_id) FROM shelters_placement WHERE admitted_on {YEAR}",
    f"SELECT count(*) FROM justice_investigation WHERE opened_on {YEAR}",
    f"""SELECT d.province_id, count(*) FROM cases_case c
    JOIN people_person p ON p.id = c.person_id
    JOIN places_village v ON v.code = p.home_village_id
    JOIN places_commune co ON co.code = v.commune_id
    JOIN places_district d ON d.code = co.district_id
    WHERE c.opened_on {YEAR} GROUP BY d.province_id""",
]


@dataclass
class Scenario:
    name: str
    login: str
    kind: str  # "page" or "api"
    url: Callable[[Context], str]
    sql: list[str]
    params: Callable[[Context], dict]
    # A search: its terms are POSTed (a form, or JSON to the API), never put in a URL; the
    # page answers with a redirect to `?s=<id>`, followed, so both requests are timed.
    body: Callable[[Context], dict] | None = None


def _case_list_params(ctx: Context) -> dict:
    return {"org": ctx.caseworker_org, "status": "active", "q": f"%{ctx.pick(ctx.family_names)}%"}


def _person_params(ctx: Context) -> dict:
    return {"org": ctx.caseworker_org, "q": f"%{ctx.pick(ctx.family_names)}%"}


def _year_params(ctx: Context) -> dict:
    return {"start": f"{ctx.year}-01-01", "end": f"{ctx.year}-12-31"}


def scenarios() -> list[Scenario]:
    case_list = lambda ctx: {"status": "active", "q": ctx.pick(ctx.family_names)}  # noqa: E731
    person = lambda ctx: {"q": ctx.pick(ctx.family_names)}  # noqa: E731
    detail = lambda ctx: ctx.pick(ctx.case_uuids)  # noqa: E731
    return [
        Scenario("case_list", "caseworker", "page", lambda c: "/cases/",
                 CASE_LIST_SQL, _case_list_params, case_list),
        Scenario("case_list", "caseworker", "api", lambda c: "/api/v1/cases/search/",
                 CASE_LIST_SQL, _case_list_params, case_list),
        Scenario("person_search", "caseworker", "page", lambda c: "/people/",
                 PERSON_SEARCH_SQL, _person_params, person),
        Scenario("person_search", "caseworker", "api", lambda c: "/api/v1/people/search/",
                 PERSON_SEARCH_SQL, _person_params, person),
        Scenario("case_detail", "caseworker", "page", lambda c: f"/cases/{detail(c)}/",
                 CASE_DETAIL_SQL,
                 lambda c: {"uuid": c.pick(c.case_uuids), "org": c.caseworker_org}),
        Scenario("case_detail", "caseworker", "api", lambda c: f"/api/v1/cases/{detail(c)}/",
                 CASE_DETAIL_SQL,
                 lambda c: {"uuid": c.pick(c.case_uuids), "org": c.caseworker_org}),
        Scenario("hotline_queue", "hotline", "page", lambda c: "/intake/", QUEUE_SQL,
                 lambda c: {}),
        Scenario("hotline_queue", "hotline", "api", lambda c: "/api/v1/intake/reports/",
                 QUEUE_SQL, lambda c: {}),
        Scenario("national_dashboard", "statistics", "page",
                 lambda c: f"/statistics/?year={c.year}&map=cases_opened", DASHBOARD_SQL,
                 _year_params),
        Scenario("national_dashboard", "statistics", "api",
                 lambda c: f"/api/v1/statistics/indicators/cases_opened/?year={c.year}"
                 "&by=province", DASHBOARD_SQL, _year_params),
    ]  # fmt: skip


def time_sql(scenario: Scenario, ctx: Context, repeat: int) -> dict:
    """Milliseconds of the scenario's statements, run in a row on one connection."""
    times = []
    with connect_sql() as conn:
        for _ in range(repeat + 1):
            params = scenario.params(ctx)
            started = time.perf_counter()
            for statement in scenario.sql:
                conn.execute(statement, params).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    times = times[1:]  # the first warms the cache
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2)}


class Sessions:
    """Signed-in sessions per login, made on first need and reused (like returning users)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.pool: dict[str, list] = {}
        self.lock = threading.Lock()

    def get(self, login: str, n: int) -> list:
        have = self.pool.setdefault(login, [])
        missing = n - len(have)
        if missing > 0:
            with ThreadPoolExecutor(max_workers=min(missing, 8)) as ex:
                have.extend(ex.map(lambda _i: sign_in(self.base, login), range(missing)))
        return have[:n]


def run_load(base: str, scenario: Scenario, ctx: Context, sessions: list, seconds: float) -> dict:
    """Each session requests the scenario's URLs back to back for `seconds`."""
    deadline = time.perf_counter() + seconds
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(session) -> None:
        rng = random.Random(id(session))
        local_ctx = Context(
            ctx.caseworker_id, ctx.caseworker_org, ctx.case_uuids, ctx.family_names, ctx.year, rng
        )
        mine, bad = [], []
        while time.perf_counter() < deadline:
            url = base + scenario.url(local_ctx)
            headers = {"Accept": "text/html,application/json"}
            started = time.perf_counter()
            if scenario.body is None:
                response = session.get(url, headers=headers)
            else:
                headers["X-CSRFToken"] = session.cookies.get("csrftoken", "")
                body = scenario.body(local_ctx)
                if scenario.kind == "api":
                    response = session.post(url, json=body, headers=headers)
                else:
                    response = session.post(url, data=body, headers=headers)
            _ = response.content
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                bad.append(f"{response.status_code} {url}")
            mine.append(elapsed)
        with lock:
            times.extend(mine)
            errors.extend(bad)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(sessions)) as ex:
        list(ex.map(client, sessions))
    wall = time.perf_counter() - started
    return {
        "requests": len(times),
        "errors": len(errors),
        "first_errors": errors[:3],
        "throughput_rps": round(len(times) / wall, 1),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,10,50", help="concurrency levels")
    parser.add_argument("--seconds", type=float, default=8.0, help="per scenario and level")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--out", default="latency", help="results file name (no .json)")
    args = parser.parse_args()
    levels = [int(u) for u in args.users.split(",")]
    chosen = [s for s in scenarios() if not args.only or s.name in args.only.split(",")]
    ctx = load_context()
    figures: dict = {
        "machine": machine(),
        "data": data_scale(),
        "server": f"bench/serve.py, {args.workers} processes x threads, DEBUG=0, "
        "CTIP_REQUIRE_2FA=0, PostgreSQL on loopback",
        "seconds_per_level": args.seconds,
        "scenarios": [],
    }
    sql_cache: dict[str, dict] = {}
    with Server(workers=args.workers) as server:
        sessions = Sessions(server.base)
        for scenario in chosen:
            if scenario.name not in sql_cache:
                sql_cache[scenario.name] = time_sql(scenario, ctx, repeat=30)
            sql = sql_cache[scenario.name]
            row = {"name": scenario.name, "kind": scenario.kind, "sql": sql, "levels": {}}
            for users in levels:
                pool = sessions.get(scenario.login, users)
                # A short warm-up: templates, connection, caches.
                run_load(server.base, scenario, ctx, pool[:1], 1.0)
                result = run_load(server.base, scenario, ctx, pool, args.seconds)
                result["ratio_p50_to_sql"] = round(result["p50_ms"] / max(sql["p50_ms"], 0.01), 1)
                row["levels"][str(users)] = result
                print(_line(scenario, users, result, sql), flush=True)
            figures["scenarios"].append(row)
    path = write_results(args.out, figures)
    print(f"\nwrote {path}")
    return 0


def _line(scenario: Scenario, users: int, r: dict, sql: dict) -> str:
    return (
        f"{scenario.name:<20} {scenario.kind:<4} users={users:<3} "
        f"p50={r['p50_ms']:>8.1f}ms p95={r['p95_ms']:>8.1f}ms p99={r['p99_ms']:>8.1f}ms "
        f"{r['throughput_rps']:>6.1f} req/s  errors={r['errors']:<3} "
        f"SQL p50={sql['p50_ms']:>7.2f}ms  ratio={r['ratio_p50_to_sql']:>6.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
