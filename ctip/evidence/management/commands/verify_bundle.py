"""`manage.py verify_bundle FILE.zip`: checks a court bundle offline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ctip.evidence.bundles import verify_bundle


class Command(BaseCommand):
    help = "Checks a CTIP court bundle offline: every file's SHA-256 and every custody chain."
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("bundle", type=Path)

    def handle(self, *args, bundle: Path, **options) -> None:
        report = verify_bundle(bundle)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"FAILED: {problem}")
            raise CommandError(f"{bundle.name}: {len(report.problems)} problem(s) found")
        self.stdout.write(
            self.style.SUCCESS(
                f"{bundle.name}: OK — {report.items} item(s), {report.events} custody event(s) "
                "verified"
            )
        )
