"""Finding candidates, the keyed blocking hashes, decisions, clusters and their audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.matching import keys, services
from ctip.matching.models import CandidateStatus, IdentityMember, MatchCandidate, MatchKey
from ctip.people.services import person_create, person_update


def _candidate(p, q) -> MatchCandidate:
    a, b = sorted([p.pk, q.pk])
    return MatchCandidate.objects.get(person_a_id=a, person_b_id=b)


def test_a_person_is_matched_against_blocking_candidates_in_every_organisation(twins):
    found = services.person_match(person=twins["first"])
    pairs = {frozenset((c.person_a_id, c.person_b_id)) for c in found}
    assert frozenset((twins["first"].pk, twins["swapped"].pk)) in pairs
    assert frozenset((twins["first"].pk, twins["other_org"].pk)) in pairs
    assert all(twins["stranger"].pk not in p for p in pairs)
    cross = _candidate(twins["first"], twins["other_org"])
    assert cross.probability >= services.REVIEW_THRESHOLD
    assert cross.is_cross_organisation
    # The evidence names levels, never values.
    assert cross.evidence["phone"] == "same number"
    assert "012" not in str(cross.evidence) and "Sophal" not in str(cross.evidence)
    event = AuditEvent.objects.filter(action=AuditAction.MATCH_FOUND).first()
    assert event is not None and "Sophal" not in str(event.changes)


def test_matching_again_adds_no_duplicate_pairs(twins):
    for person in twins.values():
        services.person_match(person=person)
    count = MatchCandidate.objects.count()
    for person in twins.values():
        services.person_match(person=person)
    assert MatchCandidate.objects.count() == count == 3


def test_the_shared_key_table_holds_keyed_hashes_not_names(twins):
    services.person_match(person=twins["first"])
    stored = set(MatchKey.objects.filter(person=twins["first"]).values_list("digest", flat=True))
    plain = keys.blocking_keys(keys.prepared(twins["first"]))
    assert stored and len(stored) == len(plain)
    assert all(len(d) == 64 and "sophal" not in d for d in stored)
    assert not stored & plain
    # Keyed: another installation's secret gives other digests for the same names.
    with override_settings(SECRET_KEY="another-installation-secret-key-0123456789"):
        keys._hmac_key.cache_clear()
        assert not stored & {keys.digest(k) for k in plain}
    keys._hmac_key.cache_clear()
    assert stored == {keys.digest(k) for k in plain}


def test_creating_or_changing_a_person_runs_the_matcher_after_commit(
    cast, twins, django_capture_on_commit_callbacks
):
    worker = cast.b[Role.CASE_WORKER]
    with django_capture_on_commit_callbacks(execute=True):
        person = person_create(
            actor=worker, given_name="Sophal", family_name="Chan", sex="f", estimated_age=16
        )
    assert MatchCandidate.objects.filter(person_b=person).exists()
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=worker, person=person, expected_version=1, given_name="Vuthy")
    assert MatchKey.objects.filter(person=person).exists()


def test_a_matcher_failure_never_undoes_the_person(cast, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "person_match", broken)
    person = person_create(actor=cast.a[Role.CASE_WORKER], given_name="Dara")
    services.person_match_on_commit(person.pk)
    assert "Matching person" in caplog.text


def test_a_reviewer_who_sees_both_records_confirms_and_undoes_a_link(cast, twins):
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["swapped"])
    reviewer = cast.a[Role.CASE_WORKER]
    confirmed = services.candidate_confirm(
        actor=reviewer, candidate=candidate, expected_version=candidate.version, note="same dob"
    )
    assert confirmed.status == CandidateStatus.CONFIRMED
    clusters = dict(IdentityMember.objects.values_list("person_id", "cluster"))
    assert clusters[twins["first"].pk] == clusters[twins["swapped"].pk]
    # Nothing is merged or deleted.
    assert twins["first"].__class__.objects.filter(pk=twins["swapped"].pk).exists()
    with pytest.raises(ValidationError):
        services.candidate_undo(
            actor=reviewer, candidate=confirmed, expected_version=confirmed.version, reason=" "
        )
    undone = services.candidate_undo(
        actor=reviewer, candidate=confirmed, expected_version=confirmed.version, reason="twins"
    )
    assert undone.status == CandidateStatus.UNDONE
    assert not IdentityMember.objects.exists()
    actions = list(
        AuditEvent.objects.filter(target_id=str(candidate.uuid))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.MATCH_FOUND,
        AuditAction.MATCH_CONFIRMED,
        AuditAction.MATCH_UNDONE,
    ]
    confirmed_event = AuditEvent.objects.get(action=AuditAction.MATCH_CONFIRMED)
    assert confirmed_event.changes["note"] is None  # the note is confidential


def test_clusters_grow_through_chains_and_split_when_a_link_is_undone(cast, twins):
    services.person_match(person=twins["first"])
    services.person_match(person=twins["swapped"])
    reviewer = cast.a[Role.CASE_SUPERVISOR]
    first_swapped = _candidate(twins["first"], twins["swapped"])
    services.candidate_confirm(actor=reviewer, candidate=first_swapped, expected_version=None)
    services.clusters_rebuild(people=[twins["stranger"].pk])  # a loner stays out
    assert IdentityMember.objects.count() == 2
    undone = services.candidate_undo(
        actor=reviewer,
        candidate=MatchCandidate.objects.get(pk=first_swapped.pk),
        expected_version=None,
        reason="wrong",
    )
    assert undone.status == CandidateStatus.UNDONE
    assert IdentityMember.objects.count() == 0


def test_across_organisations_both_must_agree_without_seeing_each_other(cast, twins, agreement):
    agreement("existence")  # without an agreement neither side would see the pair
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["other_org"])
    requested = services.candidate_confirm(
        actor=cast.a[Role.CASE_WORKER], candidate=candidate, expected_version=candidate.version
    )
    assert requested.status == CandidateStatus.REQUESTED
    assert requested.requested_by == cast.org_a
    assert not IdentityMember.objects.exists()
    with pytest.raises(ValidationError):  # asking twice changes nothing
        services.candidate_confirm(
            actor=cast.a[Role.CASE_SUPERVISOR], candidate=requested, expected_version=None
        )
    done = services.candidate_confirm(
        actor=cast.b[Role.CASE_WORKER], candidate=requested, expected_version=requested.version
    )
    assert done.status == CandidateStatus.CONFIRMED
    assert IdentityMember.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.MATCH_LINK_REQUESTED).count() == 1


def test_a_confirmed_match_raises_the_retrafficking_flag_of_both_records(cast, twins, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "ctip.returns.services.retrafficking_flag",
        lambda *, person, source, actor: calls.append((person.pk, source.pk, actor)) or [],
    )
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["swapped"])
    reviewer = cast.a[Role.CASE_WORKER]
    services.candidate_confirm(actor=reviewer, candidate=candidate, expected_version=None)
    first, swapped = twins["first"].pk, twins["swapped"].pk
    assert sorted(calls, key=lambda c: c[0]) == sorted(
        [(first, swapped, reviewer), (swapped, first, reviewer)], key=lambda c: c[0]
    )


def test_rejected_pairs_stay_rejected_and_are_not_decided_twice(cast, twins):
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["swapped"])
    reviewer = cast.a[Role.CASE_WORKER]
    rejected = services.candidate_reject(
        actor=reviewer, candidate=candidate, expected_version=candidate.version, note="sisters"
    )
    assert rejected.status == CandidateStatus.REJECTED
    for decide in (services.candidate_confirm, services.candidate_reject):
        with pytest.raises(ValidationError):
            decide(actor=reviewer, candidate=rejected, expected_version=None)
    with pytest.raises(ValidationError):
        services.candidate_undo(
            actor=reviewer, candidate=rejected, expected_version=None, reason="x"
        )
    services.person_match(person=twins["first"])
    assert MatchCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.REJECTED


def test_a_stale_decision_is_refused(cast, twins):
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["swapped"])
    services.candidate_reject(
        actor=cast.a[Role.CASE_WORKER], candidate=candidate, expected_version=candidate.version
    )
    with pytest.raises(ValidationError) as err:
        services.candidate_confirm(
            actor=cast.a[Role.CASE_SUPERVISOR],
            candidate=candidate,
            expected_version=candidate.version,
        )
    assert err.value.code == "concurrent_edit"


def test_only_reviewers_of_the_organisations_holding_the_records_decide(cast, twins):
    services.person_match(person=twins["first"])
    candidate = _candidate(twins["first"], twins["swapped"])  # both records of A
    for user in (
        cast.b[Role.CASE_WORKER],  # reviewer of an organisation not involved
        cast.a[Role.SHELTER_MANAGER],  # no review permission
        cast.a[Role.STATISTICS_OFFICER],
        cast.no_role,
    ):
        for decide in (services.candidate_confirm, services.candidate_reject):
            with pytest.raises(PermissionDenied):
                decide(actor=user, candidate=candidate, expected_version=None)
    assert MatchCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.PENDING


def test_the_batch_matches_everyone_and_queues_the_pairs(cast, twins):
    result = services.match_batch()
    assert result["people"] == 4
    assert result["new"] >= 2
    assert MatchKey.objects.values("person").distinct().count() == 4
    again = services.match_batch()
    assert again["new"] == 0


def test_the_batch_command_reports_what_it_queued(twins):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("match_people", stdout=out)
    assert "4 people" in out.getvalue()
    assert MatchCandidate.objects.count() >= 2
