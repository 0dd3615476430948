"""Loads the Cambodian gazetteer and the ISO 3166-1 countries (idempotent)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.places.services import DEFAULT_DATA_DIR, reference_data_load


class Command(BaseCommand):
    help = (
        "Loads provinces, districts, communes and villages (NCDD gazetteer, with retired codes "
        "as inactive places) and ISO 3166-1 countries. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DEFAULT_DATA_DIR,
            help=f"Folder holding the gazetteer CSV files (default: {DEFAULT_DATA_DIR}).",
        )
        parser.add_argument(
            "--provinces",
            default="",
            help="Comma-separated province codes to load, e.g. 12,01 (default: all).",
        )

    def handle(self, *args, data_dir: Path, provinces: str, **options) -> None:
        codes = {code.strip() for code in provinces.split(",") if code.strip()} or None
        started = time.monotonic()
        try:
            counts = reference_data_load(
                data_dir=data_dir, province_codes=codes, progress=self.stdout.write
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        width = max(len(key) for key in counts)
        for key, value in counts.items():
            self.stdout.write(f"{key:<{width}}  {value}")
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded in {elapsed:.1f} s."))
