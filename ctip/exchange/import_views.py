"""HTCDS import pages: upload, a batch's progress (advanced in chunks by htmx polls), its errors.

The import runs in short chunks, one per poll of the batch page (`batch_advance`), never in a
thread: nothing is lost when the server restarts, and a batch left running simply continues
the next time its page is opened (or from the command line: `import_htcds FILE --resume`).
"""

import time

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors

from .importer import (
    MAX_BYTES,
    batch_create,
    batch_get_for_user,
    batch_run,
    batches_visible_to,
)
from .issues import batch_issues, issues_csv

CHUNK_SECONDS = 2.0  # work done per poll: short enough for a proxy, long enough to progress
SHOWN_ISSUES = 500  # the page shows the first ones; the CSV holds them all


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("HTCDS file (CSV or XLSX)"),
        help_text=_("HTCDS 2.0 column names in the first row; %(mb)s MB at most.")
        % {"mb": MAX_BYTES >> 20},
    )


@permission_required(Perm.EXCHANGE_IMPORT)
def import_home(request: HttpRequest) -> HttpResponse:
    """The upload form and the organisation's recent imports."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte more than allowed: enough to know it is too large, no more.
        content = upload.read(MAX_BYTES + 1)
        try:
            batch, _created = batch_create(
                actor=request.user, file_name=upload.name, content=content
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("exchange:import_batch", batch_uuid=batch.uuid)
    batches = list(batches_visible_to(request.user)[:20])
    return render(request, "exchange/import.html", {"form": form, "batches": batches})


def _progress_context(batch) -> dict:
    return {"batch": batch, "now": timezone.now()}


@permission_required(Perm.EXCHANGE_IMPORT)
def import_batch(request: HttpRequest, batch_uuid) -> HttpResponse:
    """A batch: progress while it runs (the page polls `advance`), then its errors."""
    batch = batch_get_for_user(request.user, batch_uuid)
    issues = batch_issues(request.user, batch) if batch.rows_done or batch.warnings else []
    context = _progress_context(batch) | {
        "issues": issues[:SHOWN_ISSUES],
        "more_issues": max(0, len(issues) - SHOWN_ISSUES),
        "errors_count": sum(1 for i in issues if i["level"] == "error"),
    }
    return render(request, "exchange/import_batch.html", context)


@require_POST
@permission_required(Perm.EXCHANGE_IMPORT)
def import_advance(request: HttpRequest, batch_uuid) -> HttpResponse:
    """Imports the next chunk of a batch and answers its progress (htmx), or back to the page."""
    batch = batch_get_for_user(request.user, batch_uuid)
    was_finished = batch.is_finished
    batch = batch_run(batch=batch, actor=request.user, deadline=time.monotonic() + CHUNK_SECONDS)
    if not request.htmx:
        return redirect("exchange:import_batch", batch_uuid=batch.uuid)
    response = render(request, "exchange/_import_progress.html", _progress_context(batch))
    if batch.is_finished and not was_finished:
        response["HX-Refresh"] = "true"  # show the error table
    return response


@permission_required(Perm.EXCHANGE_IMPORT)
def import_errors_csv(request: HttpRequest, batch_uuid) -> HttpResponse:
    """Every error and warning of a batch as CSV (row, column, level, message)."""
    batch = batch_get_for_user(request.user, batch_uuid)
    response = HttpResponse(
        issues_csv(batch_issues(request.user, batch)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="htcds-import-{batch.uuid}-errors.csv"'
    return response
