"""The access matrix: every role × every route × its actions × own / other case worker's /
other organisation's record answers exactly what the roles table and the scope rules say.

The table is ctip/access/tests/matrix_routes.py (ROUTES, SCOPES, MARKERS); the records are
built through services by matrix_seed.py. Each request runs in a savepoint that is rolled
back, so write actions leave the shared records as they were.
"""

import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ctip.accounts.roles import ROLES, Role
from ctip.accounts.roles import Perm as P
from ctip.core.testing import verified_client

from .matrix_routes import (
    CASE_NUMBER_SCOPES,
    MARKERS,
    PUBLIC,
    ROUTES,
    SCOPE_OF_RECORD,
    SCOPES,
    SIGNED_IN,
)
from .matrix_seed import SHARE_STATES, SHARED_SECTIONS, SIDES, World, build_world, marker

ROLE_NAMES = [*Role.values, "no_role"]
PDF_STUB = b"%PDF-matrix-stub\n"
# Scopes in which another case worker's record of the same organisation differs from one's own.
CASE_SCOPES = {"case", "care", "returns", "investigation", "proceeding", "flag", "interop_case"}


def resolver_routes() -> dict[str, URLPattern]:
    """Every named route of the URL resolver, by its namespaced name."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace
                walk(p.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
            elif p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver().url_patterns, None)
    return found


def test_the_matrix_classifies_every_route():
    routes = set(resolver_routes())
    unclassified = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    assert not unclassified, f"Routes missing from matrix_routes.ROUTES: {unclassified}"
    assert not stale, f"Routes in matrix_routes.ROUTES that no longer exist: {stale}"


def test_every_object_route_names_a_scope_and_a_record():
    for name, pattern in resolver_routes().items():
        route = ROUTES[name]
        if route.exempt:
            assert route.note, f"{name}: an exempt route says why"
            continue
        kwargs = set(pattern.pattern.regex.groupindex)
        assert route.ops, name
        if kwargs - set(route.kwargs or {}):
            assert route.obj and route.scope in SCOPES, f"{name} takes {kwargs}: name its record"


# --- the world -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        pytest.MonkeyPatch.context() as patch,
    ):
        # PDFs are laid out as text: the matrix asks who gets the document and what it shows,
        # and WeasyPrint's layout (seconds a page) would only hide the text from the leak check.
        patch.setattr("ctip.core.pdf.html_to_pdf", lambda html: PDF_STUB + html.encode())
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            # Sessions are made here, outside the tests' own rolled-back transactions.
            built.clients = {}
            for role in ROLE_NAMES:
                client = verified_client(user_of(built, role))
                client.raise_request_exception = False  # a crash is a 500 to report
                built.clients[role] = client
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def user_of(world: World, role: str):
    return world.cast.no_role if role == "no_role" else world.cast.a[role]


def client_of(world: World, role: str):
    return world.clients[role]


def perms_of(role: str) -> frozenset[str]:
    return frozenset() if role == "no_role" else ROLES[role].permissions


def url_for(name: str, world: World, side: str | None) -> str:
    route = ROUTES[name]
    pattern = resolver_routes()[name]
    kwargs = dict(route.kwargs or {})
    names = [k for k in pattern.pattern.regex.groupindex if k not in kwargs]
    if names:
        record = world.records[side][route.obj]
        assert record is not None, f"{name}: no {route.obj} seeded for {side}"
        for kwarg in names:
            if kwarg == "seq":
                kwargs[kwarg] = record.seq
            elif len(names) > 1 and kwarg == "group_uuid":
                kwargs[kwarg] = record.group.uuid
            elif kwarg == "system_uuid" and hasattr(record, "system"):
                kwargs[kwarg] = record.system.uuid  # a partner's id: its system, then the id
            elif kwarg == "external_id":
                kwargs[kwarg] = record.external_id
            else:
                kwargs[kwarg] = record.uuid
    return reverse(name, kwargs=kwargs)


def request(client, method: str, url: str, *, api: bool, data=None):
    """One request in a savepoint that is rolled back: writes never stick."""
    sid = transaction.savepoint()
    # The session row is rolled back too: keep the cookie that points at the saved one.
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    try:
        if method == "get":
            return client.get(url)
        if api:
            return getattr(client, method)(url, data or {}, content_type="application/json")
        return getattr(client, method)(url, data or {})
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies


# --- expectations ----------------------------------------------------------------------------


def _holds(perms: frozenset[str], needed: frozenset[str]) -> bool:
    return PUBLIC in needed or SIGNED_IN in needed or bool(needed & perms)


def expected(role: str, name: str, op, side: str | None, world: World) -> str:
    """'allowed', '403' or '404', from the roles table and the documented scope rules."""
    perms = perms_of(role)
    gate = op.gate if op.gate is not None else op.perms
    if not _holds(perms, gate):
        return "403"
    route = ROUTES[name]
    user = user_of(world, role)
    if route.obj and side is not None and not SCOPES[route.scope](perms, user, side, world):
        return "404"
    if not _holds(perms, op.perms):
        return "403"  # sees the record, may not do this to it
    if op.field_perm and op.field_perm not in perms:
        return "404"  # the field answered is one the role may not read
    return "allowed"


def outcome(response, op) -> str:
    code = response.status_code
    if code in (401, 403, 404):
        return str(code)
    if code >= 500:
        return f"crash {code}"
    if code == 302 and re.search(r"/accounts/login/|/two-factor/", response["Location"]):
        return "login"
    if 200 <= code < 400:
        return "allowed"
    # An allowed write given an empty or stale body fails validation: still allowed.
    if op.writes and code in (400, 409, 415, 422):
        return "allowed"
    return f"status {code}"


def sides_for(name: str, role: str, op) -> list[str | None]:
    route = ROUTES[name]
    if not route.obj:
        return [None]
    gate = op.gate if op.gate is not None else op.perms
    if not _holds(perms_of(role), gate):
        return ["other_org"]  # refused whatever the record: 403, even for another's record
    if route.scope in CASE_SCOPES:
        return list(SIDES)
    return ["own", "other_org"]


def _ops():
    for name, route in sorted(ROUTES.items()):
        if route.exempt:
            continue
        for index, op in enumerate(route.ops):
            yield pytest.param(name, index, id=f"{name}-{op.action}")


# Intended exceptions for single cells: (route, role, action, side) → (answer, reason). None
# today: route-level exceptions stand in matrix_routes.ROUTES (gate, field_perm, note).
EXCEPTIONS: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), list(_ops()))
def test_every_role_gets_what_the_roles_table_and_scope_rules_say(world, name, index):
    """One route's action, for every role × own / other case worker's / other org's record."""
    route = ROUTES[name]
    op = route.ops[index]
    api = name.startswith("api-")
    wrong = []
    for role in ROLE_NAMES:
        for side in sides_for(name, role, op):
            url = url_for(name, world, side) + route.query
            want = expected(role, name, op, side, world)
            want = EXCEPTIONS.get((name, role, op.action, side), (want, ""))[0]
            response = request(client_of(world, role), op.method, url, api=api, data=op.data)
            got = outcome(response, op)
            if got != want:
                wrong.append(f"{role} × {name} × {op.action} × {side}: {got}, expected {want}")
            elif op.method == "get" and got == "allowed":
                wrong.extend(leaks(world, role, name, response))
    assert not wrong, "\n".join(wrong)


