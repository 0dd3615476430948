"""Suspects, identifiers, proceedings, law articles and counts: who may, who may not."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.justice import services
from ctip.justice.models import (
    HTCDS_ROLE,
    Identifier,
    InvestigationVictim,
    LawArticle,
    SuspectRole,
    WitnessSupport,
    normalise_identifier,
)
from ctip.justice.selectors import annual_counts
from ctip.people.services import person_create


@pytest.mark.parametrize(
    "written", ["+855 12 345 678", "012-345-678", "00855 12345678", "(012) 345 678", "12345678"]
)
def test_the_same_phone_written_differently_normalises_alike(written):
    assert normalise_identifier("phone", written) == "012345678"


def test_handles_and_plates_normalise_by_case_and_punctuation():
    assert normalise_identifier("handle", " @Vanna.KA ") == "vanna.ka"
    assert normalise_identifier("vehicle", "2A-1234") == normalise_identifier("vehicle", "2a 1234")


def test_every_suspect_role_maps_to_an_htcds_role():
    assert set(HTCDS_ROLE) == set(SuspectRole)


def test_the_law_list_loads_with_confidence_and_keeps_corrections(cast):
    created, kept = services.law_articles_load(actor=None)
    assert created == 14 and kept == 0
    art = LawArticle.objects.get(article=15)
    assert art.confidence == "inferred" and art.penalty_min_years is None
    admin = cast.a[Role.SYSTEM_ADMIN]
    services.law_article_update(
        actor=admin,
        law_article=art,
        expected_version=art.version,
        confidence="verified",
        penalty_min_years=7,
        penalty_max_years=15,
    )
    assert services.law_articles_load(actor=None) == (0, 14)
    art.refresh_from_db()
    assert art.confidence == "verified" and art.penalty_min_years == 7


def test_only_administrators_correct_law_articles(cast):
    services.law_articles_load(actor=None)
    art = LawArticle.objects.get(article=10)
    with pytest.raises(PermissionDenied):
        services.law_article_update(
            actor=cast.a[Role.LEGAL_OFFICER], law_article=art, expected_version=1, offence="x"
        )
    with pytest.raises(ValidationError):
        services.law_article_update(
            actor=cast.a[Role.SYSTEM_ADMIN],
            law_article=art,
            expected_version=1,
            penalty_min_years=20,
            penalty_max_years=5,
        )
    with pytest.raises(ValidationError):
        services.law_article_update(
            actor=cast.a[Role.SYSTEM_ADMIN], law_article=art, expected_version=99, offence="x"
        )


def test_law_articles_page_shows_confidence_and_admins_get_an_edit_link(cast):
    services.law_articles_load(actor=None)
    page = verified_client(cast.a[Role.LEGAL_OFFICER]).get(reverse("justice:law_articles"))
    assert "Inferred, not seen" in page.content.decode()
    assert "Correct</a>" not in page.content.decode()
    admin_page = verified_client(cast.a[Role.SYSTEM_ADMIN]).get(reverse("justice:law_articles"))
    assert "Correct</a>" in admin_page.content.decode()
    art = LawArticle.objects.get(article=16)
    url = reverse("justice:law_article_edit", args=[art.uuid])
    assert_refused(url, [cast.a[Role.LEGAL_OFFICER]], expect=403)
    data = {
        "version": art.version,
        "article": 16,
        "offence": "corrected",
        "confidence": "verified",
        "is_active": "on",
    }
    response = verified_client(cast.a[Role.SYSTEM_ADMIN]).post(url, data)
    assert response.status_code == 302
    art.refresh_from_db()
    assert art.offence == "corrected" and art.version == 2


def test_the_same_phone_is_one_identifier_across_investigations(cast, proceeding, outsider):
    inv_a = cast.a[Role.INVESTIGATOR]
    other = services.investigation_create(
        actor=inv_a,
        title="Second",
        opened_on=date(2025, 5, 1),
        source="report",
        exploitation_form="labour_fishing",
    )
    p = person_create(actor=inv_a, given_name="Rithy")
    s = services.suspect_add(actor=inv_a, investigation=other, person=p, role="recruiter")
    services.identifier_add(actor=inv_a, suspect=s, kind="phone", value="012 345 678")
    assert Identifier.objects.count() == 1
    identifier = Identifier.objects.get()
    page = verified_client(inv_a).get(reverse("justice:identifier", args=[identifier.uuid]))
    body = page.content.decode()
    assert proceeding["inv"].reference in body and other.reference in body
    found = verified_client(inv_a).post(
        reverse("justice:identifier_search"),
        {"kind": "phone", "value": "+85512345678"},
        follow=True,
    )
    assert str(identifier.uuid) in found.content.decode()
    # Another organisation's investigator does not learn that the phone exists.
    assert_refused(reverse("justice:identifier", args=[identifier.uuid]), outsider, expect=404)


def test_handling_and_legal_organisations_see_the_proceeding_others_do_not(
    cast, proceeding, outsider
):
    url = reverse("justice:detail", args=[proceeding["inv"].uuid])
    for user in (cast.a[Role.INVESTIGATOR], cast.a[Role.LEGAL_OFFICER], cast.b[Role.LEGAL_OFFICER]):
        assert verified_client(user).get(url).status_code == 200
    assert_refused(url, outsider, expect=404)
    assert_refused(
        url,
        [
            cast.a[Role.HOTLINE_OPERATOR],
            cast.a[Role.STATISTICS_OFFICER],
            cast.a[Role.PREVENTION_OFFICER],
        ],
        expect=403,
    )
    assert_refused(url, [None])


def test_case_workers_see_their_survivors_proceedings_but_not_other_victims(cast, proceeding):
    worker_b = cast.b[Role.CASE_WORKER]
    page = verified_client(worker_b).get(reverse("justice:detail", args=[proceeding["inv"].uuid]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mony" in body and "Srey" not in body
    assert "confidential summary" in body  # confidential, and case workers hold confidential
    victims = visible_to(worker_b, InvestigationVictim)
    assert list(victims) == [proceeding["vb"]]
    # Case workers never change proceedings, nor see evidence.
    assert (
        verified_client(worker_b)
        .get(reverse("justice:suspect_add", args=[proceeding["inv"].uuid]))
        .status_code
        == 403
    )


def test_statistics_officers_see_counts_only(cast, proceeding):
    stats = cast.a[Role.STATISTICS_OFFICER]
    assert_refused(reverse("justice:list"), [stats], expect=403)
    assert_refused(reverse("justice:detail", args=[proceeding["inv"].uuid]), [stats])
    response = verified_client(stats).get(reverse("justice:counts"), {"year": 2025})
    assert response.status_code == 200
    assert "Srey" not in response.content.decode()
    assert_refused(reverse("justice:counts"), [cast.a[Role.CASE_WORKER], None])


def test_an_arrest_charges_court_and_verdict_move_the_investigation_and_are_counted(
    cast, proceeding
):
    actor = cast.a[Role.INVESTIGATOR]
    suspect, inv = proceeding["suspect"], proceeding["inv"]
    services.arrest_record(
        actor=actor, suspect=suspect, arrested_on=date(2025, 3, 5), agency="AHTJ", place="PP"
    )
    art = LawArticle.objects.get(article=28)
    services.charge_add(actor=actor, suspect=suspect, article=art, charged_on=date(2025, 3, 6))
    inv.refresh_from_db()
    assert inv.status == "charged"
    with pytest.raises(ValidationError):  # charged twice under the same article
        services.charge_add(actor=actor, suspect=suspect, article=art, charged_on=date(2025, 3, 6))
    court = services.court_case_create(
        actor=actor,
        investigation=inv,
        court="PP Court",
        case_number="25/1",
        filed_on=date(2025, 4, 1),
        defendants=[suspect],
    )
    when = datetime(2025, 5, 1, 8, tzinfo=UTC)
    hearing = services.hearing_schedule(
        actor=actor, court_case=court, scheduled_for=when, type="trial"
    )
    new = services.hearing_postpone(
        actor=actor,
        hearing=hearing,
        reason="Judge ill",
        new_date=when + timedelta(days=7),
        expected_version=hearing.version,
    )
    hearing.refresh_from_db()
    assert hearing.status == "postponed" and hearing.postponed_to == new
    ws = services.witness_support_add(
        actor=actor, hearing=new, witness=proceeding["va"].person, video_testimony=True
    )
    assert ws.pseudonym == "Witness 1"
    with pytest.raises(ValidationError):
        services.verdict_record(
            actor=actor,
            court_case=court,
            defendant=suspect,
            outcome="acquitted",
            decided_on=date(2025, 6, 1),
            sentence_months=12,
        )
    verdict = services.verdict_record(
        actor=actor,
        court_case=court,
        defendant=suspect,
        outcome="convicted",
        decided_on=date(2025, 6, 1),
        sentence_months=120,
        compensation_ordered_riel=1000,
    )
    with pytest.raises(ValidationError):
        services.verdict_update(
            actor=actor,
            verdict=verdict,
            expected_version=verdict.version,
            compensation_paid_riel=5000,
        )
    services.verdict_update(
        actor=actor, verdict=verdict, expected_version=verdict.version, compensation_paid_riel=600
    )
    services.appeal_file(
        actor=actor,
        verdict=verdict,
        filed_on=date(2025, 6, 20),
        filed_by="Defence",
        court="Appeal Court",
    )
    counts = annual_counts(user=cast.a[Role.STATISTICS_OFFICER], year=2025)
    assert counts.national
    assert counts.investigations.total == 1 and counts.investigations.kind["sex"] == 1
    assert counts.prosecuted.total == 1 and counts.prosecuted.sex["m"] == 1
    assert counts.convicted.total == 1 and counts.sentences["10_to_15y"] == 1
    assert counts.victims.total == 2 and counts.victims.age["child"] == 2
    assert counts.compensation_paid_riel == 600
    assert annual_counts(user=cast.b[Role.INVESTIGATOR], year=2025).investigations.total == 1


def test_witness_identity_is_restricted(cast, proceeding):
    actor = cast.a[Role.INVESTIGATOR]
    court = services.court_case_create(
        actor=actor,
        investigation=proceeding["inv"],
        court="C",
        case_number="1",
        filed_on=date(2025, 4, 1),
        defendants=[proceeding["suspect"]],
    )
    hearing = services.hearing_schedule(
        actor=actor, court_case=court, scheduled_for=timezone.now(), type="trial"
    )
    services.witness_support_add(actor=actor, hearing=hearing, witness=proceeding["va"].person)
    event = AuditEvent.objects.filter(target_type="justice.witnesssupport").get()
    assert event.changes["witness"] is None  # the identity never reaches the audit log
    body = (
        verified_client(actor)
        .get(reverse("justice:detail", args=[proceeding["inv"].uuid]))
        .content.decode()
    )
    assert "Witness 1" in body
    from ctip.access.policy import readable_fields

    assert "witness" not in readable_fields(cast.a[Role.LEGAL_OFFICER], WitnessSupport)
    assert "witness" in readable_fields(cast.a[Role.CASE_SUPERVISOR], WitnessSupport)


def test_outsiders_cannot_write_to_a_proceeding(cast, proceeding, outsider):
    p = person_create(actor=outsider[0], given_name="X")
    with pytest.raises(PermissionDenied):
        services.suspect_add(
            actor=outsider[0],
            investigation=proceeding["inv"],
            person=p,
            role="pimp",
        )
    with pytest.raises(PermissionDenied):
        services.investigation_create(
            actor=cast.a[Role.CASE_WORKER],
            title="x",
            opened_on=date(2025, 1, 1),
            source="report",
            exploitation_form="other",
        )


def test_bad_input_is_refused_with_clear_errors(cast, proceeding):
    actor = cast.a[Role.INVESTIGATOR]
    with pytest.raises(ValidationError) as exc:
        services.investigation_create(
            actor=actor,
            title="x",
            opened_on=timezone.localdate() + timedelta(days=3),
            source="report",
            exploitation_form="other",
        )
    assert "opened_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.suspect_add(
            actor=actor,
            investigation=proceeding["inv"],
            person=proceeding["va"].person,
            role="pimp",
        )
    with pytest.raises(ValidationError):
        services.identifier_add(
            actor=actor, suspect=proceeding["suspect"], kind="phone", value="--"
        )


def test_a_stale_version_is_refused_on_the_page(cast, proceeding):
    actor = cast.a[Role.INVESTIGATOR]
    court = services.court_case_create(
        actor=actor,
        investigation=proceeding["inv"],
        court="C",
        case_number="1",
        filed_on=date(2025, 4, 1),
        defendants=[proceeding["suspect"]],
    )
    hearing = services.hearing_schedule(
        actor=actor, court_case=court, scheduled_for=timezone.now(), type="trial"
    )
    url = reverse("justice:hearing_outcome", args=[hearing.uuid])
    response = verified_client(actor).post(url, {"version": hearing.version + 1, "outcome": "x"})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()


def test_recording_an_arrest_and_a_charge_through_the_pages(cast, proceeding, outsider):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    suspect = proceeding["suspect"]
    r = client.post(
        reverse("justice:arrest_add", args=[suspect.uuid]),
        {"arrested_on": "2025-03-05", "agency": "AHTJ", "place": "Phnom Penh"},
    )
    assert r.status_code == 302
    art = LawArticle.objects.get(article=10)
    r = client.post(
        reverse("justice:charge_add", args=[suspect.uuid]),
        {"article": art.pk, "charged_on": "2025-03-06"},
    )
    assert r.status_code == 302
    body = client.get(r["Location"]).content.decode()
    assert "AHTJ" in body and "Art. 10" in body.replace("Art.</span>", "Art.")
    assert_refused(reverse("justice:arrest_add", args=[suspect.uuid]), outsider, expect=404)


def test_the_investigation_list_query_count_does_not_grow(
    cast, proceeding, django_assert_max_num_queries
):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    client.get(reverse("justice:list"))
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("justice:list"))
    for n in range(5):
        services.investigation_create(
            actor=cast.a[Role.INVESTIGATOR],
            title=f"t{n}",
            opened_on=date(2025, 1, 1),
            source="report",
            exploitation_form="other",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("justice:list"))


def test_the_investigation_page_query_count_does_not_grow_with_suspects(
    cast, proceeding, django_assert_max_num_queries
):
    actor = cast.a[Role.INVESTIGATOR]
    client = verified_client(actor)
    url = reverse("justice:detail", args=[proceeding["inv"].uuid])
    client.get(url)
    with django_assert_max_num_queries(60) as first:
        client.get(url)
    for n in range(4):
        p = person_create(actor=actor, given_name=f"S{n}")
        s = services.suspect_add(
            actor=actor, investigation=proceeding["inv"], person=p, role="pimp"
        )
        services.identifier_add(actor=actor, suspect=s, kind="handle", value=f"@s{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_writes_are_audited(cast, proceeding):
    actions = set(
        AuditEvent.objects.filter(target_type__startswith="justice.").values_list(
            "target_type", flat=True
        )
    )
    assert {"justice.investigation", "justice.suspect", "justice.identifier"} <= actions
    inv_event = AuditEvent.objects.filter(target_type="justice.investigation").first()
    assert inv_event.changes["summary"] is None


def test_a_case_worker_without_a_case_for_the_victim_sees_nothing(cast, proceeding):
    # Srey belongs to A's people but nobody opened her case: she is nobody's survivor yet.
    worker_a = cast.a[Role.CASE_WORKER]
    assert_refused(reverse("justice:detail", args=[proceeding["inv"].uuid]), [worker_a], expect=404)
    assert visible_to(worker_a, InvestigationVictim).count() == 0


def test_an_investigation_links_only_to_records_the_actor_sees(cast, proceeding):
    from ctip.cases.models import Case

    case = Case.objects.get()  # B's case, which A's investigator cannot see
    with pytest.raises(ValidationError) as exc:
        services.investigation_update(
            actor=cast.a[Role.INVESTIGATOR],
            investigation=proceeding["inv"],
            expected_version=proceeding["inv"].version,
            case=case,
        )
    assert "case" in exc.value.message_dict


def test_outsiders_get_no_counts_of_others_proceedings(cast, proceeding, outsider):
    assert annual_counts(user=outsider[0], year=2025).investigations.total == 0
    with pytest.raises(PermissionDenied):
        annual_counts(user=cast.a[Role.CASE_WORKER], year=2025)
