"""Family links across organisations (issue 17, story 4): a guardian another organisation
recorded is never linked across organisations; a local record is made with only what the user
may read, its origin noted and audited. Plus the plausibility of ages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.cases.services import case_open
from ctip.core.testing import verified_client
from ctip.people.forms import FamilyLinkForm
from ctip.people.models import FamilyLink, Person
from ctip.people.services import family_link_add, person_create, person_update
from ctip.referrals.services import referral_accept, referral_create


@pytest.fixture
def mother_in_a(cast):
    """A survivor recorded by A (an adult exploited with her child), with restricted notes."""
    return person_create(
        actor=cast.a[Role.CASE_SUPERVISOR],
        given_name="Kanha",
        family_name="Pov",
        name_km="ពៅ កញ្ញា",
        sex="f",
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 34),
        phone="012 345 678",
        protection_notes="Threatened by the broker; never call after dark.",
    )


@pytest.fixture
def shared_mother(cast, mother_in_a):
    """A's case of the mother, referred to B sharing basic identity, accepted: B sees her."""
    from ctip.cases.services import consent_record

    case = case_open(
        actor=cast.a[Role.CASE_WORKER], person=mother_in_a, opened_on=timezone.localdate()
    )
    consent_record(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        purpose="sharing",
        partner=cast.org_b,
        given_by="child",
        given_on=timezone.localdate(),
        method="written",
    )
    referral = referral_create(
        actor=cast.a[Role.CASE_WORKER],
        case=case,
        to_organisation=cast.org_b,
        kind="service",
        reason="Mother and child placed together.",
        urgency="urgent",
        sections=["identity"],
    )
    referral_accept(actor=cast.b[Role.CASE_WORKER], referral=referral)
    return mother_in_a


@pytest.fixture
def child_in_b(cast):
    return person_create(
        actor=cast.b[Role.CASE_WORKER], given_name="Vanna", family_name="Pov", estimated_age=9
    )


def test_it_links_a_guardian_another_organisation_recorded_through_a_local_record(
    cast, shared_mother, child_in_b
):
    worker = cast.b[Role.CASE_WORKER]
    link = family_link_add(
        actor=worker,
        person=child_in_b,
        relative=shared_mother,
        relationship="mother",
        is_guardian=True,
    )
    local = link.relative
    assert local.pk != shared_mother.pk
    assert local.organisation_id == cast.org_b.pk
    assert (local.given_name, local.family_name, local.name_km, local.sex) == (
        "Kanha",
        "Pov",
        "ពៅ កញ្ញា",
        "f",
    )
    # Confidential fields the case worker may read travel; restricted ones never do.
    assert local.phone == "012 345 678"
    assert local.date_of_birth == shared_mother.date_of_birth
    assert local.protection_notes == ""
    assert "Organisation A" in link.notes
    created = AuditEvent.objects.get(
        action=AuditAction.CREATE, target_type="people.person", target_id=str(local.uuid)
    )
    assert created.changes["copied_from"] == [None, str(shared_mother.uuid)]
    assert "protection_notes" not in created.changes
    linked = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(link.uuid))
    assert linked.changes["copied_from"] == [None, str(shared_mother.uuid)]
    # The original is untouched and still A's alone.
    shared_mother.refresh_from_db()
    assert shared_mother.organisation_id == cast.org_a.pk


def test_a_role_without_confidential_reading_copies_only_normal_fields(
    cast, shared_mother, child_in_b
):
    from ctip.people.services import _local_copy_of

    # A hotline operator sees the person but none of the confidential fields.
    copy = _local_copy_of(actor=cast.b[Role.HOTLINE_OPERATOR], source=shared_mother)
    assert copy.given_name == "Kanha"
    assert copy.phone == "" and copy.date_of_birth is None


def test_a_second_link_to_the_same_guardian_reuses_the_local_record(
    cast, shared_mother, child_in_b
):
    worker = cast.b[Role.CASE_WORKER]
    sibling = person_create(actor=worker, given_name="Dara", family_name="Pov", estimated_age=7)
    first = family_link_add(
        actor=worker, person=child_in_b, relative=shared_mother, relationship="mother"
    )
    second = family_link_add(
        actor=worker, person=sibling, relative=shared_mother, relationship="mother"
    )
    assert first.relative_id == second.relative_id
    assert Person.objects.filter(organisation=cast.org_b, given_name="Kanha").count() == 1