# --- what a response may show ----------------------------------------------------------------


_INDEX: dict[int, list] = {}


def _marker_index(world: World) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    """The seeded text markers, and the identifiers (uuid, case number) of every record."""
    if id(world) not in _INDEX:
        index = [
            (marker(side, what), side, scopes, sensitivity)
            for side in SIDES
            for what, (scopes, sensitivity) in MARKERS.items()
        ]
        for side in SIDES:
            for key, scope in SCOPE_OF_RECORD.items():
                record = world.records[side][key]
                index.append((str(record.uuid), side, (scope,), f"uuid of {side} {key}"))
            number = world.records[side]["case"].number
            index.append((number, side, ("case",), f"{side} case number"))
        _INDEX[id(world)] = index
    return _INDEX[id(world)]


def leaks(world: World, role: str, name: str, response) -> list[str]:
    """Markers of records the role may not see, or of fields it may not read, in a response."""
    streamed = getattr(response, "streaming", False)
    head = b"" if streamed else response.content[: len(PDF_STUB)]
    if head != PDF_STUB and response.get("Content-Type", "").split(";")[0] not in (
        "text/html",
        "application/json",
        "text/csv",
        "application/graphml+xml",
        "application/xml",
        "text/xml",
    ):
        return []
    if streamed:
        return []  # files (photos, evidence): gated by the answer itself
    body = response.content.decode("utf-8", "replace")
    perms = perms_of(role)
    user = user_of(world, role)
    # The audit log shows the normal values of the events its reader may see, by design.
    audit = name.startswith("audit:") or name.startswith("api-audit")
    found = []
    for text, side, scopes, sensitivity in _marker_index(world):
        if text not in body:
            continue
        label = text
        if sensitivity and " " in sensitivity:  # an identifier: normal, labelled
            label, sensitivity = f"{sensitivity} ({text})", None
        if sensitivity is None and audit:
            continue
        if "case number (" in label:
            wider = [s for p, s in CASE_NUMBER_SCOPES.items() if name.startswith(p)]
            scopes = (*scopes, *wider)
        visible = any(SCOPES[s](perms, user, side, world) for s in scopes)
        if not visible or (sensitivity is not None and sensitivity not in perms):
            found.append(label)
    return [f"{role} × {name} shows {found}"] if found else []


