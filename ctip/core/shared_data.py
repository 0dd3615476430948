"""Where the public reference data lives: `shared/data/` beside the repository.

CI and developers check the repository out with the shared folder next to it
(`<somewhere>/main` and `<somewhere>/shared`); `CTIP_SHARED_DATA` points elsewhere when it is
not. No Django here: the benchmarks use it without settings. What the product needs at run time
is copied under each app's `data/` (ctip/exchange/data/README.md); only tests and benchmarks
read this folder, and skip or fall back when it is absent.
"""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """`$CTIP_SHARED_DATA`, else `../shared/data` beside the repository."""
    override = os.environ.get("CTIP_SHARED_DATA", "").strip()
    return Path(override).expanduser() if override else REPOSITORY.parent / "shared" / "data"
