from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, can_change
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.cases.selectors import case_get_for_user
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission

from . import services
from .forms import (
    AcceptForm,
    AgreementEditForm,
    AgreementEndForm,
    AgreementForm,
    DirectoryFilterForm,
    PartnerServiceForm,
    PartnerServiceRecordForm,
    ReasonForm,
    ReferralForm,
    WithdrawReferralForm,
)
from .models import ReferralKind, ReferralStatus
from .selectors import (
    AGREEMENT_STATES,
    agreement_get_for_user,
    agreements_visible_to,
    directory,
    referral_get_for_user,
    referrals_received,
    referrals_sent,
    shared_view,
)


@permission_required(Perm.REFERRALS_VIEW)
def referral_list(request: HttpRequest) -> HttpResponse:
    box = "sent" if request.GET.get("box") == "sent" else "received"
    status = request.GET.get("status", "")
    finder = referrals_sent if box == "sent" else referrals_received
    page = Paginator(finder(user=request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/list.html",
        {"page": page, "box": box, "status": status, "statuses": ReferralStatus.choices},
    )


@permission_required(Perm.REFERRALS_CREATE)
@once_per_submission
def referral_create_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    # Started from a consent to share (the case page's "Refer to …"): that partner prefilled.
    initial = {}
    partner = Organisation.objects.filter(code=request.GET.get("to", "")[:40]).first()
    if partner is not None and partner.pk != request.user.organisation_id:
        initial["to_organisation"] = partner.pk
    form = ReferralForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=request.user,
                case=case,
                to_organisation=data["to_organisation"],
                kind=data["kind"],
                service=data["service"],
                urgency=data["urgency"],
                reason=data["reason"],
                sections=data["sections"],
                override_reason=data["override_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The referral was sent."))
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    return render(request, "referrals/form.html", {"form": form, "case": case})


@permission_required(Perm.REFERRALS_VIEW)
def referral_detail(request: HttpRequest, referral_uuid) -> HttpResponse:
    user = request.user
    referral = referral_get_for_user(user=user, referral_uuid=referral_uuid)
    receiver = referral.to_organisation_id == user.organisation_id
    sender = referral.from_organisation_id == user.organisation_id
    pending = referral.status == ReferralStatus.PENDING
    accepted = referral.status == ReferralStatus.ACCEPTED
    context = {
        "referral": referral,
        "view": shared_view(user=user, referral=referral),
        "receiver": receiver,
        "can_answer": receiver and pending and can(user, Perm.REFERRALS_RESPOND),
        "can_withdraw": sender
        and can(user, Perm.REFERRALS_CREATE)
        and (pending or (accepted and referral.kind == ReferralKind.SERVICE)),
        "can_complete": accepted
        and (can(user, Perm.REFERRALS_CREATE) or can(user, Perm.REFERRALS_RESPOND)),
        "can_record_service": receiver and accepted and can(user, Perm.SERVICES_CONFIRM),
        "accept_form": AcceptForm(user=user, initial={"version": referral.version}),
        "reason_form": ReasonForm(initial={"version": referral.version}),
    }
    return render(request, "referrals/detail.html", context)


