"""`manage.py load_law_articles [CSV]`: loads the provisional list of 2008-law articles."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ctip.justice.services import LAW_CSV, law_articles_load


class Command(BaseCommand):
    help = "Loads articles of the 2008 trafficking law; keeps articles already present."

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv", nargs="?", type=Path, default=LAW_CSV)

    def handle(self, *args, csv: Path, **options) -> None:
        created, kept = law_articles_load(actor=None, path=csv)
        self.stdout.write(f"Law articles: {created} created, {kept} kept as they were.")
