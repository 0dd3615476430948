"""A partner's referral of a child in danger lands in the national queue, unseen by the partner."""

import pytest
from django.core.exceptions import PermissionDenied

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.intake.models import Source, Status
from ctip.intake.selectors import reports_visible_to
from ctip.intake.services import report_from_partner_referral

pytestmark = pytest.mark.django_db


def test_a_prevention_referral_waits_in_the_hotline_queue(cast):
    report = report_from_partner_referral(
        actor=cast.a[Role.PREVENTION_OFFICER], narrative="Girl, 13, offered work in Thailand today"
    )
    assert (report.source, report.status) == (Source.PARTNER, Status.NEW)
    hotline = cast.b[Role.HOTLINE_OPERATOR]  # the national queue, whatever the organisation
    assert report in reports_visible_to(user=hotline)
    dashboard = verified_client(hotline).get("/").content.decode()
    assert report.reference in dashboard
    assert report not in reports_visible_to(user=cast.a[Role.PREVENTION_OFFICER])


@pytest.mark.parametrize("role", [Role.STATISTICS_OFFICER, Role.SHELTER_MANAGER, Role.ORG_ADMIN])
def test_roles_that_are_not_partners_in_prevention_cannot_refer(cast, role):
    with pytest.raises(PermissionDenied):
        report_from_partner_referral(actor=cast.a[role], narrative="x")
