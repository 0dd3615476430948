"""Loads the provisional ILO indicator list (ctip/operations/data) as a screening instrument."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ctip.operations.models import Instrument
from ctip.operations.screening import ILO_CSV, read_indicator_csv
from ctip.operations.services import instrument_import

DEFAULT_VERSION = "ilo-2009-secondary-1"


class Command(BaseCommand):
    help = "Loads a screening instrument version from an indicator CSV (provisional). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--csv", default=str(ILO_CSV))
        parser.add_argument("--version-label", default=DEFAULT_VERSION)

    def handle(self, *args, **options) -> None:
        label = options["version_label"]
        if Instrument.objects.filter(version_label=label).exists():
            self.stdout.write(f"Screening instrument {label}: already loaded.")
            return
        rows = read_indicator_csv(Path(options["csv"]))
        instrument = instrument_import(actor=None, version_label=label, rows=rows)
        self.stdout.write(
            f"Screening instrument {label}: loaded {len(rows)} indicators "
            f"({instrument.get_status_display()})."
        )