# --- API fields never exceed readable_fields ----------------------------------------------------

DETAIL_MODELS = {
    "api-people": "people.Person",
    "api-cases": "cases.Case",
    "api-reports": "intake.Report",
    "api-investigations": "justice.Investigation",
    "api-referrals": "referrals.Referral",
    "api-users": "accounts.User",
    "api-organisations": "accounts.Organisation",
    "api-operations": "operations.Operation",
    "api-prevention-programmes": "prevention.Programme",
    "api-person": "people.Person",
    "api-case": "cases.Case",
    "api-report": "intake.Report",
    "api-investigation": "justice.Investigation",
    "api-referral": "referrals.Referral",
    "api-user": "accounts.User",
    "api-care-plan": "care.CarePlan",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DETAIL_MODELS))
@pytest.mark.parametrize("role", Role.values)
def test_api_records_carry_only_readable_fields(world, name, role):
    from django.apps import apps

    from ctip.access.policy import readable_fields, sensitive_fields

    model = apps.get_model(DETAIL_MODELS[name])
    op = ROUTES[name].ops[0]
    if expected(role, name, op, "own", world) != "allowed":
        return
    url = url_for(name, world, "own" if ROUTES[name].obj else None)
    response = request(client_of(world, role), "get", url, api=True)
    assert response.status_code == 200, response.status_code
    body = response.json()
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    items = items if isinstance(items, list) else [items]
    user = user_of(world, role)
    readable = set(readable_fields(user, model))
    # Concrete fields only: related records come through their own filtered serializers.
    field_names = {f.name for f in model._meta.concrete_fields}
    sensitive = sensitive_fields(model)
    for key in {key for item in items for key in item}:
        base = key.removesuffix("_code").removesuffix("_name").removesuffix("_uuid")
        if key in field_names or base in field_names:
            field = key if key in field_names else base
            assert field in readable, f"{role} × {name} returns {key}, not readable"
        else:
            # A computed field must not carry a sensitive field under another name.
            assert not any(s in key for s in sensitive - readable), f"{role} × {name}: {key}"


# --- owner, organisation, version and audit fields are never written -------------------------


