"""API fuzzing at full size: every operation of the OpenAPI schema, thousands of generated requests.

Builds a throwaway database (a temporary SQLite file; or the empty PostgreSQL database named by
DATABASE_URL), seeds organisations A and B with one user per role (ctip/core/testing.py) and a
few real records of A, then asks schemathesis for `--examples` requests per operation and
generation mode (valid and invalid input) against the WSGI application in-process. Each request
goes as one of six roles of organisation A, signed in by session (force_login with a verified
TOTP device, CSRF token sent), or anonymously. Throttling is off for the run: a refused request
must be refused by the rules, not by the rate limit.

Every answer is checked:

- never a server error (5xx): the run fails and prints the request (as curl) and the traceback;
- it conforms to the schema (documented status, content type, body);
- when rejected (4xx), the database is exactly as before the request: row counts, sum of
  versions and latest update of every table for every request, and for a rejected write
  (POST, PUT, PATCH, DELETE) a SHA-256 of the full content of every table. The audit log may
  only gain entries recording an access or a refusal (a read, a refused partner update).
- anonymous requests are never answered 2xx.

    .venv/bin/python bench/fuzz_api.py                      # SQLite, 50 per operation and mode
    .venv/bin/python bench/fuzz_api.py --examples 10        # a quick look
    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/ctip_fuzz .venv/bin/python bench/fuzz_api.py

Prints the figures; writes bench/results/fuzz_api.json. Exit status 1 on any failure.
Deterministic: the same code and schema generate the same requests.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import os
import secrets
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import machine, write_results  # noqa: E402

ROLES = [
    "case_worker",
    "case_supervisor",
    "hotline_operator",
    "statistics_officer",
    "investigator",
    "org_admin",
]
ANONYMOUS = "anonymous"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Tables that change on any request (sessions), or that only the sign-in machinery writes.
UNWATCHED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog"}
# Operations anyone may call: their answer to an anonymous caller may be 2xx.
PUBLIC_OPERATIONS = {"POST /api/v1/intake/webhook/"}


def _environment(workdir: Path) -> None:
    """Settings for the run, before Django starts: a throwaway database and files."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "ctip.settings.test"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    os.environ["CTIP_VAR_DIR"] = str(workdir)
    os.environ["CTIP_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["LOG_LEVEL"] = "ERROR"
    # The SMS webhook answers 503 until configured; configured, it is fuzzed like the rest.
    os.environ["CTIP_SMS_WEBHOOK_SECRET"] = "fuzzing-secret"  # noqa: S105 (a test secret)


def _disable_throttling() -> None:
    """Every DRF throttle, whatever its scope or class, lets the run through."""
    from rest_framework.views import APIView

    APIView.check_throttles = lambda self, request: None


# --- the database, before and after ------------------------------------------------------------


class Snapshot:
    """What a rejected request must leave unchanged."""

    def __init__(self) -> None:
        from django.apps import apps
        from django.db import connection

        from ctip.audit.models import AuditAction, AuditEvent

        self.connection = connection
        self.tables = sorted(set(connection.introspection.table_names()) - UNWATCHED_TABLES)
        self.audit_table = AuditEvent._meta.db_table
        # Entries that record an access or a refusal: what a refused request may leave.
        self.access_log = (
            AuditAction.READ,
            AuditAction.EVIDENCE_VIEWED,
            AuditAction.NETWORK_VIEWED,
            AuditAction.INTEROP_REFUSED,
            AuditAction.LOGIN_FAILED,
            AuditAction.LOCKED_OUT,
        )
        columns: dict[str, set[str]] = {}
        for model in apps.get_models(include_auto_created=True):
            columns[model._meta.db_table] = {
                f.column
                for f in model._meta.concrete_fields
                if (f.column, f.get_internal_type())
                in {("version", "PositiveIntegerField"), ("updated_at", "DateTimeField")}
            }
        logged = ", ".join(f"'{action}'" for action in self.access_log)
        parts = []
        for table in self.tables:
            quoted = connection.ops.quote_name(table)
            if table == self.audit_table:
                parts.append(
                    f"SELECT '{table}', SUM(CASE WHEN action IN ({logged}) THEN 0 ELSE 1 END), "  # noqa: S608
                    f"0, NULL FROM {quoted}"
                )
                continue
            cols = columns.get(table, set())
            version = "SUM(version)" if "version" in cols else "0"
            updated = "MAX(updated_at)" if "updated_at" in cols else "NULL"
            parts.append(f"SELECT '{table}', COUNT(*), {version}, {updated} FROM {quoted}")  # noqa: S608
        self.counts_sql = " UNION ALL ".join(parts)
        self.content_sql = {}
        for table in self.tables:
            quoted = connection.ops.quote_name(table)
            where = f" WHERE action NOT IN ({logged})" if table == self.audit_table else ""
            self.content_sql[table] = f"SELECT * FROM {quoted}{where}"  # noqa: S608

    def counts(self) -> dict[str, tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.counts_sql)
            return {row[0]: tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}

    def content(self) -> dict[str, str]:
        """SHA-256 of each table's rows, in a stable order."""
        digests = {}
        with self.connection.cursor() as cursor:
            for table, sql in self.content_sql.items():
                cursor.execute(sql)
                rows = sorted(repr(tuple(_plain(v) for v in row)) for row in cursor.fetchall())
                digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digests


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _changed(before: dict, after: dict) -> list[str]:
    return [
        f"{key}: {before.get(key)} -> {after.get(key)}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


# --- who calls ---------------------------------------------------------------------------------


def _seed():
    """Organisations A and B with a user per role, and records of A that path parameters use."""
    from django.utils import timezone

    from ctip.cases.services import case_open, task_add
    from ctip.core.testing import make_cast
    from ctip.intake.services import report_create
    from ctip.people.services import person_create

    cast = make_cast()
    worker = cast.a["case_worker"]
    person = person_create(actor=worker, given_name="Dara", family_name="Sok", sex="f")
    case = case_open(
        actor=worker,
        person=person,
        supervisor=cast.a["case_supervisor"],
        opened_on=timezone.localdate(),
    )
    task = task_add(actor=worker, case=case, title="Home visit", due_on=timezone.localdate())
    report = report_create(actor=cast.a["hotline_operator"], narrative="A call about a child.")
    known = {
        "person_uuid": str(person.uuid),
        "case_uuid": str(case.uuid),
        "task_uuid": str(task.uuid),
        "report_uuid": str(report.uuid),
        "user_uuid": str(worker.uuid),
    }
    known |= _seed_exchange_and_interop(cast)
    return cast, known


def _seed_exchange_and_interop(cast) -> dict[str, str]:
    """An import batch and a partner system of A, when those apps offer them (best effort:
    their path parameters are then sometimes real; without, they are only generated)."""
    known: dict[str, str] = {}
    supervisor = cast.a["case_supervisor"]
    with contextlib.suppress(Exception):
        from ctip.exchange.importer import batch_create

        content = b"prs_FirstName,prs_SecondName,prs_Gender\nSrey,Mom,Feminine\n"
        batch, _created = batch_create(actor=supervisor, file_name="fuzz.csv", content=content)
        known["batch_uuid"] = str(batch.uuid)
    with contextlib.suppress(Exception):
        from ctip.interop.services import partner_system_create

        system = partner_system_create(
            actor=supervisor, name="Primero", kind="primero", recipient=cast.org_b
        )
        known["system_uuid"] = str(system.uuid)
    return known


class Callers:
    """Request headers per caller: a fresh verified session per role, and a CSRF token.

    The session cookie travels in an `X-Fuzz-Caller` header that `wrap` turns into the Cookie
    header inside the WSGI call: the test client schemathesis uses keeps its own cookie jar and
    drops a Cookie header given to it.
    """

    HEADER = "X-Fuzz-Caller"

    def __init__(self, cast) -> None:
        self.users = {role: cast.a[role] for role in ROLES}
        self.headers: dict[str, dict[str, str]] = {}
        self.cookies: dict[str, str] = {}
        self.refresh()

    def wrap(self, app):
        key = "HTTP_" + self.HEADER.upper().replace("-", "_")

        def application(environ, start_response):
            cookie = self.cookies.get(environ.pop(key, ""))
            if cookie:
                environ["HTTP_COOKIE"] = cookie
            else:
                environ.pop("HTTP_COOKIE", None)
            return app(environ, start_response)

        return application

    def refresh(self) -> None:
        from django.conf import settings

        from ctip.core.testing import verified_client

        # Plain bodies: the in-process WSGI client does not decode the gzip GZipMiddleware sends.
        plain = {"Accept-Encoding": "identity"}
        self.headers = {ANONYMOUS: dict(plain)}
        self.cookies = {}
        for role, user in self.users.items():
            session = verified_client(user).session.session_key
            csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked token
            self.cookies[role] = (
                f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
            )
            self.headers[role] = plain | {self.HEADER: role, "X-CSRFToken": csrf}

    @property
    def names(self) -> list[str]:
        return [*ROLES, ANONYMOUS]


# --- the run -----------------------------------------------------------------------------------


class Run:
    def __init__(self) -> None:
        self.requests = 0
        self.by_status: Counter = Counter()
        self.by_caller: Counter = Counter()
        self.operations: dict[str, Counter] = defaultdict(Counter)  # label -> status class
        self.failures: dict[tuple[str, str], str] = {}
        self.server_errors = 0
        self.rejected = 0
        self.rejected_writes = 0

    def fail(self, label: str, kind: str, detail: str) -> None:
        self.failures.setdefault((label, kind), detail)

    def report(self) -> str:
        lines = [f"{len(self.failures)} distinct failures:"]
        for (label, kind), detail in sorted(self.failures.items()):
            lines.append(f"- {label} [{kind}]\n{detail[:3000]}")
        return "\n".join(lines)


def _request_text(case, caller: str) -> str:
    try:
        curl = case.as_curl_command(headers={})
    except Exception:  # noqa: BLE001 - a description is enough
        curl = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
    return f"as {caller}: {curl}"


def fuzz(examples: int) -> tuple[Run, dict]:
    import schemathesis
    from django.core.signals import got_request_exception
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    cast, known = _seed()
    callers = Callers(cast)
    app = callers.wrap(get_wsgi_application())
    # The schema is for verified users only: read it as the supervisor.
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, headers=callers.headers["case_supervisor"]
    )
    snapshot = Snapshot()
    run = Run()
    crashes: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        crashes.append(traceback.format_exc())

    got_request_exception.connect(on_exception)
    # Thousands of expected 4xx warnings would drown the output; server errors are caught above.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    state = {"counts": snapshot.counts(), "content": None}

    def strategy(operation, mode):
        base = operation.as_strategy(generation_mode=mode)
        names = {p.name for p in operation.path_parameters}
        fixed = {name: known[name] for name in names if name in known}
        if fixed and mode == GenerationMode.POSITIVE:
            return st.one_of(
                base, operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            )
        return base

    def exercise_operation(operation, mode):
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=strategy(operation, mode), caller=st.sampled_from(callers.names))
        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case, caller):
            run.requests += 1
            run.by_caller[caller] += 1
            crashes.clear()
            write = case.method.upper() in WRITES
            # The content before a write: the hash after the last rejected write, unless an
            # accepted request came since (it may change rows); else computed now.
            if write and state["content"] is None:
                state["content"] = snapshot.content()
            content = state["content"]
            response = case.call(headers=dict(callers.headers[caller]))
            code = response.status_code
            run.by_status[code] += 1
            run.operations[label][f"{code // 100}xx"] += 1
            request = _request_text(case, caller)
            if code >= 500:
                run.server_errors += 1
                trace = crashes[-1] if crashes else "(no traceback: answered 5xx on purpose?)"
                run.fail(label, f"{mode.value} {code}", f"{request}\n{trace[-3000:]}")
            else:
                try:
                    case.validate_response(response, checks=checks)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported
                    run.fail(label, f"{mode.value} {code} schema", f"{request}\n{exc}")
            if caller == ANONYMOUS and 200 <= code < 300 and label not in PUBLIC_OPERATIONS:
                run.fail(label, f"anonymous {code}", request)
            counts = snapshot.counts()
            if 400 <= code < 500:
                run.rejected += 1
                if counts != state["counts"]:
                    changed = _changed(state["counts"], counts)
                    run.fail(label, f"{mode.value} {code} wrote", f"{request}\n{changed}")
                if write:
                    run.rejected_writes += 1
                    after = snapshot.content()
                    if after != content:
                        changed = [t for t in after if after[t] != content.get(t)]
                        run.fail(
                            label, f"{mode.value} {code} changed rows", f"{request}\n{changed}"
                        )
                    state["content"] = after
            else:
                state["content"] = None  # an accepted request may change rows
            state["counts"] = counts

        # Unsatisfiable: no invalid input exists for this operation (no parameters at all).
        with contextlib.suppress(Unsatisfiable):
            exercise()

    operations = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations.append(f"{operation.method.upper()} {operation.path}")
            # A fresh session per operation: one that a request signed out cannot hide the rest.
            callers.refresh()
            state["counts"] = snapshot.counts()
            state["content"] = None
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                exercise_operation(operation, mode)
            print(
                f"  {operations[-1]:<70} {dict(sorted(run.operations[operations[-1]].items()))}",
                flush=True,
            )
    finally:
        got_request_exception.disconnect(on_exception)
    paths = {label.split(" ", 1)[1] for label in operations}
    coverage = {
        "operations_in_schema": len(operations),
        "paths_in_schema": len(paths),
        "operations_requested": sum(1 for op in operations if run.operations[op]),
        "paths_requested": len({op.split(" ", 1)[1] for op in operations if run.operations[op]}),
        "operations_with_a_2xx": sum(1 for op in operations if run.operations[op]["2xx"]),
        "operations_never_2xx": sorted(op for op in operations if not run.operations[op]["2xx"]),
    }
    return run, coverage


