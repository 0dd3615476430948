"""What the reference-import commands share: a file, an optional version label, progress."""

import time
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctip.exchange.reference import ReferenceImportError


class ReferenceImportCommand(BaseCommand):
    """Subclasses name the default file and the importer (`reference.import_*`)."""

    default_file: Path
    importer: Callable

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file", type=Path, default=self.default_file, help="Path of the file."
        )
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
            dataset = type(self).importer(path=file, progress=progress, **kwargs)
        except ReferenceImportError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {dataset} ({dataset.rows:,} rows) in {time.monotonic() - started:.1f}s."
            )
        )
