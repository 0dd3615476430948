"""The partner systems page: an organisation's systems, their last sync and mapped records."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors

from . import services
from .forms import PartnerSystemForm
from .selectors import partner_system_get, partner_systems_for


@permission_required(Perm.INTEROP_MANAGE)
def system_list(request: HttpRequest) -> HttpResponse:
    form = PartnerSystemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_system_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partner system was registered."))
            return redirect("interop:list")
    context = {
        "systems": list(partner_systems_for(user=request.user)),
        "form": form,
        "api_url": request.build_absolute_uri(reverse("api-interop-cases")),
        "can_sync": can(request.user, Perm.INTEROP_SYNC),
    }
    return render(request, "interop/list.html", context)


@require_POST
@permission_required(Perm.INTEROP_MANAGE)
def system_set_active(request: HttpRequest, system_uuid) -> HttpResponse:
    system = partner_system_get(user=request.user, system_uuid=system_uuid)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.partner_system_set_active(
            actor=request.user,
            system=system,
            is_active=request.POST.get("is_active") == "1",
            expected_version=version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The partner system was updated."))
    return redirect("interop:list")
