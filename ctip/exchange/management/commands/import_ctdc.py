"""Loads the CTDC victim–perpetrator synthetic CSV into the reference store (replacing it)."""

from ctip.exchange.reference import CTDC_FILE, import_ctdc

from ._reference import ReferenceImportCommand


class Command(ReferenceImportCommand):
    help = "Import the CTDC synthetic CSV; re-running replaces the same version atomically."
    default_file = CTDC_FILE
    importer = staticmethod(import_ctdc)
