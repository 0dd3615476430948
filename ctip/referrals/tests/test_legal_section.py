"""The legal section of a referral (issue 17, story 5): a legal officer, whose role reads no
case, sees exactly the legal section of an accepted referral and records the legal support
given; nobody else gains anything. Withdrawing a referral asks for a date."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.access.policy import visible_to
from ctip.access.rules.aftercare import referral_opens_section
from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.care.models import ServiceDelivery, ServiceType
from ctip.care.services import partner_service_record
from ctip.cases.models import Case
from ctip.cases.services import case_update
from ctip.core.testing import assert_refused, verified_client
from ctip.people.models import Person
from ctip.referrals import services
from ctip.referrals.models import Referral, ReferralStatus, Section
from ctip.referrals.selectors import shared_view

TODAY = timezone.localdate


@pytest.fixture
def legal_referral(cast, case, consent_to_b, records):
    case_update(
        actor=cast.a[Role.CASE_SUPERVISOR],
        case=case,
        expected_version=case.version,
        exploitation_types=["ForcedBegging"],
        abuse_narrative="Restricted story of the abuse.",
    )
    return services.referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        service="legal",
        reason="Complaint against the recruiter.",
        urgency="routine",
        sections=[Section.LEGAL],
    )


def _accept(cast, referral) -> Referral:
    return services.referral_accept(actor=cast.b[Role.LEGAL_OFFICER], referral=referral)


def legal_aid() -> ServiceType:
    return ServiceType.objects.get(code="legal-aid")


def test_the_legal_officer_sees_nothing_of_the_case_before_accepting(cast, legal_referral):
    officer = cast.b[Role.LEGAL_OFFICER]
    assert not referral_opens_section(officer, legal_referral, Section.LEGAL)
    view = shared_view(user=officer, referral=legal_referral)
    assert view.case is None and view.legal_rows is None


def test_after_accepting_the_legal_officer_sees_exactly_the_legal_section(
    cast, case, legal_referral
):
    officer = cast.b[Role.LEGAL_OFFICER]
    referral = _accept(cast, legal_referral)
    assert referral_opens_section(officer, referral, Section.LEGAL)
    view = shared_view(user=officer, referral=referral)
    names = {row["name"] for row in view.legal_rows}
    assert "exploitation_types" in names
    assert {"abuse_narrative", "hiv_status", "child_witnesses"}.isdisjoint(names)
    assert any(row["value"] == "Forced begging" for row in view.legal_rows)
    # Nothing of any other section, and the policy still gives the role no case at all.
    assert view.person is None and view.identity_rows == []
    assert view.profile_rows == [] and view.events is None
    assert view.assessments is None and view.plans is None
    assert view.services is None and view.notes is None
    assert not visible_to(officer, Case).filter(pk=case.pk).exists()
    assert not visible_to(officer, Person).filter(pk=case.person_id).exists()
    # Showing the confidential facts (the recruiter's relation) is audited.
    read = AuditEvent.objects.filter(
        action=AuditAction.READ, actor=officer, target_id=str(case.uuid)
    ).last()
    assert read is not None and read.changes["section"] == "legal"
    assert "recruiter_relation" in read.changes["shown"]


def test_the_legal_page_shows_the_legal_section_and_not_the_child(cast, case, legal_referral):
    referral = _accept(cast, legal_referral)
    page = verified_client(cast.b[Role.LEGAL_OFFICER]).get(
        reverse("referrals:detail", args=[referral.uuid])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="legal"' in html and "Forced begging" in html
    assert case.person.given_name not in html
    assert "Restricted story" not in html and "Uncle visited" not in html
    assert 'id="assessments"' not in html and 'id="identity"' not in html


def test_matrix_the_legal_officer_and_other_organisations_are_refused(
    cast, case, legal_referral, records, org_c
):
    from ctip.shelters.testing import c_user

    referral = _accept(cast, legal_referral)
    officer = cast.b[Role.LEGAL_OFFICER]
    # The case's own pages: the role reads no case (403), the child is not shared (404).
    assert_refused(reverse("cases:detail", args=[case.uuid]), [officer], expect=403)
    assert_refused(
        reverse("care:assessment", args=[records["assessment"].uuid]), [officer], expect=403
    )
    assert_refused(reverse("care:plan", args=[records["plan"].uuid]), [officer], expect=403)
    assert_refused(reverse("people:detail", args=[case.person.uuid]), [officer], expect=404)
    # Another organisation: 404 on the referral and its pages.
    outsiders = [c_user(org_c, Role.CASE_WORKER), c_user(org_c, Role.SHELTER_MANAGER)]
    for name in ("referrals:detail", "referrals:service"):
        assert_refused(reverse(name, args=[referral.uuid]), outsiders, expect=404)
    withdraw = reverse("referrals:withdraw", args=[referral.uuid])
    assert_refused(withdraw, outsiders[:1], expect=404)
    assert_refused(withdraw, outsiders[1:], expect=403)  # a shelter manager refers nobody
    for user in outsiders:
        assert not referral_opens_section(user, referral, Section.LEGAL)
    # The sender does not record the partner's services (403: it sees the referral).
    assert_refused(
        reverse("referrals:service", args=[referral.uuid]), [cast.a[Role.CASE_WORKER]], expect=403
    )


def test_a_referral_without_the_legal_section_opens_nothing_to_the_legal_officer(
    cast, case, consent_to_b
):
    referral = services.referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        reason="Counselling.",
        urgency="routine",
        sections=[Section.ASSESSMENTS],
    )
    _accept(cast, referral)
    view = shared_view(user=cast.b[Role.LEGAL_OFFICER], referral=referral)
    assert view.case is None and view.legal_rows is None


def test_the_legal_officer_records_legal_support_which_the_owner_sees(cast, case, legal_referral):
    officer = cast.b[Role.LEGAL_OFFICER]
    referral = _accept(cast, legal_referral)
    delivery = partner_service_record(
        actor=officer,
        referral=referral,
        service=legal_aid(),
        delivered_on=TODAY(),
        outcome="Complaint drafted with the survivor.",
    )
    assert delivery.provider_id == cast.org_b.pk and delivery.status == "delivered"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(delivery.uuid))
    assert event.changes["referral"] == [None, str(referral.uuid)]
    assert event.changes["outcome"] is None  # confidential: named, never its value
    assert visible_to(cast.a[Role.CASE_WORKER], ServiceDelivery).filter(pk=delivery.pk).exists()
    view = shared_view(user=officer, referral=referral)
    assert [s.pk for s in view.legal_services] == [delivery.pk]


def test_it_refuses_implausible_or_foreign_legal_support(cast, case, legal_referral):
    officer = cast.b[Role.LEGAL_OFFICER]
    # Before acceptance: refused.
    with pytest.raises(ValidationError):
        partner_service_record(
            actor=officer,
            referral=legal_referral,
            service=legal_aid(),
            delivered_on=TODAY(),
            outcome="x",
        )
    referral = _accept(cast, legal_referral)
    tailoring = ServiceType.objects.exclude(category="legal").first()
    for kwargs, field in (
        ({"delivered_on": TODAY() + timedelta(days=1)}, "delivered_on"),
        ({"service": tailoring}, "service"),
        ({"outcome": "  "}, "outcome"),
    ):
        arguments = {"service": legal_aid(), "delivered_on": TODAY(), "outcome": "Done."}
        with pytest.raises(ValidationError) as exc:
            partner_service_record(actor=officer, referral=referral, **(arguments | kwargs))
        assert field in exc.value.message_dict
    # The sender's staff, and another role without services.confirm, may not.
    for actor in (cast.a[Role.CASE_WORKER], cast.b[Role.HOTLINE_OPERATOR]):
        with pytest.raises(PermissionDenied):
            partner_service_record(
                actor=actor,
                referral=referral,
                service=legal_aid(),
                delivered_on=TODAY(),
                outcome="x",
            )
    assert not ServiceDelivery.objects.filter(provider=cast.org_b).exists()


def test_withdrawal_ends_the_legal_section_and_takes_a_date(cast, legal_referral):
    referral = _accept(cast, legal_referral)
    worker = cast.a[Role.CASE_WORKER]
    with pytest.raises(ValidationError) as exc:
        services.referral_withdraw(
            actor=worker,
            referral=referral,
            reason="Another lawyer.",
            withdrawn_on=TODAY() + timedelta(days=1),
        )
    assert "withdrawn_on" in exc.value.message_dict
    withdrawn = services.referral_withdraw(
        actor=worker, referral=referral, reason="Another lawyer.", withdrawn_on=TODAY()
    )
    assert withdrawn.status == ReferralStatus.WITHDRAWN
    assert not referral_opens_section(cast.b[Role.LEGAL_OFFICER], withdrawn, Section.LEGAL)
    assert shared_view(user=cast.b[Role.LEGAL_OFFICER], referral=withdrawn).case is None


def test_the_withdraw_page_asks_for_a_confirmation(cast, legal_referral):
    client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse("referrals:withdraw", args=[legal_referral.uuid])
    assert client.get(url).status_code == 200
    data = {"version": legal_referral.version, "withdrawn_on": TODAY().isoformat(), "reason": "x"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    legal_referral.refresh_from_db()
    assert legal_referral.status == ReferralStatus.PENDING
    response = client.post(url, data | {"confirm": "on"})
    assert response.status_code == 302
    legal_referral.refresh_from_db()
    assert legal_referral.status == ReferralStatus.WITHDRAWN


def test_identity_shared_with_the_legal_section_shows_the_child_to_the_legal_officer(
    cast, case, consent_to_b
):
    referral = services.referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        reason="Represent her at the hearing.",
        urgency="routine",
        sections=[Section.IDENTITY, Section.LEGAL],
    )
    view = shared_view(user=cast.b[Role.LEGAL_OFFICER], referral=_accept(cast, referral))
    assert view.person == case.person and view.legal_rows is not None
    assert view.assessments is None and view.notes is None


def test_a_referral_started_from_a_consent_is_prefilled_with_the_partner(cast, case, consent_to_b):
    client = verified_client(cast.a[Role.CASE_WORKER])
    detail = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    url = reverse("referrals:create", args=[case.uuid]) + f"?to={cast.org_b.code}"
    assert url in detail
    form = client.get(url).context["form"]
    assert form.initial["to_organisation"] == cast.org_b.pk
    # Never the user's own organisation, and an unknown code prefills nothing.
    own = reverse("referrals:create", args=[case.uuid]) + f"?to={cast.org_a.code}"
    assert "to_organisation" not in client.get(own).context["form"].initial
