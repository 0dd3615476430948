"""Writes a signed checkpoint of the audit chain's head outside the database (run it from cron
or a systemd timer: CTIP has no task queue; docs/operations.md, "The audit key")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.audit.checkpoints import checkpoint_append, checkpoint_dir, checkpoint_sign
from ctip.audit.selectors import audit_verify


class Command(BaseCommand):
    help = (
        "Verifies the audit chain and its checkpoints, then appends a checkpoint of the head "
        "(seq, head hash, count, time, key id), signed with the current audit key, to "
        "checkpoints.jsonl in the checkpoint directory (CTIP_AUDIT_CHECKPOINT_DIR) and in each "
        "--copy-to directory. Writes nothing and exits with status 1 if anything does not "
        "verify: a checkpoint must never vouch for a tampered chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--copy-to",
            action="append",
            default=[],
            metavar="DIR",
            help="Also append the checkpoint here (e.g. a partner's share, another disk). "
            "Its earlier checkpoints are verified too. Repeatable.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=5000,
            metavar="N",
            help="Rows fetched from the database at a time (default 5000).",
        )

    def handle(self, *args, **options) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        places = [checkpoint_dir(), *(Path(d) for d in options["copy_to"])]
        result = audit_verify(checkpoint_places=places, chunk_size=options["chunk_size"])
        chain = result.chain
        if not result.ok:
            problems = ([chain.problem] if not chain.ok else []) + result.checkpoint_problems
            raise CommandError(
                "No checkpoint written: the audit log does not verify (run `manage.py "
                "audit_verify`):" + "".join(f"\n- {p}" for p in problems)
            )
        # The head that was just verified, not whatever was appended since.
        checkpoint = checkpoint_sign(seq=chain.count, head_hash=chain.head_hash, count=chain.count)
        written = [checkpoint_append(checkpoint, place) for place in places]
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint written: {checkpoint.describe()}, key {checkpoint.key_id}, to "
                + ", ".join(map(str, written))
            )
        )
