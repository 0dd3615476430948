"""API fuzzing at full size: the suite's schemathesis test with 50 examples per operation and mode.

The test suite runs ctip/core/tests/test_fuzz_api.py with a few examples per operation (about
800 requests) to stay fast; this runs the same test with `--examples` (default 50) per operation
and generation mode (positive and negative), which is over 5,000 generated requests against the
WSGI application in-process, as users of six roles. Same checks: no 5xx, every response
conforms to the OpenAPI schema, no database change from a rejected (4xx) request.

    .venv/bin/python bench/fuzz_api.py                 # SQLite test database
    .venv/bin/python bench/fuzz_api.py --examples 100
    DATABASE_URL=postgres://postgres@127.0.0.1:PORT/ctip .venv/bin/python bench/fuzz_api.py

Prints the request count, the statuses seen and any failure; writes bench/results/fuzz_api.json.
Deterministic: the same code and schema generate the same requests.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "fuzz_api.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=50, help="per operation and mode")
    args = parser.parse_args()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "CTIP_FUZZ_EXAMPLES": str(args.examples),
        "CTIP_FUZZ_RESULTS": str(RESULTS),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "ctip/core/tests/test_fuzz_api.py",
        "-q",
        "-s",
        "-p",
        "no:randomly",
    ]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    seconds = time.monotonic() - started
    if not RESULTS.exists():
        print("The fuzzing test wrote no results (see the output above).")
        return completed.returncode or 1
    figures = json.loads(RESULTS.read_text())
    figures |= {"wall_seconds": round(seconds, 1), "passed": completed.returncode == 0}
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"\n{figures['requests']} requests over {figures['operations']} operations in "
        f"{seconds:.0f} s ({figures['requests'] / seconds:.0f}/s); "
        f"statuses {figures['by_status']}; {len(figures['failures'])} failures. "
        f"Written to {RESULTS.relative_to(ROOT)}"
    )
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
