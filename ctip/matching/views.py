from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors

from . import services
from .forms import DecisionForm
from .models import CandidateStatus
from .selectors import candidate_get_for_user, identity_of, review_queue

STATUS_FILTERS = ("open", *CandidateStatus.values)


@permission_required(Perm.MATCHING_REVIEW)
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    context = {
        "views": review_queue(user=request.user, status=status),
        "status": status,
        "statuses": [("open", _("Open"))] + list(CandidateStatus.choices),
    }
    return render(request, "matching/queue.html", context)


_ACTIONS = {
    "confirm": services.candidate_confirm,
    "reject": services.candidate_reject,
}


@permission_required(Perm.MATCHING_REVIEW)
def detail(request: HttpRequest, candidate_uuid) -> HttpResponse:
    view = candidate_get_for_user(user=request.user, candidate_uuid=candidate_uuid)
    candidate = view.candidate
    form = DecisionForm(request.POST or None, initial={"version": candidate.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "undo":
                services.candidate_undo(
                    actor=request.user,
                    candidate=candidate,
                    expected_version=data["version"],
                    reason=data["note"],
                )
            else:
                _ACTIONS[data["decision"]](
                    actor=request.user,
                    candidate=candidate,
                    expected_version=data["version"],
                    note=data["note"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("matching:detail", candidate_uuid=candidate.uuid)
    cluster = identity_of(user=request.user, person=view.own) if view.own else []
    return render(
        request,
        "matching/detail.html",
        {"view": view, "candidate": candidate, "form": form, "cluster": cluster},
    )
