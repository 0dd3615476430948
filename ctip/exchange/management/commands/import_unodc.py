"""Loads the UNODC GLOTIP workbook into the reference store (replaces that version whole)."""

from ctip.exchange.reference import UNODC_FILE, import_unodc

from ._reference import ReferenceImportCommand


class Command(ReferenceImportCommand):
    help = "Import the UNODC GLOTIP workbook; re-running replaces the same version atomically."
    default_file = UNODC_FILE
    importer = staticmethod(import_unodc)