@pytest.mark.django_db
def test_writes_never_move_a_record_to_another_owner_or_organisation(world):
    from ctip.cases.models import Case
    from ctip.people.models import Person

    cast = world.cast
    person = world.records["own"]["person"]
    case = world.records["own"]["case"]
    before_person = Person.objects.values().get(pk=person.pk)
    before_case = Case.objects.values().get(pk=case.pk)
    foreign = cast.b[Role.CASE_WORKER]
    attempts = {
        "organisation": str(cast.org_b.uuid),
        "organisation_id": cast.org_b.pk,
        "created_by": str(foreign.uuid),
        "created_by_id": foreign.pk,
        "id": 999999,
        "uuid": "00000000-0000-0000-0000-000000000001",
        "version": 999,
        "created_at": "2000-01-01T00:00:00Z",
    }
    supervisor = verified_client(cast.a[Role.CASE_SUPERVISOR])
    for key, value in attempts.items():
        for url, version in (
            (reverse("api-person", args=[person.uuid]), before_person["version"]),
            (reverse("api-case", args=[case.uuid]), before_case["version"]),
        ):
            for payload in ({key: value}, {key: value, "version": version}):
                response = supervisor.patch(url, payload, content_type="application/json")
                assert response.status_code < 500, (url, key, response.status_code)
    # The case's workers must stay within the owning organisation.
    for key in ("case_worker", "supervisor"):
        response = supervisor.patch(
            reverse("api-case", args=[case.uuid]),
            {key: foreign.email, "version": before_case["version"]},
            content_type="application/json",
        )
        assert response.status_code in (400, 403, 409), (key, response.status_code)
    after_person = Person.objects.values().get(pk=person.pk)
    after_case = Case.objects.values().get(pk=case.pk)
    for field in ("organisation_id", "created_by_id", "id", "uuid", "created_at"):
        assert after_person[field] == before_person[field], field
        assert after_case[field] == before_case[field], field
    for field in ("case_worker_id", "supervisor_id"):
        assert after_case[field] == before_case[field], field
    # A version only ever moves by one per accepted edit, never to a value the client chose.
    assert after_person["version"] in (before_person["version"], before_person["version"] + 1)
    assert after_case["version"] <= before_case["version"] + len(attempts) * 2


@pytest.mark.django_db
def test_creates_take_the_organisation_and_author_from_the_actor(world):
    from ctip.people.models import Person

    cast = world.cast
    worker = cast.a[Role.CASE_WORKER]
    response = verified_client(worker).post(
        reverse("api-people"),
        {
            "given_name": "ZQCREATEDQZ",
            "sex": "f",
            "estimated_age": 20,
            "organisation": str(cast.org_b.uuid),
            "organisation_id": cast.org_b.pk,
            "created_by": str(cast.b[Role.CASE_WORKER].uuid),
            "uuid": "00000000-0000-0000-0000-000000000002",
            "version": 42,
        },
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.status_code
    for person in Person.objects.filter(given_name="ZQCREATEDQZ"):
        assert person.organisation_id == cast.org_a.pk
        assert person.created_by_id == worker.pk
        assert str(person.uuid) != "00000000-0000-0000-0000-000000000002"
        assert person.version <= 1


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_api_accepts_no_write(world, method):
    from ctip.audit.models import AuditEvent

    event = world.records["own"]["audit_event"]
    count = AuditEvent.objects.count()
    admin = verified_client(world.cast.a[Role.SYSTEM_ADMIN])
    for url in (reverse("api-audit-events"), reverse("api-audit-event", args=[event.seq])):
        response = getattr(admin, method)(
            url, {"action": "x", "hash": "0" * 64, "seq": 1}, content_type="application/json"
        )
        assert response.status_code == 405, (method, url, response.status_code)
    assert AuditEvent.objects.count() == count
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.hash, stored.action) == (event.hash, event.action)


def _api_routes():
    return sorted(n for n, r in ROUTES.items() if n.startswith("api-") and not r.exempt)


