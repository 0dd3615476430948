import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.access.policy import visible_to
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.care.models import Assessment, AssessmentScore, CarePlan
from ctip.cases.models import Case, CaseNote, Consent, ConsentOverride
from ctip.cases.services import note_add
from ctip.core.testing import assert_refused, verified_client
from ctip.people.models import IdentityDocument, Person
from ctip.referrals import services
from ctip.referrals.models import PartnerService, Referral, ReferralStatus, Section
from ctip.referrals.selectors import shared_view
from ctip.shelters.testing import c_user

SHARE = [Section.IDENTITY, Section.ASSESSMENTS]


def refer(cast, case, *, kind="service", sections=SHARE, actor=None, **extra) -> Referral:
    return services.referral_create(
        actor=actor or cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind=kind,
        reason="Needs a shelter place.",
        urgency="urgent",
        sections=sections,
        **extra,
    )


def sees(user, model, **lookup) -> bool:
    return visible_to(user, model).filter(**lookup).exists()


# --- consent ------------------------------------------------------------------------------------


def test_it_refuses_a_referral_without_consent_to_share_with_that_organisation(cast, case):
    with pytest.raises(ValidationError) as exc:
        refer(cast, case)
    assert "to_organisation" in exc.value.message_dict
    assert not Referral.objects.exists()


def test_consent_for_another_partner_does_not_count(cast, case, org_c):
    from ctip.cases.services import consent_record

    consent_record(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        purpose="sharing",
        partner=org_c,
        given_by="child",
        given_on=case.opened_on,
        method="written",
    )
    with pytest.raises(ValidationError):
        refer(cast, case)


def test_a_case_worker_may_not_override_consent(cast, case):
    with pytest.raises(ValidationError) as exc:
        refer(cast, case, override_reason="Child in danger tonight.")
    assert "override_reason" in exc.value.message_dict
    assert not Referral.objects.exists() and not ConsentOverride.objects.exists()


def test_a_supervisor_overrides_consent_with_a_reason_and_it_is_audited(cast, case):
    referral = refer(
        cast, case, actor=cast.a[Role.CASE_SUPERVISOR], override_reason="Child in danger."
    )
    assert referral.consent_overridden
    assert ConsentOverride.objects.filter(case=case, partner=cast.org_b).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_OVERRIDDEN).exists()
    event = AuditEvent.objects.get(action=AuditAction.REFERRAL_CREATED)
    assert event.reason == "Child in danger."


def test_the_audit_event_withholds_the_referral_reason(cast, case, consent_to_b):
    refer(cast, case)
    event = AuditEvent.objects.get(action=AuditAction.REFERRAL_CREATED)
    assert event.changes["reason"] is None
    assert "shelter" not in str(event.changes).lower()
    assert event.changes["sections"] == [None, ["identity", "assessments"]]


def test_it_refuses_bad_input_and_changes_nothing(cast, case, consent_to_b):
    with pytest.raises(ValidationError) as exc:
        services.referral_create(
            actor=cast.a[Role.CASE_WORKER],
            case=case,
            to_organisation=cast.org_a,
            kind="gift",
            reason=" ",
            urgency="whenever",
            sections=[],
        )
    assert {"to_organisation", "kind", "reason", "urgency", "sections"} <= set(
        exc.value.message_dict
    )
    assert not Referral.objects.exists()


def test_a_transfer_must_share_identity(cast, case, consent_to_b):
    with pytest.raises(ValidationError) as exc:
        refer(cast, case, kind="transfer", sections=[Section.ASSESSMENTS])
    assert "sections" in exc.value.message_dict


def test_another_organisation_cannot_refer_the_case(cast, case):
    with pytest.raises(PermissionDenied):
        refer(cast, case, actor=cast.b[Role.CASE_WORKER])


def test_one_open_referral_per_partner(cast, case, consent_to_b):
    refer(cast, case)
    with pytest.raises(ValidationError):
        refer(cast, case)


# --- what the partner sees ----------------------------------------------------------------------


def test_a_pending_referral_shows_the_partner_nothing_of_the_case(
    cast, case, consent_to_b, records
):
    referral = refer(cast, case)
    partner = cast.b[Role.CASE_WORKER]
    assert sees(partner, Referral, pk=referral.pk)
    assert not sees(partner, Case, pk=case.pk)
    assert not sees(partner, Person, pk=case.person_id)
    assert not sees(partner, Assessment, case=case)
    assert shared_view(user=partner, referral=referral).case is None


