"""Fails when a compiled translation (.mo) is missing or does not match its .po file.

Compiles each .po with msgfmt (as `manage.py compilemessages` does) into a temporary file and
compares the catalogues, not the bytes, so a different gettext version does not raise a false
alarm. Fix: `python manage.py compilemessages --ignore=.venv`.
"""

import gettext
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "node_modules", ".git"}


def catalogue(mo: Path) -> dict:
    with mo.open("rb") as fh:
        return dict(gettext.GNUTranslations(fh)._catalog)


def main() -> int:
    po_files = [p for p in sorted(ROOT.rglob("*.po")) if not SKIP & set(p.relative_to(ROOT).parts)]
    if not po_files:
        print("translations: no .po files yet")
        return 0
    if shutil.which("msgfmt") is None:
        print("translations: msgfmt is missing. On Debian: apt-get install gettext")
        return 1
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for po in po_files:
            mo = po.with_suffix(".mo")
            fresh = Path(tmp) / "fresh.mo"
            subprocess.run(  # noqa: S603 (fixed program, our own files)
                ["msgfmt", "--check-format", "-o", str(fresh), str(po)],  # noqa: S607
                check=True,
            )
            if not mo.exists() or catalogue(mo) != catalogue(fresh):
                stale.append(mo.relative_to(ROOT))
    if stale:
        print("translations: compiled files are missing or out of date:")
        for mo in stale:
            print(f"  {mo}")
        print("Run: python manage.py compilemessages --ignore=.venv")
        return 1
    print(f"translations: {len(po_files)} catalogue(s) compiled and up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
