"""Every role sees exactly the pages and API endpoints that the roles table grants it."""

import pytest
from django.urls import reverse

from ctip.accounts.roles import ROLES, Perm, Role
from ctip.core.testing import make_cast, verified_client

# (url name, permissions of which any one grants access)
PAGES = [
    ("core:home", {Perm.DASHBOARD_VIEW}),
    ("people:list", {Perm.PEOPLE_VIEW}),
    ("people:create", {Perm.PEOPLE_CREATE}),
    ("accounts:user_list", {Perm.USERS_MANAGE_OWN_ORG, Perm.USERS_MANAGE_ALL}),
    ("accounts:user_create", {Perm.USERS_MANAGE_OWN_ORG, Perm.USERS_MANAGE_ALL}),
    ("accounts:organisation_list", {Perm.ORGANISATIONS_VIEW}),
    ("accounts:organisation_create", {Perm.ORGANISATIONS_MANAGE}),
    ("accounts:api_token", {Perm.API_TOKEN}),
    ("audit:list", {Perm.AUDIT_VIEW_OWN_ORG, Perm.AUDIT_VIEW_ALL}),
    ("places:provinces", {Perm.REFERENCE_VIEW}),
]
API = [
    ("api-people", {Perm.PEOPLE_VIEW}),
    ("api-organisations", {Perm.ORGANISATIONS_VIEW}),
]


@pytest.fixture(scope="module")
def matrix_cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        # One cast for the whole module, rolled back at the end.
        atomic = transaction.atomic()
        atomic.__enter__()
        cast = make_cast()
        clients = {role: verified_client(cast.a[role]) for role in Role.values}
        yield cast, clients
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_pages_follow_the_roles_table(matrix_cast, role):
    _cast, clients = matrix_cast
    granted = ROLES[role].permissions
    for url_name, needed in PAGES:
        status = clients[role].get(reverse(url_name)).status_code
        expected = 200 if needed & granted else 403
        assert status == expected, f"{role} on {url_name}: {status}, expected {expected}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_api_follows_the_roles_table(matrix_cast, role):
    _cast, clients = matrix_cast
    granted = ROLES[role].permissions
    for url_name, needed in API:
        status = clients[role].get(reverse(url_name)).status_code
        expected = 200 if needed & granted else 403
        assert status == expected, f"{role} on {url_name}: {status}, expected {expected}"


@pytest.mark.django_db
def test_statistics_officer_and_admins_never_see_a_person(matrix_cast):
    # Need-to-know: administering the system or counting is not a reason to see a child.
    for role in (
        Role.STATISTICS_OFFICER,
        Role.ORG_ADMIN,
        Role.SYSTEM_ADMIN,
        Role.PREVENTION_OFFICER,
    ):
        assert Perm.PEOPLE_VIEW not in ROLES[role].permissions
