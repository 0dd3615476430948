import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases.services import case_open
from ctip.core.testing import assert_refused, verified_client
from ctip.people.services import person_create
from ctip.referrals.services import referral_accept, referral_create
from ctip.shelters import services
from ctip.shelters.models import Placement
from ctip.shelters.selectors import capacity_board
from ctip.shelters.testing import c_user


@pytest.fixture
def home(cast):
    return services.facility_create(
        actor=cast.b[Role.SHELTER_MANAGER],
        name="Lotus Home",
        type="aftercare_home",
        address="Secret street 1",
        bands=[("f", 8, 24, 1), ("m", 8, 24, 2)],
    )


@pytest.fixture
def referred(cast, case, consent_to_b):
    """The case referred to organisation B (the shelter) and accepted there."""
    referral = referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        reason="Shelter",
        urgency="urgent",
        sections=["identity"],
    )
    referral_accept(actor=cast.b[Role.SHELTER_MANAGER], referral=referral)
    return case


def test_admitting_a_child_changes_the_capacity_board(cast, home, referred):
    board = {(r.facility, r.sex): r for r in capacity_board(user=cast.a[Role.HOTLINE_OPERATOR])}
    girls = board[("Lotus Home", "Girls and women")]
    assert (girls.places, girls.occupied, girls.free) == (1, 0, 1)
    placement = services.placement_admit(
        actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home
    )
    assert placement.band.sex == "f"
    board = {(r.facility, r.sex): r for r in capacity_board(user=cast.a[Role.HOTLINE_OPERATOR])}
    assert board[("Lotus Home", "Girls and women")].free == 0
    assert board[("Lotus Home", "Boys and men")].free == 2
    assert AuditEvent.objects.filter(action=AuditAction.PLACEMENT_ADMITTED).exists()


def test_discharge_frees_the_place_and_needs_a_reason(cast, home, referred):
    placement = services.placement_admit(
        actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home
    )
    with pytest.raises(ValidationError):
        services.placement_discharge(
            actor=cast.b[Role.SHELTER_MANAGER], placement=placement, reason="bored"
        )
    services.placement_discharge(
        actor=cast.b[Role.SHELTER_MANAGER],
        placement=placement,
        reason="reintegrated",
        expected_version=placement.version,
    )
    rows = capacity_board(user=cast.b[Role.SHELTER_MANAGER])
    assert next(r for r in rows if r.sex == "Girls and women").free == 1
    with pytest.raises(ValidationError) as exc:
        services.placement_discharge(
            actor=cast.b[Role.SHELTER_MANAGER],
            placement=placement,
            reason="left",
            expected_version=placement.version,
        )
    assert exc.value.code == "concurrent_edit"


def test_it_refuses_admission_past_capacity_unless_a_manager_overrides(cast, home, referred):
    """The girls' band has one place; a second girl needs a manager's override and reason."""
    services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home)
    # A girl of organisation B's own (its own case).
    person = person_create(
        actor=cast.b[Role.CASE_WORKER], given_name="Dara", sex="f", estimated_age=12
    )
    second = case_open(actor=cast.b[Role.CASE_WORKER], person=person)
    with pytest.raises(ValidationError) as exc:
        services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=second, facility=home)
    assert "facility" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.placement_admit(
            actor=cast.b[Role.CASE_WORKER], case=second, facility=home, override_reason="Night"
        )
    assert "override_reason" in exc.value.message_dict
    assert Placement.objects.count() == 1
    placement = services.placement_admit(
        actor=cast.b[Role.SHELTER_MANAGER],
        case=second,
        facility=home,
        override_reason="Police brought her at night; no other place.",
    )
    assert placement.over_capacity_reason
    event = AuditEvent.objects.get(action=AuditAction.CAPACITY_OVERRIDDEN)
    assert event.reason.startswith("Police brought her")
    assert (
        next(
            r
            for r in capacity_board(user=cast.b[Role.SHELTER_MANAGER])
            if r.sex == "Girls and women"
        ).free
        == 0
    )


def test_it_refuses_a_child_no_band_takes(cast):
    facility = services.facility_create(
        actor=cast.b[Role.SHELTER_MANAGER],
        name="Boys",
        type="group_pod",
        bands=[("m", 8, 18, 5)],
    )
    person = person_create(
        actor=cast.b[Role.CASE_WORKER], given_name="Dara", sex="f", estimated_age=12
    )
    case = case_open(actor=cast.b[Role.CASE_WORKER], person=person)
    with pytest.raises(ValidationError) as exc:
        services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=case, facility=facility)
    assert "facility" in exc.value.message_dict


