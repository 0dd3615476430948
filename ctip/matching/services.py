"""Every write of matching: keys, candidates found, reviewers' decisions, identity clusters.

Finding candidates is system work (no actor, or the batch command's): it reads the records it
compares inside the server and writes only the pair, its probability and which fields agreed.
Decisions are the reviewers', each in a transaction and audited.
"""

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import lock_and_check_version
from ctip.people.models import IdentityDocument, Person

from . import engine, keys
from .models import (
    OPEN_STATUSES,
    CandidateStatus,
    IdentityMember,
    MatchCandidate,
    MatchKey,
)

logger = logging.getLogger(__name__)

# Pairs scored at or above this go to the review queue.
REVIEW_THRESHOLD = 0.5
# A person sharing a key with more records than this is compared with the closest only:
# creating a person must stay fast even for "Sok Dara".
MAX_CANDIDATES = 200
MODEL_PATH = Path(settings.VAR_DIR) / "matching" / "model.json"
# Estimated from synthetic records by `model_train_synthetic` (`match_people --synthetic-model`
# writes it again); used until the batch command has trained on CTIP's own people.
PACKAGED_MODEL = Path(__file__).resolve().parent / "data" / "model.json"


# --- the model -----------------------------------------------------------------------------

_model_cache: dict[str, engine.PeopleModel] = {}


def current_model() -> engine.PeopleModel:
    """The trained model: the one the batch command saved, else the packaged one estimated from
    generated synthetic records (so a fresh installation can match before it has data)."""
    if "model" in _model_cache:
        return _model_cache["model"]
    for path in (MODEL_PATH, PACKAGED_MODEL):
        if path.exists():
            model = engine.PeopleModel.from_json(path.read_text())
            break
    else:  # pragma: no cover (the packaged model ships with the code)
        model = model_train_synthetic()
    _model_cache["model"] = model
    return model


def model_train_synthetic(entities: int = 1500) -> engine.PeopleModel:
    """Estimates the model from generated records (EM and u-sampling, nothing set by hand)."""
    from . import synthetic

    rows = [record for record, _entity in synthetic.generate(entities, seed=11)]
    return engine.train(engine.prepare_arrow(rows), u_pairs=3e5)


def model_save(model: engine.PeopleModel) -> None:
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_text(model.to_json())
    _model_cache["model"] = model


# --- keys and candidates -------------------------------------------------------------------


def _documents(people: Iterable[Person]) -> dict[int, list]:
    docs: dict[int, list] = {}
    for doc in IdentityDocument.objects.filter(person__in=[p.pk for p in people]).order_by("id"):
        docs.setdefault(doc.person_id, []).append(doc)
    return docs


@transaction.atomic
def person_keys_refresh(*, person: Person, documents: list | None = None) -> set[str]:
    """Replaces a person's keyed blocking hashes. Derived data, like an index: not audited."""
    digests = keys.person_digests(person, documents)
    MatchKey.objects.filter(person=person).exclude(digest__in=digests).delete()
    have = set(MatchKey.objects.filter(person=person).values_list("digest", flat=True))
    MatchKey.objects.bulk_create(
        [
            MatchKey(person=person, organisation_id=person.organisation_id, digest=d)
            for d in digests - have
        ]
    )
    return digests


def _evidence(model: engine.PeopleModel, scored: dict) -> dict:
    labels = model.level_labels()
    evidence = {}
    for name, mapping in labels.items():
        gamma = scored.get(f"gamma_{name}")
        if gamma is not None:
            evidence[name] = mapping.get(int(gamma), "")
    return evidence


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def _record_candidate(a: Person, b: Person, probability: float, evidence: dict, actor):
    """Creates or refreshes the pair's candidate; decided pairs keep their decision."""
    a, b = _pair(a, b)
    candidate = MatchCandidate.objects.filter(person_a=a, person_b=b).first()
    if candidate is not None:
        if candidate.status in OPEN_STATUSES and (
            abs(candidate.probability - probability) > 1e-6 or candidate.evidence != evidence
        ):
            candidate.probability, candidate.evidence = probability, evidence
            candidate.save(update_fields=["probability", "evidence", "updated_at"])
        return candidate, False
    candidate = MatchCandidate.objects.create(
        person_a=a,
        person_b=b,
        organisation_a_id=a.organisation_id,
        organisation_b_id=b.organisation_id,
        probability=probability,
        evidence=evidence,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.MATCH_FOUND,
        target=candidate,
        changes={
            "person_a": [None, str(a.uuid)],
            "person_b": [None, str(b.uuid)],
            "probability": [None, round(probability, 4)],
        },
        organisation=a.organisation,
    )
    return candidate, True


