"""Every write to evidence: storing originals, corrections, custody events, medical
certificates, court bundles.

Items are never changed or deleted, here or in the database (see triggers.py). Each custody
event is chained to the previous event of the same item and sealed with the audit key
(HMAC-SHA256, ctip/audit/keys.py), as audit events are: without the key, whoever owns the
database can edit rows but cannot recompute seals that verify. A court bundle, checked offline
by someone without the key, carries the unkeyed SHA-256 chain of the same content instead.
"""

import hashlib
import hmac
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.audit.keys import AuditKeyError, current_key, key_for, mac
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.files import SIGNATURES, sniff_binary_type
from ctip.core.pdf import render_pdf
from ctip.justice.models import Investigation
from ctip.people.models import Person

from .models import (
    GENESIS_HASH,
    CustodyAction,
    CustodyEvent,
    EvidenceItem,
    EvidenceKind,
    MedicalCertificate,
)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "CTIP_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- file type, by content ------------------------------------------------------------------

# Anything without a known signature is refused unless it is harmless UTF-8 text.
# Control characters other than tab, newlines and form feed: binary, not text.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ACTIVE_TEXT = re.compile(rb"<\s*(html|script|svg|iframe|body|head|meta|!doctype)", re.IGNORECASE)


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a file judged from its first bytes; None when not accepted.

    Plain text is accepted only when it is valid UTF-8 without NUL bytes or markup that a
    browser would run.
    """
    content_type = sniff_binary_type(head, (t for t, _ in SIGNATURES))
    if content_type:
        return content_type
    if not head or _CONTROL.search(head) or _ACTIVE_TEXT.search(head):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The first bytes may end inside a multi-byte character.
        if exc.start < len(head) - 3:
            return None
    return "text/plain"


def safe_display_name(name: str) -> str:
    """The uploaded file's name, for display only: no directories, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".")
    return name[:200] or "file"