@pytest.mark.django_db
@pytest.mark.parametrize("name", _api_routes())
def test_no_api_route_deletes(world, name):
    # CTIP deletes nothing through the API: records are closed or withdrawn through services.
    url = url_for(name, world, "own") if ROUTES[name].obj else None
    url = url or reverse(name, kwargs=ROUTES[name].kwargs or {})
    response = request(client_of(world, Role.SYSTEM_ADMIN), "delete", url, api=True)
    assert response.status_code in (403, 404, 405), response.status_code
    response = request(client_of(world, Role.CASE_SUPERVISOR), "delete", url, api=True)
    assert response.status_code in (403, 404, 405), response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if not r.exempt))
def test_anonymous_is_refused_every_route(world, name):
    route = ROUTES[name]
    url = url_for(name, world, "own" if route.obj else None) + route.query
    for op in route.ops:
        if PUBLIC in op.perms:
            continue
        response = request(verified_client(None), op.method, url, api=name.startswith("api-"))
        code = response.status_code
        if code == 302:
            assert re.search(r"/accounts/login/|/two-factor/", response["Location"]), name
        else:
            assert code in (401, 403), f"anonymous × {name} × {op.action}: {code}"


# --- the leak check sees what it looks for ------------------------------------------------------

# (route, role, side of the record in the URL, markers that must show) — if these fail, the
# markers no longer reach the pages and the leak check above would pass for nothing.
SHOWN = [
    ("people:detail", Role.CASE_WORKER, "own", [("own", "name"), ("own", "phone")]),
    ("people:detail", Role.CASE_SUPERVISOR, "own", [("own", "protection")]),
    ("people:list", Role.CASE_WORKER, None, [("own", "name"), ("other_cw", "name")]),
    ("cases:detail", Role.CASE_SUPERVISOR, "other_cw", [("other_cw", "narrative")]),
    ("cases:pdf", Role.CASE_SUPERVISOR, "own", [("own", "narrative")]),
    ("intake:detail", Role.HOTLINE_OPERATOR, "other_org", [("other_org", "report")]),
    ("justice:detail", Role.INVESTIGATOR, "own", [("own", "investigation")]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "side", "shown"), SHOWN)
def test_the_markers_reach_those_who_may_see_them(world, name, role, side, shown):
    response = request(client_of(world, role), "get", url_for(name, world, side), api=False)
    assert response.status_code == 200
    body = response.content.decode("utf-8", "replace")
    for marked_side, what in shown:
        assert marker(marked_side, what) in body, (name, role, marked_side, what)
    assert not leaks(world, role, name, response)


# --- records shared by referral -----------------------------------------------------------------

# What the legal-aid organisation L sees of a case A referred to it, for each referral state
# (matrix_seed.SHARE_STATES), next to users of other organisations who must see nothing. Each
# route names the record of the referred case that fills it (None: a list) and the section that
# record belongs to: None is the referral itself, which both organisations see whatever its
# state; "owner" is the case's own pages and API, which only the owning organisation opens
# (cases.selectors.owned_cases). rules/cases.py: a partner sees a section's records only while
# the referral is ACCEPTED and shares that section.
SHARED_ROUTES: dict[str, tuple[str | None, str | None]] = {
    "referrals:detail": ("referral", None),
    "api-referral": ("referral", None),
    "referrals:list": (None, None),
    "api-referrals": (None, None),
    "people:detail": ("person", "identity"),
    "api-person": ("person", "identity"),
    "people:list": (None, None),
    "api-people": (None, None),
    "care:assessment": ("assessment", "assessments"),
    "care:plan": ("care_plan", "care_plan"),
    "api-care-plan": ("care_plan", "care_plan"),
    "cases:detail": ("case", "owner"),
    "cases:pdf": ("case", "owner"),
    "api-case": ("case", "owner"),
    "api-case-notes": ("case", "owner"),
    "api-case-assessments": ("case", "owner"),
    "api-case-care-plans": ("case", "owner"),
}
# The markers seeded in each referred case: (section, permission reading it, sensitivity).
SHARED_MARKERS: dict[str, tuple[str | None, str, str | None]] = {
    "name": ("identity", P.PEOPLE_VIEW, None),
    "phone": ("identity", P.PEOPLE_VIEW, P.SENSITIVITY_CONFIDENTIAL),
    "protection": ("identity", P.PEOPLE_VIEW, P.SENSITIVITY_RESTRICTED),
    "narrative": ("profile", P.CASES_VIEW, P.SENSITIVITY_RESTRICTED),
    "note": ("notes", P.CASES_VIEW, P.SENSITIVITY_CONFIDENTIAL),
    "assessment": ("assessments", P.CARE_VIEW, P.SENSITIVITY_CONFIDENTIAL),
    "plan": ("care_plan", P.CARE_VIEW, P.SENSITIVITY_CONFIDENTIAL),
    "outcome": ("services", P.CARE_VIEW, P.SENSITIVITY_CONFIDENTIAL),
    "referral": (None, P.REFERRALS_VIEW, P.SENSITIVITY_CONFIDENTIAL),
}


