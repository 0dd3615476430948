"""Issue 17, story 6: the plausibility of a proceeding's dates, the confirmed verdict, and what
a case worker sees of the proceedings of their survivor on the case page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.cases.models import Case
from ctip.core.testing import verified_client
from ctip.justice import services
from ctip.justice.models import LawArticle, Verdict
from ctip.justice.selectors import Stage, case_proceedings


@pytest.fixture
def survivor_case(proceeding):
    """B's case of Mony, a victim in A's investigation that B's legal officers represent."""
    return Case.objects.get(person=proceeding["vb"].person)


def _charge(cast, proceeding, on=date(2025, 3, 6)):
    return services.charge_add(
        actor=cast.a[Role.INVESTIGATOR],
        suspect=proceeding["suspect"],
        article=LawArticle.objects.get(article=28),
        charged_on=on,
    )


def _court(cast, proceeding, filed_on=date(2025, 4, 1)):
    return services.court_case_create(
        actor=cast.a[Role.INVESTIGATOR],
        investigation=proceeding["inv"],
        court="PP Court",
        case_number="25/17",
        filed_on=filed_on,
        defendants=[proceeding["suspect"]],
    )


def test_the_case_shows_each_stage_of_the_survivors_proceeding(cast, proceeding, survivor_case):
    worker = cast.b[Role.CASE_WORKER]
    investigator, legal = cast.a[Role.INVESTIGATOR], cast.b[Role.LEGAL_OFFICER]

    def stage():
        [status] = case_proceedings(user=worker, case=survivor_case)
        return status

    assert stage().stage == Stage.INVESTIGATION
    assert stage().reference == proceeding["inv"].reference
    services.arrest_record(
        actor=investigator,
        suspect=proceeding["suspect"],
        arrested_on=date(2025, 3, 5),
        agency="AHTJ",
        place="PP",
    )
    assert stage().stage == Stage.ARREST
    _charge(cast, proceeding)
    assert stage().stage == Stage.CHARGED
    court = _court(cast, proceeding)
    when = timezone.now() + timedelta(days=20)
    services.hearing_schedule(actor=legal, court_case=court, scheduled_for=when, type="trial")
    assert stage().stage == Stage.HEARING
    assert stage().next_hearing == when
    services.verdict_record(
        actor=legal,
        court_case=court,
        defendant=proceeding["suspect"],
        outcome="convicted",
        decided_on=timezone.localdate(),
        sentence_months=120,
        compensation_ordered_riel=4_000_000,
    )
    assert stage().stage == Stage.VERDICT
    assert stage().verdicts[0]["outcome"] == "Convicted"


def test_the_case_worker_sees_the_status_but_not_the_suspect_or_evidence(
    cast, proceeding, survivor_case
):
    _charge(cast, proceeding)
    worker = cast.b[Role.CASE_WORKER]
    page = verified_client(worker).get(reverse("cases:detail", args=[survivor_case.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="proceedings"' in html and "Suspect charged" in html
    assert proceeding["inv"].reference in html
    # Neither the suspect, their phone, the summary nor the other victim.
    for secret in ("Vanna", "345 678", "confidential summary", "Srey"):
        assert secret not in html
    assert "Evidence" not in html


def test_no_proceedings_section_without_a_proceeding(cast, proceeding):
    from ctip.cases.services import case_open
    from ctip.people.services import person_create

    worker = cast.a[Role.CASE_WORKER]
    other = person_create(actor=worker, given_name="Dara", sex="m", estimated_age=12)
    cast_case_a = case_open(actor=worker, person=other)
    # This survivor is in no proceeding: nothing is shown.
    html = (
        verified_client(cast.a[Role.CASE_WORKER])
        .get(reverse("cases:detail", args=[cast_case_a.uuid]))
        .content.decode()
    )
    assert 'id="proceedings"' not in html


def test_another_organisation_gets_404_on_the_case(cast, proceeding, survivor_case, outsider):
    from ctip.core.testing import make_user

    org_c = outsider[0].organisation
    stranger = make_user(org_c, Role.CASE_WORKER)
    response = verified_client(stranger).get(reverse("cases:detail", args=[survivor_case.uuid]))
    assert response.status_code == 404
    assert case_proceedings(user=stranger, case=survivor_case) == []
    assert case_proceedings(user=outsider[0], case=survivor_case) == []


def test_implausible_dates_are_refused(cast, proceeding):
    legal = cast.b[Role.LEGAL_OFFICER]
    with pytest.raises(ValidationError) as exc:
        _charge(cast, proceeding, on=date(2025, 2, 1))  # the investigation opened on 1 March
    assert "before the investigation opened" in str(exc.value)
    with pytest.raises(ValidationError):
        _charge(cast, proceeding, on=timezone.localdate() + timedelta(days=1))
    _charge(cast, proceeding, on=date(2025, 3, 10))
    with pytest.raises(ValidationError) as exc:
        _court(cast, proceeding, filed_on=date(2025, 3, 8))
    assert "before the defendants were charged" in str(exc.value)
    court = _court(cast, proceeding, filed_on=date(2025, 3, 10))
    with pytest.raises(ValidationError) as exc:
        services.hearing_schedule(
            actor=legal,
            court_case=court,
            scheduled_for=datetime(2025, 3, 9, 8, tzinfo=UTC),
            type="trial",
        )
    assert "before the court case was filed" in str(exc.value)
    future = services.hearing_schedule(
        actor=legal,
        court_case=court,
        scheduled_for=timezone.now() + timedelta(days=3),
        type="trial",
    )
    with pytest.raises(ValidationError) as exc:
        services.hearing_record_outcome(
            actor=legal, hearing=future, outcome="Heard", expected_version=None
        )
    assert "not taken place yet" in str(exc.value)
    for decided_on in (timezone.localdate() + timedelta(days=30), date(2025, 3, 9)):
        with pytest.raises(ValidationError):
            services.verdict_record(
                actor=legal,
                court_case=court,
                defendant=proceeding["suspect"],
                outcome="convicted",
                decided_on=decided_on,
            )
    assert not Verdict.objects.exists()


def test_a_verdict_needs_confirmation_and_a_date(cast, proceeding):
    _charge(cast, proceeding)
    court = _court(cast, proceeding)
    client = verified_client(cast.b[Role.LEGAL_OFFICER])
    url = reverse("justice:verdict_add", args=[court.uuid])
    data = {"defendant": proceeding["suspect"].pk, "outcome": "convicted", "sentence_months": 60}
    response = client.post(url, data | {"decided_on": "2025-06-01"})
    assert response.status_code == 200
    assert "Confirm the verdict before recording it." in response.content.decode()
    response = client.post(url, data | {"confirm": "on"})
    assert "Give the date of the verdict." in response.content.decode()
    assert not Verdict.objects.exists()
    response = client.post(url, data | {"confirm": "on", "decided_on": "2025-06-01"})
    assert response.status_code == 302
    assert Verdict.objects.get().sentence_months == 60