def media_path(relative: str) -> Path:
    """The absolute path of a stored file, refusing anything outside MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise PermissionDenied
    return path


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    sha256: str
    content_type: str


def _store(chunks, *, name_hint: str) -> StoredFile:
    """Writes the bytes to a new file under MEDIA_ROOT, hashing as it goes.

    The name is chosen here (a uuid), never from the upload, so no path traversal; the file is
    opened with exclusive creation, so nothing is overwritten, and made read-only.
    """
    now = timezone.now()
    relative = f"evidence/{now:%Y/%m}/{name_hint}.bin"
    path = media_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    limit = max_upload_bytes()
    try:
        with path.open("xb") as fh:
            for chunk in chunks:
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                size += len(chunk)
                if size > limit:
                    raise ValidationError(
                        {
                            "file": _("The file is larger than %(mb)s MB.")
                            % {"mb": limit // (1024 * 1024) or 1}
                        },
                        code="too_large",
                    )
                digest.update(chunk)
                fh.write(chunk)
        content_type = sniff_content_type(head)
        if size == 0:
            raise ValidationError({"file": _("The file is empty.")}, code="empty")
        if content_type is None:
            raise ValidationError(
                {
                    "file": _(
                        "This kind of file is not accepted. Upload a PDF, a photo (JPEG, PNG, "
                        "GIF, WebP), a recording (MP3, WAV, Ogg, MP4) or plain text."
                    )
                },
                code="bad_type",
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.chmod(0o440)
    return StoredFile(relative, size, digest.hexdigest(), content_type)


def _file_chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks(CHUNK)
    else:
        data = upload.read() if hasattr(upload, "read") else upload
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]


# --- custody --------------------------------------------------------------------------------


def custody_payload(
    *,
    item_uuid: str,
    seq: int,
    created_at,
    action: str,
    actor_id: int | None,
    actor_label: str,
    location: str,
    reason: str,
    handed_to: str,
    prev_hash: str,
    key_id: str | None = None,
) -> bytes:
    """The bytes that a custody event's hash covers. Field order and separators are
    load-bearing: verify_bundle recomputes them offline.

    With `key_id` (the sealed form, in the database) the key id is covered too, as in the audit
    log; without it (the content form, in court bundles) the bytes are those the previous
    release hashed, so content hashes in bundles exported before and after the keying agree.
    """
    body = {
        "item": str(item_uuid),
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": action,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "location": location,
        "reason": reason,
        "handed_to": handed_to,
        "prev_hash": prev_hash,
    }
    if key_id is not None:
        body["key_id"] = key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _payload_of(event: CustodyEvent, item_uuid, *, prev_hash: str, key_id: str | None) -> bytes:
    return custody_payload(
        item_uuid=item_uuid,
        seq=event.seq,
        created_at=event.created_at,
        action=event.action,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        location=event.location,
        reason=event.reason,
        handed_to=event.handed_to,
        prev_hash=prev_hash,
        key_id=key_id,
    )


def custody_hash(event: CustodyEvent, item_uuid) -> str:
    """The seal a custody event must carry, from its stored content: HMAC-SHA256 under the
    audit key the event names (AuditKeyError if it names none, or one not configured)."""
    if not event.key_id:
        raise AuditKeyError("not sealed with an audit key")
    secret = key_for(event.key_id)
    return mac(
        secret, _payload_of(event, item_uuid, prev_hash=event.prev_hash, key_id=event.key_id)
    )


def custody_content_hashes(events: list[CustodyEvent], item_uuid) -> list[tuple[str, str]]:
    """(previous, own) unkeyed SHA-256 content hashes of an item's events, chained from the
    genesis hash, in order: what a court bundle carries and verify_bundle recomputes offline."""
    hashes = []
    prev = GENESIS_HASH
    for event in events:
        digest = hashlib.sha256(
            _payload_of(event, item_uuid, prev_hash=prev, key_id=None)
        ).hexdigest()
        hashes.append((prev, digest))
        prev = digest
    return hashes


def _append_custody(
    *, item: EvidenceItem, action: str, actor, location="", reason="", handed_to=""
) -> CustodyEvent:
    # Serialise appends to one item's chain: the lock is on the item row, which is never
    # updated, so the append-only trigger is not involved.
    EvidenceItem.objects.select_for_update().filter(pk=item.pk).exists()
    head = CustodyEvent.objects.filter(item=item).order_by("-seq").only("seq", "hash").first()
    event = CustodyEvent(
        item=item,
        seq=(head.seq + 1) if head else 1,
        created_at=timezone.now(),
        action=action,
        actor=actor,
        actor_label=getattr(actor, "email", "") or "",
        location=location[:200],
        reason=reason[:300],
        handed_to=handed_to[:200],
        prev_hash=head.hash if head else GENESIS_HASH,
        key_id=current_key()[0],
    )
    event.hash = custody_hash(event, item.uuid)
    event.save(force_insert=True)
    return event


@transaction.atomic
def custody_record(
    *,
    actor,
    item: EvidenceItem,
    action: str,
    location: str = "",
    reason: str = "",
    handed_to: str = "",
) -> CustodyEvent:
    """Appends a custody event (received, transferred, copied, returned...) to an item."""
    if not can(actor, Perm.EVIDENCE_ADD) or not _sees(actor, item):
        raise PermissionDenied
    if action not in CustodyAction.values:
        raise ValidationError({"action": _("Choose a custody action.")})
    if action in (CustodyAction.TRANSFERRED, CustodyAction.RETURNED) and not handed_to.strip():
        raise ValidationError({"handed_to": _("Say to whom the item was handed.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    event = _append_custody(
        item=item, action=action, actor=actor, location=location, reason=reason, handed_to=handed_to
    )
    audit_record(
        actor=actor,
        action=AuditAction.CUSTODY_RECORDED,
        target=item,
        changes={"custody": [None, action], "seq": [None, event.seq]},
    )
    return event


@transaction.atomic
def custody_viewed(
    *, actor, item: EvidenceItem, action: str = CustodyAction.VIEWED, reason: str = ""
) -> CustodyEvent:
    """Records that the actor viewed (or downloaded) an item: every view is a custody event."""
    if not _sees(actor, item):
        raise PermissionDenied
    event = _append_custody(item=item, action=action, actor=actor, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.EVIDENCE_VIEWED,
        target=item,
        changes={"custody": [None, action], "seq": [None, event.seq]},
    )
    return event


def _sees(actor, item: EvidenceItem) -> bool:
    return visible_to(actor, EvidenceItem).filter(pk=item.pk).exists()


def verify_custody(events: list[CustodyEvent], item_uuid) -> list[str]:
    """Problems in an item's custody chain (empty when intact): each event's seal is recomputed
    under the audit key it names, so a chain rewritten without the key does not verify."""
    problems = []
    prev = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(_("Event %(n)s is missing or out of order.") % {"n": expected_seq})
        if event.prev_hash != prev:
            problems.append(_("Event %(n)s does not follow the one before.") % {"n": event.seq})
        try:
            sealed = hmac.compare_digest(custody_hash(event, item_uuid), event.hash)
        except AuditKeyError as exc:
            problems.append(
                _("Event %(n)s cannot be checked: %(problem)s.") % {"n": event.seq, "problem": exc}
            )
        else:
            if not sealed:
                problems.append(_("Event %(n)s was altered.") % {"n": event.seq})
        prev = event.hash
    return problems


# --- items ----------------------------------------------------------------------------------


def _check_investigation(actor, investigation: Investigation) -> None:
    # Evidence is added by the organisation handling the proceeding or representing victims.
    represents = (
        investigation.legal_organisation_id == actor.organisation_id
        and investigation.legal_organisation.provides_legal_aid
    )
    if not can(actor, Perm.EVIDENCE_ADD) or not (
        investigation.organisation_id == actor.organisation_id or represents
    ):
        raise PermissionDenied


@transaction.atomic
def item_create(
    *,
    actor,
    investigation: Investigation,
    kind: str,
    title: str,
    collected_on,
    description: str = "",
    collected_at: str = "",
    upload=None,
    original_name: str = "",
    corrects: EvidenceItem | None = None,
    correction_reason: str = "",
    custody_reason: str = "",
) -> EvidenceItem:
    """Stores an evidence item: the original file unchanged, its SHA-256 computed here.

    A physical item may have no file (it is described). `corrects` makes this a new version of
    an earlier item, which stays as it was. The first custody event says it was collected.
    """
    _check_investigation(actor, investigation)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the item a title.")
    if kind not in EvidenceKind.values:
        errors["kind"] = _("Choose the kind of item.")
    if collected_on and collected_on > timezone.localdate():
        errors["collected_on"] = _("This date cannot be in the future.")
    if upload is None and kind != EvidenceKind.PHYSICAL:
        errors["file"] = _("Attach the file, or describe a physical item.")
    if kind == EvidenceKind.PHYSICAL and upload is None and not description.strip():
        errors["description"] = _("Describe the physical item.")
    if corrects is not None:
        if corrects.investigation_id != investigation.pk:
            errors["corrects"] = _("The corrected item belongs to another investigation.")
        if not correction_reason.strip():
            errors["correction_reason"] = _("Say what the correction changes and why.")
    if errors:
        raise ValidationError(errors)
    item = EvidenceItem(
        investigation=investigation,
        organisation=actor.organisation,
        kind=kind,
        title=title.strip(),
        description=description,
        collected_on=collected_on,
        collected_at=collected_at,
        corrects=corrects,
        correction_reason=correction_reason,
        created_by=actor,
    )
    stored = None
    if upload is not None:
        stored = _store(_file_chunks(upload), name_hint=str(item.uuid))
        item.file_path = stored.path
        item.size = stored.size
        item.sha256 = stored.sha256
        item.content_type = stored.content_type
        item.original_name = safe_display_name(original_name or getattr(upload, "name", ""))
    try:
        item.save(force_insert=True)
        _append_custody(
            item=item,
            action=CustodyAction.COLLECTED,
            actor=actor,
            location=collected_at,
            reason=custody_reason or (_("Correction") if corrects else _("Recorded in CTIP")),
        )
        audit_record(
            actor=actor,
            action=AuditAction.EVIDENCE_UPLOADED,
            target=item,
            changes={
                "title": [None, item.title],
                "kind": [None, kind],
                "sha256": [None, item.sha256],
                "size": [None, item.size],
                "corrects": [None, str(corrects.uuid) if corrects else None],
                "description": [None, description],
            },
            sensitive_fields=sensitive_fields(EvidenceItem),
        )
    except BaseException:
        if stored is not None:
            media_path(stored.path).unlink(missing_ok=True)
        raise
    return item


def item_update(**kwargs) -> None:
    """Refused: an original is never edited. Record a correction (a new version) instead."""
    raise PermissionDenied(_("Evidence is never edited; record a correction instead."))


def item_delete(**kwargs) -> None:
    """Refused: evidence is never deleted."""
    raise PermissionDenied(_("Evidence is never deleted."))


def item_read_bytes(item: EvidenceItem) -> bytes:
    with media_path(item.file_path).open("rb") as fh:
        return fh.read()


# --- medical examination certificate --------------------------------------------------------

CERTIFICATE_FIELDS = (
    "doctor_name",
    "facility",
    "examined_at",
    "requested_by",
    "consent_given",
    "consent_by",
    "estimated_age_min",
    "estimated_age_max",
    "age_method",
    "physical_findings",
    "genital_findings",
    "injuries",
    "samples_taken",
    "conclusion",
)


def certificate_content(values: dict, *, person: Person, investigation: Investigation) -> dict:
    """The canonical content of a certificate, whose SHA-256 the PDF carries."""
    content = {"investigation": investigation.reference, "examined_person": str(person.uuid)}
    for name in CERTIFICATE_FIELDS:
        value = values.get(name)
        if hasattr(value, "isoformat"):
            value = value.astimezone(UTC).isoformat(timespec="seconds")
        content[name] = value
    return content


def content_sha256(content: dict) -> str:
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def medical_certificate_create(
    *, actor, investigation: Investigation, examined_person: Person, **values
) -> MedicalCertificate:
    """Records the standard medical examination certificate and stores its PDF (Khmer and
    English, carrying the SHA-256 of the content) as an evidence item."""
    _check_investigation(actor, investigation)
    if set(values) - set(CERTIFICATE_FIELDS):
        raise PermissionDenied
    errors = {}
    if not investigation.victims.filter(person=examined_person).exists():
        errors["examined_person"] = _("The examined person must be a victim in the investigation.")
    if not values.get("consent_given"):
        errors["consent_given"] = _(
            "An examination is recorded only with consent; record the consent first."
        )
    lo, hi = values.get("estimated_age_min"), values.get("estimated_age_max")
    if lo is not None and hi is not None and lo > hi:
        errors["estimated_age_max"] = _("The upper age cannot be below the lower age.")
    examined_at = values.get("examined_at")
    if examined_at and examined_at > timezone.now():
        errors["examined_at"] = _("This date cannot be in the future.")
    for required in ("doctor_name", "facility", "physical_findings", "conclusion", "examined_at"):
        if not values.get(required):
            errors[required] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    content = certificate_content(values, person=examined_person, investigation=investigation)
    digest = content_sha256(content)
    certificate = MedicalCertificate(
        examined_person=examined_person, content_sha256=digest, created_by=actor, **values
    )
    with translation.override("en"):
        pdf = render_pdf(
            "evidence/medical_certificate_pdf.html",
            {
                "certificate": certificate,
                "person": examined_person,
                "investigation": investigation,
                "labels": certificate_labels(),
            },
        )
    item = item_create(
        actor=actor,
        investigation=investigation,
        kind=EvidenceKind.MEDICAL,
        title=_("Medical examination certificate, %(facility)s, %(day)s")
        % {"facility": values["facility"], "day": f"{examined_at:%Y-%m-%d}"},
        collected_on=timezone.localtime(examined_at).date(),
        collected_at=values["facility"],
        upload=pdf,
        original_name=f"medical-certificate-{examined_at:%Y%m%d}.pdf",
        custody_reason=_("Medical examination certificate completed"),
    )
    certificate.item = item
    certificate.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=certificate,
        changes={name: [None, None] for name in values} | {"content_sha256": [None, digest]},
        sensitive_fields=sensitive_fields(MedicalCertificate),
    )
    return certificate


# The certificate is a bilingual form: its labels are fixed text in both languages, whatever
# language the user works in.
_KM_LABELS = {
    "title": "លិខិតបញ្ជាក់ការពិនិត្យសុខភាព",
    "investigation": "ការស៊ើបអង្កេត",
    "examined_person": "អ្នកត្រូវបានពិនិត្យ",
    "doctor_name": "វេជ្ជបណ្ឌិតអ្នកពិនិត្យ",
    "facility": "មូលដ្ឋានសុខាភិបាល",
    "examined_at": "កាលបរិច្ឆេទ និងម៉ោងពិនិត្យ",
    "requested_by": "ស្នើសុំដោយ",
    "consent_given": "ការយល់ព្រមលើការពិនិត្យ",
    "consent_by": "ការយល់ព្រមផ្តល់ដោយ",
    "estimated_age": "អាយុប៉ាន់ស្មាន",
    "age_method": "វិធីសាស្ត្រប៉ាន់ស្មានអាយុ",
    "physical_findings": "លទ្ធផលពិនិត្យរាងកាយ",
    "genital_findings": "លទ្ធផលពិនិត្យប្រដាប់ភេទ និងរន្ធគូថ",
    "injuries": "របួស",
    "samples_taken": "សំណាកដែលបានយក",
    "conclusion": "សេចក្តីសន្និដ្ឋាន",
    "sha256": "SHA-256 នៃខ្លឹមសារ",
    "signature": "ហត្ថលេខា និងត្រា",
    "yes": "បាទ/ចាស",
    "no": "ទេ",
}
_EN_LABELS = {
    "title": "Medical examination certificate",
    "investigation": "Investigation",
    "examined_person": "Person examined",
    "doctor_name": "Examining doctor",
    "facility": "Health facility",
    "examined_at": "Date and time of examination",
    "requested_by": "Requested by",
    "consent_given": "Consent to the examination",
    "consent_by": "Consent given by",
    "estimated_age": "Estimated age",
    "age_method": "Age estimation method",
    "physical_findings": "Physical findings",
    "genital_findings": "Genital and anal findings",
    "injuries": "Injuries",
    "samples_taken": "Samples taken",
    "conclusion": "Conclusion",
    "sha256": "SHA-256 of the content",
    "signature": "Signature and stamp",
    "yes": "Yes",
    "no": "No",
}


def certificate_labels() -> dict[str, dict[str, str]]:
    return {key: {"en": _EN_LABELS[key], "km": _KM_LABELS[key]} for key in _EN_LABELS}


# --- court bundle ---------------------------------------------------------------------------

BUNDLE_FORMAT = "ctip-court-bundle/1"


def _event_dict(event: CustodyEvent, item_uuid, prev_sha256: str, sha256: str) -> dict:
    """One custody event as the bundle carries it. `prev_hash` and `hash` are the unkeyed
    SHA-256 content chain, which anyone can recompute offline; `key_id` and `seal` are CTIP's
    keyed seal (the event's hash in the database), which only a holder of the key can check."""
    return {
        "item": str(item_uuid),
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "location": event.location,
        "reason": event.reason,
        "handed_to": event.handed_to,
        "prev_hash": prev_sha256,
        "hash": sha256,
        "key_id": event.key_id,
        "seal": event.hash,
    }


@transaction.atomic
def bundle_export(
    *, actor, investigation: Investigation, items: list[EvidenceItem], reason: str
) -> bytes:
    """Builds the court bundle ZIP: originals, a manifest (item, SHA-256, size, custody
    events) and the custody log. Each item gets an "exported" custody event first, so the
    log in the bundle shows the export itself.

    Every item's sealed custody chain is verified under the audit key first: a bundle is never
    made from a chain that does not verify, since the court could not tell (its offline check
    covers the unkeyed content chain that is written here from the verified events)."""
    if not can(actor, Perm.EVIDENCE_EXPORT):
        raise PermissionDenied
    if not items:
        raise ValidationError({"items": _("Choose at least one item.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say for which court or purpose the bundle is made.")})
    visible = set(
        visible_to(actor, EvidenceItem)
        .filter(pk__in=[i.pk for i in items])
        .values_list("pk", flat=True)
    )
    if any(i.pk not in visible or i.investigation_id != investigation.pk for i in items):
        raise PermissionDenied
    items = sorted(items, key=lambda i: (i.created_at, i.pk))
    for item in items:
        _append_custody(item=item, action=CustodyAction.EXPORTED, actor=actor, reason=reason[:300])
    events = CustodyEvent.objects.filter(item__in=items).order_by("item_id", "seq")
    by_item: dict[int, list[CustodyEvent]] = {i.pk: [] for i in items}
    for event in events:
        by_item[event.item_id].append(event)
    log: dict[str, list] = {}
    for item in items:
        chain = by_item[item.pk]
        problems = verify_custody(chain, item.uuid)
        if problems:
            raise ValidationError(
                {
                    "items": _(
                        "The chain of custody of %(title)s does not verify (%(problems)s). "
                        "No bundle was made: report it to your system administrator."
                    )
                    % {"title": item.title, "problems": " ".join(problems)}
                }
            )
        log[str(item.uuid)] = [
            _event_dict(event, item.uuid, prev, digest)
            for event, (prev, digest) in zip(
                chain, custody_content_hashes(chain, item.uuid), strict=True
            )
        ]
    log_bytes = json.dumps(log, indent=2, ensure_ascii=False, sort_keys=True).encode()

    manifest_items = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, item in enumerate(items, start=1):
            entry = {
                "item": str(item.uuid),
                "title": item.title,
                "kind": item.kind,
                "collected_on": item.collected_on.isoformat(),
                "corrects": str(item.corrects.uuid) if item.corrects_id else None,
                "file": None,
                "sha256": item.sha256 or None,
                "size": item.size,
                "custody_events": len(log[str(item.uuid)]),
                "custody_head": log[str(item.uuid)][-1]["hash"],
            }
            if item.has_file:
                name = f"items/{n:03d}-{item.uuid}/{safe_display_name(item.original_name)}"
                zf.writestr(name, item_read_bytes(item))
                entry["file"] = name
            manifest_items.append(entry)
        zf.writestr("custody_log.json", log_bytes)
        manifest = {
            "format": BUNDLE_FORMAT,
            "created_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
            "created_by": actor.email,
            "organisation": actor.organisation.name,
            "investigation": investigation.reference,
            "reason": reason,
            "custody_log": "custody_log.json",
            "custody_log_sha256": hashlib.sha256(log_bytes).hexdigest(),
            "items": manifest_items,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        zf.writestr("README.txt", BUNDLE_README)
    data = buffer.getvalue()
    audit_record(
        actor=actor,
        action=AuditAction.EVIDENCE_EXPORTED,
        target=investigation,
        # The bundle's SHA-256, sealed in the audit log: CTIP can later confirm that a bundle
        # produced in court is the one it exported.
        changes={
            "items": [None, [str(i.uuid) for i in items]],
            "bundle_sha256": [None, hashlib.sha256(data).hexdigest()],
        },
        reason=reason,
    )
    return data


BUNDLE_README = """CTIP court bundle

manifest.json lists every item: its file in this archive, its SHA-256 and size as computed
when CTIP received it, and its custody events. custody_log.json holds each item's chain of
custody; every event carries the SHA-256 of its content and of the event before it ("hash"
and "prev_hash"). "seal" and "key_id" are CTIP's own seal of each event, made with a key that
only CTIP holds: they are not needed to check this bundle and cannot be checked offline.

To check this bundle offline:  python manage.py verify_bundle THIS_FILE.zip
Any altered, missing or added file, or any altered custody event, is reported.
"""
