"""Issue 17, forms that help instead of hinder, in operations: an operation planned from a
report starts from it, the establishment is blank until chosen, an operation cannot have been
carried out in the future, a form posted twice records once, a hand-off carries the child's
summary, and declining one asks for a reason, a date and a confirmation."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.core.idempotency import new_submission_token
from ctip.core.testing import make_organisation, make_user, verified_client
from ctip.intake.models import EstablishmentType
from ctip.intake.services import report_create, report_dispatch
from ctip.operations import services
from ctip.operations.forms import HandOffDecideForm, OperationForm
from ctip.operations.models import (
    FoundPerson,
    HandOff,
    HandOffStatus,
    Operation,
    OperationStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast, province):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = report_create(
        actor=hotline,
        narrative="A girl of about 15 is kept at a karaoke bar.",
        province=province,
        location_text="Golden Lotus karaoke, Tuol Kork",
        establishment_type=EstablishmentType.KARAOKE,
        children_count=1,
        ages_described="about 15",
        sex_described="f",
        flag_child=True,
    )
    return report_dispatch(
        actor=hotline, report=report, expected_version=None, organisation=cast.org_b
    )


def test_an_operation_planned_from_a_report_starts_from_its_place_and_people(cast, report):
    client = verified_client(cast.b[Role.INVESTIGATOR])
    page = client.get(reverse("operations:create") + f"?report={report.uuid}")
    form = page.context["form"]
    assert form["province"].value() == "12"
    assert form["location_text"].value() == "Golden Lotus karaoke, Tuol Kork"
    assert form["establishment_type"].value() == EstablishmentType.KARAOKE
    assert form["reports"].value() == [report.pk]
    notes = form["notes"].value()
    assert report.reference in notes and "1 child(ren)" in notes and "about 15" in notes
    assert "Female" in notes


def test_a_report_of_another_organisation_prefills_nothing(cast, report):
    # Organisation A's investigator does not see a report dispatched to B.
    page = verified_client(cast.a[Role.INVESTIGATOR]).get(
        reverse("operations:create") + f"?report={report.uuid}"
    )
    assert page.status_code == 200
    assert not page.context["form"]["location_text"].value()
    assert "Golden Lotus" not in page.content.decode()
    page = verified_client(cast.a[Role.INVESTIGATOR]).get(
        reverse("operations:create") + "?report=not-a-uuid"
    )
    assert page.status_code == 200


def test_the_operation_form_has_no_establishment_until_one_is_chosen(cast, province):
    form = OperationForm(reports=Operation.objects.none())
    assert form.fields["establishment_type"].choices[0][0] == ""
    assert 'value="brothel" selected' not in str(form["establishment_type"])
    posted = OperationForm(
        {
            "planned_for": "2026-01-02T10:00",
            "province": province.pk,
            "location_text": "Street 271",
        },
        reports=Operation.objects.none(),
    )
    assert posted.errors["establishment_type"] == ["Choose the kind of establishment."]


def test_an_operation_carried_out_in_the_future_is_refused(cast, province, operation):
    investigator = cast.a[Role.INVESTIGATOR]
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.operation_create(
            actor=investigator,
            status=OperationStatus.CARRIED_OUT,
            planned_for=tomorrow,
            province=province,
            location_text="Street 271",
            establishment_type=EstablishmentType.KARAOKE,
        )
    assert "carried out in the future" in exc.value.message_dict["planned_for"][0]
    assert Operation.objects.count() == 1
    # Planning one for tomorrow is fine; marking it carried out before the day is not.
    planned = services.operation_create(
        actor=investigator,
        planned_for=tomorrow,
        province=province,
        location_text="Street 271",
        establishment_type=EstablishmentType.KARAOKE,
    )
    with pytest.raises(ValidationError):
        services.operation_update(
            actor=investigator,
            operation=planned,
            expected_version=planned.version,
            status=OperationStatus.CARRIED_OUT,
        )
    planned.refresh_from_db()
    assert planned.status == OperationStatus.PLANNED


def test_an_operation_posted_twice_is_recorded_once(cast, province):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    data = {
        "planned_for": "2026-01-02T10:00",
        "province": province.pk,
        "location_text": "Street 271",
        "establishment_type": EstablishmentType.KARAOKE,
        "_submission": new_submission_token(),
    }
    first = client.post(reverse("operations:create"), data)
    second = client.post(reverse("operations:create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Operation.objects.count() == 1


def test_a_person_found_posted_twice_is_recorded_once(cast, operation):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("operations:found_add", args=[operation.uuid])
    data = {
        "given_name": "Sophea",
        "sex": "f",
        "estimated_age": "15",
        "languages": "Khmer",
        "_submission": new_submission_token(),
    }
    client.post(url, data)
    client.post(url, data)
    found = FoundPerson.objects.filter(operation=operation)
    assert found.count() == 1
    assert found.get().person.languages == "Khmer"


def _screened(cast, found):
    return services.screening_record(
        actor=cast.a[Role.INVESTIGATOR],
        person=found.person,
        found_person=found,
        is_child=True,
        commercial_sexual_exploitation=True,
    )


def test_a_hand_off_carries_the_childs_summary_and_urgent_needs(cast, found, instrument):
    screening = _screened(cast, found)
    found.person.languages = "Khmer, Vietnamese"
    found.person.save()
    handoff = services.screening_hand_off(
        actor=cast.a[Role.INVESTIGATOR],
        screening=screening,
        to_organisation=cast.org_b,
        note="Found in the back room.",
        urgent_needs="Medical check today",
    )
    assert handoff.child_name == "Srey Neang"
    assert handoff.child_age == 14 and handoff.child_sex == "f"
    assert handoff.child_languages == "Khmer, Vietnamese"
    assert handoff.urgent_needs == "Medical check today"


def test_a_hand_off_goes_only_to_an_organisation_that_decides_hand_offs(cast, found, instrument):
    legal = make_organisation("legal", name="Legal only")
    make_user(legal, Role.LEGAL_OFFICER)
    with pytest.raises(ValidationError) as exc:
        services.screening_hand_off(
            actor=cast.a[Role.INVESTIGATOR], screening=_screened(cast, found), to_organisation=legal
        )
    assert "to_organisation" in exc.value.message_dict
    assert not HandOff.objects.exists()


def test_declining_a_hand_off_asks_for_a_reason_a_date_and_a_confirmation():
    form = HandOffDecideForm({"version": "1", "accept": "0"})
    assert not form.is_valid()
    assert set(form.errors) == {"reason", "decided_on", "confirm"}
    assert HandOffDecideForm({"version": "1", "accept": "1"}).is_valid()
    today = timezone.localdate().isoformat()
    form = HandOffDecideForm(
        {"version": "1", "accept": "0", "reason": "No bed", "decided_on": today, "confirm": "on"}
    )
    assert form.is_valid()


def test_a_decline_dated_in_the_future_is_refused_and_changes_nothing(cast, found, instrument):
    handoff = services.screening_hand_off(
        actor=cast.a[Role.INVESTIGATOR],
        screening=_screened(cast, found),
        to_organisation=cast.org_b,
    )
    with pytest.raises(ValidationError) as exc:
        services.handoff_decide(
            actor=cast.b[Role.CASE_WORKER],
            handoff=handoff,
            expected_version=handoff.version,
            accept=False,
            reason="No place",
            decided_on=timezone.localdate() + timedelta(days=1),
        )
    assert exc.value.message_dict["decided_on"] == ["A decision cannot be dated in the future."]
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.PENDING


def test_the_decline_view_without_confirmation_changes_nothing(cast, found, instrument):
    handoff = services.screening_hand_off(
        actor=cast.a[Role.INVESTIGATOR],
        screening=_screened(cast, found),
        to_organisation=cast.org_b,
    )
    client = verified_client(cast.b[Role.SHELTER_MANAGER])
    url = reverse("operations:handoff_decide", args=[handoff.uuid])
    data = {
        "version": handoff.version,
        "accept": "0",
        "reason": "No bed",
        "decided_on": timezone.localdate().isoformat(),
    }
    response = client.post(url, data, follow=True)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Tick the box to confirm that you decline the hand-off." in shown
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.PENDING
    client.post(url, data | {"confirm": "on"})
    handoff.refresh_from_db()
    assert handoff.status == HandOffStatus.DECLINED
