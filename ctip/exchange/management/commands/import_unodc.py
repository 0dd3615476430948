"""Loads the UNODC GLOTIP workbook into the reference store (replaces that version whole)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctip.exchange.reference import UNODC_FILE, ReferenceImportError, import_unodc


class Command(BaseCommand):
    help = "Import the UNODC GLOTIP workbook; re-running replaces the same version atomically."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=UNODC_FILE, help="Path of the file.")
        parser.add_argument(
            "--data-version", dest="data_version", default=None, help="Version label."
        )

    def handle(self, *args, file: Path, data_version: str | None, **options) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        started = time.monotonic()

        def progress(done: int) -> None:
            self.stdout.write(f"  {done:,} rows…")

        kwargs = {"version": data_version} if data_version else {}
        try:
            dataset = import_unodc(path=file, progress=progress, **kwargs)
        except ReferenceImportError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {dataset} ({dataset.rows:,} rows) in {time.monotonic() - started:.1f}s."
            )
        )
