"""Matches every person in CTIP against every other and fills the review queue.

    python manage.py match_people [--train] [--threshold P]

--train re-estimates the model from CTIP's own people first (1,000 people at least; until then
the model estimated from synthetic records is used). Keys and identity clusters are refreshed.
"""

from django.core.management.base import BaseCommand

from ctip.matching.services import REVIEW_THRESHOLD, match_batch


class Command(BaseCommand):
    help = "Matches all people (batch) and queues possible duplicates for review."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--train", action="store_true")
        parser.add_argument("--threshold", type=float, default=REVIEW_THRESHOLD)

    def handle(self, *args, **options) -> None:
        result = match_batch(train=options["train"], threshold=options["threshold"])
        self.stdout.write(
            f"{result['people']} people, {result['pairs']} possible duplicates, "
            f"{result['new']} new."
        )
