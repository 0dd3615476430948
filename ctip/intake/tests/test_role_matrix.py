"""Every role reaches exactly the intake and operations pages the roles table grants it."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import ROLES, Perm, Role
from ctip.core.testing import verified_client

PAGES = [
    ("intake:queue", {Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED}),
    ("intake:console", {Perm.REPORTS_CREATE}),
    ("api-reports", {Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED, Perm.REPORTS_CREATE}),
    ("operations:list", {Perm.OPERATIONS_VIEW}),
    ("operations:create", {Perm.OPERATIONS_MANAGE}),
    ("api-operations", {Perm.OPERATIONS_VIEW}),
    ("operations:handoffs", {Perm.HANDOFFS_VIEW}),
    ("api-handoffs-pending", {Perm.HANDOFFS_VIEW}),
    ("operations:instrument", {Perm.SCREENING_VIEW, Perm.SCREENING_INSTRUMENT_MANAGE}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_intake_pages_follow_the_roles_table(cast, role):
    client = verified_client(cast.a[role])
    granted = ROLES[role].permissions
    for url_name, needed in PAGES:
        status = client.get(reverse(url_name)).status_code
        expected = 200 if needed & granted else 403
        assert status == expected, f"{role} on {url_name}: {status}, expected {expected}"


def test_hotline_operators_see_reports_but_not_cases_or_operations():
    granted = ROLES[Role.HOTLINE_OPERATOR].permissions
    assert Perm.REPORTS_VIEW_ALL in granted
    assert not {Perm.OPERATIONS_VIEW, Perm.SCREENING_VIEW, Perm.HANDOFFS_VIEW} & granted
    assert not {p for p in granted if p.startswith("cases.")}
    assert Perm.SENSITIVITY_CONFIDENTIAL not in granted


def test_statistics_officers_get_counts_not_reports():
    granted = ROLES[Role.STATISTICS_OFFICER].permissions
    assert not {Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED, Perm.OPERATIONS_VIEW} & granted
