from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.referrals.models import ReferralStatus
from ctip.shelters.testing import c_user

from .test_referrals import refer


class api:  # noqa: N801 (reads like a function at the call sites)
    """A verified session client speaking JSON."""

    def __init__(self, user) -> None:
        self.client = verified_client(user)

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data, format="json"):  # noqa: A002
        return self.client.post(url, data, content_type="application/json")


def test_the_receiver_lists_and_accepts_a_referral_and_a_stale_version_is_409(
    cast, case, consent_to_b
):
    referral = refer(cast, case)
    receiver = api(cast.b[Role.CASE_WORKER])
    listed = receiver.get(reverse("api-referrals")).json()["results"]
    assert [r["uuid"] for r in listed] == [str(referral.uuid)]
    assert listed[0]["sections"] == ["identity", "assessments"]
    url = reverse("api-referral-accept", args=[referral.uuid])
    response = receiver.post(url, {"version": referral.version}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ReferralStatus.ACCEPTED
    response = receiver.post(
        reverse("api-referral-decline", args=[referral.uuid]),
        {"version": referral.version, "reason": "late"},
        format="json",
    )
    assert response.status_code == 409


def test_the_referral_api_refuses_outsiders(cast, case, consent_to_b, org_c):
    referral = refer(cast, case)
    detail = reverse("api-referral", args=[referral.uuid])
    assert api(c_user(org_c, Role.CASE_WORKER)).get(detail).status_code == 404
    assert api(cast.a[Role.PREVENTION_OFFICER]).get(detail).status_code == 403
    assert api(None).get(detail).status_code in (401, 403)
    assert (
        api(c_user(org_c, Role.CASE_WORKER)).get(reverse("api-referrals")).json()["results"] == []
    )
    response = api(c_user(org_c, Role.CASE_WORKER)).post(
        reverse("api-referral-accept", args=[referral.uuid]), {"version": 1}, format="json"
    )
    assert response.status_code == 404


def test_the_capacity_api_gives_numbers_only(cast):
    from ctip.shelters.services import facility_create

    facility_create(
        actor=cast.b[Role.SHELTER_MANAGER],
        name="Lotus",
        type="aftercare_home",
        address="Secret",
        bands=[("f", 8, 18, 4)],
    )
    rows = api(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("api-capacity")).json()
    assert rows == [
        {
            "organisation": "Organisation B",
            "facility": "Lotus",
            "facility_type": "Medium-term aftercare home",
            "province": "",
            "sex": "Girls and women",
            "ages": "8–18",
            "places": 4,
            "occupied": 0,
            "free": 4,
        }
    ]
    assert api(cast.a[Role.LEGAL_OFFICER]).get(reverse("api-capacity")).status_code == 403


def test_the_returns_table_api_refuses_roles_without_returns_or_statistics(cast):
    assert api(cast.a[Role.STATISTICS_OFFICER]).get(reverse("api-returns-table")).json() == []
    assert api(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("api-returns-table")).status_code == 403
