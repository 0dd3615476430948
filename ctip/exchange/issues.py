"""The errors and warnings of an import batch: listed for the page and the API, and as CSV."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ctip.core.spreadsheets import csv_writer

from .models import ImportBatch, ImportedRow


def batch_issues(user, batch: ImportBatch) -> list[dict]:
    """Every error and warning of a batch: file-level first, then by row ({row, column,
    message, level})."""
    from ctip.access.policy import visible_to

    issues = [dict(w, level=w.get("level", "warning")) for w in batch.warnings]
    rows = (
        visible_to(user, ImportedRow)
        .filter(batch=batch)
        .exclude(errors=[])
        .order_by("row")
        .values_list("row", "errors")
    )
    for number, errors in rows:
        issues.extend(
            {
                "row": number,
                "column": e.get("column", ""),
                "message": e.get("message", ""),
                "level": e.get("level", "error"),
            }
            for e in errors
        )
    return issues


LEVELS = {"error": gettext_lazy("error"), "warning": gettext_lazy("warning")}


def issues_csv(issues: list[dict]) -> str:
    """The issues as CSV: row, column, level, message."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")  # a column name is the uploader's text
    writer.writerow([_("row"), _("column"), _("level"), _("message")])
    for issue in issues:
        writer.writerow(
            [issue["row"], issue["column"], str(LEVELS.get(issue["level"], "")), issue["message"]]
        )
    return out.getvalue()
