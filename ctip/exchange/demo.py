"""Demo reference data: the CTDC synthetic file (about two seconds), so that the comparison page
shows something. The UNODC workbook takes about ten seconds to read and is left to
`manage.py import_unodc`, which the comparison page names. Idempotent."""

from .models import ReferenceDataset, ReferenceSource
from .reference import CTDC_FILE, CTDC_VERSION, import_ctdc, sha256_of


def seed(ctx) -> None:
    """Loads the kept copy of the CTDC file unless that version is already imported unchanged."""
    existing = ReferenceDataset.objects.filter(
        source=ReferenceSource.CTDC, version=CTDC_VERSION
    ).first()
    if existing is not None and existing.sha256 == sha256_of(CTDC_FILE):
        ctx.stdout.write("Reference data: CTDC synthetic records already imported.")
    else:
        dataset = import_ctdc(path=CTDC_FILE)
        ctx.stdout.write(f"Reference data: imported {dataset} ({dataset.rows:,} rows).")
    if not ReferenceDataset.objects.filter(source=ReferenceSource.UNODC).exists():
        ctx.stdout.write(
            "Reference data: UNODC GLOTIP not imported (about ten seconds): "
            "run `manage.py import_unodc` for the UNODC comparison."
        )
