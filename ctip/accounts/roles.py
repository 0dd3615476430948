"""The roles of CTIP and what each may do: the one table that grants permissions.

Views and APIs name the permission they need; `ctip.access` checks it against this table.
A permission that no role holds is granted to nobody (fail closed).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    INVESTIGATOR = "investigator", _("Investigator")
    CASE_WORKER = "case_worker", _("Case worker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    SHELTER_MANAGER = "shelter_manager", _("Shelter manager")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    PREVENTION_OFFICER = "prevention_officer", _("Prevention officer")
    STATISTICS_OFFICER = "statistics_officer", _("Statistics officer")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")


class Perm:
    """Permission names. One constant per thing a user may do."""

    DASHBOARD_VIEW = "dashboard.view"
    PEOPLE_VIEW = "people.view"
    PEOPLE_CREATE = "people.create"
    PEOPLE_CHANGE = "people.change"
    # Field sensitivity: reading a field above "normal" needs the matching permission.
    SENSITIVITY_CONFIDENTIAL = "sensitivity.confidential"
    SENSITIVITY_RESTRICTED = "sensitivity.restricted"
    STATISTICS_VIEW = "statistics.view"
    ORGANISATIONS_VIEW = "organisations.view"
    ORGANISATIONS_MANAGE = "organisations.manage"
    USERS_MANAGE_OWN_ORG = "users.manage_own_org"
    USERS_MANAGE_ALL = "users.manage_all"
    AUDIT_VIEW_OWN_ORG = "audit.view_own_org"
    AUDIT_VIEW_ALL = "audit.view_all"
    REFERENCE_VIEW = "reference.view"
    REFERENCE_MANAGE = "reference.manage"
    API_TOKEN = "api.token"  # noqa: S105 (a permission name, not a secret)

    # --- Intake (issue 3) ---
    REPORTS_VIEW_ALL = "reports.view_all"  # the national intake queue (hotline)
    REPORTS_VIEW_ASSIGNED = "reports.view_assigned"  # reports dispatched to one's organisation
    REPORTS_CREATE = "reports.create"
    REPORTS_TRIAGE = "reports.triage"  # triage, dispatch, link repeats, close at intake
    REPORTS_RESPOND = "reports.respond"  # accept, decline, close a dispatched report
    OPERATIONS_VIEW = "operations.view"
    OPERATIONS_MANAGE = "operations.manage"
    SCREENING_VIEW = "screening.view"
    SCREENING_RECORD = "screening.record"
    SCREENING_INSTRUMENT_MANAGE = "screening.instrument_manage"
    HANDOFFS_VIEW = "handoffs.view"
    HANDOFFS_DECIDE = "handoffs.decide"

    # --- Cases (issue 4) ---
    CASES_VIEW = "cases.view"  # cases of the own organisation (or assigned ones, if restricted)
    CASES_VIEW_ALL = "cases.view_all"  # every case of the own organisation, even if restricted
    CASES_OPEN = "cases.open"
    CASES_CHANGE = "cases.change"  # profile, notes, tasks, status, closure requests
    CASES_APPROVE = "cases.approve"  # decide closure and care-plan approvals
    CASES_REOPEN = "cases.reopen"
    CASES_SETTINGS = "cases.settings"  # the organisation's case-management settings
    CONSENT_RECORD = "consent.record"
    CONSENT_OVERRIDE = "consent.override"  # act without consent, with a reason (audited)
    CARE_VIEW = "care.view"  # assessments, care plans, services of visible cases
    CARE_CHANGE = "care.change"
    SERVICES_CONFIRM = "services.confirm"  # a partner confirms services requested of it

    # --- Justice (issue 6) ---
    JUSTICE_VIEW = "justice.view"  # proceedings in scope (see access/rules/justice.py)
    JUSTICE_MANAGE = "justice.manage"  # record suspects, arrests, charges, court, verdicts
    JUSTICE_COUNTS = "justice.counts"  # annual-report counts (aggregates only)
    EVIDENCE_VIEW = "evidence.view"  # evidence items; every view is a custody event
    EVIDENCE_ADD = "evidence.add"  # upload items, corrections, medical certificates, custody
    EVIDENCE_EXPORT = "evidence.export"  # court bundles

    # --- Prevention (issue 7) ---
    PREVENTION_VIEW = "prevention.view"  # programmes, groups, members, sessions of own org
    PREVENTION_MANAGE = "prevention.manage"  # create and change them, take attendance
    PREVENTION_ASSESS = "prevention.assess"  # vulnerability assessments and their referrals
    # Counts only, across all organisations: reach, trainings, campaigns as aggregates.
    PREVENTION_COUNTS = "prevention.counts"

    # --- Aftercare: shelters, referrals, returns, reintegration (issue 5) ---
    SHELTERS_VIEW = "shelters.view"  # own facilities, and placements of own facilities or cases
    SHELTERS_MANAGE = "shelters.manage"  # facilities and their capacity bands
    PLACEMENTS_MANAGE = "placements.manage"  # admit, transfer, discharge
    PLACEMENTS_OVERRIDE = "placements.override"  # admit past capacity, with a reason (audited)
    CAPACITY_VIEW = "capacity.view"  # free places of every facility, never who is there
    REFERRALS_VIEW = "referrals.view"  # referrals sent or received by own organisation
    REFERRALS_CREATE = "referrals.create"  # refer own cases; withdraw, complete
    REFERRALS_RESPOND = "referrals.respond"  # accept or decline referrals received
    DIRECTORY_MANAGE = "directory.manage"  # own organisation's entries in the directory
    RETURNS_VIEW = "returns.view"  # returns, reintegration plans, follow-ups of visible cases
    RETURNS_MANAGE = "returns.manage"

    # --- Matching and networks (issue 9) ---
    MATCHING_REVIEW = "matching.review"  # the duplicate review queue: confirm, reject, undo
    NETWORKS_VIEW = "networks.view"  # the network of suspects, identifiers, places, victims

    # --- Statistics and data exchange (issue 8) ---
    # Indicators and dashboards are read with STATISTICS_VIEW (foundation): aggregates only.
    STATISTICS_EXPORT = "statistics.export"  # the annual report and tables for publication
    STATISTICS_RELEASE = "statistics.release"  # k-anonymous record-level releases
    EXCHANGE_EXPORT = "exchange.export"  # own organisation's consented cases in HTCDS 2.0

    # --- Interoperability (issue 8): Primero/CPIMS+ and OSCaR ---
    INTEROP_SYNC = "interop.sync"  # the interop API: list changed cases, upsert by external id
    INTEROP_MANAGE = "interop.manage"  # own organisation's partner systems: register, disable
    EXCHANGE_IMPORT = "exchange.import"  # HTCDS CSV/XLSX files into own organisation's cases


P = Perm
_EVERYONE = {P.DASHBOARD_VIEW, P.ORGANISATIONS_VIEW, P.REFERENCE_VIEW, P.API_TOKEN}
_PEOPLE_READ = {P.PEOPLE_VIEW, P.SENSITIVITY_CONFIDENTIAL}
_PEOPLE_WRITE = {P.PEOPLE_VIEW, P.PEOPLE_CREATE, P.PEOPLE_CHANGE, P.SENSITIVITY_CONFIDENTIAL}


@dataclass(frozen=True)
class RoleSpec:
    permissions: frozenset[str]
    # Roles that see identifying data, or that can grant access to it, must use TOTP.
    needs_two_factor: bool
    # Which roles may hand this role to a user: org admins manage their own organisation only.
    granted_by: frozenset[str]


_ADMINS = frozenset({Role.ORG_ADMIN, Role.SYSTEM_ADMIN})


def _spec(perms: set[str], *, two_factor: bool = True, granted_by=_ADMINS) -> RoleSpec:
    return RoleSpec(frozenset(perms | _EVERYONE), two_factor, frozenset(granted_by))


# What each role may do, one table per domain; a role's permissions are the union of its rows.
# Domains add their permission names to `Perm` above, in a section of their own.
# fmt: off
FOUNDATION: dict[str, set[str]] = {
    Role.HOTLINE_OPERATOR:   {P.PEOPLE_VIEW, P.PEOPLE_CREATE},
    Role.INVESTIGATOR:       _PEOPLE_WRITE,
    Role.CASE_WORKER:        _PEOPLE_WRITE,
    Role.CASE_SUPERVISOR:    _PEOPLE_WRITE | {P.SENSITIVITY_RESTRICTED},
    Role.SHELTER_MANAGER:    _PEOPLE_READ,
    Role.LEGAL_OFFICER:      _PEOPLE_READ,
    Role.STATISTICS_OFFICER: {P.STATISTICS_VIEW},
    Role.ORG_ADMIN:          {P.USERS_MANAGE_OWN_ORG, P.AUDIT_VIEW_OWN_ORG},
    Role.SYSTEM_ADMIN:       {P.ORGANISATIONS_MANAGE, P.USERS_MANAGE_ALL, P.AUDIT_VIEW_ALL,
                              P.REFERENCE_MANAGE},
}

# Intake: reports, triage and dispatch, operations, screening (issue 3).
INTAKE: dict[str, set[str]] = {
    # Operators see reports, never cases or people's confidential fields (see rules/intake.py).
    Role.HOTLINE_OPERATOR:   {P.REPORTS_VIEW_ALL, P.REPORTS_CREATE, P.REPORTS_TRIAGE},
    Role.INVESTIGATOR:       {P.REPORTS_VIEW_ASSIGNED, P.REPORTS_RESPOND, P.REPORTS_CREATE,
                              P.OPERATIONS_VIEW, P.OPERATIONS_MANAGE, P.SCREENING_VIEW,
                              P.SCREENING_RECORD, P.HANDOFFS_VIEW},
    Role.CASE_WORKER:        {P.REPORTS_VIEW_ASSIGNED, P.REPORTS_RESPOND, P.SCREENING_VIEW,
                              P.SCREENING_RECORD, P.HANDOFFS_VIEW, P.HANDOFFS_DECIDE},
    Role.CASE_SUPERVISOR:    {P.REPORTS_VIEW_ASSIGNED, P.REPORTS_RESPOND, P.SCREENING_VIEW,
                              P.SCREENING_RECORD, P.HANDOFFS_VIEW, P.HANDOFFS_DECIDE},
    # Issue 17: police hand rescued children straight to a shelter, which admits them.
    Role.SHELTER_MANAGER:    {P.HANDOFFS_VIEW, P.HANDOFFS_DECIDE},
    Role.SYSTEM_ADMIN:       {P.SCREENING_INSTRUMENT_MANAGE},
}

# Cases: registration, consent, assessments, care plans, services, notes, tasks (issue 4).
CASES: dict[str, set[str]] = {
    Role.CASE_WORKER:     {P.CASES_VIEW, P.CASES_OPEN, P.CASES_CHANGE, P.CONSENT_RECORD,
                           P.CARE_VIEW, P.CARE_CHANGE, P.SERVICES_CONFIRM},
    Role.CASE_SUPERVISOR: {P.CASES_VIEW, P.CASES_VIEW_ALL, P.CASES_OPEN, P.CASES_CHANGE,
                           P.CASES_APPROVE, P.CASES_REOPEN, P.CASES_SETTINGS, P.CONSENT_RECORD,
                           P.CONSENT_OVERRIDE, P.CARE_VIEW, P.CARE_CHANGE, P.SERVICES_CONFIRM},
    Role.SHELTER_MANAGER: {P.CASES_VIEW, P.CARE_VIEW, P.SERVICES_CONFIRM},
    Role.LEGAL_OFFICER:   {P.SERVICES_CONFIRM},
    Role.ORG_ADMIN:       {P.CASES_SETTINGS},
}

# Justice: suspects, proceedings, evidence and custody (issue 6).
_JUSTICE_WORK = {P.JUSTICE_VIEW, P.JUSTICE_MANAGE, P.JUSTICE_COUNTS, P.EVIDENCE_VIEW,
                 P.EVIDENCE_ADD, P.EVIDENCE_EXPORT}
JUSTICE: dict[str, set[str]] = {
    Role.INVESTIGATOR:       _JUSTICE_WORK,
    Role.LEGAL_OFFICER:      _JUSTICE_WORK,
    # Case workers follow their survivors' proceedings, never the evidence.
    Role.CASE_WORKER:        {P.JUSTICE_VIEW},
    Role.CASE_SUPERVISOR:    {P.JUSTICE_VIEW},
    Role.STATISTICS_OFFICER: {P.JUSTICE_COUNTS},
}

# Prevention: vulnerability assessments, programmes, clubs, trainings, campaigns (issue 7).
PREVENTION: dict[str, set[str]] = {
    # Assessments hold confidential household facts (HIV, violence): the officer who records
    # them must read them back.
    Role.PREVENTION_OFFICER: {P.PREVENTION_VIEW, P.PREVENTION_MANAGE, P.PREVENTION_ASSESS,
                              P.SENSITIVITY_CONFIDENTIAL},
    Role.STATISTICS_OFFICER: {P.PREVENTION_COUNTS},
}

# Aftercare: shelters and placements, referrals, returns, reintegration, follow-up (issue 5).
_REFER = {P.REFERRALS_VIEW, P.REFERRALS_CREATE, P.REFERRALS_RESPOND, P.CAPACITY_VIEW}
AFTERCARE: dict[str, set[str]] = {
    Role.CASE_WORKER:        _REFER | {P.SHELTERS_VIEW, P.PLACEMENTS_MANAGE, P.RETURNS_VIEW,
                                       P.RETURNS_MANAGE},
    Role.CASE_SUPERVISOR:    _REFER | {P.SHELTERS_VIEW, P.PLACEMENTS_MANAGE,
                                       P.PLACEMENTS_OVERRIDE, P.RETURNS_VIEW, P.RETURNS_MANAGE,
                                       P.DIRECTORY_MANAGE},
    # The manager runs the facilities and answers referrals; they refer nobody's case.
    Role.SHELTER_MANAGER:    {P.REFERRALS_VIEW, P.REFERRALS_RESPOND, P.CAPACITY_VIEW,
                              P.SHELTERS_VIEW, P.SHELTERS_MANAGE, P.PLACEMENTS_MANAGE,
                              P.PLACEMENTS_OVERRIDE, P.DIRECTORY_MANAGE, P.RETURNS_VIEW},
    Role.LEGAL_OFFICER:      {P.REFERRALS_VIEW, P.REFERRALS_RESPOND},
    Role.HOTLINE_OPERATOR:   {P.CAPACITY_VIEW},
    Role.INVESTIGATOR:       {P.CAPACITY_VIEW},
    Role.ORG_ADMIN:          {P.DIRECTORY_MANAGE},
}

# Matching: record linkage, duplicate review, network intelligence (issue 9).
MATCHING: dict[str, set[str]] = {
    # Those who record people review their possible duplicates.
    Role.INVESTIGATOR:    {P.MATCHING_REVIEW, P.NETWORKS_VIEW},
    Role.CASE_WORKER:     {P.MATCHING_REVIEW},
    Role.CASE_SUPERVISOR: {P.MATCHING_REVIEW},
    # Legal officers build the prosecution's picture of a network: they see it too.
    Role.LEGAL_OFFICER:   {P.NETWORKS_VIEW},
}

# Statistics: indicators, dashboards, the annual report, releases, data exchange (issue 8).
STATISTICS: dict[str, set[str]] = {
    # Statistics officers see aggregates only, small cells suppressed, never a person.
    Role.STATISTICS_OFFICER: {P.STATISTICS_EXPORT, P.STATISTICS_RELEASE},
    # Case data leave CTIP only with a supervisor's hand, and only with a sharing consent.
    Role.CASE_SUPERVISOR:    {P.EXCHANGE_EXPORT, P.EXCHANGE_IMPORT},
}

# Interoperability: partner case-management systems (issue 8). A partner system calls with the
# token of a supervisor of the organisation it acts for: syncing reads and writes whole cases
# and records consent, which only supervisors do. Org admins register and disable systems but
# see no case (they hold no cases.view), so they are not given sync.
INTEROP: dict[str, set[str]] = {
    Role.CASE_SUPERVISOR: {P.INTEROP_SYNC, P.INTEROP_MANAGE},
    Role.ORG_ADMIN:       {P.INTEROP_MANAGE},
}
# fmt: on

_DOMAINS = (
    FOUNDATION,
    INTAKE,
    CASES,
    JUSTICE,
    PREVENTION,
    AFTERCARE,
    MATCHING,
    STATISTICS,
    INTEROP,
)

ROLES: dict[str, RoleSpec] = {
    role: _spec(
        set().union(*(domain.get(role, set()) for domain in _DOMAINS)),
        # Statistics officers see aggregates only, never a person: no identifying data, no TOTP.
        two_factor=role != Role.STATISTICS_OFFICER,
        granted_by={Role.SYSTEM_ADMIN} if role == Role.SYSTEM_ADMIN else _ADMINS,
    )
    for role in Role.values
}


def permissions_for(roles: set[str] | frozenset[str]) -> frozenset[str]:
    """Returns the union of the permissions of the given roles; unknown roles grant nothing."""
    granted: set[str] = set()
    for role in roles:
        spec = ROLES.get(role)
        if spec is not None:
            granted |= spec.permissions
    return frozenset(granted)


def needs_two_factor(roles: set[str] | frozenset[str]) -> bool:
    """True when any of the roles sees identifying data or administers access.

    An unknown role counts as needing it (fail closed).
    """
    return any(ROLES[r].needs_two_factor if r in ROLES else True for r in roles)


def roles_grantable_by(roles: set[str] | frozenset[str]) -> list[str]:
    """Returns the roles that a holder of `roles` may hand to another user."""
    return [r for r, spec in ROLES.items() if spec.granted_by & set(roles)]