def test_it_refuses_a_relative_the_user_does_not_see(cast, mother_in_a, child_in_b):
    before = Person.objects.count()
    with pytest.raises(PermissionDenied):
        family_link_add(
            actor=cast.b[Role.CASE_WORKER],
            person=child_in_b,
            relative=mother_in_a,
            relationship="mother",
        )
    assert Person.objects.count() == before and not FamilyLink.objects.exists()


def test_it_records_a_new_guardian_inline(cast, child_in_b):
    worker = cast.b[Role.CASE_WORKER]
    link = family_link_add(
        actor=worker,
        person=child_in_b,
        new_relative={"given_name": "Sokha", "family_name": "Pov", "sex": "f", "phone": "099"},
        relationship="aunt_uncle",
        is_guardian=True,
    )
    assert link.relative.organisation_id == cast.org_b.pk
    assert (link.relative.given_name, link.relative.phone) == ("Sokha", "099")


def test_it_refuses_both_or_neither_kind_of_relative(cast, shared_mother, child_in_b):
    worker = cast.b[Role.CASE_WORKER]
    for arguments in ({}, {"relative": shared_mother, "new_relative": {"given_name": "X"}}):
        with pytest.raises(ValidationError) as exc:
            family_link_add(actor=worker, person=child_in_b, relationship="mother", **arguments)
        assert "relative" in exc.value.message_dict
    assert not FamilyLink.objects.exists()


def test_the_form_offers_own_people_first_and_marks_the_others(cast, shared_mother, child_in_b):
    worker = cast.b[Role.CASE_WORKER]
    own = person_create(actor=worker, given_name="Zed", family_name="Zy", estimated_age=40)
    form = FamilyLinkForm(user=worker, person=child_in_b)
    choices = list(form.fields["relative"].queryset)
    assert choices.index(own) < choices.index(shared_mother)
    assert child_in_b not in choices
    label = form.fields["relative"].label_from_instance(shared_mother)
    assert "Organisation A" in label


def test_the_family_page_links_across_organisations_without_a_403(cast, shared_mother, child_in_b):
    client = verified_client(cast.b[Role.CASE_WORKER])
    url = reverse("people:family_add", args=[child_in_b.uuid])
    response = client.post(
        url, {"relative": shared_mother.pk, "relationship": "mother", "is_guardian": "on"}
    )
    assert response.status_code == 302
    link = FamilyLink.objects.get(person=child_in_b)
    assert link.relative.organisation_id == cast.org_b.pk and link.is_guardian
    detail = client.get(reverse("people:detail", args=[child_in_b.uuid])).content.decode()
    assert "Recorded from Organisation A" in detail
    assert "never call after dark" not in detail
    # Nothing chosen and no name: a clear message, nothing written.
    response = client.post(url, {"relationship": "father"})
    assert response.status_code == 200
    assert "give the new one" in response.content.decode()
    assert FamilyLink.objects.filter(person=child_in_b).count() == 1


def test_the_owner_of_a_person_does_not_see_another_organisations_relative_on_it(
    cast, shared_mother
):
    # B (which sees A's survivor through the referral) links its own record of her brother.
    family_link_add(
        actor=cast.b[Role.CASE_WORKER],
        person=shared_mother,
        new_relative={"given_name": "Brother", "family_name": "Hidden"},
        relationship="sibling",
    )
    page = verified_client(cast.a[Role.CASE_WORKER]).get(
        reverse("people:detail", args=[shared_mother.uuid])
    )
    assert page.status_code == 200
    assert "Hidden" not in page.content.decode()
    # B sees its own record on the same page.
    page = verified_client(cast.b[Role.CASE_WORKER]).get(
        reverse("people:detail", args=[shared_mother.uuid])
    )
    assert "Hidden Brother" in page.content.decode()


# --- plausibility -------------------------------------------------------------------------------


def test_it_refuses_a_date_of_birth_and_an_estimated_age_that_disagree(cast):
    worker = cast.a[Role.CASE_WORKER]
    ten_years_ago = timezone.localdate().replace(year=timezone.localdate().year - 10)
    with pytest.raises(ValidationError) as exc:
        person_create(
            actor=worker, given_name="Mismatch", date_of_birth=ten_years_ago, estimated_age=16
        )
    assert "estimated_age" in exc.value.message_dict
    assert "10" in exc.value.message_dict["estimated_age"][0]
    assert not Person.objects.filter(given_name="Mismatch").exists()
    # A year either way is a rounded guess, accepted.
    person = person_create(
        actor=worker, given_name="Close", date_of_birth=ten_years_ago, estimated_age=11
    )
    with pytest.raises(ValidationError):
        person_update(actor=worker, person=person, expected_version=1, estimated_age=14)
