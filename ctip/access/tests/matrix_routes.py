"""The access matrix's table: every URL route, the record it exercises and what it needs.

Each route name of the URL resolver maps to a `Route`: which seeded record fills its URL
(`obj`, a key of matrix_seed's records), which documented scope rule decides whether a user
may see that record (`scope`, a key of `SCOPES`), and its operations (`Op`): the action, the
HTTP method, and the permissions of which any one grants it (from ctip/accounts/roles.py).

Expectations are computed from this table and the roles table, never from running the code:
missing permission → 403; out of scope → 404; otherwise allowed. A route the resolver knows
and this table does not classify fails the suite (test_matrix.py), so the matrix grows with
the app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ctip.accounts.roles import Perm as P

ACTIONS = ("list", "get", "create", "change", "delete", "export")
# Pseudo-permissions: the route is open to anyone (PUBLIC), or to any verified user (SIGNED_IN).
PUBLIC = "<public>"
SIGNED_IN = "<signed-in>"


@dataclass(frozen=True)
class Op:
    action: str
    method: str
    perms: frozenset[str]  # any one of these grants the action
    # An action endpoint given an empty body may answer 400/409 (validation) when allowed.
    writes: bool = False
    # Checked before the record is looked up (403); `perms` is then checked on a record the
    # user sees (STYLE.md rule 4: 403 only when the user sees the record but may not change
    # it). None: the gate is `perms` itself.
    gate: frozenset[str] | None = None
    data: dict | None = None  # a body that passes validation, so the record is looked up
    # The answer is a field of this sensitivity (e.g. the photo, restricted): a reader without
    # the sensitivity permission is answered 404, as if the field were empty.
    field_perm: str | None = None


def op(action: str, method: str, *perms: str, gate=None, data=None, field_perm=None) -> Op:
    assert action in ACTIONS, action
    return Op(
        action,
        method,
        frozenset(perms),
        writes=method != "get",
        gate=frozenset(gate) if gate is not None else None,
        data=data,
        field_perm=field_perm,
    )


@dataclass(frozen=True)
class Route:
    ops: tuple[Op, ...]
    obj: str | None = None  # key of the seeded record that fills the URL
    scope: str = "none"  # key of SCOPES: who may see `obj`
    kwargs: dict | None = None  # fixed URL kwargs (reference codes)
    query: str = ""  # a query string the route needs
    note: str = ""  # why the route is out of the matrix, or an intended exception
    exempt: bool = False  # not an object route: authentication machinery, public forms


def R(*ops: Op, obj=None, scope="none", kwargs=None, query="", note="") -> Route:  # noqa: N802
    if obj is not None:
        assert scope != "none", obj
    return Route(ops=ops, obj=obj, scope=scope, kwargs=kwargs, query=query, note=note)


def X(note: str, *ops: Op) -> Route:  # noqa: N802
    """A route outside the object matrix, with the reason."""
    return Route(ops=ops, note=note, exempt=True)


def get(*perms, **kw):
    return op("get", "get", *perms, **kw)


def lst(*perms, **kw):
    return op("list", "get", *perms, **kw)


def form(action, *perms):
    """A page form shown with GET: the same gate guards its POST."""
    return op(action, "get", *perms)


def post(action, *perms):
    return op(action, "post", *perms)


def export(*perms):
    return op("export", "get", *perms)


# --- scope rules, as documented in ctip/access/rules/* ------------------------------------------
# Each takes (perms of the user, user, side, world) and answers whether the side's record is
# visible. Sides: "own" (org A, assigned to the acting case worker), "other_cw" (org A, another
# case worker's case; org A restricts case workers to assigned cases), "other_org" (org B).


def _same_org(perms, user, side, world) -> bool:
    return side != "other_org"


def case_visible(perms, user, side, world) -> bool:
    """rules/cases.py case_scope: own organisation; restricted organisations show a user
    without cases.view_all only the cases where they are case worker or supervisor."""
    if P.CASES_VIEW not in perms or side == "other_org":
        return False
    if P.CASES_VIEW_ALL in perms:
        return True
    case = world.records[side]["case"]
    return user.pk in (case.case_worker_id, case.supervisor_id)


def _case_child(view_perm: str) -> Callable:
    def scope(perms, user, side, world) -> bool:
        # Children of a case are seen exactly when the case is (with the child's view perm).
        return view_perm in perms and case_visible(perms | {P.CASES_VIEW}, user, side, world)

    return scope


def _report(perms, user, side, world) -> bool:
    # rules/intake.py: the national queue (hotline) sees all; others what is dispatched to them.
    if P.REPORTS_VIEW_ALL in perms:
        return True
    return P.REPORTS_VIEW_ASSIGNED in perms and side != "other_org"


def _investigation(perms, user, side, world) -> bool:
    # rules/justice.py: handling organisation (justice.manage), or a victim is the user's survivor.
    if P.JUSTICE_MANAGE in perms and side != "other_org":
        return True
    return P.JUSTICE_VIEW in perms and case_visible(perms, user, side, world)


def _proceeding_child(perms, user, side, world) -> bool:
    # Suspects, court cases, hearings, verdicts: through the investigation.
    return _investigation(perms, user, side, world)


def _evidence(perms, user, side, world) -> bool:
    return P.EVIDENCE_VIEW in perms and side != "other_org"


def _facility(perms, user, side, world) -> bool:
    # rules/aftercare.py: own facilities; capacity.view sees every facility (counts only).
    return (P.SHELTERS_VIEW in perms and side != "other_org") or P.CAPACITY_VIEW in perms


def _placement(perms, user, side, world) -> bool:
    # The facility's organisation (the side's own) or the case's.
    return P.SHELTERS_VIEW in perms and side != "other_org"


def _referral(perms, user, side, world) -> bool:
    return P.REFERRALS_VIEW in perms and side != "other_org"


def _user(perms, user, side, world) -> bool:
    return P.USERS_MANAGE_ALL in perms or (P.USERS_MANAGE_OWN_ORG in perms and side != "other_org")


def _audit(perms, user, side, world) -> bool:
    return P.AUDIT_VIEW_ALL in perms or (P.AUDIT_VIEW_OWN_ORG in perms and side != "other_org")


def _everything(perms, user, side, world) -> bool:
    return True


def _provider(perms, user, side, world) -> bool:
    # rules/cases.py: the provider organisation sees the services asked of it (services.confirm);
    # the case's readers see its services (care.view). Seeded services are delivered in-house:
    # the provider is the case's organisation.
    delivery = world.records[side]["delivery"]
    if P.SERVICES_CONFIRM in perms and delivery.provider_id == user.organisation_id:
        return True
    return _case_child(P.CARE_VIEW)(perms, user, side, world)


def _interop_case(perms, user, side, world) -> bool:
    # rules/interop.py + interop/selectors.py shared_cases: the caller's organisation's own
    # partner system, and a case the caller sees as owner whose sharing consent stands.
    return P.INTEROP_SYNC in perms and case_visible(perms, user, side, world)


SCOPES: dict[str, Callable] = {
    "org": _same_org,
    "person": lambda perms, *a: P.PEOPLE_VIEW in perms and _same_org(perms, *a),
    "case": case_visible,
    "care": _case_child(P.CARE_VIEW),
    "returns": _case_child(P.RETURNS_VIEW),
    "report": _report,
    "operation": lambda perms, *a: P.OPERATIONS_VIEW in perms and _same_org(perms, *a),
    "screening": lambda perms, *a: P.SCREENING_VIEW in perms and _same_org(perms, *a),
    "handoff": lambda perms, *a: P.HANDOFFS_VIEW in perms and _same_org(perms, *a),
    # shelters/selectors.py handoffs_to_admit: only the receiving organisation (org C here).
    "handoff_received": lambda perms, user, side, world: (
        P.HANDOFFS_VIEW in perms
        and world.records[side]["handoff"].to_organisation_id == user.organisation_id
    ),
    "investigation": _investigation,
    "proceeding": _proceeding_child,
    "evidence": _evidence,
    "prevention": lambda perms, *a: P.PREVENTION_VIEW in perms and _same_org(perms, *a),
    "assessment": lambda perms, *a: P.PREVENTION_ASSESS in perms and _same_org(perms, *a),
    "facility": _facility,
    "placement": _placement,
    "referral": _referral,
    # rules/aftercare.py: the alerted organisation, under its assignment rule.
    "flag": _case_child(P.RETURNS_VIEW),
    "candidate": lambda perms, *a: P.MATCHING_REVIEW in perms and _same_org(perms, *a),
    "user": _user,
    "audit": _audit,
    "provider": _provider,
    "everything": _everything,
    "absent": lambda *a: False,  # a record that exists nowhere
    # rules/prevention.py: prevention.counts reads trainings of every organisation, to count.
    "prevention_counts": lambda perms, *a: P.PREVENTION_COUNTS in perms,
    "training": lambda perms, *a: (
        P.PREVENTION_COUNTS in perms or (P.PREVENTION_VIEW in perms and _same_org(perms, *a))
    ),
    # exchange/importer.py batches_visible_to: the uploading organisation's importers only.
    "import_batch": lambda perms, *a: P.EXCHANGE_IMPORT in perms and _same_org(perms, *a),
    # rules/matching.py: the system admin sees every agreement, an organisation's admin those
    # their organisation is party to.
    "agreement": lambda perms, *a: (
        P.ORGANISATIONS_MANAGE in perms
        or (P.USERS_MANAGE_OWN_ORG in perms and _same_org(perms, *a))
    ),
    # rules/interop.py: an organisation's own partner systems, to those who manage or sync.
    "partner_system": lambda perms, *a: (
        bool({P.INTEROP_MANAGE, P.INTEROP_SYNC} & perms) and _same_org(perms, *a)
    ),
    "interop_case": _interop_case,
}

# The records each scope concerns: a list leaks if it shows one the user may not see.
SCOPE_OF_RECORD: dict[str, str] = {
    "person": "person",
    "case": "case",
    "note": "case",
    "task": "case",
    "assessment": "care",
    "care_plan": "care",
    "goal": "care",
    "action": "care",
    "delivery": "provider",
    "report": "report",
    "operation": "operation",
    "screening": "screening",
    "handoff": "handoff",
    "investigation": "investigation",
    "suspect": "proceeding",
    "court_case": "proceeding",
    "evidence": "evidence",
    "programme": "prevention",
    "group": "prevention",
    "member": "prevention",
    "session": "prevention",
    "vulnerability": "assessment",
    "training": "training",
    "facility": "facility",
    "placement": "placement",
    "referral": "referral",
    "return": "returns",
    "reintegration": "returns",
    "flag": "flag",
    "import_batch": "import_batch",
    "agreement": "agreement",
    "partner_system": "partner_system",
}

# Where a case number may show besides the case's own pages: records whose rule is wider than
# the case's (documented in rules/aftercare.py and rules/cases.py).
CASE_NUMBER_SCOPES: dict[str, str] = {
    "shelters:": "placement",  # a facility's page lists who is placed in it
    "referrals:": "referral",  # referrals are seen by the sending organisation
    "api-referral": "referral",
    "care:re": "provider",  # the provider of a service sees the case number, not the case
}

V, CASES, CARE = P.PEOPLE_VIEW, P.CASES_VIEW, P.CARE_VIEW
REPORT_VIEW = (P.REPORTS_VIEW_ALL, P.REPORTS_VIEW_ASSIGNED)
USERS = (P.USERS_MANAGE_OWN_ORG, P.USERS_MANAGE_ALL)
AUDIT = (P.AUDIT_VIEW_OWN_ORG, P.AUDIT_VIEW_ALL)
JV, JM = P.JUSTICE_VIEW, P.JUSTICE_MANAGE

ROUTES: dict[str, Route] = {
    # --- outside the object matrix -----------------------------------------------------------
    "set_language": X("language switch: no record", post("change", PUBLIC)),
    "healthz": X("load-balancer probe: no record", get(PUBLIC)),
    "api-schema": X("OpenAPI schema: no record (verified users only)", get(SIGNED_IN)),
    "api-docs": X("Swagger UI: no record (verified users only)", get(SIGNED_IN)),
    "api-intake-webhook": X("SMS gateway webhook, authenticated by its shared secret"),
    "accounts:login": X("signing in", get(PUBLIC)),
    "accounts:logout": X("signing out"),
    "accounts:two_factor_setup": X("TOTP enrolment of the signed-in user"),
    "accounts:two_factor_verify": X("TOTP check of the signed-in user"),
    "accounts:profile": X("the user's own profile", get(SIGNED_IN)),
    "accounts:password_change": X("the user's own password", get(SIGNED_IN)),
    "intake:tip": X("the public tip form: anyone may report", get(PUBLIC)),
    "intake:tip_status": X("the public tip status, by code and secret", get(PUBLIC)),
    # --- foundation --------------------------------------------------------------------------
    "core:home": R(
        get(SIGNED_IN), note="greets every signed-in user; panels follow the permissions held"
    ),
    "api-me": R(get(SIGNED_IN)),
    "api-organisations": R(lst(P.ORGANISATIONS_VIEW)),
    "api-users": R(lst(*USERS)),
    # Another person's account answers 404 to non-admins, as if it did not exist
    # (ctip/accounts/tests/test_user_admin.py pins it): the gate is being signed in.
    "api-user": R(get(*USERS, gate=[SIGNED_IN]), obj="user", scope="user"),
    "accounts:api_token": R(get(P.API_TOKEN)),
    # POST only; who may revoke which token is pinned in ctip/accounts/tests/test_api_tokens.py.
    "accounts:api_token_revoke": X("the user's own API token"),
    "accounts:user_api_token_revoke": X("an administered user's API token (test_api_tokens.py)"),
    "accounts:user_list": R(lst(*USERS)),
    "accounts:user_create": R(form("create", *USERS)),
    "accounts:user_edit": R(
        op("change", "get", *USERS, gate=[SIGNED_IN]), obj="user", scope="user"
    ),
    "accounts:organisation_list": R(lst(P.ORGANISATIONS_VIEW)),
    "accounts:organisation_create": R(form("create", P.ORGANISATIONS_MANAGE)),
    "accounts:organisation_edit": R(
        form("change", P.ORGANISATIONS_MANAGE), obj="organisation", scope="everything"
    ),
    "api-audit-events": R(lst(*AUDIT)),
    "api-audit-event": R(get(*AUDIT), obj="audit_event", scope="audit"),
    "audit:list": R(lst(*AUDIT)),
    "audit:detail": R(get(*AUDIT), obj="audit_event", scope="audit"),
    # Reference data: national, everyone with reference.view.
    "api-provinces": R(lst(P.REFERENCE_VIEW)),
    "api-districts": R(lst(P.REFERENCE_VIEW)),
    "api-communes": R(lst(P.REFERENCE_VIEW)),
    "api-villages": R(lst(P.REFERENCE_VIEW)),
    "api-countries": R(lst(P.REFERENCE_VIEW)),
    "places:provinces": R(lst(P.REFERENCE_VIEW)),
    "places:province": R(get(P.REFERENCE_VIEW), kwargs={"code": "12"}),
    "places:district": R(get(P.REFERENCE_VIEW), kwargs={"code": "1201"}),
    "places:commune": R(get(P.REFERENCE_VIEW), kwargs={"code": "120101"}),
    "places:village_search": R(lst(P.REFERENCE_VIEW)),
    "places:options": R(lst(P.REFERENCE_VIEW), kwargs={"level": "district"}, query="?province=12"),
    "places:village_choices": R(lst(P.REFERENCE_VIEW), query="?commune=120101"),
    "places:countries": R(lst(P.REFERENCE_VIEW)),
    # People.
    "api-people": R(lst(V), post("create", P.PEOPLE_CREATE)),
    "api-people-search": R(op("list", "post", V, data={"q": "a"})),
    "api-person": R(
        get(V),
        op("change", "patch", P.PEOPLE_CHANGE, data={"version": 0}),
        obj="person",
        scope="person",
    ),
    "people:list": R(lst(V), op("list", "post", V, data={"q": "a"})),
    "people:create": R(form("create", P.PEOPLE_CREATE)),
    "people:detail": R(get(V), obj="person", scope="person"),
    "people:edit": R(form("change", P.PEOPLE_CHANGE), obj="person", scope="person"),
    "people:family_add": R(form("create", P.PEOPLE_CHANGE), obj="person", scope="person"),
    "people:documents": R(get(V), obj="person", scope="person"),
    "people:photo": R(get(V, field_perm=P.SENSITIVITY_RESTRICTED), obj="person", scope="person"),
    # --- intake and operations ---------------------------------------------------------------
    "api-reports": R(lst(*REPORT_VIEW, P.REPORTS_CREATE), post("create", P.REPORTS_CREATE)),
    "api-report": R(get(*REPORT_VIEW), obj="report", scope="report"),
    "api-report-triage": R(post("change", P.REPORTS_TRIAGE), obj="report", scope="report"),
    "api-report-dispatch": R(post("change", P.REPORTS_TRIAGE), obj="report", scope="report"),
    "intake:queue": R(lst(*REPORT_VIEW)),
    "intake:console": R(form("create", P.REPORTS_CREATE)),
    "intake:detail": R(get(*REPORT_VIEW), obj="report", scope="report"),
    "intake:triage": R(post("change", P.REPORTS_TRIAGE), obj="report", scope="report"),
    "intake:dispatch": R(post("change", P.REPORTS_TRIAGE), obj="report", scope="report"),
    "intake:accept": R(post("change", P.REPORTS_RESPOND), obj="report", scope="report"),
    "intake:decline": R(post("change", P.REPORTS_RESPOND), obj="report", scope="report"),
    "intake:close": R(
        post("change", P.REPORTS_TRIAGE, P.REPORTS_RESPOND), obj="report", scope="report"
    ),
    "intake:link": R(post("change", P.REPORTS_TRIAGE), obj="report", scope="report"),
    "api-operations": R(lst(P.OPERATIONS_VIEW)),
    "api-handoffs-pending": R(lst(P.HANDOFFS_VIEW)),
    "operations:list": R(lst(P.OPERATIONS_VIEW)),
    "operations:create": R(form("create", P.OPERATIONS_MANAGE)),
    "operations:detail": R(get(P.OPERATIONS_VIEW), obj="operation", scope="operation"),
    "operations:status": R(post("change", P.OPERATIONS_MANAGE), obj="operation", scope="operation"),
    "operations:found_add": R(
        form("create", P.OPERATIONS_MANAGE), obj="operation", scope="operation"
    ),
    "operations:screen": R(form("create", P.SCREENING_RECORD), obj="found_person", scope="person"),
    "operations:screening": R(get(P.SCREENING_VIEW), obj="screening", scope="screening"),
    "operations:screening_revise": R(
        form("change", P.SCREENING_RECORD), obj="screening", scope="screening"
    ),
    "operations:screening_hand_off": R(
        post("create", P.SCREENING_RECORD), obj="screening", scope="screening"
    ),
    "operations:handoffs": R(lst(P.HANDOFFS_VIEW)),
    "operations:handoff_decide": R(
        post("change", P.HANDOFFS_DECIDE), obj="handoff", scope="handoff"
    ),
    "operations:instrument": R(get(P.SCREENING_VIEW, P.SCREENING_INSTRUMENT_MANAGE)),
    # --- cases and care ----------------------------------------------------------------------
    "api-cases": R(lst(CASES), post("create", P.CASES_OPEN)),
    "api-cases-search": R(op("list", "post", CASES, data={"q": "a"})),
    # The case APIs look the case up with the reading permission, then check the writing one.
    "api-case": R(
        get(CASES),
        op("change", "patch", P.CASES_CHANGE, gate=[CASES], data={"version": 0}),
        obj="case",
        scope="case",
    ),
    "api-case-notes": R(
        lst(CASES), op("create", "post", P.CASES_CHANGE, gate=[CASES]), obj="case", scope="case"
    ),
    "api-case-tasks": R(
        lst(CASES), op("create", "post", P.CASES_CHANGE, gate=[CASES]), obj="case", scope="case"
    ),
    "api-task-done": R(
        op("change", "post", P.CASES_CHANGE, gate=[CASES]), obj="task", scope="case"
    ),
    "api-case-assessments": R(
        lst(CARE), op("create", "post", P.CARE_CHANGE, gate=[CARE]), obj="case", scope="care"
    ),
    "api-case-care-plans": R(lst(CARE), obj="case", scope="care"),
    "api-care-plan": R(get(CARE), obj="care_plan", scope="care"),
    "cases:list": R(lst(CASES), op("list", "post", CASES, data={"q": "a"})),
    "cases:dashboard": R(lst(CASES)),
    "cases:open": R(form("create", P.CASES_OPEN)),
    "cases:settings": R(form("change", P.CASES_SETTINGS)),
    "cases:detail": R(get(CASES), obj="case", scope="case"),
    "cases:edit": R(form("change", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:status": R(post("change", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:closure": R(form("change", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:reopen": R(form("change", P.CASES_REOPEN), obj="case", scope="case"),
    "cases:consent_add": R(form("create", P.CONSENT_RECORD), obj="case", scope="case"),
    "cases:note_add": R(form("create", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:task_add": R(form("create", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:event_add": R(form("create", P.CASES_CHANGE), obj="case", scope="case"),
    "cases:pdf": R(export(CASES), obj="case", scope="case"),
    "cases:approval": R(form("change", P.CASES_APPROVE), obj="approval", scope="case"),
    "cases:consent_withdraw": R(form("change", P.CONSENT_RECORD), obj="consent", scope="case"),
    "cases:task_done": R(post("change", P.CASES_CHANGE), obj="task", scope="case"),
    "care:assessment_new": R(form("create", P.CARE_CHANGE), obj="case", scope="care"),
    "care:assessment": R(get(CARE), obj="assessment", scope="care"),
    "care:plan_new": R(form("create", P.CARE_CHANGE), obj="case", scope="care"),
    "care:plan": R(get(CARE), obj="care_plan", scope="care"),
    "care:goal_add": R(form("create", P.CARE_CHANGE), obj="care_plan", scope="care"),
    "care:review_add": R(form("create", P.CARE_CHANGE), obj="care_plan", scope="care"),
    "care:plan_submit": R(post("change", P.CARE_CHANGE), obj="care_plan", scope="care"),
    "care:action_add": R(form("create", P.CARE_CHANGE), obj="goal", scope="care"),
    "care:action_done": R(post("change", P.CARE_CHANGE), obj="action", scope="care"),
    "care:service_new": R(form("create", P.CARE_CHANGE), obj="case", scope="care"),
    "care:requests": R(lst(P.SERVICES_CONFIRM)),
    "care:respond": R(form("change", P.SERVICES_CONFIRM), obj="delivery", scope="provider"),
    # --- justice and evidence ----------------------------------------------------------------
    "api-investigations": R(lst(JV), post("create", JM)),
    "api-investigations-search": R(op("list", "post", JV, data={"q": "a"})),
    "api-investigation": R(get(JV), obj="investigation", scope="investigation"),
    "api-law-articles": R(lst(P.REFERENCE_VIEW)),
    "api-justice-counts": R(lst(P.JUSTICE_COUNTS)),
    "api-evidence": R(lst(P.EVIDENCE_VIEW), obj="investigation", scope="evidence"),
    "justice:list": R(lst(JV), op("list", "post", JV, data={"q": "a"})),
    "justice:create": R(form("create", JM)),
    "justice:detail": R(get(JV), obj="investigation", scope="investigation"),
    "justice:victim_add": R(form("create", JM), obj="investigation", scope="investigation"),
    "justice:suspect_add": R(form("create", JM), obj="investigation", scope="investigation"),
    "justice:complaint_add": R(form("create", JM), obj="investigation", scope="investigation"),
    "justice:court_case_add": R(form("create", JM), obj="investigation", scope="investigation"),
    "justice:identifier_add": R(form("create", JM), obj="suspect", scope="proceeding"),
    "justice:relation_add": R(form("create", JM), obj="suspect", scope="proceeding"),
    "justice:arrest_add": R(form("create", JM), obj="suspect", scope="proceeding"),
    "justice:charge_add": R(form("create", JM), obj="suspect", scope="proceeding"),
    "justice:hearing_add": R(form("create", JM), obj="court_case", scope="proceeding"),
    "justice:verdict_add": R(form("create", JM), obj="court_case", scope="proceeding"),
    "justice:hearing_outcome": R(form("change", JM), obj="hearing", scope="proceeding"),
    "justice:hearing_postpone": R(form("change", JM), obj="hearing", scope="proceeding"),
    "justice:witness_support_add": R(form("create", JM), obj="hearing", scope="proceeding"),
    "justice:appeal_add": R(form("create", JM), obj="verdict", scope="proceeding"),
    "justice:identifier_search": R(lst(JV), op("list", "post", JV, data={"value": "a"})),
    "justice:identifier": R(get(JV), obj="identifier", scope="proceeding"),
    "justice:law_articles": R(lst(P.REFERENCE_VIEW)),
    "justice:law_article_create": R(form("create", P.REFERENCE_MANAGE)),
    "justice:law_article_edit": R(
        form("change", P.REFERENCE_MANAGE), obj="law_article", scope="everything"
    ),
    "justice:counts": R(lst(P.JUSTICE_COUNTS)),
    "evidence:upload": R(form("create", P.EVIDENCE_ADD), obj="investigation", scope="evidence"),
    "evidence:medical": R(form("create", P.EVIDENCE_ADD), obj="investigation", scope="evidence"),
    "evidence:bundle": R(
        op("export", "post", P.EVIDENCE_EXPORT), obj="investigation", scope="evidence"
    ),
    "evidence:detail": R(get(P.EVIDENCE_VIEW), obj="evidence", scope="evidence"),
    "evidence:download": R(export(P.EVIDENCE_VIEW), obj="evidence", scope="evidence"),
    "evidence:correct": R(form("change", P.EVIDENCE_ADD), obj="evidence", scope="evidence"),
    "evidence:custody_add": R(form("create", P.EVIDENCE_ADD), obj="evidence", scope="evidence"),
    # --- prevention --------------------------------------------------------------------------
    "api-prevention-programmes": R(lst(P.PREVENTION_VIEW)),
    "api-prevention-attendance": R(
        op("change", "put", P.PREVENTION_MANAGE), obj="session", scope="prevention"
    ),
    "api-prevention-reach": R(lst(P.PREVENTION_VIEW, P.PREVENTION_COUNTS)),
    "api-prevention-trainings": R(lst(P.PREVENTION_VIEW, P.PREVENTION_COUNTS)),
    "prevention:home": R(lst(P.PREVENTION_VIEW)),
    "prevention:programme_create": R(form("create", P.PREVENTION_MANAGE)),
    "prevention:programme": R(get(P.PREVENTION_VIEW), obj="programme", scope="prevention"),
    "prevention:programme_edit": R(
        form("change", P.PREVENTION_MANAGE), obj="programme", scope="prevention"
    ),
    "prevention:group_create": R(
        form("create", P.PREVENTION_MANAGE), obj="programme", scope="prevention"
    ),
    "prevention:session_create": R(
        form("create", P.PREVENTION_MANAGE), obj="programme", scope="prevention"
    ),
    "prevention:group": R(get(P.PREVENTION_VIEW), obj="group", scope="prevention"),
    "prevention:member_leave": R(
        post("change", P.PREVENTION_MANAGE), obj="member", scope="prevention"
    ),
    "prevention:session": R(get(P.PREVENTION_VIEW), obj="session", scope="prevention"),
    "prevention:reach": R(lst(P.PREVENTION_VIEW, P.PREVENTION_COUNTS)),
    "prevention:assessments": R(lst(P.PREVENTION_ASSESS)),
    "prevention:assessment_create": R(form("create", P.PREVENTION_ASSESS)),
    "prevention:assessment": R(get(P.PREVENTION_ASSESS), obj="vulnerability", scope="assessment"),
    "prevention:trainings": R(lst(P.PREVENTION_VIEW)),
    "prevention:training_create": R(form("create", P.PREVENTION_MANAGE)),
    "prevention:training": R(get(P.PREVENTION_VIEW), obj="training", scope="prevention"),
    "prevention:campaigns": R(lst(P.PREVENTION_VIEW)),
    "prevention:campaign_create": R(form("create", P.PREVENTION_MANAGE)),
    # --- aftercare ---------------------------------------------------------------------------
    "api-capacity": R(lst(P.CAPACITY_VIEW)),
    "shelters:list": R(lst(P.SHELTERS_VIEW)),
    "shelters:board": R(lst(P.CAPACITY_VIEW)),
    "shelters:create": R(form("create", P.SHELTERS_MANAGE)),
    "shelters:detail": R(
        get(P.SHELTERS_VIEW),
        obj="facility",
        scope="org",
        note="the facility page lists who is placed: own facilities only, not every facility "
        "that capacity.view opens for the board",
    ),
    "shelters:admit": R(form("create", P.PLACEMENTS_MANAGE), obj="facility", scope="org"),
    "shelters:handoff_admit": R(
        form("create", P.PLACEMENTS_MANAGE), obj="handoff", scope="handoff_received"
    ),
    "shelters:discharge": R(
        form("change", P.PLACEMENTS_MANAGE), obj="placement", scope="placement"
    ),
    "shelters:transfer": R(form("change", P.PLACEMENTS_MANAGE), obj="placement", scope="placement"),
    "api-referrals": R(lst(P.REFERRALS_VIEW)),
    "api-referral": R(get(P.REFERRALS_VIEW), obj="referral", scope="referral"),
    "api-referral-accept": R(
        post("change", P.REFERRALS_RESPOND, P.REFERRALS_CREATE), obj="referral", scope="referral"
    ),
    "api-referral-decline": R(
        post("change", P.REFERRALS_RESPOND, P.REFERRALS_CREATE), obj="referral", scope="referral"
    ),
    "api-referral-withdraw": R(
        post("change", P.REFERRALS_RESPOND, P.REFERRALS_CREATE), obj="referral", scope="referral"
    ),
    "referrals:list": R(lst(P.REFERRALS_VIEW)),
    "referrals:directory": R(lst(P.REFERRALS_VIEW, P.DIRECTORY_MANAGE)),
    "referrals:agreements": R(lst(P.ORGANISATIONS_MANAGE, P.USERS_MANAGE_OWN_ORG)),
    "referrals:agreement_create": R(form("create", P.ORGANISATIONS_MANAGE)),
    "referrals:agreement_detail": R(
        get(P.ORGANISATIONS_MANAGE, P.USERS_MANAGE_OWN_ORG), obj="agreement", scope="agreement"
    ),
    "referrals:agreement_edit": R(
        form("change", P.ORGANISATIONS_MANAGE), obj="agreement", scope="agreement"
    ),
    "referrals:agreement_end": R(
        form("change", P.ORGANISATIONS_MANAGE), obj="agreement", scope="agreement"
    ),
    "referrals:directory_add": R(form("create", P.DIRECTORY_MANAGE)),
    "referrals:create": R(form("create", P.REFERRALS_CREATE), obj="case", scope="case"),
    "referrals:detail": R(get(P.REFERRALS_VIEW), obj="referral", scope="referral"),
    "referrals:accept": R(post("change", P.REFERRALS_RESPOND), obj="referral", scope="referral"),
    "referrals:decline": R(post("change", P.REFERRALS_RESPOND), obj="referral", scope="referral"),
    # Issue 17: a page asking for the day and a confirmation; the sender's only.
    "referrals:withdraw": R(form("change", P.REFERRALS_CREATE), obj="referral", scope="referral"),
    # Issue 17: the receiving partner records a service it gave; the seeded referral's sender
    # sees it but may not (403), nobody else sees it (404).
    "referrals:service": R(
        op("create", "get", gate=[P.SERVICES_CONFIRM]), obj="referral", scope="referral"
    ),
    "referrals:complete": R(
        post("change", P.REFERRALS_CREATE, P.REFERRALS_RESPOND), obj="referral", scope="referral"
    ),
    "api-returns-table": R(lst(P.RETURNS_VIEW, P.STATISTICS_VIEW)),
    "returns:list": R(lst(P.RETURNS_VIEW, P.STATISTICS_VIEW)),
    "returns:flags": R(lst(P.RETURNS_VIEW)),
    "returns:flag_review": R(post("change", P.RETURNS_MANAGE), obj="flag", scope="flag"),
    "returns:case": R(get(P.RETURNS_VIEW), obj="case", scope="returns"),
    "returns:create": R(form("create", P.RETURNS_MANAGE), obj="case", scope="returns"),
    "returns:plan_create": R(form("create", P.RETURNS_MANAGE), obj="case", scope="returns"),
    "returns:edit": R(form("change", P.RETURNS_MANAGE), obj="return", scope="returns"),
    "returns:plan": R(get(P.RETURNS_VIEW), obj="reintegration", scope="returns"),
    "returns:plan_complete": R(
        form("change", P.RETURNS_MANAGE), obj="reintegration", scope="returns"
    ),
    "returns:visit": R(form("change", P.RETURNS_MANAGE), obj="visit", scope="returns"),
    # --- matching, networks, statistics, exchange --------------------------------------------
    "api-match-candidates": R(lst(P.MATCHING_REVIEW)),
    "api-match-candidate": R(
        get(P.MATCHING_REVIEW),
        post("change", P.MATCHING_REVIEW),
        obj="candidate",
        scope="candidate",
    ),
    "matching:queue": R(lst(P.MATCHING_REVIEW)),
    "matching:detail": R(get(P.MATCHING_REVIEW), obj="candidate", scope="candidate"),
    "networks:home": R(lst(P.NETWORKS_VIEW)),
    "networks:graphml": R(export(P.NETWORKS_VIEW)),
    "api-statistics-indicators": R(lst(P.STATISTICS_VIEW)),
    "api-statistics-indicator": R(
        get(P.STATISTICS_VIEW), kwargs={"code": "reports_received"}, query="?year=2026"
    ),
    "api-statistics-response-times": R(lst(P.STATISTICS_VIEW), query="?year=2026"),
    "statistics:dashboard": R(lst(P.STATISTICS_VIEW)),
    "statistics:definitions": R(lst(P.STATISTICS_VIEW)),
    "statistics:indicator": R(get(P.STATISTICS_VIEW), kwargs={"code": "reports_received"}),
    "statistics:annual": R(lst(P.STATISTICS_VIEW)),
    "statistics:annual_xlsx": R(export(P.STATISTICS_EXPORT)),
    "statistics:annual_pdf": R(export(P.STATISTICS_EXPORT)),
    "statistics:release": R(export(P.STATISTICS_RELEASE)),
    "exchange:htcds": R(export(P.EXCHANGE_EXPORT)),
    "exchange:htcds_download": R(export(P.EXCHANGE_EXPORT), kwargs={"fmt": "json"}),
    "exchange:compare": R(lst(P.STATISTICS_VIEW)),
    # Import batches: each side's organisation uploaded one; another organisation's batch
    # answers 404 to its page, its advance and its issues download, page and API.
    "api-exchange-htcds": R(export(P.EXCHANGE_EXPORT)),
    "api-exchange-imports": R(lst(P.EXCHANGE_IMPORT), post("create", P.EXCHANGE_IMPORT)),
    "api-exchange-import": R(get(P.EXCHANGE_IMPORT), obj="import_batch", scope="import_batch"),
    "api-exchange-import-advance": R(
        post("change", P.EXCHANGE_IMPORT), obj="import_batch", scope="import_batch"
    ),
    "exchange:import": R(form("create", P.EXCHANGE_IMPORT)),
    "exchange:import_batch": R(get(P.EXCHANGE_IMPORT), obj="import_batch", scope="import_batch"),
    "exchange:import_advance": R(
        post("change", P.EXCHANGE_IMPORT), obj="import_batch", scope="import_batch"
    ),
    "exchange:import_errors": R(
        export(P.EXCHANGE_IMPORT), obj="import_batch", scope="import_batch"
    ),
    # Partner systems: each organisation's own; the partner's id of each side's case (whose
    # survivor consented to share with C, the system's recipient). Withdrawn consent: test_matrix.
    "interop:list": R(lst(P.INTEROP_MANAGE)),
    "interop:set_active": R(
        post("change", P.INTEROP_MANAGE), obj="partner_system", scope="partner_system"
    ),
    "api-interop-cases": R(lst(P.INTEROP_SYNC)),
    "api-interop-case": R(
        get(P.INTEROP_SYNC),
        op("change", "put", P.INTEROP_SYNC, data={}),
        obj="external_ref",
        scope="interop_case",
    ),
}


# The markers seeded into records (matrix_seed.marker): the record scopes of which any one
# lets a user see it, and the sensitivity permission reading it needs (None: normal field).
C_, R_ = P.SENSITIVITY_CONFIDENTIAL, P.SENSITIVITY_RESTRICTED
MARKERS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "name": (("person",), None),
    "phone": (("person",), C_),
    "protection": (("person",), R_),
    "narrative": (("case",), R_),
    "note": (("case",), C_),
    "task": (("case",), None),
    "assessment": (("care",), C_),
    "plan": (("care",), C_),
    "goal": (("care",), C_),
    "action": (("care",), C_),
    "outcome": (("care",), C_),
    "report": (("report",), None),
    "operation": (("operation",), None),
    "found": (("person", "operation", "screening"), None),
    "investigation": (("investigation",), None),
    "suspect": (("person", "proceeding"), None),
    "court": (("proceeding",), None),
    "evidence": (("evidence",), None),
    "programme": (("prevention",), None),
    "group": (("prevention",), None),
    "member": (("prevention",), None),
    "session": (("prevention",), None),
    "training": (("prevention", "prevention_counts"), None),
    "household": (("assessment",), None),
    "hivnote": (("assessment",), C_),
    "facility": (("facility",), None),
    "address": (("placement",), None),
    "referral": (("referral",), None),
    "crossing": (("returns",), None),
    "destination": (("returns",), None),
    "flagsource": (("flag",), None),
    "batchfile": (("import_batch",), None),
}