def _answer(request, referral_uuid, action: str) -> HttpResponse:
    referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
    form = (
        AcceptForm(request.POST, user=request.user)
        if action == "accept"
        else ReasonForm(request.POST)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "accept":
                services.referral_accept(
                    actor=request.user,
                    referral=referral,
                    reason=data["reason"],
                    case_worker=data["case_worker"],
                    expected_version=data["version"],
                )
                messages.success(request, _("You accepted the referral."))
            elif action == "decline":
                services.referral_decline(
                    actor=request.user,
                    referral=referral,
                    reason=data["reason"],
                    expected_version=data["version"],
                )
                messages.success(request, _("You declined the referral."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("referrals:detail", referral_uuid=referral.uuid)


@require_POST
@permission_required(Perm.REFERRALS_RESPOND)
def referral_accept_view(request: HttpRequest, referral_uuid) -> HttpResponse:
    return _answer(request, referral_uuid, "accept")


@require_POST
@permission_required(Perm.REFERRALS_RESPOND)
def referral_decline_view(request: HttpRequest, referral_uuid) -> HttpResponse:
    return _answer(request, referral_uuid, "decline")


@permission_required(Perm.REFERRALS_CREATE)
def referral_withdraw_view(request: HttpRequest, referral_uuid) -> HttpResponse:
    """Asks for the day, a reason and a confirmation, then withdraws the referral."""
    referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
    if referral.from_organisation_id != request.user.organisation_id:
        raise PermissionDenied
    form = WithdrawReferralForm(
        request.POST or None,
        initial={"version": referral.version, "withdrawn_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_withdraw(
                actor=request.user,
                referral=referral,
                reason=data["reason"],
                withdrawn_on=data["withdrawn_on"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The referral was withdrawn."))
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    return render(request, "referrals/withdraw.html", {"form": form, "referral": referral})


@permission_required(Perm.SERVICES_CONFIRM)
def referral_service_view(request: HttpRequest, referral_uuid) -> HttpResponse:
    """The receiving partner records a service it gave under the referral (e.g. legal
    support); the case's owner sees it among the case's services."""
    from ctip.care.services import partner_service_record

    referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
    if referral.to_organisation_id != request.user.organisation_id:
        raise PermissionDenied
    form = PartnerServiceRecordForm(
        request.POST or None, referral=referral, initial={"delivered_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            partner_service_record(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The service was recorded."))
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    return render(request, "referrals/service_form.html", {"form": form, "referral": referral})


@require_POST
@permission_required(Perm.REFERRALS_CREATE, Perm.REFERRALS_RESPOND)
def referral_complete_view(request: HttpRequest, referral_uuid) -> HttpResponse:
    referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
    try:
        services.referral_complete(
            actor=request.user,
            referral=referral,
            expected_version=int(request.POST.get("version") or 0) or None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("The referral is marked completed."))
    return redirect("referrals:detail", referral_uuid=referral.uuid)


@permission_required(Perm.REFERRALS_VIEW, Perm.DIRECTORY_MANAGE)
def directory_view(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    province = category = ""
    if form.is_valid():
        province = form.cleaned_data["province"].code if form.cleaned_data["province"] else ""
        category = form.cleaned_data["category"]
    entries = directory(user=request.user, province=province, category=category)
    return render(
        request,
        "referrals/directory.html",
        {
            "form": form,
            "entries": entries,
            "can_add": can(request.user, Perm.DIRECTORY_MANAGE),
        },
    )


@permission_required(Perm.DIRECTORY_MANAGE)
def directory_add_view(request: HttpRequest) -> HttpResponse:
    form = PartnerServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_service_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The service was added to the directory."))
            return redirect("referrals:directory")
    return render(request, "referrals/directory_form.html", {"form": form})


# --- Data-sharing agreements ----------------------------------------------------------------
# System administrators record, change and end them; an organisation's admin reads those its
# organisation is party to (ctip/access/rules/matching.py). They decide what the duplicate
# review queue reveals across organisations.

_AGREEMENT_READERS = (Perm.ORGANISATIONS_MANAGE, Perm.USERS_MANAGE_OWN_ORG)


@permission_required(*_AGREEMENT_READERS)
def agreement_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    found = agreements_visible_to(user=request.user, state=state)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/agreement_list.html",
        {
            "page": page,
            "state": state if state in AGREEMENT_STATES else "",
            "query": f"state={state}" if state in AGREEMENT_STATES else "",
            "can_manage": can(request.user, Perm.ORGANISATIONS_MANAGE),
        },
    )


@permission_required(*_AGREEMENT_READERS)
def agreement_detail(request: HttpRequest, agreement_uuid) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, agreement_uuid=agreement_uuid)
    return render(
        request,
        "referrals/agreement_detail.html",
        {"agreement": agreement, "can_manage": can_change(request.user, agreement)},
    )


@permission_required(Perm.ORGANISATIONS_MANAGE)
@once_per_submission
def agreement_create_view(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The data-sharing agreement was recorded."))
            return redirect("referrals:agreement_detail", agreement_uuid=agreement.uuid)
    return render(request, "referrals/agreement_form.html", {"form": form, "creating": True})


@permission_required(Perm.ORGANISATIONS_MANAGE)
def agreement_edit_view(request: HttpRequest, agreement_uuid) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, agreement_uuid=agreement_uuid)
    form = AgreementEditForm(
        request.POST or None,
        agreement=agreement,
        initial={
            "version": agreement.version,
            "reference": agreement.reference,
            "reveal_matches": agreement.reveal_matches,
            "contact_a": agreement.contact_a,
            "contact_b": agreement.contact_b,
            "valid_from": agreement.valid_from,
            "valid_to": agreement.valid_to,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.agreement_update(
                actor=request.user, agreement=agreement, expected_version=version, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The data-sharing agreement was saved."))
            return redirect("referrals:agreement_detail", agreement_uuid=agreement.uuid)
    return render(request, "referrals/agreement_form.html", {"form": form, "agreement": agreement})


@permission_required(Perm.ORGANISATIONS_MANAGE)
def agreement_end_view(request: HttpRequest, agreement_uuid) -> HttpResponse:
    """Asks for the last day in force and a confirmation, then ends the agreement."""
    agreement = agreement_get_for_user(user=request.user, agreement_uuid=agreement_uuid)
    yesterday = timezone.localdate() - timedelta(days=1)
    last_day = max(yesterday, agreement.valid_from)
    if agreement.valid_to is not None:
        last_day = min(last_day, agreement.valid_to)
    form = AgreementEndForm(
        request.POST or None, initial={"version": agreement.version, "valid_to": last_day}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_end(
                actor=request.user,
                agreement=agreement,
                valid_to=data["valid_to"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The agreement ends on %(day)s. It stays on record.")
                % {"day": data["valid_to"].isoformat()},
            )
            return redirect("referrals:agreement_detail", agreement_uuid=agreement.uuid)
    return render(request, "referrals/agreement_end.html", {"form": form, "agreement": agreement})
