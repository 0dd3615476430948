"""Reading the audit log: the events a user may see, and verification of the chain."""

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ctip.access.policy import visible_to

from .checkpoints import Checkpoint, checkpoints_read
from .keys import AuditKeyError
from .models import GENESIS_HASH, AuditEvent
from .services import event_hash


def audit_events_visible_to(*, user) -> QuerySet[AuditEvent]:
    """Events of the user's organisation for org admins; all events for system admins."""
    return visible_to(user, AuditEvent).order_by("-seq")


def audit_event_list(
    *, user, action: str = "", actor: str = "", target_type: str = ""
) -> QuerySet[AuditEvent]:
    """The events the user may see, newest first, narrowed by the given filters.

    `actor` matches part of the actor's email as recorded; `action` and `target_type` match
    exactly.
    """
    events = audit_events_visible_to(user=user).select_related("organisation")
    if action:
        events = events.filter(action=action)
    if actor.strip():
        events = events.filter(actor_label__icontains=actor.strip())
    if target_type.strip():
        events = events.filter(target_type=target_type.strip())
    return events


def audit_event_get_for_user(*, user, seq: int) -> AuditEvent:
    """One event the user may see, by sequence number; 404 for missing and not yours alike."""
    return get_object_or_404(
        audit_events_visible_to(user=user).select_related("organisation"), seq=seq
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""
    # The hash of each event asked for in `audit_chain_verify(anchors=...)`, among those walked.
    hashes_at: dict[int, str] = field(default_factory=dict)


# Errors that a tampered stored value can raise while it is decoded (e.g. a SQLite text column
# that no longer holds a date). Database errors are not among them: those propagate.
_DECODE_ERRORS = (ValueError, TypeError, AttributeError, OverflowError)
_UNREADABLE = "stored values cannot be read (not what audit_record wrote)"


def _event_problem(event: AuditEvent, expected_seq: int, prev_hash: str) -> str:
    if event.seq != expected_seq:
        return (
            f"sequence is {event.seq}, expected {expected_seq} "
            "(an event is missing, or rows were inserted or reordered)"
        )
    if event.prev_hash != prev_hash:
        return (
            "previous-hash link does not match the event before it "
            "(that event was rewritten, or this one was inserted or moved)"
        )
    try:
        if event_hash(event) != event.hash:
            return (
                "content does not match its hash (the event was edited, or its hash recomputed "
                "without the audit key)"
            )
    except AuditKeyError as exc:
        return str(exc)
    except _DECODE_ERRORS:
        return _UNREADABLE
    return ""


def _rows_after(last_id: int, chunk_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.filter(id__gt=last_id).order_by("id").iterator(chunk_size=chunk_size)


def audit_chain_verify(
    *,
    chunk_size: int = 5000,
    expect_head: str = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 100_000,
    anchors: Collection[int] = (),
) -> ChainReport:
    """Walks the whole chain in order and reports the first event that does not fit.

    Catches an edited row (its hash no longer matches its content), a deleted row (a gap in
    the sequence and a broken link), an inserted row and reordered rows (a broken link).

    Rows are read in insertion (primary key) order, which must agree with `seq`: that makes a
    row moved to another position show even when the sequence read by `seq` alone looks whole.
    Memory stays flat: rows stream through an iterator, `chunk_size` at a time.

    Each hash is an HMAC under the audit key the event names, so rewriting events and
    recomputing the hashes needs that key, which is not in the database. A chain cut short at
    its end still looks whole: `audit_verify` catches that with checkpoints (the hash of each
    event whose seq is in `anchors` comes back in `hashes_at`), or with `expect_head`, a head
    hash noted earlier outside this database that the chain must still contain. `progress` is
    called with the count every `progress_every` events.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    last_id = 0
    anchor_found = not expect_head
    anchors = set(anchors)
    hashes_at: dict[int, str] = {}
    rows = _rows_after(last_id, chunk_size)
    while True:
        try:
            event = next(rows, None)
        except _DECODE_ERRORS:
            if chunk_size > 1:
                # A chunk failed to decode somewhere: read on one row at a time from the last
                # good event, to name the row that fails.
                chunk_size = 1
                rows = _rows_after(last_id, chunk_size)
                continue
            bad_id, bad_seq = (
                AuditEvent.objects.filter(id__gt=last_id)
                .order_by("id")
                .values_list("id", "seq")
                .first()
            )
            return ChainReport(
                ok=False,
                count=count,
                head_hash=prev_hash,
                first_bad_seq=bad_seq,
                first_bad_id=bad_id,
                problem=_UNREADABLE,
                hashes_at=hashes_at,
            )
        if event is None:
            break
        problem = _event_problem(event, expected_seq, prev_hash)
        if problem:
            return ChainReport(
                ok=False,
                count=count,
                head_hash=prev_hash,
                first_bad_seq=event.seq,
                first_bad_id=event.id,
                problem=problem,
                hashes_at=hashes_at,
            )
        count += 1
        expected_seq += 1
        prev_hash = event.hash
        last_id = event.id
        anchor_found = anchor_found or event.hash == expect_head
        if event.seq in anchors:
            hashes_at[event.seq] = event.hash
        if progress is not None and count % progress_every == 0:
            progress(count)
    if not anchor_found:
        return ChainReport(
            ok=False,
            count=count,
            head_hash=prev_hash,
            problem=(
                "the expected head hash is not in the chain: events were removed from its "
                "end, or the chain was rewritten"
            ),
            hashes_at=hashes_at,
        )
    return ChainReport(ok=True, count=count, head_hash=prev_hash, hashes_at=hashes_at)


@dataclass(frozen=True)
class AuditReport:
    """The chain's report, and what every checkpoint found, each checkpoint on its own."""

    chain: ChainReport
    checkpoint_problems: list[str]
    checkpoints: list[Checkpoint]  # the good ones, oldest seq first
    files: list[Path]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.checkpoint_problems


def audit_verify(*, checkpoint_places: Iterable[Path], **chain_options) -> AuditReport:
    """Verifies the chain with the audit key, and the chain against every checkpoint found in
    `checkpoint_places` (directories or files).

    Each checkpoint must carry a good signature under a configured audit key (else it was
    forged or altered); the chain must still reach its seq (else events were cut from the end,
    or the head is older than the checkpoint); and the event at its seq must still carry its
    head hash (else the chain was rewritten). No head hash kept by hand is needed.
    """
    entries, files = checkpoints_read(checkpoint_places)
    problems = [f"checkpoint {e.source}: {e.problem}" for e in entries if e.problem]
    good = sorted((e for e in entries if not e.problem), key=lambda e: (e.checkpoint.seq, e.source))
    chain = audit_chain_verify(anchors={e.checkpoint.seq for e in good}, **chain_options)
    for entry in good:
        checkpoint = entry.checkpoint
        if checkpoint.seq == 0:
            found = GENESIS_HASH
        elif checkpoint.seq in chain.hashes_at:
            found = chain.hashes_at[checkpoint.seq]
        elif chain.ok:
            problems.append(
                f"checkpoint {entry.source} saw the chain reach {checkpoint.describe()}, but "
                f"it now ends at seq {chain.count}: events were removed from its end"
            )
            continue
        else:
            continue  # the chain breaks before this seq; the chain's problem says where
        if found != checkpoint.head_hash or checkpoint.count != checkpoint.seq:
            problems.append(
                f"checkpoint {entry.source} recorded {checkpoint.describe()}, but event "
                f"seq={checkpoint.seq} now has hash {found}: the chain was rewritten"
            )
    return AuditReport(
        chain=chain,
        checkpoint_problems=problems,
        checkpoints=[e.checkpoint for e in good],
        files=files,
    )