def test_a_shelter_admits_only_cases_it_sees(cast, home, case):
    """Without an accepted referral the shelter does not see the case and cannot admit it."""
    with pytest.raises(PermissionDenied):
        services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=case, facility=home)


def test_another_organisation_cannot_place_in_the_facility(cast, home, case):
    with pytest.raises(PermissionDenied):
        services.placement_admit(actor=cast.a[Role.CASE_WORKER], case=case, facility=home)


def test_a_placed_child_is_transferred_not_admitted_twice(cast, home, referred):
    pod = services.facility_create(
        actor=cast.b[Role.SHELTER_MANAGER], name="Pod", type="group_pod", bands=[("f", 12, 25, 3)]
    )
    placement = services.placement_admit(
        actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home
    )
    with pytest.raises(ValidationError):
        services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=pod)
    new = services.placement_transfer(
        actor=cast.b[Role.SHELTER_MANAGER], placement=placement, to_facility=pod
    )
    placement.refresh_from_db()
    assert placement.discharge_reason == "transferred" and new.transferred_from == placement
    assert new.facility == pod
    assert AuditEvent.objects.filter(action=AuditAction.PLACEMENT_TRANSFERRED).exists()


def test_the_facility_address_is_withheld_from_the_audit_log(cast, home):
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(home.uuid))
    assert event.changes["address"] is None
    assert "Secret" not in str(event.changes)


def test_it_refuses_bad_facility_input(cast):
    with pytest.raises(ValidationError) as exc:
        services.facility_create(
            actor=cast.b[Role.SHELTER_MANAGER], name=" ", type="castle", bands=[("f", 18, 8, 3)]
        )
    assert {"name", "type", "bands"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.facility_create(
            actor=cast.b[Role.CASE_WORKER], name="X", type="group_pod", bands=[("f", 8, 18, 3)]
        )


# --- pages --------------------------------------------------------------------------------------


def test_the_capacity_board_shows_no_identities(cast, home, referred):
    services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home)
    for user in (
        cast.a[Role.HOTLINE_OPERATOR],
        cast.a[Role.CASE_WORKER],
        cast.b[Role.SHELTER_MANAGER],
    ):
        page = verified_client(user).get(reverse("shelters:board")).content.decode()
        assert "Lotus Home" in page
        assert "Srey" not in page and referred.number not in page and "Secret street" not in page


def test_the_capacity_board_takes_one_query_whatever_the_facilities(
    cast, home, django_assert_num_queries
):
    user = cast.a[Role.HOTLINE_OPERATOR]
    capacity_board(user=user)  # the user's roles are read once, then cached
    with django_assert_num_queries(1):
        capacity_board(user=user)
    for n in range(3):
        services.facility_create(
            actor=cast.b[Role.SHELTER_MANAGER],
            name=f"F{n}",
            type="group_pod",
            bands=[("f", 8, 18, 3), ("m", 8, 18, 3)],
        )
    with django_assert_num_queries(1):
        assert len(capacity_board(user=user)) == 8


def test_the_facility_page_shows_placed_children_to_the_shelter_only(cast, home, referred, org_c):
    services.placement_admit(actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home)
    url = reverse("shelters:detail", args=[home.uuid])
    page = verified_client(cast.b[Role.SHELTER_MANAGER]).get(url).content.decode()
    assert referred.number in page and "Srey" in page
    assert_refused(url, [cast.a[Role.CASE_WORKER], c_user(org_c, Role.SHELTER_MANAGER)], expect=404)
    assert_refused(url, [cast.b[Role.HOTLINE_OPERATOR], cast.no_role], expect=403)
    assert_refused(reverse("shelters:board"), [cast.a[Role.LEGAL_OFFICER], None])


def test_the_admit_page_admits_and_refuses_past_capacity(cast, home, referred):
    client = verified_client(cast.b[Role.SHELTER_MANAGER])
    url = reverse("shelters:admit", args=[home.uuid])
    response = client.post(url, {"case": referred.pk, "admitted_on": referred.opened_on})
    assert response.status_code == 302
    assert Placement.objects.filter(case=referred, facility=home).exists()


def test_placements_are_seen_by_the_facility_and_the_case_owner_only(cast, home, referred, org_c):
    placement = services.placement_admit(
        actor=cast.b[Role.SHELTER_MANAGER], case=referred, facility=home
    )
    assert visible_to(cast.b[Role.SHELTER_MANAGER], Placement).filter(pk=placement.pk).exists()
    assert visible_to(cast.a[Role.CASE_WORKER], Placement).filter(pk=placement.pk).exists()
    assert not visible_to(c_user(org_c, Role.SHELTER_MANAGER), Placement).exists()
    assert not visible_to(cast.a[Role.HOTLINE_OPERATOR], Placement).exists()