def _audit_chain_intact() -> bool:
    from io import StringIO

    from django.core.management import call_command

    try:
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())
    except (SystemExit, Exception):  # noqa: BLE001 - the verdict is the figure
        return False
    return True


def _kind(kind: str) -> str:
    """A failure's kind: server error, rejected request that wrote, anonymous answer, schema."""
    for suffix, name in (
        (" wrote", "rejected_request_wrote"),
        (" changed rows", "rejected_request_wrote"),
        (" schema", "schema_conformance"),
    ):
        if kind.endswith(suffix):
            return name
    if kind.startswith("anonymous"):
        return "anonymous_answered_2xx"
    return "server_error"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=50, help="per operation and mode")
    parser.add_argument("--out", default="fuzz_api", help="results file name (no .json)")
    args = parser.parse_args()
    started_at = time.time()
    with tempfile.TemporaryDirectory(prefix="ctip-fuzz-") as workdir:
        _environment(Path(workdir))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        _disable_throttling()
        print(f"Migrating a throwaway {connection.vendor} database...", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Fuzzing every API operation, {args.examples} examples per operation and mode:")
        started = time.monotonic()
        run, coverage = fuzz(args.examples)
        seconds = time.monotonic() - started
        chain = _audit_chain_intact()
        vendor = connection.vendor
    figures = {
        "database": vendor,
        "examples_per_operation_and_mode": args.examples,
        "callers": [*ROLES, ANONYMOUS],
        "requests": run.requests,
        **coverage,
        "server_errors": run.server_errors,
        "rejected_4xx": run.rejected,
        "rejected_writes_checked_by_content_hash": run.rejected_writes,
        "by_status": {str(k): v for k, v in sorted(run.by_status.items())},
        "by_caller": dict(sorted(run.by_caller.items())),
        "failures_by_kind": dict(
            sorted(Counter(_kind(kind) for _label, kind in run.failures).items())
        ),
        "failures": [f"{label} [{kind}]: {d[:3000]}" for (label, kind), d in run.failures.items()],
        "audit_chain_intact": chain,
        "seconds": round(seconds, 1),
        "requests_per_second": round(run.requests / seconds, 1) if seconds else 0,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started_at)),
        "machine": machine(),
    }
    path = write_results(args.out, figures)
    if run.failures:
        print(run.report())
    print(
        f"\n{run.requests} requests over {coverage['operations_requested']}/"
        f"{coverage['operations_in_schema']} operations ({coverage['paths_requested']}/"
        f"{coverage['paths_in_schema']} paths) in {seconds:.0f} s "
        f"({figures['requests_per_second']}/s) on {vendor}; {run.server_errors} server errors; "
        f"{run.rejected} rejected (4xx), {run.rejected_writes} of them writes checked by content "
        f"hash; statuses {figures['by_status']}; audit chain "
        f"{'intact' if chain else 'BROKEN'}; {len(run.failures)} failures "
        f"{figures['failures_by_kind']}. "
        f"Written to {path.relative_to(ROOT)}"
    )
    every = coverage["operations_requested"] == coverage["operations_in_schema"]
    return 0 if not run.failures and chain and every else 1


if __name__ == "__main__":
    sys.exit(main())
