"""Evidence pages. Every view of an item, and every download, is a custody event; originals
are served only as attachments, with nosniff and a sandboxing CSP, after the access check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, readable_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission
from ctip.justice.models import Investigation, InvestigationVictim
from ctip.justice.selectors import investigation_get_for_user
from ctip.people.models import Person

from . import selectors, services
from .forms import CorrectionForm, CustodyForm, EvidenceForm, MedicalCertificateForm
from .models import CustodyAction, EvidenceItem, MedicalCertificate


def _investigation_for_adding(request, investigation_uuid) -> Investigation:
    inv = investigation_get_for_user(user=request.user, investigation_uuid=investigation_uuid)
    if request.user.organisation_id not in (inv.organisation_id, inv.legal_organisation_id):
        raise PermissionDenied
    return inv


def _item_values(form) -> dict:
    data = dict(form.cleaned_data)
    upload = data.pop("file", None)
    return data | {"upload": upload, "original_name": getattr(upload, "name", "")}


@permission_required(Perm.EVIDENCE_ADD)
@once_per_submission
def upload(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _investigation_for_adding(request, investigation_uuid)
    form = EvidenceForm(
        request.POST or None, request.FILES or None, initial={"collected_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, investigation=inv, **_item_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The evidence item was stored. SHA-256: %(h)s") % {"h": item.sha256 or "—"},
            )
            return redirect("evidence:detail", item_uuid=item.uuid)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": _("Add evidence"),
            "back": reverse("justice:detail", args=[inv.uuid]),
        },
    )


@permission_required(Perm.EVIDENCE_VIEW)
def detail(request: HttpRequest, item_uuid) -> HttpResponse:
    item = selectors.item_get_for_user(user=request.user, item_uuid=item_uuid)
    certificate = selectors.certificate_for_item(user=request.user, item=item)
    cert_rows = []
    if certificate is not None:
        for name in readable_fields(request.user, MedicalCertificate, services.CERTIFICATE_FIELDS):
            field = MedicalCertificate._meta.get_field(name)
            display = getattr(certificate, f"get_{name}_display", None)
            cert_rows.append(
                {
                    "label": field.verbose_name,
                    "value": display() if display else getattr(certificate, name),
                }
            )
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "custody": selectors.custody_log(user=request.user, item=item),
            "versions": selectors.item_versions(user=request.user, item=item),
            "certificate": certificate,
            "cert_rows": cert_rows,
            "sees_description": "description" in readable_fields(request.user, EvidenceItem),
            "can_add": can(request.user, Perm.EVIDENCE_ADD),
        },
    )


@permission_required(Perm.EVIDENCE_VIEW)
def download(request: HttpRequest, item_uuid) -> HttpResponse:
    item = selectors.item_get_for_user(
        user=request.user, item_uuid=item_uuid, action=CustodyAction.COPIED
    )
    if not item.has_file:
        return HttpResponse(status=404)
    path = services.media_path(item.file_path)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=services.safe_display_name(item.original_name),
        # Never let the browser render it: a download of bytes, whatever they are.
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response


@permission_required(Perm.EVIDENCE_ADD)
def correct(request: HttpRequest, item_uuid) -> HttpResponse:
    original = selectors.item_get_for_user(
        user=request.user, item_uuid=item_uuid, record_view=False
    )
    inv = _investigation_for_adding(request, original.investigation.uuid)
    form = CorrectionForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "kind": original.kind,
            "title": original.title,
            "collected_on": original.collected_on,
            "collected_at": original.collected_at,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(
                actor=request.user, investigation=inv, corrects=original, **_item_values(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The correction was stored; the original is unchanged."))
            return redirect("evidence:detail", item_uuid=item.uuid)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": _("Correct: %(t)s") % {"t": original.title},
            "back": reverse("evidence:detail", args=[original.uuid]),
        },
    )


@permission_required(Perm.EVIDENCE_ADD)
def custody_add(request: HttpRequest, item_uuid) -> HttpResponse:
    item = selectors.item_get_for_user(user=request.user, item_uuid=item_uuid, record_view=False)
    form = CustodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.custody_record(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The custody event was recorded."))
            return redirect("evidence:detail", item_uuid=item.uuid)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": _("Record custody: %(t)s") % {"t": item.title},
            "back": reverse("evidence:detail", args=[item.uuid]),
        },
    )


@permission_required(Perm.EVIDENCE_ADD)
def medical(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _investigation_for_adding(request, investigation_uuid)
    people = Person.objects.filter(
        pk__in=visible_to(request.user, InvestigationVictim)
        .filter(investigation=inv)
        .values("person_id")
    )
    form = MedicalCertificateForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.medical_certificate_create(
                actor=request.user, investigation=inv, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The certificate was stored as evidence."))
            return redirect("evidence:detail", item_uuid=certificate.item.uuid)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": _("Medical examination certificate"),
            "back": reverse("justice:detail", args=[inv.uuid]),
        },
    )


@require_POST
@permission_required(Perm.EVIDENCE_EXPORT)
def bundle(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = investigation_get_for_user(user=request.user, investigation_uuid=investigation_uuid)
    uuids = request.POST.getlist("items")[:500]
    items = list(
        visible_to(request.user, EvidenceItem)
        .filter(investigation=inv, uuid__in=[u for u in uuids if _is_uuid(u)])
        .select_related("corrects")
    )
    try:
        data = services.bundle_export(
            actor=request.user,
            investigation=inv,
            items=items,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("justice:detail", investigation_uuid=inv.uuid)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="bundle-{inv.reference}-{stamp}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
