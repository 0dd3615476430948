"""Verifies the hash chain of the audit log; exits 1 and names the first bad event if broken."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.audit.selectors import audit_chain_verify


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"


class Command(BaseCommand):
    help = (
        "Verifies the audit log's hash chain from its first event to its head. Prints the "
        "number of events and the head hash when intact; otherwise names the first event that "
        "does not fit and exits with status 1. Note the head hash somewhere outside this "
        "database and pass it back with --expect-head to catch events cut from the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head",
            default="",
            metavar="HASH",
            help="A head hash noted earlier: the chain must still contain it.",
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

        report = audit_chain_verify(
            chunk_size=options["chunk_size"],
            expect_head=options["expect_head"].strip().lower(),
            progress=progress,
            progress_every=every,
        )
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {_events(report.count)}; head hash {report.head_hash}"
                )
            )
            return
        if report.first_bad_seq is None:
            raise CommandError(
                f"Audit chain verified up to {_events(report.count)} (head hash "
                f"{report.head_hash}), but {report.problem}."
            )
        raise CommandError(
            f"Audit chain broken at event seq={report.first_bad_seq} "
            f"id={report.first_bad_id}: {report.problem}. {_events(report.count)} before it "
            f"verified intact (last good hash {report.head_hash})."
        )
