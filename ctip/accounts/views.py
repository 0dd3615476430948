from datetime import timedelta

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.access.decorators import permission_required
from ctip.access.policy import can, can_manage_users_in
from ctip.core.forms import add_service_errors

from . import services
from .forms import (
    ApiTokenForm,
    LoginForm,
    OrganisationForm,
    TokenForm,
    TwoFactorResetForm,
    UserCreateForm,
    UserEditForm,
)
from .roles import Perm, roles_grantable_by
from .selectors import (
    api_token_get_for_user,
    api_tokens_visible_to,
    organisation_get_for_user,
    organisations_user_may_staff,
    organisations_visible_to,
    user_get_for_user,
    users_visible_to,
)

# --- Signing in ---------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Email and password; Axes counts failures and locks the account after too many."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in and rotates the session id
        services.login_record(user=form.get_user())
        return response

    def form_invalid(self, form):
        services.login_failed_record(
            email=form.data.get("username", ""),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        services.password_change(user=self.request.user, form=form)
        # Keep this session signed in; other sessions of the user end with the old hash.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self.get_success_url())


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    logout(request)
    return redirect("accounts:login")


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrols an authenticator app: shows a QR code and its key, then checks one code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not user.is_verified():
        return redirect("accounts:two_factor_verify")
    device = services.two_factor_device_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.two_factor_enrol(user=user, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect("core:home")
        form.add_error("token", _("That code is not right. Check your phone's clock and retry."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
    )


def _base32(key: bytes) -> str:
    import base64

    raw = base64.b32encode(key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Asks for the current code of the user's authenticator app."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = "core:home"
            return redirect(next_url)
        form.add_error("token", _("That code is not right, or too many tries: wait and retry."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": sorted(user.role_assignments.all(), key=lambda r: r.role),
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "active_tokens": user.api_tokens.filter(
                revoked_at=None, expires_at__gt=timezone.now()
            ).count(),
        },
    )


@permission_required(Perm.API_TOKEN)
def api_token(request: HttpRequest) -> HttpResponse:
    """Lists the user's API tokens and creates new ones; a new key is shown once, never again.

    Creating one needs a session verified by two-factor authentication (the service refuses
    others with 403); the page sends an unverified user to verify or enrol first.
    """
    user = request.user
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.api_token_create(
                actor=user,
                name=data["name"],
                scopes=form.scopes(),
                expires_at=timezone.now() + timedelta(days=data["lifetime"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            new_key = issued.key
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_token.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": api_tokens_visible_to(user=user).filter(user=user),
            "verified": services.two_factor_verified(user),
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "now": timezone.now(),
        },
    )


@require_POST
def api_token_revoke_view(request: HttpRequest, token_uuid) -> HttpResponse:
    """The owner revokes one of their tokens (no permission needed to give one up)."""
    token = api_token_get_for_user(user=request.user, token_uuid=token_uuid, owner=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The API token was revoked."))
    return redirect("accounts:api_token")


# --- Managing users -----------------------------------------------------------------------------


@permission_required(Perm.USERS_MANAGE_OWN_ORG, Perm.USERS_MANAGE_ALL)
def user_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(users_visible_to(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


@permission_required(Perm.USERS_MANAGE_OWN_ORG, Perm.USERS_MANAGE_ALL)
def user_create_view(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(
        request.POST or None,
        grantable_roles=roles_grantable_by(request.user.roles),
        organisations=organisations_user_may_staff(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_create(
                actor=request.user,
                organisation=data["organisation"],
                email=data["email"],
                full_name=data["full_name"],
                full_name_km=data["full_name_km"],
                password=data["password"],
                roles=set(data["roles"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account was created."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


def user_edit_view(request: HttpRequest, user_uuid) -> HttpResponse:
    target = user_get_for_user(user=request.user, user_uuid=user_uuid)
    grantable = roles_grantable_by(request.user.roles)
    current_roles = {r.role for r in target.role_assignments.all()}
    form = UserEditForm(
        request.POST or None,
        grantable_roles=grantable,
        initial={
            "version": target.version,
            "full_name": target.full_name,
            "full_name_km": target.full_name_km,
            "roles": sorted(current_roles),
            "is_active": target.is_active,
        },
    )
    reset_form = TwoFactorResetForm(prefix="reset")
    if request.method == "POST" and request.POST.get("action") == "reset_2fa":
        reset_form = TwoFactorResetForm(request.POST, prefix="reset")
        if reset_form.is_valid():
            services.two_factor_reset(
                actor=request.user, user=target, reason=reset_form.cleaned_data["reason"]
            )
            messages.success(request, _("Two-factor authentication was reset for this user."))
            return redirect("accounts:user_edit", user_uuid=target.uuid)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=target,
                expected_version=data["version"],
                roles=set(data["roles"]),
                full_name=data["full_name"],
                full_name_km=data["full_name_km"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "reset_form": reset_form,
            "can_manage": can_manage_users_in(request.user, target.organisation),
            "has_device": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
            "api_tokens": api_tokens_visible_to(user=request.user).filter(user=target),
            "now": timezone.now(),
        },
    )


@require_POST
def user_api_token_revoke_view(request: HttpRequest, user_uuid, token_uuid) -> HttpResponse:
    """An admin revokes a token of a user they administer; other organisations' answer 404."""
    target = user_get_for_user(user=request.user, user_uuid=user_uuid)
    token = api_token_get_for_user(user=request.user, token_uuid=token_uuid, owner=target)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The API token was revoked."))
    return redirect("accounts:user_edit", user_uuid=target.uuid)


# --- Organisations ------------------------------------------------------------------------------


@permission_required(Perm.ORGANISATIONS_VIEW)
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = organisations_visible_to(user=request.user)
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "organisations": organisations,
            "can_manage": can(request.user, Perm.ORGANISATIONS_MANAGE),
        },
    )


@permission_required(Perm.ORGANISATIONS_MANAGE)
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("version", None)
        try:
            services.organisation_create(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation was created."))
            return redirect("accounts:organisation_list")
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


@permission_required(Perm.ORGANISATIONS_MANAGE)
def organisation_edit_view(request: HttpRequest, org_uuid) -> HttpResponse:
    org = organisation_get_for_user(user=request.user, org_uuid=org_uuid)
    form = OrganisationForm(
        request.POST or None,
        initial={
            "version": org.version,
            "name": org.name,
            "name_km": org.name_km,
            "code": org.code,
            "type": org.type,
            "provides_legal_aid": org.provides_legal_aid,
            "provinces": list(org.provinces.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data.pop("version")
        try:
            services.organisation_update(
                actor=request.user, organisation=org, expected_version=version, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("accounts:organisation_list")
    return render(request, "accounts/organisation_form.html", {"form": form, "org": org})
