"""Writes the annual government report for a year as XLSX or PDF, small cells suppressed.

manage.py annual_report --year 2026 --as statistics@demo.ctip.test --format xlsx -o r.xlsx
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from ctip.access.policy import can
from ctip.accounts.models import User
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.pdf import render_pdf
from ctip.statistics.annual import annual_report, annual_report_xlsx


class Command(BaseCommand):
    help = "Writes the annual government report (XLSX or PDF) for a year, as a named user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--as", dest="email", required=True, help="a user holding statistics.export"
        )
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        parser.add_argument("--lang", choices=["en", "km"], default="en")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options) -> None:
        try:
            user = User.objects.get(email=options["email"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active user {options['email']}") from exc
        if not can(user, Perm.STATISTICS_EXPORT):
            raise CommandError("That user may not export statistics (statistics.export).")
        year, fmt, lang = options["year"], options["format"], options["lang"]
        with translation.override(lang), transaction.atomic():
            try:
                report = annual_report(user=user, year=year)
            except PermissionDenied as exc:  # pragma: no cover (export implies view today)
                raise CommandError("That user may not read statistics.") from exc
            if fmt == "xlsx":
                content = annual_report_xlsx(report)
            else:
                content = render_pdf("statistics/annual_pdf.html", {"report": report, "year": year})
            audit_record(
                actor=user,
                action=AuditAction.STATISTICS_EXPORTED,
                target_type="statistics.annual_report",
                target_id=str(year),
                changes={"format": fmt, "language": lang, "via": "command"},
            )
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"Wrote {options['output']} ({len(content):,} bytes).")
