from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.decorators import permission_required
from ctip.access.policy import can, readable_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission
from ctip.operations.models import HandOff
from ctip.people.models import Person
from ctip.places.models import Province

from . import services
from .forms import AdmitForm, AdmitHandOffForm, DischargeForm, FacilityForm, TransferForm
from .models import BandSex
from .selectors import (
    SUMMARY_FIELDS,
    admittable_cases,
    capacity_board,
    current_placements,
    facilities_visible_to,
    facility_get_for_user,
    handoff_to_admit_get,
    past_placements,
    placement_get_for_user,
)


@permission_required(Perm.CAPACITY_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    province = request.GET.get("province", "")[:4]
    sex = request.GET.get("sex", "")
    sex = sex if sex in (BandSex.FEMALE, BandSex.MALE) else ""
    rows = capacity_board(user=request.user, province=province, sex=sex)
    return render(
        request,
        "shelters/board.html",
        {
            "rows": rows,
            "province": province,
            "sex": sex,
            "provinces": Province.objects.filter(is_active=True),
            "total_free": sum(r.free for r in rows),
        },
    )


@permission_required(Perm.SHELTERS_VIEW)
def facility_list(request: HttpRequest) -> HttpResponse:
    facilities = list(facilities_visible_to(user=request.user))
    return render(
        request,
        "shelters/list.html",
        {
            "facilities": facilities,
            "board": capacity_board(user=request.user)
            if can(request.user, Perm.CAPACITY_VIEW)
            else [],
            "can_manage": can(request.user, Perm.SHELTERS_MANAGE),
        },
    )


@permission_required(Perm.SHELTERS_MANAGE)
def facility_create_view(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The facility was added."))
            return redirect("shelters:detail", facility_uuid=facility.uuid)
    return render(request, "shelters/form.html", {"form": form, "title": _("New facility")})


def _names(user, placements) -> dict:
    """Display names of the placed people the user may see; others show by case number."""
    ids = {p.person_id for p in placements}
    return {p.pk: p.display_name for p in visible_to(user, Person).filter(pk__in=ids)}


@permission_required(Perm.SHELTERS_VIEW)
def facility_detail(request: HttpRequest, facility_uuid) -> HttpResponse:
    facility = facility_get_for_user(user=request.user, facility_uuid=facility_uuid)
    current = list(current_placements(user=request.user, facility=facility))
    names = _names(request.user, current)
    rows = [{"placement": p, "name": names.get(p.person_id)} for p in current]
    bands = [
        {"band": b, "occupied": sum(1 for p in current if p.band_id == b.pk)}
        for b in facility.bands.all()
    ]
    return render(
        request,
        "shelters/detail.html",
        {
            "facility": facility,
            "rows": rows,
            "bands": bands,
            "past": past_placements(user=request.user, facility=facility)[:50],
            "can_place": can(request.user, Perm.PLACEMENTS_MANAGE),
        },
    )


@permission_required(Perm.PLACEMENTS_MANAGE)
def admit_view(request: HttpRequest, facility_uuid) -> HttpResponse:
    facility = facility_get_for_user(user=request.user, facility_uuid=facility_uuid)
    form = AdmitForm(request.POST or None, cases=admittable_cases(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_admit(actor=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The child was admitted."))
            return redirect("shelters:detail", facility_uuid=facility.uuid)
    return render(
        request,
        "shelters/form.html",
        {"form": form, "title": _("Admit to %(f)s") % {"f": facility.name}},
    )


@permission_required(Perm.PLACEMENTS_MANAGE)
@once_per_submission
def handoff_admit_view(request: HttpRequest, handoff_uuid) -> HttpResponse:
    """A child handed on by the police: their summary, and a bed in one of our facilities."""
    handoff = handoff_to_admit_get(user=request.user, handoff_uuid=handoff_uuid)
    facilities = facilities_visible_to(user=request.user).filter(is_active=True)
    form = AdmitHandOffForm(
        request.POST or None, facilities=facilities, initial={"version": handoff.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placement = services.placement_admit_from_handoff(
                actor=request.user,
                handoff=handoff,
                facility=data["facility"],
                admitted_on=data["admitted_on"],
                override_reason=data["override_reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The child was admitted."))
            return redirect("shelters:detail", facility_uuid=placement.facility.uuid)
    return render(
        request,
        "shelters/handoff_admit.html",
        {
            "handoff": handoff,
            "form": form,
            "show_confidential": set(readable_fields(request.user, HandOff)) >= SUMMARY_FIELDS,
        },
    )


@permission_required(Perm.PLACEMENTS_MANAGE)
def discharge_view(request: HttpRequest, placement_uuid) -> HttpResponse:
    placement = placement_get_for_user(user=request.user, placement_uuid=placement_uuid)
    form = DischargeForm(request.POST or None, initial={"version": placement.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_discharge(
                actor=request.user,
                placement=placement,
                reason=data["reason"],
                discharged_on=data["discharged_on"],
                notes=data["notes"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The child was discharged."))
            return redirect("shelters:detail", facility_uuid=placement.facility.uuid)
    return render(request, "shelters/form.html", {"form": form, "title": _("Discharge")})


@permission_required(Perm.PLACEMENTS_MANAGE)
def transfer_view(request: HttpRequest, placement_uuid) -> HttpResponse:
    placement = placement_get_for_user(user=request.user, placement_uuid=placement_uuid)
    facilities = facilities_visible_to(user=request.user).exclude(pk=placement.facility_id)
    form = TransferForm(
        request.POST or None, facilities=facilities, initial={"version": placement.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.placement_transfer(
                actor=request.user,
                placement=placement,
                to_facility=data["to_facility"],
                transferred_on=data["transferred_on"],
                notes=data["notes"],
                override_reason=data["override_reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The child was transferred."))
            return redirect("shelters:detail", facility_uuid=new.facility.uuid)
    return render(request, "shelters/form.html", {"form": form, "title": _("Transfer")})
