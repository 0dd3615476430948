"""The API fuzzed from its own OpenAPI schema (schemathesis), in-process through WSGI.

Every operation of /api/schema/ gets generated requests, valid (positive) and invalid
(negative), as users of several roles authenticated by API token, with path parameters that
sometimes name real records of organisation A. Each response must:

- never be a server error (5xx);
- conform to the schema: a documented status code and content type, a body that validates;
- when rejected (4xx), leave the database exactly as it was (row counts of every table, plus
  the sum of versions and the latest update of every versioned model); the audit log may only
  gain entries that record an access or a refusal (a read, a refused partner update).

Deterministic: Hypothesis is derandomized and keeps no example database. The suite runs
`CTIP_FUZZ_EXAMPLES` (default 5) examples per operation and mode, about 650 requests;
`bench/fuzz_api.py` runs the same test with 50 per operation and mode (over 5,000 requests).
"""

import contextlib
import json
import logging
import os
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from django.apps import apps
from django.conf import settings as django_settings
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.utils import timezone
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

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.services import audit_record
from ctip.cases.services import case_open, task_add
from ctip.core.testing import api_token_key, verified_client
from ctip.intake.services import report_create
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("CTIP_FUZZ_EXAMPLES", "5"))
ROLES = [
    Role.CASE_WORKER,
    Role.CASE_SUPERVISOR,
    Role.HOTLINE_OPERATOR,
    Role.STATISTICS_OFFICER,
    Role.INVESTIGATOR,
    Role.ORG_ADMIN,
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Tables that legitimately change on any request, or that only infrastructure writes.
UNWATCHED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog"} | {
    # The database cache holds the API throttles' counters, written by every request.
    cache["LOCATION"]
    for cache in django_settings.CACHES.values()
    if cache["BACKEND"].endswith("DatabaseCache")
}
# Audit entries that log an access or a refusal, not a change: a refused request may append
# them (e.g. the read of a person whose update then fails on a stale version is logged).
ACCESS_LOG_ACTIONS = {
    AuditAction.READ,
    AuditAction.EVIDENCE_VIEWED,
    AuditAction.NETWORK_VIEWED,
    AuditAction.INTEROP_REFUSED,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKED_OUT,
}


def fingerprint_query() -> str:
    """One query: row counts of every table, sum(version) and max(updated_at) where they exist."""
    parts = []
    watched = set(connection.introspection.table_names()) - UNWATCHED_TABLES
    modelled = {}
    for model in apps.get_models(include_auto_created=True):
        # Only BaseModel's kinds of `version` and `updated_at` (a text `version` is data).
        modelled[model._meta.db_table] = {
            f.column
            for f in model._meta.concrete_fields
            if (f.column, f.get_internal_type())
            in {("version", "PositiveIntegerField"), ("updated_at", "DateTimeField")}
        }
    audit_table = AuditEvent._meta.db_table
    logged = ", ".join(f"'{action}'" for action in ACCESS_LOG_ACTIONS)
    for table in sorted(watched):
        columns = modelled.get(table, set())
        quoted = connection.ops.quote_name(table)
        if table == audit_table:
            # Entries that record an access or a refusal are what a refused request may leave.
            parts.append(
                f"SELECT '{table}', SUM(CASE WHEN action IN ({logged}) THEN 0 ELSE 1 END), "  # noqa: S608
                f"0, NULL FROM {quoted}"
            )
            continue
        version = "SUM(version)" if "version" in columns else "0"
        updated = "MAX(updated_at)" if "updated_at" in columns else "NULL"
        parts.append(f"SELECT '{table}', COUNT(*), {version}, {updated} FROM {quoted}")  # noqa: S608
    return " UNION ALL ".join(parts)


