"""Checkpoints: the audit chain's head, signed with the audit key and kept outside the database.

The keyed chain stops anyone without the key from rewriting events; it cannot show that the
newest events were deleted, since what is left still verifies. A checkpoint can: it records
(seq, head hash, count, time, key id) with an HMAC under the audit key, in a JSON-lines file
outside the database (settings.CTIP_AUDIT_CHECKPOINT_DIR), and in each backup. `audit_verify`
then requires every checkpoint to be signed by a configured key, the chain to still reach its
seq, and the event at its seq to still carry its hash.

`manage.py audit_checkpoint` appends one (docs/operations.md, "The audit key"). Events written
after the newest checkpoint are protected only by the chain: run it often.
"""

import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from .keys import AuditKeyError, current_key, key_for, mac

FILE_NAME = "checkpoints.jsonl"
KIND = "ctip.audit.checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    count: int
    created_at: str  # ISO 8601, UTC
    key_id: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but itself. Order and separators matter."""
        body = asdict(self) | {"kind": KIND}
        del body["signature"]
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_line(self) -> str:
        return json.dumps(asdict(self) | {"kind": KIND}, sort_keys=True) + "\n"

    def describe(self) -> str:
        head = self.head_hash[:16]
        return f"seq {self.seq} ({self.count} events, head {head}…) at {self.created_at}"


def checkpoint_sign(*, seq: int, head_hash: str, count: int) -> Checkpoint:
    """A checkpoint of the given head, signed with the current audit key."""
    key_id, secret = current_key()
    unsigned = Checkpoint(
        seq=seq,
        head_hash=head_hash,
        count=count,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        key_id=key_id,
    )
    return Checkpoint(**(asdict(unsigned) | {"signature": mac(secret, unsigned.signed_bytes())}))


def signature_problem(checkpoint: Checkpoint) -> str:
    """Why the checkpoint's signature cannot be trusted; empty when it is good."""
    try:
        secret = key_for(checkpoint.key_id)
    except AuditKeyError as exc:
        return f"its signature cannot be checked: {exc}"
    if not hmac.compare_digest(mac(secret, checkpoint.signed_bytes()), checkpoint.signature):
        return "its signature does not match: the checkpoint was forged or altered"
    return ""


def checkpoint_dir() -> Path:
    return Path(settings.CTIP_AUDIT_CHECKPOINT_DIR)


def checkpoint_file(place: Path) -> Path:
    """The checkpoint file of a directory, or the file itself."""
    place = Path(place)
    return place / FILE_NAME if place.is_dir() or not place.suffix else place


def checkpoint_append(checkpoint: Checkpoint, directory: Path) -> Path:
    """Appends the checkpoint to the directory's file, creating both; returns the file."""
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / FILE_NAME
    # One write of one short line with O_APPEND: two runs at once cannot interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, checkpoint.to_line().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


@dataclass(frozen=True)
class CheckpointEntry:
    source: str  # "file:line"
    checkpoint: Checkpoint | None
    problem: str = ""  # unreadable, or its signature fails


_FIELDS = {"seq": int, "head_hash": str, "count": int, "created_at": str, "key_id": str}


def _parse(line: str) -> Checkpoint:
    data = json.loads(line)
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ValueError
    values = {name: data[name] for name in (*_FIELDS, "signature")}
    if not all(type(values[name]) is kind for name, kind in _FIELDS.items()):
        raise ValueError
    if not isinstance(values["signature"], str):
        raise ValueError
    return Checkpoint(**values)


def checkpoints_read(places: Iterable[Path]) -> tuple[list[CheckpointEntry], list[Path]]:
    """Every checkpoint in the given directories or files, each with its problem if any.

    Returns the entries and the files read (a place without a checkpoint file is skipped).
    """
    entries: list[CheckpointEntry] = []
    read: list[Path] = []
    for place in places:
        path = checkpoint_file(place)
        if not path.is_file():
            continue
        read.append(path)
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                source = f"{path}:{number}"
                try:
                    checkpoint = _parse(line)
                except (ValueError, KeyError, TypeError):
                    entries.append(CheckpointEntry(source, None, "not a CTIP audit checkpoint"))
                    continue
                entries.append(CheckpointEntry(source, checkpoint, signature_problem(checkpoint)))
    return entries, read