def test_an_accepted_referral_shows_only_the_shared_sections(cast, case, consent_to_b, records):
    referral = refer(cast, case)
    services.referral_accept(actor=cast.b[Role.SHELTER_MANAGER], referral=referral)
    for partner in (cast.b[Role.CASE_WORKER], cast.b[Role.SHELTER_MANAGER]):
        assert sees(partner, Case, pk=case.pk)
        assert sees(partner, Person, pk=case.person_id)
        assert sees(partner, Assessment, pk=records["assessment"].pk)
        assert sees(partner, AssessmentScore, assessment=records["assessment"])
        # Not shared: the care plan, the notes, consent, identity documents.
        assert not sees(partner, CarePlan, pk=records["plan"].pk)
        assert not sees(partner, CaseNote, pk=records["note"].pk)
        assert not sees(partner, Consent, case=case)
        assert not sees(partner, IdentityDocument, person=case.person)
    view = shared_view(user=cast.b[Role.CASE_WORKER], referral=referral)
    assert view.person is not None and view.assessments
    assert view.plans is None and view.notes is None and view.profile_rows == []


def test_a_referral_that_does_not_share_identity_hides_the_person(
    cast, case, consent_to_b, records
):
    referral = refer(cast, case, sections=[Section.NOTES])
    services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
    partner = cast.b[Role.CASE_WORKER]
    assert not sees(partner, Person, pk=case.person_id)
    assert sees(partner, CaseNote, pk=records["note"].pk)
    assert not sees(partner, Assessment, case=case)


@pytest.mark.parametrize("end", ["decline", "withdraw", "withdraw_after_accept", "complete"])
def test_declined_withdrawn_and_completed_referrals_give_nothing(
    cast, case, consent_to_b, records, end
):
    referral = refer(cast, case)
    if end == "decline":
        services.referral_decline(
            actor=cast.b[Role.CASE_WORKER], referral=referral, reason="No place."
        )
    else:
        if end != "withdraw":
            referral = services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
        if end == "complete":
            services.referral_complete(actor=cast.b[Role.CASE_WORKER], referral=referral)
        else:
            services.referral_withdraw(
                actor=cast.a[Role.CASE_WORKER], referral=referral, reason="Family found."
            )
    partner = cast.b[Role.CASE_WORKER]
    assert not sees(partner, Case, pk=case.pk)
    assert not sees(partner, Person, pk=case.person_id)
    assert not sees(partner, Assessment, case=case)


def test_another_organisation_sees_nothing(cast, case, consent_to_b, records, org_c):
    referral = refer(cast, case)
    services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
    for role in (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.SHELTER_MANAGER):
        outsider = c_user(org_c, role)
        for model in (Referral, Case, Person, Assessment, CarePlan, CaseNote):
            assert not visible_to(outsider, model).exists(), (role, model)


def test_the_partner_reads_but_never_changes_the_shared_case(cast, case, consent_to_b):
    referral = refer(cast, case, sections=[Section.IDENTITY, Section.NOTES])
    services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
    with pytest.raises(PermissionDenied):
        note_add(
            actor=cast.b[Role.CASE_WORKER],
            case=case,
            kind="visit",
            happened_on=case.opened_on,
            text="Written by the partner.",
        )


# --- answering ----------------------------------------------------------------------------------


def test_only_the_receiving_organisation_answers(cast, case, consent_to_b, org_c):
    referral = refer(cast, case)
    for actor in (cast.a[Role.CASE_SUPERVISOR], c_user(org_c, Role.CASE_WORKER)):
        with pytest.raises(PermissionDenied):
            services.referral_accept(actor=actor, referral=referral)


def test_declining_needs_a_reason_and_keeps_the_times(cast, case, consent_to_b):
    referral = refer(cast, case)
    with pytest.raises(ValidationError):
        services.referral_decline(actor=cast.b[Role.CASE_WORKER], referral=referral, reason="")
    referral = services.referral_decline(
        actor=cast.b[Role.CASE_WORKER], referral=referral, reason="Full until March."
    )
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decided_at and referral.decided_by == cast.b[Role.CASE_WORKER]
    with pytest.raises(ValidationError):
        services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)


def test_a_stale_version_is_refused(cast, case, consent_to_b):
    referral = refer(cast, case)
    services.referral_accept(
        actor=cast.b[Role.CASE_WORKER], referral=referral, expected_version=referral.version
    )
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(
            actor=cast.b[Role.CASE_WORKER],
            referral=referral,
            reason="Too late",
            expected_version=referral.version,
        )
    assert exc.value.code == "concurrent_edit"


def test_a_transfer_moves_the_case_and_the_sender_keeps_what_it_wrote(
    cast, case, consent_to_b, records
):
    referral = refer(cast, case, kind="transfer", sections=[Section.IDENTITY])
    new_worker = cast.b[Role.CASE_WORKER]
    services.referral_accept(actor=new_worker, referral=referral)
    case.refresh_from_db()
    assert case.organisation == cast.org_b and case.case_worker == new_worker
    assert AuditEvent.objects.filter(action=AuditAction.CASE_TRANSFERRED).exists()
    # The new owner sees everything of the case, as owner.
    assert sees(new_worker, CarePlan, pk=records["plan"].pk)
    assert sees(new_worker, Person, pk=case.person_id)
    # The sender still reads the case and what it wrote, and changes nothing.
    sender = cast.a[Role.CASE_WORKER]
    assert sees(sender, Case, pk=case.pk)
    assert sees(sender, CaseNote, pk=records["note"].pk)
    note_by_b = note_add(
        actor=new_worker, case=case, kind="office", happened_on=case.opened_on, text="New."
    )
    assert not sees(sender, CaseNote, pk=note_by_b.pk)
    with pytest.raises(PermissionDenied):
        note_add(actor=sender, case=case, kind="office", happened_on=case.opened_on, text="x")
    # A transfer once accepted cannot be withdrawn.
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=sender, referral=referral, reason="Changed my mind")


