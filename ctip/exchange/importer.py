"""Import of HTCDS 2.0 files (CSV or XLSX) into the importing user's people and cases.

`batch_create` judges an upload (type by content, size, columns) and records one ImportBatch per
(organisation, file content): the same file uploaded again finds its batch. `batch_run` reads
the rows and hands them to `import_rows`, which validates each row and, when it has no error,
creates the person and the case through the people and cases services in one transaction per
row — both or neither. The row's outcome (an ImportedRow keyed by batch and row number) is
written in that same transaction, so a run stopped anywhere continues where it stopped and
never imports a row twice. Row numbers are the spreadsheet's: the header is row 1.

Reading and validating the rows is ctip/exchange/htcds_rows.py; a batch's issues,
ctip/exchange/issues.py.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, sensitive_fields
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .htcds_rows import (
    CLOSED_STATUSES,
    STATUS_STEPS,
    FileError,
    ParsedRow,
    data_rows,
    parse_row,
    read_table,
    resolve_columns,
    service_errors,
    sniff_format,
)
from .models import ImportBatch, ImportedRow, ImportStatus, RowOutcome

MAX_BYTES = 10 * 1024 * 1024
LEASE = timedelta(seconds=60)
FLUSH_EVERY = 25  # rows between progress writes (each row's outcome is written at once)


# --- importing rows -----------------------------------------------------------------------------


@dataclass
class RunResult:
    finished: bool = False
    processed: int = 0  # rows handled in this run


def _create(*, batch: ImportBatch, number: int, parsed: ParsedRow, actor) -> ImportedRow:
    """Creates the person and the case of one valid row; ValidationError changes nothing."""
    from ctip.cases.services import case_change_status, case_open, case_request_closure, case_update
    from ctip.people.services import person_create

    with transaction.atomic():
        person = person_create(actor=actor, **parsed.person)
        case = case_open(
            actor=actor,
            person=person,
            opened_on=parsed.opened_on,
            # Where the case came from, for whoever reads it later (no name in it).
            source_reference=f"HTCDS {str(batch.uuid)[:8]} row {number}",
        )
        if parsed.profile:
            case = case_update(
                actor=actor, case=case, expected_version=case.version, **parsed.profile
            )
        for step in STATUS_STEPS.get(parsed.status, ()):
            case = case_change_status(
                actor=actor, case=case, status=step, expected_version=case.version
            )
        if parsed.status in CLOSED_STATUSES:
            # Closing needs another supervisor's approval: the import only asks for it.
            reason = parsed.closure_reason or _("Closed in the system the file came from.")
            case_request_closure(actor=actor, case=case, reason=reason)
            parsed.warn(
                "cas_Status",
                _("Closed in the file: closure was requested; another supervisor approves it."),
            )
        row = ImportedRow.objects.create(
            batch=batch,
            organisation_id=batch.organisation_id,
            row=number,
            external_id=parsed.external_id,
            outcome=RowOutcome.IMPORTED,
            errors=parsed.errors,
            person=person,
            case=case,
        )
        audit_record(
            actor=actor,
            action=AuditAction.HTCDS_ROW_IMPORTED,
            target=case,
            changes={
                "batch": [None, str(batch.uuid)],
                "row": [None, number],
                "person": [None, str(person.uuid)],
            },
        )
    return row


def _record(batch: ImportBatch, number: int, outcome: str, errors: list, external_id: str) -> None:
    try:
        with transaction.atomic():
            ImportedRow.objects.create(
                batch=batch,
                organisation_id=batch.organisation_id,
                row=number,
                external_id=external_id,
                outcome=outcome,
                errors=errors,
            )
    except IntegrityError:  # another run recorded this row meanwhile: its outcome stands
        pass


def _import_one(*, batch, number: int, values: dict, actor, countries: dict) -> str:
    parsed = parse_row(values, countries)
    if parsed.has_errors:
        _record(batch, number, RowOutcome.FAILED, parsed.errors, parsed.external_id)
        return RowOutcome.FAILED
    by_key = parsed.external_id.startswith("row:")
    duplicate = [
        {
            "column": "" if by_key else "cas_CaseNumber",
            "message": _("The same row was already imported, from this or another file: skipped.")
            if by_key
            else _("A case with this identifier was already imported: row skipped."),
            "level": "warning",
        }
    ]
    if (
        parsed.external_id
        and ImportedRow.objects.filter(
            organisation_id=batch.organisation_id,
            external_id=parsed.external_id,
            outcome=RowOutcome.IMPORTED,
        ).exists()
    ):
        _record(batch, number, RowOutcome.DUPLICATE, duplicate, parsed.external_id)
        return RowOutcome.DUPLICATE
    try:
        _create(batch=batch, number=number, parsed=parsed, actor=actor)
    except ValidationError as exc:
        _record(batch, number, RowOutcome.FAILED, service_errors(exc), parsed.external_id)
        return RowOutcome.FAILED
    except IntegrityError:
        # The row was taken by another run, or the identifier imported meanwhile.
        if ImportedRow.objects.filter(batch=batch, row=number).exists():
            return ""
        _record(batch, number, RowOutcome.DUPLICATE, duplicate, parsed.external_id)
        return RowOutcome.DUPLICATE
    return RowOutcome.IMPORTED


def _counts(batch: ImportBatch) -> dict[str, int]:
    by_outcome = dict(
        ImportedRow.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    return {
        "rows_imported": by_outcome.get(RowOutcome.IMPORTED, 0),
        "rows_failed": by_outcome.get(RowOutcome.FAILED, 0),
        "rows_skipped": by_outcome.get(RowOutcome.DUPLICATE, 0),
        "rows_done": sum(by_outcome.values()),
    }


def _flush(batch: ImportBatch, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        setattr(batch, name, value)
    batch.lease_until = timezone.now() + LEASE
    ImportBatch.objects.filter(pk=batch.pk).update(lease_until=batch.lease_until, **counts)


def import_rows(
    *,
    batch: ImportBatch,
    rows_iter: Iterable[tuple[int, dict[str, str]]],
    actor,
    progress: Callable[[ImportBatch], None] | None = None,
    deadline: float | None = None,
    limit: int | None = None,
) -> RunResult:
    """Imports (row number, {HTCDS column: text}) rows into `batch`, each exactly once.

    Rows already recorded for the batch are skipped. Stops early, unfinished, when `limit` rows
    were handled or `time.monotonic()` passes `deadline`. `progress(batch)` is called after each
    row with the batch's counters up to date in memory (they are written every few rows).
    PermissionDenied (the actor may not create people or cases) stops the run.
    """
    from ctip.places.models import Country

    done = set(ImportedRow.objects.filter(batch=batch).values_list("row", flat=True))
    countries = {c.code: c for c in Country.objects.all()}
    counts = _counts(batch)
    result = RunResult()
    unflushed = 0
    key = {
        RowOutcome.IMPORTED: "rows_imported",
        RowOutcome.FAILED: "rows_failed",
        RowOutcome.DUPLICATE: "rows_skipped",
    }
    try:
        for number, values in rows_iter:
            if number in done:
                continue
            if (limit is not None and result.processed >= limit) or (
                deadline is not None and time.monotonic() > deadline
            ):
                return result
            outcome = _import_one(
                batch=batch, number=number, values=values, actor=actor, countries=countries
            )
            result.processed += 1
            if outcome:
                counts[key[outcome]] += 1
                counts["rows_done"] += 1
            unflushed += 1
            if unflushed >= FLUSH_EVERY:
                _flush(batch, counts)
                unflushed = 0
            else:
                for name, value in counts.items():
                    setattr(batch, name, value)
            if progress:
                progress(batch)
        result.finished = True
        return result
    finally:
        _flush(batch, counts)


# --- batches ------------------------------------------------------------------------------------


def _require_importer(actor, organisation_id: int | None = None) -> None:
    if not can(actor, Perm.EXCHANGE_IMPORT) or not actor.organisation_id:
        raise PermissionDenied
    if organisation_id is not None and organisation_id != actor.organisation_id:
        raise PermissionDenied


def batch_create(*, actor, file_name: str, content: bytes) -> tuple[ImportBatch, bool]:
    """Records an upload for import into the actor's organisation: (batch, created).

    The same file (same SHA-256) uploaded again by the organisation returns its existing batch,
    which then continues where it stopped. A file that is too large, not CSV/XLSX by content,
    unreadable, or without an HTCDS column CTIP imports raises ValidationError on "file".
    """
    _require_importer(actor)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is too large (%(mb)s MB at most).") % {"mb": MAX_BYTES >> 20}}
        )
    file_format = sniff_format(content)
    if file_format is None:
        raise ValidationError({"file": _("Upload an HTCDS file as CSV (UTF-8) or XLSX.")})
    sha256 = hashlib.sha256(content).hexdigest()
    existing = ImportBatch.objects.filter(organisation_id=actor.organisation_id, sha256=sha256)
    if found := existing.defer("content").first():
        if found.status == ImportStatus.FAILED:
            # Uploading a file that stopped again tries again, keeping the rows already done.
            ImportBatch.objects.filter(pk=found.pk).update(
                content=content, status=ImportStatus.PENDING, file_error="", finished_at=None
            )
            found.refresh_from_db()
        return found, False
    try:
        table = read_table(content, file_format)
        columns = resolve_columns(table.header)
        total = sum(1 for _row in data_rows(table, columns))
    except FileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation_id=actor.organisation_id,
                uploaded_by=actor,
                created_by=actor,
                file_name=Path(file_name or "upload").name[:200],
                file_format=file_format,
                sha256=sha256,
                content=content,
                total_rows=total,
                warnings=columns.warnings,
            )
            audit_record(
                actor=actor,
                action=AuditAction.HTCDS_IMPORT_STARTED,
                target=batch,
                changes={
                    "file_name": [None, batch.file_name],
                    "sha256": [None, sha256],
                    "file_format": [None, file_format],
                    "total_rows": [None, total],
                },
                sensitive_fields=sensitive_fields(ImportBatch),
            )
    except IntegrityError:  # the same file uploaded twice at once: one batch
        return existing.defer("content").get(), False
    return batch, True


def _take_lease(batch: ImportBatch) -> bool:
    now = timezone.now()
    taken = (
        ImportBatch.objects.filter(pk=batch.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .exclude(status__in=[ImportStatus.DONE, ImportStatus.FAILED])
        .update(
            lease_until=now + LEASE,
            status=ImportStatus.RUNNING,
            started_at=Coalesce(F("started_at"), now),
        )
    )
    return bool(taken)


def batch_run(
    *,
    batch: ImportBatch,
    actor,
    deadline: float | None = None,
    limit: int | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
) -> ImportBatch:
    """Continues a batch where it stopped, until it is finished, `deadline` or `limit`.

    Only one run works on a batch at a time (a lease renewed as it goes); a run that finds the
    batch taken returns at once. A run stopped by a crash leaves its lease to expire, after which
    the next run resumes. Returns the batch as it now stands.
    """
    _require_importer(actor, batch.organisation_id)
    if batch.is_finished or not _take_lease(batch):
        return ImportBatch.objects.defer("content").get(pk=batch.pk)
    batch = ImportBatch.objects.get(pk=batch.pk)
    try:
        table = read_table(bytes(batch.content), batch.file_format)
        columns = resolve_columns(table.header)
        result = import_rows(
            batch=batch,
            rows_iter=data_rows(table, columns),
            actor=actor,
            progress=progress,
            deadline=deadline,
            limit=limit,
        )
    except FileError as exc:
        _finish(batch, actor, ImportStatus.FAILED, str(exc))
    except PermissionDenied:
        _finish(
            batch,
            actor,
            ImportStatus.FAILED,
            _("You may not create people and cases: the import stopped."),
        )
    else:
        if result.finished:
            _finish(batch, actor, ImportStatus.DONE)
    finally:
        ImportBatch.objects.filter(pk=batch.pk).update(lease_until=None)
    return ImportBatch.objects.defer("content").get(pk=batch.pk)


@transaction.atomic
def _finish(batch: ImportBatch, actor, status: str, error: str = "") -> None:
    counts = _counts(batch)
    now = timezone.now()
    # The file holds names and birthdates: it is kept no longer than the import needs it.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, file_error=error, finished_at=now, content=b"", **counts
    )
    audit_record(
        actor=actor,
        action=AuditAction.HTCDS_IMPORT_FINISHED,
        target=batch,
        changes={"status": [batch.status, status], **{k: [None, v] for k, v in counts.items()}},
    )


# --- reading batches ----------------------------------------------------------------------------


def batches_visible_to(user):
    """The import batches the user may see (own organisation's, importers only), newest first."""
    from ctip.access.policy import visible_to

    return (
        visible_to(user, ImportBatch)
        .defer("content")
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def batch_get_for_user(user, batch_uuid) -> ImportBatch:
    """One batch the user may see; 404 for another organisation's and for none."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(batches_visible_to(user), uuid=batch_uuid)
