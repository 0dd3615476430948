"""Restores a backup written by `manage.py backup` and proves it (see docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.core.backup import BackupError, read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Restores the backup in directory IN into the configured database, which must be empty "
        "(no tables; --force replaces what is there), and the uploaded files into MEDIA_ROOT. "
        "Then checks every table's row count and checksum against the manifest, walks the "
        "audit chain to the backed-up head and checks the append-only triggers. Exits 1 if "
        "anything differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", help="A directory written by `backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that is not empty, and overwrite uploaded files.",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Restore nothing: compare the configured database and MEDIA_ROOT with IN's "
            "manifest (e.g. to prove a restore done earlier is still intact).",
        )

    def handle(self, *args, **options) -> None:
        source = Path(options["source"])
        try:
            if options["verify_only"]:
                result = verify(read_manifest(source))
            else:
                result = restore(source, force=options["force"], log=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            raise CommandError(
                "The restored data does not match the backup's manifest:\n  "
                + "\n  ".join(result.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                ("Verified" if options["verify_only"] else "Restored and verified")
                + f": {result.tables} tables, {result.rows} rows, "
                f"{result.media_files} uploaded files; audit chain intact, {result.audit_events} "
                f"events, head hash {result.audit_head or '-'}"
            )
        )