def test_a_transfer_needs_a_case_worker_of_the_receiver(cast, case, consent_to_b):
    referral = refer(cast, case, kind="transfer", sections=[Section.IDENTITY])
    with pytest.raises(ValidationError):
        services.referral_accept(actor=cast.b[Role.SHELTER_MANAGER], referral=referral)
    case.refresh_from_db()
    assert case.organisation == cast.org_a


# --- directory ----------------------------------------------------------------------------------


def test_the_directory_lists_partner_services_by_province(cast):
    from ctip.places.models import Province
    from ctip.referrals.selectors import directory

    kandal = Province.objects.create(code="08", name_en="Kandal")
    entry = services.partner_service_add(
        actor=cast.b[Role.SHELTER_MANAGER], category="shelter", provinces=[kandal]
    )
    assert entry.organisation == cast.org_b
    assert list(directory(user=cast.a[Role.CASE_WORKER], province="08")) == [entry]
    assert not directory(user=cast.a[Role.CASE_WORKER], province="12").exists()
    with pytest.raises(PermissionDenied):
        services.partner_service_add(actor=cast.a[Role.CASE_WORKER], category="shelter")
    assert PartnerService.objects.count() == 1


# --- pages --------------------------------------------------------------------------------------


def test_the_partner_page_shows_only_the_shared_sections(cast, case, consent_to_b, records):
    referral = refer(cast, case)
    url = reverse("referrals:detail", args=[referral.uuid])
    partner = verified_client(cast.b[Role.SHELTER_MANAGER])
    page = partner.get(url).content.decode()
    assert "Srey" not in page and "Accept the referral" in page
    services.referral_accept(actor=cast.b[Role.SHELTER_MANAGER], referral=referral)
    page = partner.get(url).content.decode()
    assert "Srey" in page and 'id="assessments"' in page
    assert "worried about debts" not in page and 'id="care-plan"' not in page


def test_the_case_pages_stay_closed_to_the_partner(cast, case, consent_to_b):
    referral = refer(cast, case)
    services.referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
    assert_refused(
        reverse("cases:detail", args=[case.uuid]), [cast.b[Role.CASE_WORKER]], expect=404
    )


def test_referral_pages_refuse_outsiders(cast, case, consent_to_b, org_c):
    referral = refer(cast, case)
    detail = reverse("referrals:detail", args=[referral.uuid])
    assert_refused(detail, [c_user(org_c, Role.CASE_WORKER)], expect=404)
    assert_refused(detail, [cast.a[Role.PREVENTION_OFFICER], cast.no_role], expect=403)
    assert_refused(detail, [None])
    create = reverse("referrals:create", args=[case.uuid])
    assert_refused(create, [cast.a[Role.SHELTER_MANAGER], cast.a[Role.LEGAL_OFFICER]], expect=403)
    assert_refused(create, [cast.b[Role.CASE_WORKER]], expect=404)
    accept = reverse("referrals:accept", args=[referral.uuid])
    assert_refused(accept, [c_user(org_c, Role.CASE_WORKER)], method="post", expect=404)


def test_the_create_page_shows_the_refusal_without_consent(cast, case):
    client = verified_client(cast.a[Role.CASE_WORKER])
    response = client.post(
        reverse("referrals:create", args=[case.uuid]),
        {
            "to_organisation": cast.org_b.pk,
            "kind": "service",
            "urgency": "urgent",
            "reason": "Shelter",
            "sections": ["identity"],
        },
    )
    assert response.status_code == 200
    assert "no consent to share" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_list_page_takes_a_fixed_number_of_queries(
    cast, case, consent_to_b, django_assert_max_num_queries
):
    client = verified_client(cast.b[Role.CASE_WORKER])
    url = reverse("referrals:list")
    refer(cast, case)
    client.get(url)
    with django_assert_max_num_queries(12) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    from ctip.cases.services import case_open, consent_record
    from ctip.people.services import person_create

    for n in range(3):
        person = person_create(actor=cast.a[Role.CASE_WORKER], given_name=f"P{n}", sex="f")
        other = case_open(actor=cast.a[Role.CASE_WORKER], person=person)
        consent_record(
            actor=cast.a[Role.CASE_WORKER],
            case=other,
            purpose="sharing",
            partner=cast.org_b,
            given_by="child",
            given_on=other.opened_on,
            method="written",
        )
        refer(cast, other)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count("referrals/") >= 4
