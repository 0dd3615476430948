"""Navigation and dashboard panels, shown according to the roles table."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ctip.access.policy import can
from ctip.accounts.roles import Perm, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str


NAV_ITEMS = [
    NavItem(_("Dashboard"), "core:home", Perm.DASHBOARD_VIEW),
    NavItem(_("People"), "people:list", Perm.PEOPLE_VIEW),
    NavItem(_("Users"), "accounts:user_list", Perm.USERS_MANAGE_OWN_ORG),
    NavItem(_("Users"), "accounts:user_list", Perm.USERS_MANAGE_ALL),
    NavItem(_("Organisations"), "accounts:organisation_list", Perm.ORGANISATIONS_VIEW),
    # Data-sharing agreements: system admins manage them, organisation admins read their own.
    NavItem(_("Data-sharing agreements"), "referrals:agreements", Perm.ORGANISATIONS_MANAGE),
    NavItem(_("Data-sharing agreements"), "referrals:agreements", Perm.USERS_MANAGE_OWN_ORG),
    NavItem(_("Audit log"), "audit:list", Perm.AUDIT_VIEW_OWN_ORG),
    NavItem(_("Audit log"), "audit:list", Perm.AUDIT_VIEW_ALL),
    NavItem(_("Places"), "places:provinces", Perm.REFERENCE_VIEW),
    NavItem(_("My work"), "cases:dashboard", Perm.CASES_VIEW),
    NavItem(_("Cases"), "cases:list", Perm.CASES_VIEW),
    NavItem(_("Service requests"), "care:requests", Perm.SERVICES_CONFIRM),
    NavItem(_("Case settings"), "cases:settings", Perm.CASES_SETTINGS),
    # Issue 5: aftercare.
    NavItem(_("Referrals"), "referrals:list", Perm.REFERRALS_VIEW),
    NavItem(_("Shelters"), "shelters:list", Perm.SHELTERS_VIEW),
    NavItem(_("Capacity board"), "shelters:board", Perm.CAPACITY_VIEW),
    NavItem(_("Returns"), "returns:list", Perm.RETURNS_VIEW),
    NavItem(_("Returns"), "returns:list", Perm.STATISTICS_VIEW),
    NavItem(_("Reports"), "intake:queue", Perm.REPORTS_VIEW_ALL),
    NavItem(_("Reports"), "intake:queue", Perm.REPORTS_VIEW_ASSIGNED),
    NavItem(_("Operations"), "operations:list", Perm.OPERATIONS_VIEW),
    NavItem(_("Hand-offs"), "operations:handoffs", Perm.HANDOFFS_VIEW),
    NavItem(_("Screening instrument"), "operations:instrument", Perm.SCREENING_INSTRUMENT_MANAGE),
    NavItem(_("Investigations"), "justice:list", Perm.JUSTICE_VIEW),
    NavItem(_("Justice counts"), "justice:counts", Perm.JUSTICE_COUNTS),
    NavItem(_("Prevention"), "prevention:home", Perm.PREVENTION_VIEW),
    NavItem(_("Prevention reach"), "prevention:reach", Perm.PREVENTION_COUNTS),
    NavItem(_("Statistics"), "statistics:dashboard", Perm.STATISTICS_VIEW),
    NavItem(_("Annual report"), "statistics:annual", Perm.STATISTICS_VIEW),
    NavItem(_("HTCDS export"), "exchange:htcds", Perm.EXCHANGE_EXPORT),
    NavItem(_("HTCDS import"), "exchange:import", Perm.EXCHANGE_IMPORT),
    NavItem(_("National and reference figures"), "exchange:compare", Perm.STATISTICS_VIEW),
    NavItem(_("Partner systems"), "interop:list", Perm.INTEROP_MANAGE),
    NavItem(_("Possible duplicates"), "matching:queue", Perm.MATCHING_REVIEW),
    NavItem(_("Networks"), "networks:home", Perm.NETWORKS_VIEW),
]


def nav_for(user) -> list[dict]:
    """The menu entries the user's roles grant, each once, in menu order."""
    seen: set[str] = set()
    items = []
    for item in NAV_ITEMS:
        if item.url_name in seen or not can(user, item.permission):
            continue
        seen.add(item.url_name)
        items.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
    return items


# What each role's dashboard will hold; later issues replace the placeholders with live panels.
ROLE_PANELS = {
    Role.HOTLINE_OPERATOR: _("Calls and tips waiting, by urgency and time waiting."),
    Role.INVESTIGATOR: _("Reports dispatched to you, operations planned, suspects."),
    Role.CASE_WORKER: _("Your cases, tasks due and follow-up visits."),
    Role.CASE_SUPERVISOR: _("Cases waiting for approval and workload of your team."),
    Role.SHELTER_MANAGER: _("Beds free and placements by facility."),
    Role.LEGAL_OFFICER: _("Hearings coming up and survivors to prepare as witnesses."),
    Role.PREVENTION_OFFICER: _("Clubs, sessions this week and attendance."),
    Role.STATISTICS_OFFICER: _("National indicators, as aggregates only."),
    Role.ORG_ADMIN: _("Users of your organisation and their roles."),
    Role.SYSTEM_ADMIN: _("Organisations, reference data and the audit chain."),
}


def dashboard_panels(user) -> list[dict]:
    return [
        {"role": Role(role).label, "text": ROLE_PANELS[role]}
        for role in Role.values
        if role in user.roles
    ]
