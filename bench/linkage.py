"""Benchmark of the person matcher (ctip/matching/engine.py).

1. Accuracy on public benchmark files in ../shared/data/linkage/ (FEBRL dataset1 and dataset2,
   Splink's fake_1000). The matcher never sees `rec_id` or `cluster`: records get opaque ids,
   and the truth (pairs of records of one entity) is derived from those columns for scoring
   only. Prints precision, recall and F1 of pairs and the wall time.
2. Scale on a generated national-scale set of synthetic Cambodian records with realistic errors
   (ctip/matching/synthetic.py): time and peak memory (and, since the truth is known, accuracy).

    .venv/bin/python bench/linkage.py                 # benchmark files + 1,000,000 records
    .venv/bin/python bench/linkage.py --size 100000   # a smaller generated set
    .venv/bin/python bench/linkage.py --skip-scale    # benchmark files only

Writes bench/results/linkage.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import platform
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ctip.core.shared_data import shared_data_dir  # noqa: E402
from ctip.matching import engine, synthetic  # noqa: E402

DATA = shared_data_dir() / "linkage"
THRESHOLD = 0.9


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh, skipinitialspace=True)
        ]


def febrl(path: Path) -> tuple[list[dict], dict[str, str]]:
    """FEBRL records as match_csv rows; the entity comes from rec_id (rec-N-org / rec-N-dup-k)."""
    records, entity_of = [], {}
    for i, row in enumerate(_read(path)):
        record_id = f"r{i}"
        entity_of[record_id] = row["rec_id"].split("-")[1]
        records.append(
            {
                "record_id": record_id,
                "given_name": row["given_name"],
                "family_name": row["surname"],
                "date_of_birth": row["date_of_birth"],
                "address": " ".join(
                    p for p in (row["street_number"], row["address_1"], row["address_2"]) if p
                ),
                "locality": row["suburb"],
                "postcode": row["postcode"],
                "region": row["state"],
                "id_number": row["soc_sec_id"],
            }
        )
    return records, entity_of


def fake_1000(path: Path) -> tuple[list[dict], dict[str, str]]:
    records, entity_of = [], {}
    for i, row in enumerate(_read(path)):
        record_id = f"r{i}"
        entity_of[record_id] = row["cluster"]
        records.append(
            {
                "record_id": record_id,
                "given_name": row["first_name"],
                "family_name": row["surname"],
                "date_of_birth": row["dob"],
                "locality": row["city"],
                "email": row["email"],
            }
        )
    return records, entity_of


def run(records: list[dict], entity_of: dict[str, str], *, threshold: float) -> dict:
    started = time.perf_counter()
    table = engine.prepare_arrow(records)
    prepared = time.perf_counter()
    model = engine.train(table)
    trained = time.perf_counter()
    _linker, pairs = engine.predict(model, table, threshold=threshold)
    scored = [
        ((a, b) if a < b else (b, a), p)
        for a, b, p in pairs.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, match_probability")
        .fetchall()
    ]
    done = time.perf_counter()
    truth = synthetic.true_pairs(entity_of)
    scores = synthetic.pair_scores({pair for pair, _p in scored}, truth)
    # The same run judged at stricter thresholds (no second prediction needed).
    stricter = {
        str(t): synthetic.pair_scores({pair for pair, p in scored if p >= t}, truth)
        for t in (0.99, 0.999)
        if t > threshold
    }
    return {
        "records": len(records),
        "threshold": threshold,
        **scores,
        "at_stricter_thresholds": stricter,
        "seconds": {
            "prepare": round(prepared - started, 2),
            "train": round(trained - prepared, 2),
            "predict": round(done - trained, 2),
            "total": round(done - started, 2),
        },
    }


class PeakMemory:
    """Peak resident memory of this process (MiB), sampled, and the kernel's high-water mark."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mib(self) -> float:
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return round(max(self.peak, hwm) / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="generated records")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-files", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "linkage.json"))
    args = parser.parse_args()

    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "benchmarks": {},
    }
    out = Path(args.output)
    if out.exists():  # keep figures of the part not run this time
        with contextlib.suppress(ValueError):
            results["benchmarks"] = json.loads(out.read_text()).get("benchmarks", {})
    if not args.skip_files:
        for name, loader, file in (
            ("febrl_dataset1", febrl, "febrl_dataset1.csv"),
            ("febrl_dataset2", febrl, "febrl_dataset2.csv"),
            ("fake_1000", fake_1000, "fake_1000.csv"),
        ):
            records, entity_of = loader(DATA / file)
            result = run(records, entity_of, threshold=args.threshold)
            results["benchmarks"][name] = result
            print(
                f"{name:16} {result['records']:>9,} records  precision {result['precision']:.4f}"
                f"  recall {result['recall']:.4f}  F1 {result['f1']:.4f}"
                f"  wall {result['seconds']['total']:.1f} s"
            )
    if not args.skip_scale:
        started = time.perf_counter()
        with PeakMemory() as memory:
            records, entity_of = [], {}
            entities = int(args.size / 1.3) + 10  # a quarter of people recorded 2-4 times
            for record, entity in synthetic.generate(entities, seed=2026):
                records.append(record)
                entity_of[record["record_id"]] = entity
                if len(records) >= args.size:
                    break
            generated = time.perf_counter() - started
            result = run(records, entity_of, threshold=args.threshold)
        result["seconds"]["generate"] = round(generated, 2)
        result["peak_memory_mib"] = memory.mib
        results["benchmarks"][f"synthetic_{len(records)}"] = result
        for t, strict in result["at_stricter_thresholds"].items():
            print(
                f"  at {t:<6} precision {strict['precision']:.4f}  recall {strict['recall']:.4f}"
                f"  F1 {strict['f1']:.4f}"
            )
        print(
            f"synthetic        {result['records']:>9,} records  precision "
            f"{result['precision']:.4f}  recall {result['recall']:.4f}  F1 {result['f1']:.4f}"
            f"  wall {result['seconds']['total']:.1f} s (+{generated:.1f} s generating)"
            f"  peak memory {result['peak_memory_mib']:,.0f} MiB"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {out}")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
