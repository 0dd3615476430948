"""Writes a backup: database, uploaded files and a manifest to check it by (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Backs up the database (SQLite: online backup API; PostgreSQL: pg_dump --format=custom "
        "from one snapshot) and MEDIA_ROOT into the new directory OUT, with manifest.json: row "
        "count and checksum per table and the audit chain head. Restore with `manage.py "
        "restore OUT`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", help="A new (or empty) directory.")

    def handle(self, *args, **options) -> None:
        try:
            manifest = backup(Path(options["out"]), log=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        audit = manifest["audit"]
        if audit["chain_verified_at_backup"] is False:
            self.stderr.write(
                self.style.ERROR(
                    "Warning: the audit chain does not verify in this database (run "
                    "`manage.py audit_verify`). The backup was written all the same."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {options['out']}: {len(manifest['tables'])} tables, {rows} "
                f"rows, {len(manifest['media'])} uploaded files; audit chain "
                f"{audit['events']} events, head hash {audit['head_hash'] or '-'}"
            )
        )
