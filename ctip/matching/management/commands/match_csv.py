"""Finds the records of one person in any CSV file, with a model estimated from that file.

    python manage.py match_csv --input people.csv --output pairs.csv [--threshold P]
                               [--clusters clusters.csv]

The input has a `record_id` column and any of given_name, family_name, full_name,
date_of_birth (YYYY-MM-DD or YYYYMMDD), age, sex, address, locality, postcode, region, phone,
id_number (and name_km, aliases, email); missing columns are allowed, other columns ignored.
The output lists record_id_a, record_id_b, match_probability for the pairs at or above the
threshold; --clusters writes one record_id, cluster_id row per record.
"""

import csv
import time

from django.core.management.base import BaseCommand, CommandError

from ctip.core.spreadsheets import csv_writer
from ctip.matching import engine


class Command(BaseCommand):
    help = "Matches the records of a CSV file (record linkage, Splink on DuckDB)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--output", required=True)
        parser.add_argument("--threshold", type=float, default=0.9)
        parser.add_argument("--clusters")

    def handle(self, *args, **options) -> None:
        threshold = options["threshold"]
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be a probability in (0, 1].")
        started = time.perf_counter()
        try:
            with open(options["input"], encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh, skipinitialspace=True)
                fields = [(f or "").strip() for f in reader.fieldnames or []]
                if "record_id" not in fields:
                    raise CommandError("The input needs a record_id column.")
                rows = []
                for raw in reader:
                    row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                    rows.append({k: row.get(k, "") for k in engine.INPUT_COLUMNS})
        except OSError as exc:
            raise CommandError(f"Cannot read {options['input']}: {exc}") from exc
        ids = [r["record_id"] for r in rows]
        if len(set(ids)) != len(ids) or "" in ids:
            raise CommandError("record_id must be present and unique on every row.")
        pairs_written = 0
        with open(options["output"], "w", encoding="utf-8", newline="") as out:
            writer = csv_writer(out)
            writer.writerow(["record_id_a", "record_id_b", "match_probability"])
            if len(rows) >= 2:
                table = engine.prepare_arrow(rows)
                model = engine.train(table)
                linker, pairs = engine.predict(model, table, threshold=threshold)
                rel = pairs.as_duckdbpyrelation().select(
                    "unique_id_l, unique_id_r, match_probability"
                )
                for a, b, p in rel.order(
                    "match_probability DESC, unique_id_l, unique_id_r"
                ).fetchall():
                    writer.writerow([a, b, f"{p:.6f}"])
                    pairs_written += 1
        if options["clusters"]:
            with open(options["clusters"], "w", encoding="utf-8", newline="") as out:
                writer = csv_writer(out)
                writer.writerow(["record_id", "cluster_id"])
                if len(rows) >= 2:
                    clustered = engine.clusters(linker, pairs, threshold=threshold)
                    rel = clustered.as_duckdbpyrelation().select("unique_id, cluster_id")
                    for rid, cid in rel.order("cluster_id, unique_id").fetchall():
                        writer.writerow([rid, cid])
                else:
                    for rid in ids:
                        writer.writerow([rid, rid])
        self.stdout.write(
            f"{len(rows)} records, {pairs_written} pairs at or above {threshold} "
            f"({time.perf_counter() - started:.1f} s)."
        )