def shared_viewers(world: World) -> dict[str, object]:
    """L's users, and users of B (which also provides legal aid) and C who were sent nothing."""
    from ctip.accounts.models import User

    viewers = {f"L {role}": user for role, user in world.legal_aid.items()}
    viewers["B legal_officer"] = world.cast.b[Role.LEGAL_OFFICER]
    viewers["B case_supervisor"] = world.cast.b[Role.CASE_SUPERVISOR]
    viewers["C case_worker"] = User.objects.get(email="case_worker@c.test")
    return viewers


def _section_shown(user, state: str, section: str | None, world: World) -> bool:
    """The documented rule: the referral is seen by the receiver in every state; a section of
    the case only while the referral is accepted and shares it; the case pages never."""
    if user.organisation_id != world.org_l.pk:
        return False
    if section is None:
        return True
    return state == "accepted" and section in SHARED_SECTIONS


def expected_shared(user, name: str, state: str | None, world: World) -> str:
    """'allowed', '403' or '404' for a referred case's record (state None: a list)."""
    perms = user.permissions
    route_op = ROUTES[name].ops[0]
    gate = route_op.gate if route_op.gate is not None else route_op.perms
    if not _holds(perms, gate):
        return "403"
    obj, section = SHARED_ROUTES[name]
    if obj is None or _section_shown(user, state, section, world):
        return "allowed"
    return "404"


def shared_leaks(user, body: str, world: World) -> list[str]:
    """Markers of referred cases the user may not read, in a response."""
    perms = user.permissions
    found = []
    for state in SHARE_STATES:
        for what, (section, perm, sensitivity) in SHARED_MARKERS.items():
            text = marker(f"share{state}", what)
            if text not in body:
                continue
            readable = perm in perms and (sensitivity is None or sensitivity in perms)
            if not (readable and _section_shown(user, state, section, world)):
                found.append(f"{state} {what}")
    return found


def shared_url(name: str, world: World, state: str | None) -> str:
    obj, _section = SHARED_ROUTES[name]
    if obj is None:
        return reverse(name)
    pattern = resolver_routes()[name]
    (kwarg,) = pattern.pattern.regex.groupindex
    return reverse(name, kwargs={kwarg: world.shared[state][obj].uuid})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHARED_ROUTES))
def test_a_referral_partner_sees_only_the_shared_sections_while_it_is_accepted(world, name):
    """L's users × the referral states × a route showing the referred case or its records;
    users of B and C, who were referred nothing, see nothing of it."""
    api = name.startswith("api-")
    wrong = []
    for label, user in shared_viewers(world).items():
        client = verified_client(user)
        client.raise_request_exception = False
        states = SHARE_STATES if SHARED_ROUTES[name][0] is not None else (None,)
        for state in states:
            url = shared_url(name, world, state)
            response = request(client, "get", url, api=api)
            got = outcome(response, ROUTES[name].ops[0])
            want = expected_shared(user, name, state, world)
            if got != want:
                wrong.append(f"{label} × {name} × {state}: {got}, expected {want}")
            elif got == "allowed" and not getattr(response, "streaming", False):
                body = response.content.decode("utf-8", "replace")
                if found := shared_leaks(user, body, world):
                    wrong.append(f"{label} × {name} × {state} shows {found}")
    assert not wrong, "\n".join(wrong)


