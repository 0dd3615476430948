"""Aftercare indicators (shelters, referrals, returns, reintegration) against hand-built records."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from ctip.statistics.selectors import breakdown, year_bounds

from .conftest import YEAR, make_person

START, END = year_bounds(YEAR)


@pytest.fixture(autouse=True)
def _no_suppression(settings):
    settings.CTIP_SMALL_CELL_THRESHOLD = 1


def figures(user, code, by=None):
    result = breakdown(user=user, code=code, start=START, end=END, by=by)
    return result.total.value, {row.key: row.cell.value for row in result.rows if row.cell.value}


@pytest.fixture
def aftercare(world):
    from ctip.cases.models import Case
    from ctip.referrals.models import Referral
    from ctip.returns.models import FollowUpVisit, ReintegrationPlan, ReTraffickingFlag, Return
    from ctip.shelters.models import CapacityBand, Facility, Placement

    cast = world.cast
    cases = []
    for i, (sex, age) in enumerate([("f", 14), ("f", 16), ("m", 25)]):
        cases.append(
            Case.objects.create(
                organisation=cast.org_a,
                number=f"A-{i}",
                person=make_person(world, sex=sex, age=age, village="12"),
                opened_on=date(YEAR, 1, 2),
                case_worker=cast.a["case_worker"],
            )
        )
    home = Facility.objects.create(
        organisation=cast.org_b, name="Home", type="aftercare_home", province=world.provinces["17"]
    )
    band = CapacityBand.objects.create(facility=home, sex="any", age_min=0, age_max=99, places=9)
    Placement.objects.create(case=cases[0], facility=home, band=band, admitted_on=date(YEAR, 2, 1))
    Placement.objects.create(
        case=cases[1],
        facility=home,
        band=band,
        admitted_on=date(YEAR - 1, 2, 1),
        discharged_on=date(YEAR, 3, 1),
        discharge_reason="reintegrated",
    )
    Placement.objects.create(  # left before the year began
        case=cases[2],
        facility=home,
        band=band,
        admitted_on=date(YEAR - 1, 2, 1),
        discharged_on=date(YEAR - 1, 3, 1),
        discharge_reason="left",
    )
    decided = datetime(YEAR, 4, 2, tzinfo=timezone.get_current_timezone())
    for case, status in ((cases[0], "accepted"), (cases[1], "declined"), (cases[2], "completed")):
        referral = Referral.objects.create(
            case=case,
            kind="service",
            from_organisation=cast.org_a,
            to_organisation=cast.org_b,
            service="legal",
            reason="x",
            urgency="routine",
            status=status,
            decided_at=decided,
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=decided)
    for case, country, status in (
        (cases[0], "TH", "returned"),
        (cases[1], "TH", "returned"),
        (cases[2], "MY", "planned"),
    ):
        Return.objects.create(
            organisation=cast.org_a,
            case=case,
            direction="to_kh",
            country=world.countries[country],
            crossing_point="Poipet",
            planned_on=date(YEAR, 5, 1),
            returned_on=date(YEAR, 5, 2) if status == "returned" else None,
            status=status,
        )
    plan = ReintegrationPlan.objects.create(
        case=cases[1],
        option="family",
        destination="home",
        family_readiness=3,
        community_readiness=3,
        assessed_on=date(YEAR, 2, 1),
        status="reintegrated",
        reintegrated_on=date(YEAR, 3, 1),
    )
    for months, where in ((1, True), (3, False)):
        FollowUpVisit.objects.create(
            plan=plan,
            months_after=months,
            due_on=date(YEAR, 3 + months, 1),
            visited_on=date(YEAR, 3 + months, 2),
            living_where_planned=where,
        )
    flag = ReTraffickingFlag.objects.create(
        organisation=cast.org_a,
        person=cases[1].person,
        plan=plan,
        source_type="report",
        source_uuid="x",
    )
    ReTraffickingFlag.objects.filter(pk=flag.pk).update(created_at=decided)
    return cases


def test_shelter_residents_referrals_returns_reintegration_and_re_trafficking(
    aftercare, statistician
):
    total, by_sex = figures(statistician, "shelter_residents", "sex")
    assert total == 2 and by_sex == {"f": 2}
    assert figures(statistician, "shelter_residents", "province")[1] == {"17": 2}
    total, by_status = figures(statistician, "referrals_made", "referral_status")
    assert total == 3 and by_status == {"accepted": 1, "declined": 1, "completed": 1}
    assert figures(statistician, "referrals_accepted")[0] == 2
    total, by_country = figures(statistician, "returns", "country")
    assert total == 2 and by_country == {"TH": 2}
    assert figures(statistician, "reintegrations", "option")[1] == {"family": 1}
    total, by_outcome = figures(statistician, "follow_up_visits", "living_as_planned")
    assert total == 2 and by_outcome == {True: 1, False: 1}
    total, by_group = figures(statistician, "retrafficking", "age_group")
    assert total == 1 and by_group == {"child": 1}
