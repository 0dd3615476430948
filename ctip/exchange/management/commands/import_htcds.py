"""Imports an HTCDS 2.0 file (CSV or XLSX) as people and cases of a user's organisation.

    manage.py import_htcds FILE --user EMAIL [--resume]

Every row is validated; rows with errors are not imported and are listed by row and column.
The same file run again continues where it stopped (--resume) and never imports a row twice.
"""

import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctip.accounts.models import User
from ctip.exchange.importer import MAX_BYTES, batch_create, batch_run
from ctip.exchange.issues import batch_issues
from ctip.exchange.models import ImportBatch, ImportStatus

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Import an HTCDS 2.0 CSV or XLSX file as people and cases of the user's organisation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The HTCDS file (CSV UTF-8 or XLSX).")
        parser.add_argument("--user", required=True, help="E-mail of the importing user.")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Continue an import of this file that was stopped.",
        )
        parser.add_argument(
            "--errors", type=int, default=20, help="How many errors to print (default 20)."
        )

    def handle(self, *args, file: Path, user: str, resume: bool, errors: int, **options) -> None:
        actor = User.objects.filter(email__iexact=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user}.")
        try:
            content = file.read_bytes()[: MAX_BYTES + 1]
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        try:
            batch, created = batch_create(actor=actor, file_name=file.name, content=content)
        except ValidationError as exc:
            raise CommandError(f"Nothing imported: {' '.join(exc.messages)}") from exc
        except PermissionDenied as exc:
            raise CommandError(f"{user} may not import HTCDS files (exchange.import).") from exc
        if not created:
            if batch.status == ImportStatus.DONE:
                self.stdout.write(f"This file was already imported ({batch.finished_at:%Y-%m-%d}).")
                self._summary(batch, actor, errors)
                return
            if not resume and batch.rows_done:
                raise CommandError(
                    f"An import of this file stopped after {batch.rows_done} of "
                    f"{batch.total_rows} rows: run again with --resume to continue it."
                )
        self.stdout.write(f"{file.name}: {batch.total_rows} rows, import {batch.uuid}")
        started, first_done = time.monotonic(), batch.rows_done
        last = [0.0]

        def progress(current: ImportBatch) -> None:
            now = time.monotonic()
            if now - last[0] < 0.2 and current.rows_done < current.total_rows:
                return
            last[0] = now
            self._bar(current, (current.rows_done - first_done) / max(now - started, 1e-6))

        try:
            batch = batch_run(batch=batch, actor=actor, progress=progress)
        except PermissionDenied as exc:
            raise CommandError(f"{user} may not import HTCDS files (exchange.import).") from exc
        if sys.stdout.isatty():
            self.stdout.write("")
        if batch.status == ImportStatus.RUNNING:
            raise CommandError("Another import of this file is running now: try again later.")
        self._summary(batch, actor, errors)
        if batch.status == ImportStatus.FAILED:
            raise CommandError(f"The import stopped: {batch.file_error}")

    def _bar(self, batch: ImportBatch, rate: float) -> None:
        filled = round(BAR_WIDTH * batch.percent / 100)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{batch.rows_done}/{batch.total_rows} rows, {rate:.0f} rows/s",
            ending="",
        )
        self.stdout.flush()

    def _summary(self, batch: ImportBatch, actor, shown: int) -> None:
        self.stdout.write(
            f"\nImported {batch.rows_imported}, with errors {batch.rows_failed}, "
            f"already imported {batch.rows_skipped}, of {batch.total_rows} rows."
        )
        issues = batch_issues(actor, batch)
        for issue in issues[:shown]:
            self.stdout.write(
                f"  row {issue['row']} {issue['column'] or '-'} [{issue['level']}]: "
                f"{issue['message']}"
            )
        if len(issues) > shown:
            self.stdout.write(f"  … {len(issues) - shown} more (see the import's page).")