def database_fingerprint(query: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return tuple(sorted(tuple(str(v) for v in row) for row in cursor.fetchall()))


def _diff(before: tuple, after: tuple) -> list[str]:
    old = {row[0]: row[1:] for row in before}
    return [
        f"{row[0]}: {old.get(row[0])} -> {row[1:]}" for row in after if old.get(row[0]) != row[1:]
    ]


@dataclass
class FuzzRun:
    requests: int = 0
    operations: int = 0
    by_status: Counter = field(default_factory=Counter)
    failures: dict = field(default_factory=dict)

    def fail(self, key: tuple, detail: str) -> None:
        self.failures.setdefault(key, detail)

    def as_json(self) -> dict:
        return {
            "examples_per_operation_and_mode": EXAMPLES,
            "operations": self.operations,
            "requests": self.requests,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "failures": [
                f"{label} [{kind}]: {d[:500]}" for (label, kind), d in self.failures.items()
            ],
        }

    def report(self) -> str:
        lines = [f"{len(self.failures)} distinct failures in {self.requests} requests:"]
        for (label, kind), detail in sorted(self.failures.items()):
            lines.append(f"- {label} [{kind}]\n{detail[:1500]}")
        return "\n".join(lines)


@pytest.fixture
def records(cast):
    """A few real records of organisation A, so that path parameters sometimes hit."""
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(actor=worker, given_name="Dara", family_name="Sok", sex="f")
    case = case_open(
        actor=worker,
        person=person,
        supervisor=cast.a[Role.CASE_SUPERVISOR],
        opened_on=timezone.localdate(),
    )
    task = task_add(actor=worker, case=case, title="Home visit", due_on=timezone.localdate())
    report = report_create(actor=cast.a[Role.HOTLINE_OPERATOR], narrative="A call about a child.")
    return {
        "person_uuid": str(person.uuid),
        "case_uuid": str(case.uuid),
        "task_uuid": str(task.uuid),
        "report_uuid": str(report.uuid),
        "user_uuid": str(worker.uuid),
    }


@pytest.fixture
def wsgi_app(monkeypatch):
    """The real WSGI application, sharing the test's transaction like Django's test client."""
    # The webhook answers 503 until configured; configured, it is fuzzed like the rest.
    monkeypatch.setenv("CTIP_SMS_WEBHOOK_SECRET", "fuzzing-secret")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Thousands of expected 4xx warnings would drown the output; server errors still show.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    yield get_wsgi_application()
    quiet.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _strategy(operation, mode: GenerationMode, known: dict[str, str]):
    strategy = operation.as_strategy(generation_mode=mode)
    names = {p.name for p in operation.path_parameters}
    fixed = {name: known[name] for name in names if name in known}
    if fixed and mode == GenerationMode.POSITIVE:
        return st.one_of(
            strategy, operation.as_strategy(generation_mode=mode, path_parameters=fixed)
        )
    return strategy


def test_fuzzing_the_api_finds_no_server_error_schema_violation_or_rejected_write(
    cast, records, wsgi_app
):
    tokens = {role: api_token_key(cast.a[role]) for role in ROLES}
    # The schema is for verified users only: read it with one of the tokens.
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        wsgi_app,
        headers={"Authorization": f"Token {tokens[Role.CASE_WORKER]}"},
    )
    run = FuzzRun()
    crashes: list[str] = []

    def on_exception(sender, request=None, **kwargs):
        crashes.append(traceback.format_exc())

    got_request_exception.connect(on_exception)
    query = fingerprint_query()
    state = {"query": query, "fingerprint": database_fingerprint(query)}
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            run.operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz_operation(operation, mode, records, tokens, run, state, crashes)
    finally:
        got_request_exception.disconnect(on_exception)
    print(f"\nAPI fuzzing: {run.requests} requests, statuses {dict(sorted(run.by_status.items()))}")
    if os.environ.get("CTIP_FUZZ_RESULTS"):
        Path(os.environ["CTIP_FUZZ_RESULTS"]).write_text(json.dumps(run.as_json(), indent=2))
    assert run.operations >= 50 and run.requests >= 50 * EXAMPLES
    assert not run.failures, run.report()


