"""The dashboard shows each role its panels, and live widgets only to roles that grant them."""

import pytest

from ctip.accounts.roles import Role
from ctip.cases.services import case_open
from ctip.core.testing import verified_client
from ctip.people.services import person_create

pytestmark = pytest.mark.django_db


def test_a_case_worker_sees_their_cases_and_nobody_elses(cast):
    worker = cast.a[Role.CASE_WORKER]
    person = person_create(actor=worker, given_name="Dara", estimated_age=15)
    case = case_open(actor=worker, person=person, source="direct", case_worker=worker)
    page = verified_client(worker).get("/").content.decode()
    assert case.number in page and "My cases" in page
    other = verified_client(cast.b[Role.CASE_WORKER]).get("/").content.decode()
    assert "My cases" in other and case.number not in other


@pytest.mark.parametrize("role", [Role.STATISTICS_OFFICER, Role.HOTLINE_OPERATOR, Role.ORG_ADMIN])
def test_roles_without_case_work_get_no_case_widget(cast, role):
    page = verified_client(cast.a[role]).get("/")
    assert page.status_code == 200
    assert 'id="my-cases"' not in page.content.decode()
    assert str(Role(role).label) in page.content.decode()
