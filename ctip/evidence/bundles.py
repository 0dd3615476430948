"""Checking a court bundle offline: files against the manifest, custody chains recomputed.

Needs nothing but the ZIP: no database, no network, and not CTIP's audit key. In the database
each custody event is sealed with the audit key (HMAC-SHA256), which a court does not hold; the
bundle carries instead the unkeyed SHA-256 chain of the same content (`prev_hash`, `hash`),
written at export from events whose seals verified, in the canonical form of
`services.custody_payload` without a key id. That chain is what is recomputed here. The
events' keyed `seal` and `key_id` travel in the bundle too but are not checked: only CTIP can.
"""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .models import GENESIS_HASH
from .services import BUNDLE_FORMAT, custody_payload

_OWN_FILES = {"manifest.json", "custody_log.json", "README.txt"}


@dataclass
class BundleReport:
    items: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_chain(item: str, events: list[dict], report: BundleReport) -> None:
    prev = GENESIS_HASH
    for n, event in enumerate(events, start=1):
        report.events += 1
        try:
            payload = custody_payload(
                item_uuid=event["item"],
                seq=event["seq"],
                created_at=datetime.fromisoformat(event["created_at"]),
                action=event["action"],
                actor_id=event["actor_id"],
                actor_label=event["actor_label"],
                location=event["location"],
                reason=event["reason"],
                handed_to=event["handed_to"],
                prev_hash=event["prev_hash"],
            )
        except (KeyError, TypeError, ValueError):
            report.problems.append(f"item {item}: custody event {n} is malformed")
            prev = event.get("hash", "") if isinstance(event, dict) else ""
            continue
        if event["item"] != item:
            report.problems.append(f"item {item}: custody event {n} belongs to another item")
        if event["seq"] != n:
            report.problems.append(f"item {item}: custody event {n} is missing or out of order")
        if event["prev_hash"] != prev:
            report.problems.append(f"item {item}: custody event {n} does not follow the one before")
        if hashlib.sha256(payload).hexdigest() != event["hash"]:
            report.problems.append(f"item {item}: custody event {n} was altered")
        prev = event["hash"]


def verify_bundle(path: Path) -> BundleReport:
    """Checks a court bundle; the report lists every altered, missing or added file or event."""
    report = BundleReport()
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"not a readable ZIP file: {exc}")
        return report
    with zf:
        names = set(zf.namelist())
        if any(n.startswith("/") or ".." in Path(n).parts for n in names):
            report.problems.append("the archive contains unsafe paths")
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            report.problems.append(f"manifest.json is missing or unreadable: {exc}")
            return report
        if manifest.get("format") != BUNDLE_FORMAT:
            report.problems.append(f"unknown bundle format {manifest.get('format')!r}")
        log_name = manifest.get("custody_log", "custody_log.json")
        try:
            log_bytes = zf.read(log_name)
            log = json.loads(log_bytes)
        except (KeyError, ValueError):
            report.problems.append("the custody log is missing or unreadable")
            log_bytes, log = b"", {}
        if log_bytes and hashlib.sha256(log_bytes).hexdigest() != manifest.get(
            "custody_log_sha256"
        ):
            report.problems.append("the custody log differs from the one the manifest names")
        listed = set()
        for entry in manifest.get("items", []):
            report.items += 1
            item = entry.get("item", "?")
            name = entry.get("file")
            if name:
                listed.add(name)
                if name not in names:
                    report.problems.append(f"item {item}: file {name} is missing")
                else:
                    digest, size = _sha256(zf, name)
                    if digest != entry.get("sha256") or size != entry.get("size"):
                        report.problems.append(f"item {item}: file {name} was altered")
            events = log.get(item)
            if events is None:
                report.problems.append(f"item {item}: no custody log")
                continue
            if len(events) != entry.get("custody_events"):
                report.problems.append(f"item {item}: custody events missing or added")
            if events and events[-1].get("hash") != entry.get("custody_head"):
                report.problems.append(f"item {item}: custody log does not end where it should")
            _check_chain(item, events, report)
        for extra in sorted(names - listed - _OWN_FILES - {log_name}):
            if not extra.endswith("/"):
                report.problems.append(f"unexpected file {extra}")
    return report