def _fuzz_operation(operation, mode, records, tokens, run, state, crashes) -> None:
    @given(case=_strategy(operation, mode, records), role=st.sampled_from(sorted(tokens)))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case, role):
        run.requests += 1
        crashes.clear()
        # Plain bodies: the in-process WSGI client does not decode the gzip GZipMiddleware sends.
        headers = {"Authorization": f"Token {tokens[role]}", "Accept-Encoding": "identity"}
        response = case.call(headers=headers)
        run.by_status[response.status_code] += 1
        label = operation.label
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported below
            detail = f"{role}: {exc}\n{crashes[-1][-1200:] if crashes else ''}"
            run.fail((label, f"{mode} {response.status_code}"), detail)
        after = database_fingerprint(state["query"])
        if 400 <= response.status_code < 500 and after != state["fingerprint"]:
            changed = _diff(state["fingerprint"], after)
            run.fail((label, f"{mode} {response.status_code} wrote"), f"{role}: {changed}")
        state["fingerprint"] = after

    # Unsatisfiable: no invalid input exists for this operation (e.g. no parameters at all).
    with contextlib.suppress(Unsatisfiable):
        exercise()


def test_the_fingerprint_sees_a_write_but_not_an_access_log(cast):
    query = fingerprint_query()
    before = database_fingerprint(query)
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(actor=worker, given_name="Dara", sex="f")
    after = database_fingerprint(query)
    assert any(line.startswith("people_person") for line in _diff(before, after))
    audit_record(actor=worker, action=AuditAction.READ, target=person)
    assert database_fingerprint(query) == after


def test_an_api_url_that_matches_nothing_answers_json_like_the_api(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    response = client.get("/api/v1/people/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    page = client.get("/people/not-a-uuid/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_nul_in_a_query_string_is_refused_before_any_view(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    api = client.get("/api/v1/shelters/capacity/?province=%00")
    assert api.status_code == 400 and "NUL" in api.json()["detail"]
    page = client.get("/people/?q=a%00b")
    assert page.status_code == 400


def _schema_as(user) -> dict:
    response = verified_client(user).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_the_same_whoever_reads_it_and_fields_withheld_by_role_are_optional(
    cast, records
):
    schemas = {role: _schema_as(cast.a[role]) for role in (Role.CASE_WORKER, Role.ORG_ADMIN)}
    assert schemas[Role.CASE_WORKER] == schemas[Role.ORG_ADMIN]
    components = schemas[Role.CASE_WORKER]["components"]["schemas"]
    person, case = components["PersonOutput"], components["CaseOutput"]
    # Listed for the readers who may see them, required of none: a lower role does not get them.
    assert "protection_notes" in person["properties"]
    assert "protection_notes" not in person["required"]
    assert "abuse_narrative" in case["properties"]
    assert "abuse_narrative" not in case["required"]
    assert {"uuid", "version", "given_name"} <= set(person["required"])
    # A declared field over a nullable foreign key, and a blank choice, are described as such.
    assert person["properties"]["nationality"]["nullable"] is True
    report = components["ReportOutput"]["properties"]
    assert all(report[name]["nullable"] for name in ("province", "district", "assigned_to"))
    assert {"$ref": "#/components/schemas/BlankEnum"} in report["outcome"]["oneOf"]
    assert components["BlankEnum"]["enum"] == [""]


def test_a_reader_still_gets_only_their_fields_once_the_schema_described_all(cast, records):
    """The schema describes every field; the answers still show each reader only theirs."""
    worker = cast.a[Role.CASE_WORKER]
    _schema_as(worker)
    client = verified_client(worker)
    person = client.get(f"/api/v1/people/{records['person_uuid']}/").json()
    case = client.get(f"/api/v1/cases/{records['case_uuid']}/").json()
    assert "uuid" in person and "protection_notes" not in person
    assert "uuid" in case and "abuse_narrative" not in case
