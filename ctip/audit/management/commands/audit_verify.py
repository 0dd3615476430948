"""Verifies the keyed hash chain of the audit log and every checkpoint of it; exits 1 and names
the first bad event and every bad checkpoint if anything does not fit."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.audit.checkpoints import checkpoint_dir
from ctip.audit.selectors import AuditReport, audit_verify


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"


class Command(BaseCommand):
    help = (
        "Verifies the audit log's hash chain, sealed with the audit key, from its first event "
        "to its head, and the chain against every signed checkpoint (`audit_checkpoint`) in the "
        "checkpoint directory and in each --checkpoints place. Prints the number of events and "
        "the head hash when all is intact; otherwise names the first event that does not fit "
        "and every checkpoint that finds the chain cut short or rewritten, or that is forged, "
        "and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head",
            default="",
            metavar="HASH",
            help="A head hash noted earlier: the chain must still contain it.",
        )
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="PATH",
            help="Also check the checkpoints in this directory or file (e.g. a backup's "
            "audit-checkpoints/ or a partner's copy). Repeatable. The checkpoint directory "
            "of the settings is always checked.",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=100_000,
            metavar="N",
            help="Print a progress line to stderr every N events (default 100000).",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=5000,
            metavar="N",
            help="Rows fetched from the database at a time (default 5000).",
        )

    def handle(self, *args, **options) -> None:
        every = options["progress_every"]
        if every < 1 or options["chunk_size"] < 1:
            raise CommandError("--progress-every and --chunk-size must be at least 1.")

        def progress(count: int) -> None:
            self.stderr.write(f"… {_events(count)} verified")

        places = [checkpoint_dir()]
        for place in options["checkpoints"]:
            if not Path(place).exists():
                raise CommandError(f"--checkpoints {place}: no such file or directory.")
            places.append(Path(place))
        result = audit_verify(
            checkpoint_places=places,
            chunk_size=options["chunk_size"],
            expect_head=options["expect_head"].strip().lower(),
            progress=progress,
            progress_every=every,
        )
        report = result.chain
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {_events(report.count)}; head hash {report.head_hash}"
                )
            )
            self._checkpoints_line(result, places)
            return
        problems = "".join(f"\n- {p}" for p in result.checkpoint_problems)
        if report.ok:
            raise CommandError(
                f"Audit chain verified: {_events(report.count)} (head hash "
                f"{report.head_hash}), but its checkpoints do not agree:{problems}"
            )
        if report.first_bad_seq is None:
            raise CommandError(
                f"Audit chain verified up to {_events(report.count)} (head hash "
                f"{report.head_hash}), but {report.problem}.{problems}"
            )
        raise CommandError(
            f"Audit chain broken at event seq={report.first_bad_seq} "
            f"id={report.first_bad_id}: {report.problem}. {_events(report.count)} before it "
            f"verified intact (last good hash {report.head_hash}).{problems}"
        )

    def _checkpoints_line(self, result: AuditReport, places: list[Path]) -> None:
        if not result.checkpoints:
            self.stdout.write(
                self.style.WARNING(
                    f"No checkpoints in {', '.join(map(str, places))}: events cut from the "
                    "end of the chain would go unseen. Run `manage.py audit_checkpoint` "
                    "regularly (docs/operations.md)."
                )
            )
            return
        newest = result.checkpoints[-1]
        self.stdout.write(
            f"{len(result.checkpoints)} checkpoint(s) agree, in "
            f"{', '.join(map(str, result.files))}; the newest: {newest.describe()}"
        )
