"""Issue 17: a shelter admits a child the police handed on after a rescue, before any case is
open. The hand-off is accepted by the admission, the bed is counted on the capacity board, and
only the receiving shelter sees the child's summary."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.models import CaseSource
from ctip.cases.services import case_open
from ctip.core.idempotency import new_submission_token
from ctip.core.testing import verified_client
from ctip.intake.models import EstablishmentType
from ctip.operations import services as ops
from ctip.operations.models import HandOffStatus
from ctip.operations.screening import read_indicator_csv
from ctip.places.models import Province
from ctip.shelters import services
from ctip.shelters.models import BandSex, Placement
from ctip.shelters.selectors import (
    capacity_board,
    placements_for_case,
    shelter_handoffs_dashboard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(cast):
    return services.facility_create(
        actor=cast.b[Role.SHELTER_MANAGER],
        name="Girls' Home B",
        type="aftercare_home",
        bands=[(BandSex.FEMALE, 8, 18, 2)],
    )


@pytest.fixture
def handoff(cast):
    """A girl of 15, found in a karaoke bar by A's police, handed on to B's shelter."""
    ops.instrument_import(actor=None, version_label="t-1", rows=read_indicator_csv())
    investigator = cast.a[Role.INVESTIGATOR]
    province = Province.objects.get_or_create(code="12", defaults={"name_en": "Phnom Penh"})[0]
    operation = ops.operation_create(
        actor=investigator,
        planned_for=timezone.now(),
        province=province,
        location_text="Karaoke bar",
        establishment_type=EstablishmentType.KARAOKE,
    )
    found = ops.found_person_record(
        actor=investigator,
        operation=operation,
        given_name="Sophea",
        family_name="Keo",
        sex="f",
        estimated_age=15,
        languages="Khmer",
    )
    screening = ops.screening_record(
        actor=investigator,
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
    )
    return ops.screening_hand_off(
        actor=investigator,
        screening=screening,
        to_organisation=cast.org_b,
        note="Frightened; stays close to her friend.",
        urgent_needs="Medical check; clothes",
    )


def _free(user, facility) -> int:
    return next(r.free for r in capacity_board(user=user) if r.facility == facility.name)


def test_a_shelter_admits_a_child_handed_on_by_the_police(cast, home, handoff):
    manager = cast.b[Role.SHELTER_MANAGER]
    assert _free(manager, home) == 2
    placement = services.placement_admit_from_handoff(
        actor=manager, handoff=handoff, facility=home, expected_version=handoff.version
    )
    assert placement.case is None and placement.handoff == handoff
    assert placement.person_id == handoff.person_id
    assert placement.band.sex == BandSex.FEMALE
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.ACCEPTED and handoff.decided_by == manager
    assert _free(manager, home) == 1
    # She holds a bed: she is not admitted twice.
    with pytest.raises(ValidationError):
        services.placement_admit_from_handoff(actor=manager, handoff=handoff, facility=home)
    assert Placement.objects.count() == 1


def test_only_the_receiving_shelter_admits_the_child(cast, handoff):
    other = cast.a[Role.SHELTER_MANAGER]
    facility = services.facility_create(
        actor=other, name="Home A", type="aftercare_home", bands=[(BandSex.FEMALE, 8, 18, 5)]
    )
    with pytest.raises(PermissionDenied):
        services.placement_admit_from_handoff(actor=other, handoff=handoff, facility=facility)
    url = reverse("shelters:handoff_admit", args=[handoff.uuid])
    assert verified_client(other).get(url).status_code == 404
    assert verified_client(cast.b[Role.HOTLINE_OPERATOR]).get(url).status_code == 403
    assert not Placement.objects.exists()


def test_an_admission_in_the_future_or_before_the_hand_off_is_refused(cast, home, handoff):
    manager = cast.b[Role.SHELTER_MANAGER]
    for day in (timezone.localdate() + timedelta(days=1), timezone.localdate() - timedelta(days=2)):
        with pytest.raises(ValidationError) as exc:
            services.placement_admit_from_handoff(
                actor=manager, handoff=handoff, facility=home, admitted_on=day
            )
        assert "admitted_on" in exc.value.message_dict
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.PENDING and not Placement.objects.exists()


def test_a_declined_hand_off_cannot_be_admitted(cast, home, handoff):
    manager = cast.b[Role.SHELTER_MANAGER]
    ops.handoff_decide(
        actor=manager, handoff=handoff, expected_version=None, accept=False, reason="Full"
    )
    handoff.refresh_from_db()
    with pytest.raises(ValidationError):
        services.placement_admit_from_handoff(actor=manager, handoff=handoff, facility=home)


def test_the_home_page_shows_the_summary_to_the_receiving_shelter_only(cast, home, handoff):
    panel = shelter_handoffs_dashboard(user=cast.b[Role.SHELTER_MANAGER])
    assert panel["handoffs"] == [handoff] and panel["show_confidential"]
    page = verified_client(cast.b[Role.SHELTER_MANAGER]).get("/").content.decode()
    for shown in ("Keo Sophea", "15", "Khmer", "Medical check; clothes", "stays close"):
        assert shown in page
    # Another organisation's shelter and the hotline never see it.
    for user in (cast.a[Role.SHELTER_MANAGER], cast.b[Role.HOTLINE_OPERATOR]):
        assert "Keo Sophea" not in verified_client(user).get("/").content.decode()
    services.placement_admit_from_handoff(
        actor=cast.b[Role.SHELTER_MANAGER], handoff=handoff, facility=home
    )
    assert shelter_handoffs_dashboard(user=cast.b[Role.SHELTER_MANAGER])["handoffs"] == []


def test_the_admission_form_posted_twice_admits_once(cast, home, handoff):
    client = verified_client(cast.b[Role.SHELTER_MANAGER])
    url = reverse("shelters:handoff_admit", args=[handoff.uuid])
    data = {
        "version": handoff.version,
        "facility": home.pk,
        "admitted_on": timezone.localdate().isoformat(),
        "_submission": new_submission_token(),
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Placement.objects.count() == 1


def test_the_case_opened_later_shows_the_placement(cast, home, handoff):
    services.placement_admit_from_handoff(
        actor=cast.b[Role.SHELTER_MANAGER], handoff=handoff, facility=home
    )
    case = case_open(
        actor=cast.b[Role.CASE_WORKER],
        person=handoff.person,
        source=CaseSource.SCREENING,
        source_reference=str(handoff.uuid),
    )
    assert [p.facility for p in placements_for_case(user=cast.b[Role.CASE_WORKER], case=case)] == [
        home
    ]


def test_a_discharge_asks_for_confirmation_and_cannot_end_before_the_admission(cast, home, handoff):
    manager = cast.b[Role.SHELTER_MANAGER]
    placement = services.placement_admit_from_handoff(actor=manager, handoff=handoff, facility=home)
    with pytest.raises(ValidationError) as exc:
        services.placement_discharge(
            actor=manager,
            placement=placement,
            reason="reintegrated",
            discharged_on=placement.admitted_on - timedelta(days=1),
        )
    assert exc.value.message_dict["discharged_on"] == ["The discharge cannot be before admission."]
    client = verified_client(manager)
    url = reverse("shelters:discharge", args=[placement.uuid])
    data = {
        "version": placement.version,
        "reason": "reintegrated",
        "discharged_on": timezone.localdate().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Tick the box to confirm the discharge." in response.content.decode()
    placement.refresh_from_db()
    assert placement.discharged_on is None
    client.post(url, data | {"confirm": "on"})
    placement.refresh_from_db()
    assert placement.discharged_on == timezone.localdate()