# (route, role of L, referral state, markers that must show): without these the leak check
# above could pass because nothing reaches the pages at all.
SHOWN_SHARED = [
    ("referrals:detail", Role.CASE_WORKER, "accepted", ["name", "note", "referral"]),
    # A legal officer reads no case (no cases.view): the page shows the referral, not the case.
    ("referrals:detail", Role.LEGAL_OFFICER, "accepted", ["referral"]),
    ("people:detail", Role.LEGAL_OFFICER, "accepted", ["name"]),
    ("referrals:detail", Role.CASE_WORKER, "pending", ["referral"]),
    ("api-person", Role.LEGAL_OFFICER, "accepted", ["name", "phone"]),
    ("care:assessment", Role.CASE_SUPERVISOR, "accepted", ["assessment"]),
    ("people:list", Role.CASE_WORKER, "accepted", ["name"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "state", "shown"), SHOWN_SHARED)
def test_the_shared_sections_reach_the_partner(world, name, role, state, shown):
    user = world.legal_aid[role]
    response = request(verified_client(user), "get", shared_url(name, world, state), api=False)
    assert response.status_code == 200
    body = response.content.decode("utf-8", "replace")
    for what in shown:
        assert marker(f"share{state}", what) in body, (name, role, state, what)
    assert not shared_leaks(user, body, world)


# --- partner systems: consented records only ----------------------------------------------------


@pytest.mark.django_db
def test_a_partner_system_lists_only_its_organisations_consented_cases(world):
    """The interop list as A's and B's supervisors (the credentials partner systems use): each
    sees its own organisation's cases whose consent stands, never the other's, never a case
    whose consent was withdrawn."""
    for org, own_sides, other_sides in (
        ("a", ("own", "other_cw"), ("other_org",)),
        ("b", ("other_org",), ("own", "other_cw")),
    ):
        user = getattr(world.cast, org)[Role.CASE_SUPERVISOR]
        response = request(verified_client(user), "get", reverse("api-interop-cases"), api=True)
        assert response.status_code == 200, (org, response.status_code)
        body = response.content.decode()
        for side in own_sides:
            assert marker(side, "name") in body, (org, side)
        for side in other_sides:
            assert marker(side, "name") not in body, (org, side)
            assert str(world.records[side]["case"].uuid) not in body, (org, side)
        assert marker("unconsented", "name") not in body, org
        assert str(world.unconsented["case"].uuid) not in body, org


@pytest.mark.django_db
def test_a_partner_system_never_reads_or_changes_a_case_whose_consent_was_withdrawn(world):
    from ctip.people.models import Person

    reference = world.unconsented["external_ref"]
    url = reverse(
        "api-interop-case",
        kwargs={"system_uuid": reference.system.uuid, "external_id": reference.external_id},
    )
    supervisor = verified_client(world.cast.a[Role.CASE_SUPERVISOR])
    response = request(supervisor, "get", url, api=True)
    assert response.status_code == 404, response.status_code
    assert marker("unconsented", "name") not in response.content.decode()
    person = world.unconsented["person"]
    before = Person.objects.values().get(pk=person.pk)
    response = supervisor.put(
        url,
        {"record": {"name_first": "Changed", "sex": "female"}},
        content_type="application/json",
        headers={"If-Match": '"1-1"'},
    )
    assert response.status_code in (403, 404), response.status_code
    assert Person.objects.values().get(pk=person.pk) == before
    # The same id through another organisation's credentials: no such system there.
    outsider = verified_client(world.cast.b[Role.CASE_SUPERVISOR])
    assert request(outsider, "get", url, api=True).status_code == 404
