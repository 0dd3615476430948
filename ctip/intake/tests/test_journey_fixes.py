"""Issue 17, forms that help instead of hinder, at intake: the dispatch list offers only
organisations that can act on a report, the establishment is blank until chosen, a report
cannot be received in the future, closing asks for a date and a confirmation, and a console
form posted twice records one report."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.models import User
from ctip.accounts.roles import Role
from ctip.core.idempotency import new_submission_token
from ctip.core.testing import make_organisation, make_user, verified_client
from ctip.intake import services
from ctip.intake.forms import ReportForm, TipForm
from ctip.intake.models import Outcome, Report, Status
from ctip.intake.selectors import dispatch_targets, handoff_targets

pytestmark = pytest.mark.django_db


def call(cast, **values) -> Report:
    values.setdefault("narrative", "A girl is kept in a karaoke bar.")
    return services.report_create(actor=cast.a[Role.HOTLINE_OPERATOR], **values)


@pytest.fixture
def others(db):
    """The system administrators' organisation, a legal-aid team and a shelter."""
    admin = User.objects.create_superuser("root@system.test", "x" * 20, full_name="Root")
    legal = make_organisation("legal", name="Legal only")
    make_user(legal, Role.LEGAL_OFFICER)
    shelter = make_organisation("shelter", name="Shelter only")
    make_user(shelter, Role.SHELTER_MANAGER)
    return admin.organisation, legal, shelter


def test_the_dispatch_list_offers_only_organisations_that_act_on_reports(cast, others):
    system, legal, shelter = others
    offered = set(dispatch_targets(user=cast.a[Role.HOTLINE_OPERATOR]))
    assert offered == {cast.org_b}  # never the operator's own organisation
    assert not offered & {system, legal, shelter}


def test_hand_offs_are_offered_to_case_workers_and_shelters_only(cast, others):
    system, legal, shelter = others
    offered = set(handoff_targets(user=cast.a[Role.INVESTIGATOR]))
    assert shelter in offered and cast.org_b in offered
    assert not offered & {system, legal, cast.org_a}


def test_an_organisation_whose_only_responder_left_is_no_longer_offered(cast):
    for user in cast.org_b.users.all():
        user.is_active = False
        user.save()
    assert cast.org_b not in dispatch_targets(user=cast.a[Role.HOTLINE_OPERATOR])


def test_dispatching_to_an_organisation_that_cannot_act_is_refused_and_changes_nothing(
    cast, others
):
    system, legal, _shelter = others
    report = call(cast)
    for organisation in (system, legal):
        with pytest.raises(ValidationError) as exc:
            services.report_dispatch(
                actor=cast.a[Role.HOTLINE_OPERATOR],
                report=report,
                expected_version=report.version,
                organisation=organisation,
            )
        assert "organisation" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == Status.NEW and report.assigned_to is None


def test_a_report_received_in_the_future_is_refused(cast):
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        call(cast, received_at=tomorrow)
    assert exc.value.message_dict["received_at"] == [
        "A report cannot be received in the future. Check the date."
    ]
    assert not Report.objects.exists()
    # A phone's clock a minute ahead is not an error.
    assert call(cast, received_at=timezone.now() + timedelta(minutes=1))


def test_the_establishment_is_blank_until_chosen(cast):
    for form_class in (ReportForm, TipForm):
        field = form_class().fields["establishment_type"]
        assert field.choices[0][0] == ""
        assert 'value="brothel" selected' not in str(form_class()["establishment_type"])
    page = verified_client(cast.a[Role.HOTLINE_OPERATOR]).get(reverse("intake:console"))
    assert 'value="brothel" selected' not in page.content.decode()


def test_closing_a_report_cannot_be_dated_in_the_future_nor_before_it_was_received(cast):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    report = call(cast, received_at=timezone.now() - timedelta(days=3))
    for closed_on, message in (
        (timezone.localdate() + timedelta(days=1), "A report cannot be closed in the future."),
        (
            timezone.localdate() - timedelta(days=10),
            "A report cannot be closed before it was received.",
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            services.report_close(
                actor=hotline,
                report=report,
                expected_version=report.version,
                outcome=Outcome.OPERATION,
                closed_on=closed_on,
            )
        assert exc.value.message_dict["closed_on"] == [message]
    report.refresh_from_db()
    assert report.status == Status.NEW
    yesterday = timezone.localdate() - timedelta(days=1)
    report = services.report_close(
        actor=hotline,
        report=report,
        expected_version=report.version,
        outcome=Outcome.OPERATION,
        closed_on=yesterday,
    )
    assert timezone.localdate(report.closed_at) == yesterday


def test_closing_a_report_asks_for_confirmation(cast):
    report = call(cast)
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    url = reverse("intake:close", args=[report.uuid])
    data = {
        "version": report.version,
        "outcome": Outcome.OPERATION,
        "closed_on": timezone.localdate().isoformat(),
    }
    response = client.post(url, data, follow=True)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Tick the box to confirm that you close the report." in shown
    report.refresh_from_db()
    assert report.status == Status.NEW
    client.post(url, data | {"confirm": "on"})
    report.refresh_from_db()
    assert report.status == Status.CLOSED


def test_the_console_posted_twice_records_one_report(cast):
    client = verified_client(cast.a[Role.HOTLINE_OPERATOR])
    data = {
        "source": "hotline",
        "narrative": "A girl is kept in a karaoke bar.",
        "sex_described": "u",
        "_submission": new_submission_token(),
    }
    first = client.post(reverse("intake:console"), data)
    second = client.post(reverse("intake:console"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