@transaction.atomic
def person_match(*, person: Person, actor=None) -> list[MatchCandidate]:
    """Refreshes a person's keys and scores them against the records sharing a key (their
    blocking candidates, in any organisation); pairs at or above REVIEW_THRESHOLD are queued."""
    person = Person.objects.select_related("home_village").get(pk=person.pk)
    documents = list(IdentityDocument.objects.filter(person=person).order_by("id"))
    digests = person_keys_refresh(person=person, documents=documents)
    candidate_ids = list(
        MatchKey.objects.filter(digest__in=digests)
        .exclude(person_id=person.pk)
        .values_list("person_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    if not candidate_ids:
        return []
    others = list(Person.objects.filter(pk__in=candidate_ids).select_related("home_village"))
    docs = _documents(others)
    model = current_model()
    record = keys.prepared(person, documents)
    records = [keys.prepared(o, docs.get(o.pk, [])) for o in others]
    scored = engine.score_against(model, record, records)
    by_id = {str(o.pk): o for o in others}
    found = []
    for row in scored:
        if row["match_probability"] < REVIEW_THRESHOLD:
            continue
        other = by_id.get(str(row["unique_id_r"])) or by_id.get(str(row["unique_id_l"]))
        if other is None:  # pragma: no cover (score_pairs keeps the ids it was given)
            continue
        candidate, _new = _record_candidate(
            person, other, float(row["match_probability"]), _evidence(model, row), actor
        )
        found.append(candidate)
    return found


def person_match_on_commit(person_id: int) -> None:
    """Runs `person_match` after the transaction that saved the person commits (signals.py);
    a failure of the matcher never undoes the person's record."""
    try:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            person_match(person=person)
    except Exception:  # noqa: BLE001
        logger.exception("Matching person %s failed", person_id)


def match_batch(*, actor=None, train: bool = False, threshold: float = REVIEW_THRESHOLD) -> dict:
    """Matches every person against every other (Splink's blocking over the whole table) and
    queues the pairs at or above `threshold`; refreshes every person's keys. With `train`, the
    model is first re-estimated from CTIP's own people (when there are enough of them)."""
    people = list(Person.objects.select_related("home_village").order_by("id"))
    docs = _documents(people)
    rows = [keys.person_row(p, docs.get(p.pk, [])) for p in people]
    for p in people:
        person_keys_refresh(person=p, documents=docs.get(p.pk, []))
    if len(rows) < 2:
        return {"people": len(rows), "pairs": 0, "new": 0}
    table = engine.prepare_arrow(rows)
    if train and len(rows) >= 1000:
        model_save(engine.train(table))
    model = current_model()
    model_settings = dict(model.settings, retain_intermediate_calculation_columns=True)
    _linker, pairs = engine.predict(engine.PeopleModel(model_settings), table, threshold=threshold)
    by_id = {str(p.pk): p for p in people}
    new = total = 0
    for row in pairs.as_record_list():
        total += 1
        with transaction.atomic():
            _c, created = _record_candidate(
                by_id[str(row["unique_id_l"])],
                by_id[str(row["unique_id_r"])],
                float(row["match_probability"]),
                _evidence(model, row),
                actor,
            )
        new += created
    return {"people": len(rows), "pairs": total, "new": new}


# --- decisions -----------------------------------------------------------------------------


def _sees_both(actor, candidate: MatchCandidate) -> bool:
    ids = {candidate.person_a_id, candidate.person_b_id}
    return visible_to(actor, Person).filter(pk__in=ids).count() == 2


def _require_reviewer(actor, candidate: MatchCandidate) -> None:
    if not can(actor, Perm.MATCHING_REVIEW):
        raise PermissionDenied
    if not visible_to(actor, MatchCandidate).filter(pk=candidate.pk).exists():
        raise PermissionDenied


def _decide(candidate: MatchCandidate, actor, status: str, note: str) -> None:
    candidate.status = status
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.note = note.strip()
    candidate.version += 1
    candidate.save()


@transaction.atomic
def candidate_confirm(
    *, actor, candidate: MatchCandidate, expected_version: int | None, note: str = ""
) -> MatchCandidate:
    """Confirms that the two records are one person.

    A reviewer who may see both records confirms at once. Across organisations, a reviewer who
    sees only their own record asks the other organisation to link (status "requested"); when
    the other organisation confirms too, the link is made. Either way no record is changed:
    the two join one identity cluster.
    """
    _require_reviewer(actor, candidate)
    current = lock_and_check_version(candidate, expected_version)
    if current.status not in OPEN_STATUSES:
        raise ValidationError(_("This possible match has already been decided."))
    if not _sees_both(actor, current):
        own = actor.organisation_id
        if current.status == CandidateStatus.REQUESTED and current.requested_by_id not in (
            None,
            own,
        ):
            pass  # the other side asked; this side agrees: link below
        elif current.status == CandidateStatus.REQUESTED:
            raise ValidationError(
                _("Your organisation already asked for linking; the other one must answer.")
            )
        else:
            current.status = CandidateStatus.REQUESTED
            current.requested_by_id = own
            current.note = note.strip()
            current.version += 1
            current.save()
            audit_record(
                actor=actor,
                action=AuditAction.MATCH_LINK_REQUESTED,
                target=current,
                changes={
                    "status": [CandidateStatus.PENDING, CandidateStatus.REQUESTED],
                    "note": None,
                },
                sensitive_fields=sensitive_fields(MatchCandidate),
            )
            return current
    previous = current.status
    _decide(current, actor, CandidateStatus.CONFIRMED, note)
    clusters_rebuild(people=[current.person_a_id, current.person_b_id])
    audit_record(
        actor=actor,
        action=AuditAction.MATCH_CONFIRMED,
        target=current,
        changes={"status": [previous, CandidateStatus.CONFIRMED], "note": note.strip()},
        sensitive_fields=sensitive_fields(MatchCandidate),
    )
    _retrafficking(current, actor)
    return current


def _retrafficking(candidate: MatchCandidate, actor) -> None:
    """A confirmed match to someone reintegrated earlier raises the re-trafficking flag of the
    aftercare domain (it decides whether either record was reintegrated)."""
    from ctip.returns.services import retrafficking_flag

    a = Person.objects.get(pk=candidate.person_a_id)
    b = Person.objects.get(pk=candidate.person_b_id)
    retrafficking_flag(person=a, source=b, actor=actor)
    retrafficking_flag(person=b, source=a, actor=actor)


@transaction.atomic
def candidate_reject(
    *, actor, candidate: MatchCandidate, expected_version: int | None, note: str = ""
) -> MatchCandidate:
    """Records that the two records are different people; the pair is not proposed again."""
    _require_reviewer(actor, candidate)
    current = lock_and_check_version(candidate, expected_version)
    if current.status not in OPEN_STATUSES:
        raise ValidationError(_("This possible match has already been decided."))
    previous = current.status
    _decide(current, actor, CandidateStatus.REJECTED, note)
    audit_record(
        actor=actor,
        action=AuditAction.MATCH_REJECTED,
        target=current,
        changes={"status": [previous, CandidateStatus.REJECTED], "note": note.strip()},
        sensitive_fields=sensitive_fields(MatchCandidate),
    )
    return current


@transaction.atomic
def candidate_undo(
    *, actor, candidate: MatchCandidate, expected_version: int | None, reason: str
) -> MatchCandidate:
    """Undoes a confirmed link (with a reason); the identity cluster splits again."""
    _require_reviewer(actor, candidate)
    if not reason.strip():
        raise ValidationError({"note": _("Say why the link is undone.")})
    current = lock_and_check_version(candidate, expected_version)
    if current.status != CandidateStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed link can be undone."))
    if not _sees_both(actor, current) and actor.organisation_id not in (
        current.organisation_a_id,
        current.organisation_b_id,
    ):  # pragma: no cover (the rule already limits reviewers to the two organisations)
        raise PermissionDenied
    _decide(current, actor, CandidateStatus.UNDONE, reason)
    clusters_rebuild(people=[current.person_a_id, current.person_b_id])
    audit_record(
        actor=actor,
        action=AuditAction.MATCH_UNDONE,
        target=current,
        # The reason is kept on the record (a confidential note), not in the log.
        changes={"status": [CandidateStatus.CONFIRMED, CandidateStatus.UNDONE], "note": None},
        sensitive_fields=sensitive_fields(MatchCandidate),
    )
    return current


def _component(start: Iterable[int]) -> set[int]:
    """Every person reachable from `start` through confirmed links."""
    seen: set[int] = set()
    frontier = set(start)
    while frontier:
        seen |= frontier
        links = MatchCandidate.objects.filter(status=CandidateStatus.CONFIRMED).filter(
            Q(person_a__in=frontier) | Q(person_b__in=frontier)
        )
        nxt: set[int] = set()
        for a, b in links.values_list("person_a_id", "person_b_id"):
            nxt |= {a, b}
        frontier = nxt - seen
    return seen


@transaction.atomic
def clusters_rebuild(*, people: Iterable[int]) -> None:
    """Recomputes the identity clusters around `people` from the confirmed links. Derived
    from audited decisions (confirm, undo), so not audited itself."""
    pending = set(people)
    while pending:
        start = pending.pop()
        component = _component([start])
        pending -= component
        if len(component) < 2:
            IdentityMember.objects.filter(person_id__in=component).delete()
            continue
        # Keep the cluster id most of the component already has, so links stay stable.
        existing = list(
            IdentityMember.objects.filter(person_id__in=component).values_list("cluster", flat=True)
        )
        cluster = max(set(existing), key=existing.count) if existing else uuid.uuid4()
        # A cluster id also held by people now outside the component belongs to them.
        outside = IdentityMember.objects.filter(cluster=cluster).exclude(person_id__in=component)
        if outside.exists():
            cluster = uuid.uuid4()
        for person_id in component:
            IdentityMember.objects.update_or_create(
                person_id=person_id, defaults={"cluster": cluster}
            )
