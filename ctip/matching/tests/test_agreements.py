"""What the review queue reveals across organisations is the data-sharing agreement's to say
(docs/security.md): nothing without one, that a partner holds a possible match under
"existence", which partner and whom to contact under "contact"; never the child's details."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.core.testing import verified_client
from ctip.matching import services
from ctip.matching.models import MatchCandidate
from ctip.matching.selectors import candidates_visible_to, review_queue

pytestmark = pytest.mark.django_db

# Names of A's two records and of B's one record of the same girl (conftest.twins).
A_NAMES = ("Chan Sophal", "Sophall Chan")
B_NAMES = ("Chann Sophol",)


@pytest.fixture
def cross(twins):
    for person in twins.values():
        services.person_match(person=person)
    a, b = sorted([twins["first"].pk, twins["other_org"].pk])
    return MatchCandidate.objects.get(person_a_id=a, person_b_id=b)


def _pages(user, candidate):
    client = verified_client(user)
    queue = client.get(reverse("matching:queue"))
    detail = client.get(reverse("matching:detail", args=[candidate.uuid]))
    listing = client.get(reverse("api-match-candidates"))
    one = client.get(reverse("api-match-candidate", args=[candidate.uuid]))
    return queue, detail, listing, one


def _sides(cast):
    # (reviewer, the other organisation, names of the other organisation's records)
    return [
        (cast.a[Role.CASE_WORKER], cast.org_b, B_NAMES),
        (cast.b[Role.CASE_WORKER], cast.org_a, A_NAMES),
    ]


def _assert_nothing_of_the_other_record(bodies, names):
    for body in bodies:
        for name in names:
            assert name not in body
        assert "same number" not in body and "Date of birth or age" not in body  # evidence


@pytest.mark.parametrize("level", [None, "none"])
def test_without_an_agreement_another_organisations_match_is_not_revealed(
    cast, cross, agreement, level
):
    if level:
        agreement(level)
    for user, other_org, names in _sides(cast):
        assert not candidates_visible_to(user=user).filter(pk=cross.pk).exists()
        queue, detail, listing, one = _pages(user, cross)
        _assert_nothing_of_the_other_record([queue.content.decode()], names)
        assert queue.status_code == 200 and detail.status_code == 404 and one.status_code == 404
        assert str(cross.uuid) not in queue.content.decode()
        assert str(cross.uuid) not in listing.content.decode()
        assert other_org.name not in queue.content.decode()
        assert listing.json()["count"] == len(
            [v for v in review_queue(user=user) if not v.candidate.is_cross_organisation]
        )
    # The pair itself is kept: it appears once an agreement allows it.
    assert MatchCandidate.objects.filter(pk=cross.pk).exists()


def test_an_agreement_out_of_force_reveals_nothing(cast, cross, agreement):
    today = timezone.localdate()
    ended = agreement("contact", valid_from=today - timedelta(days=400))
    ended.valid_to = today - timedelta(days=1)
    ended.save()
    agreement("contact", valid_from=today + timedelta(days=1))  # not yet in force
    for user, _other, _names in _sides(cast):
        assert not candidates_visible_to(user=user).filter(pk=cross.pk).exists()


def test_existence_reveals_that_a_partner_holds_a_match_without_naming_it(cast, cross, agreement):
    agreement("existence")
    for user, other_org, names in _sides(cast):
        views = [v for v in review_queue(user=user) if v.candidate.pk == cross.pk]
        assert len(views) == 1 and views[0].other_organisation is None and not views[0].contact
        queue, detail, listing, one = _pages(user, cross)
        assert detail.status_code == 200 and one.status_code == 200
        bodies = [r.content.decode() for r in (queue, detail, listing, one)]
        assert "another partner organisation" in bodies[0]
        for body in bodies:
            assert other_org.name not in body
            assert "Rithy" not in body and "Sophea" not in body  # no contact either
        _assert_nothing_of_the_other_record(bodies, names)
        assert one.json()["other"] == {
            "organisation": None,
            "person": None,
            "name": None,
            "contact": "",
        }
    # A asks to link; B learns that a partner asked, not which one.
    a_client = verified_client(cast.a[Role.CASE_WORKER])
    url = reverse("api-match-candidate", args=[cross.uuid])
    asked = a_client.post(url, {"decision": "confirm", "version": cross.version})
    assert asked.status_code == 200 and asked.json()["requested_by"] == cast.org_a.code
    seen_by_b = verified_client(cast.b[Role.CASE_WORKER]).get(url).json()
    assert seen_by_b["status"] == "requested" and seen_by_b["requested_by"] is None


def test_contact_reveals_the_organisation_and_its_contact_never_the_child(cast, cross, agreement):
    agreement("contact", contact_a="Sophea, 012 000 111", contact_b="Rithy, 017 000 222")
    contacts = {cast.org_a.pk: "Sophea, 012 000 111", cast.org_b.pk: "Rithy, 017 000 222"}
    for user, other_org, names in _sides(cast):
        queue, detail, listing, one = _pages(user, cross)
        bodies = [r.content.decode() for r in (queue, detail, listing, one)]
        assert other_org.name in bodies[0] and other_org.name in bodies[1]
        assert contacts[other_org.pk] in bodies[1]
        assert one.json()["other"]["organisation"] == other_org.code
        assert one.json()["other"]["contact"] == contacts[other_org.pk]
        own_contact = contacts[user.organisation_id]
        assert all(own_contact not in body for body in bodies)  # the partner's, not one's own
        _assert_nothing_of_the_other_record(bodies, names)
        assert one.json()["evidence"] == {}


def test_where_two_agreements_are_in_force_the_least_revealing_wins(cast, cross, agreement):
    agreement("contact")
    agreement("existence")
    views = [v for v in review_queue(user=cast.a[Role.CASE_WORKER]) if v.candidate == cross]
    assert views and views[0].other_organisation is None
    agreement("none")
    assert not candidates_visible_to(user=cast.a[Role.CASE_WORKER]).filter(pk=cross.pk).exists()
