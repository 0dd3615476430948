"""Reading the audit log: the events a user may see, and verification of the chain."""

from dataclasses import dataclass

from django.db.models import QuerySet

from ctip.access.policy import visible_to

from .models import GENESIS_HASH, AuditEvent
from .services import event_hash


def audit_events_visible_to(*, user) -> QuerySet[AuditEvent]:
    """Events of the user's organisation for org admins; all events for system admins."""
    return visible_to(user, AuditEvent).order_by("-seq")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str = ""


def audit_chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walks the whole chain in order and reports the first event that does not fit.

    Catches an edited row (its hash no longer matches its content), a deleted row (a gap in
    the sequence and a broken link), an inserted row and reordered rows (a broken link).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    events = AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size)
    for event in events:
        problem = ""
        if event.seq != expected_seq:
            problem = f"sequence is {event.seq}, expected {expected_seq}"
        elif event.prev_hash != prev_hash:
            problem = "previous-hash link does not match the event before it"
        elif event_hash(event) != event.hash:
            problem = "content does not match its hash"
        if problem:
            return ChainReport(
                ok=False,
                count=count,
                head_hash=prev_hash,
                first_bad_seq=event.seq,
                first_bad_id=event.id,
                problem=problem,
            )
        count += 1
        expected_seq += 1
        prev_hash = event.hash
    return ChainReport(ok=True, count=count, head_hash=prev_hash)
