"""Checks that a released CSV file really is k-anonymous on its quasi-identifiers.

manage.py verify_release ctip-release-k10.csv --k 10
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctip.statistics.release import QUASI_IDENTIFIERS, release_k, verify_k_anonymous


class Command(BaseCommand):
    help = "Verifies that a release file is k-anonymous (exit status 1 when it is not)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--k", type=int, default=None)
        parser.add_argument(
            "--quasi-identifiers", default=",".join(QUASI_IDENTIFIERS), help="comma-separated"
        )

    def handle(self, *args, **options) -> None:
        k = options["k"] or release_k()
        qis = tuple(q.strip() for q in options["quasi_identifiers"].split(",") if q.strip())
        try:
            text = Path(options["path"]).read_text(encoding="utf-8")
            result = verify_k_anonymous(text, k=k, quasi_identifiers=qis)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            for key, n in result.violations[:20]:
                self.stderr.write(f"  {dict(zip(qis, key, strict=True))}: {n} row(s)")
            raise CommandError(
                f"Not {k}-anonymous: {len(result.violations)} group(s) smaller than {k}."
            )
        self.stdout.write(
            f"OK: {result.rows} rows, every group has at least {k} "
            f"(smallest {result.smallest_class})."
        )
