"""Throughput of the HTCDS importer (ctip/exchange/importer.py): rows per second.

Writes a synthetic HTCDS 2.0 CSV (invented names from ctip/core/data/names.csv, realistic
values, a few rows with errors on purpose), records it as an import batch for the demo case
supervisor (`batch_create`) and runs it to the end (`batch_run`), which creates each person
and case through the services, with their audit events, one transaction per row. Runs
in-process on the database in DATABASE_URL (the big one: the importer's duplicate checks
then run against a national-scale table).

    DATABASE_URL=postgres://postgres@127.0.0.1:55434/ctip_full \
        .venv/bin/python bench/htcds_import.py
    ... bench/htcds_import.py --rows 500

Every run uses a fresh file (a run id in the case numbers), so it can be repeated.
Writes bench/results/htcds_import.json.
"""

# ruff: noqa: S311 (random picks synthetic values)

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import data_scale, database_url, machine, write_results  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.base")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "b" * 40)

HEADER = [
    "cas_CaseNumber",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_RelationshipToTrafficker",
    "vic_AgeWhenTrafficked",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "hte_Country",
    "cas_Status",
    "cas_IncomingReferralDate",
]


def synthetic_csv(rows: int, run: str, error_share: float = 0.02) -> bytes:
    from ctip.core.management.commands.seed_demo import load_names

    rng = random.Random(run)
    given, family = load_names()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        sex = rng.choices(["Feminine", "Masculine"], [62, 38])[0]
        age = rng.choice([13, 14, 15, 16, 17, 17, 18, 19, 21, 24, 30])
        birth = f"{2025 - age}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < error_share:
            birth = "not a date"  # rejected on purpose: the error path is timed too
        writer.writerow(
            [
                f"BENCH-{run}-{i:06d}",
                rng.choice(given).romanised,
                rng.choice(family).romanised,
                birth,
                sex,
                "KH",
                rng.choice(["ActualVictimOfTrafficking", "PossibleVictimOfTrafficking"]),
                rng.choice(["Familial", "Acquainted", "Unaquainted"]),
                str(age - 1),
                rng.choice(["DebtBondage", "FalsePromises WithholdsDocuments", "PhysicalThreats"]),
                rng.choice(["ForcedLabour", "SexualExploitation", "ForcedCriminality"]),
                rng.choice(["TH", "MY", "CN", "KH"]),
                rng.choice(["Active", "Active", "FollowUp"]),
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
        )
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--out", default="htcds_import")
    args = parser.parse_args()
    database_url()
    import django

    django.setup()
    from ctip.accounts.models import User
    from ctip.exchange.importer import batch_create, batch_run

    actor = User.objects.get(email="supervisor@demo.ctip.test")
    run = str(int(time.time()))
    content = synthetic_csv(args.rows, run)
    started = time.perf_counter()
    batch, _created = batch_create(actor=actor, file_name=f"bench-{run}.csv", content=content)
    recorded = time.perf_counter()
    shown = [recorded]

    def progress(b) -> None:
        now = time.perf_counter()
        if now - shown[0] > 1:
            shown[0] = now
            rate = b.rows_done / (now - recorded)
            sys.stderr.write(f"\r{b.rows_done:>8,}/{args.rows:,} rows {rate:>7.1f} rows/s")

    batch = batch_run(batch=batch, actor=actor, progress=progress)
    done = time.perf_counter()
    sys.stderr.write("\n")
    figures = {
        "machine": machine(),
        "data": data_scale(),
        "rows": args.rows,
        "bytes": len(content),
        "status": str(batch.status),
        "rows_imported": batch.rows_imported,
        "rows_failed": batch.rows_failed,
        "rows_skipped": batch.rows_skipped,
        "seconds_record_batch": round(recorded - started, 3),
        "seconds_import": round(done - recorded, 2),
        "rows_per_second": round(args.rows / max(done - recorded, 1e-9), 1),
        "function": "ctip.exchange.importer.batch_run -> import_rows",
    }
    print(
        f"{args.rows:,} rows ({len(content):,} bytes): {figures['rows_imported']:,} imported, "
        f"{figures['rows_failed']:,} failed, {figures['rows_skipped']:,} skipped in "
        f"{figures['seconds_import']}s = {figures['rows_per_second']} rows/s ({batch.status})"
    )
    path = write_results(args.out, figures)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
