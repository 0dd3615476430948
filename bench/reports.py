"""The annual government report and the dashboards over the whole dataset.

Runs in-process against the database made by bench/generate.py (DATABASE_URL): builds the
annual report (ctip/statistics/annual.py) and renders it to XLSX and PDF as the statistics
officer, then requests the national statistics dashboard, the case worker's panel and the home
page through Django's test client (same views, no HTTP). Each is timed `--repeat` times;
the first run (cold caches) is reported apart. Counts the SQL queries of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:55434/ctip_full .venv/bin/python bench/reports.py
    ... bench/reports.py --year 2024 --repeat 3

Writes bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import data_scale, database_url, machine, percentile, write_results  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.base")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "b" * 40)
os.environ.setdefault("CTIP_REQUIRE_2FA", "0")  # the test client signs in without TOTP


def timed(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    size = len(result) if isinstance(result, bytes | str) else None
    warm = times[1:]
    return {
        "cold_s": round(times[0], 3),
        "p50_s": round(percentile(warm, 50), 3),
        "max_s": round(max(warm), 3),
        "queries": queries,
        **({"bytes": size} if size is not None else {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="reports")
    args = parser.parse_args()
    database_url()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from ctip.accounts.models import User
    from ctip.core.pdf import render_pdf
    from ctip.statistics.annual import annual_report, annual_report_xlsx

    settings.ALLOWED_HOSTS = ["*"]
    statistics = User.objects.get(email="statistics@demo.ctip.test")
    caseworker = User.objects.get(email="caseworker@demo.ctip.test")
    hotline = User.objects.get(email="hotline@demo.ctip.test")

    def client(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def page(c: Client, url: str):
        def get() -> bytes:
            response = c.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            return response.content

        return get

    year = args.year
    report = {}

    def build() -> str:
        report["r"] = annual_report(user=statistics, year=year)
        return ""

    stats, worker, hot = client(statistics), client(caseworker), client(hotline)
    runs = {
        "annual_report_build": build,
        "annual_report_xlsx": lambda: annual_report_xlsx(annual_report(user=statistics, year=year)),
        "annual_report_pdf": lambda: render_pdf(
            "statistics/annual_pdf.html",
            {"report": annual_report(user=statistics, year=year), "year": year},
        ),
        "national_dashboard_page": page(stats, f"/statistics/?year={year}"),
        "national_dashboard_by_cases_opened": page(
            stats, f"/statistics/?year={year}&map=cases_opened"
        ),
        "case_worker_panel": page(worker, "/cases/my-work/"),
        "home_case_worker": page(worker, "/"),
        "home_hotline": page(hot, "/"),
        "home_statistics": page(stats, "/"),
    }
    figures = {"machine": machine(), "data": data_scale(), "year": year, "results": {}}
    for name, fn in runs.items():
        result = timed(fn, args.repeat)
        figures["results"][name] = result
        print(
            f"{name:<36} cold {result['cold_s']:>7.3f}s  warm p50 {result['p50_s']:>7.3f}s  "
            f"max {result['max_s']:>7.3f}s  {result['queries']:>4} queries",
            flush=True,
        )
    path = write_results(args.out, figures)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
