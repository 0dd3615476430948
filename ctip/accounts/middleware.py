from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in but not yet verified user may still reach.
_ALLOWED_URL_NAMES = {
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:logout",
    "set_language",
}


def two_factor_pending(user) -> bool:
    """True when the user must still pass TOTP before seeing anything."""
    if not settings.CTIP_REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.needs_two_factor and not user.is_verified()


class TwoFactorRequiredMiddleware:
    """Sends users whose roles need TOTP to enrol or verify before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths: set[str] | None = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(("/api/", "/static/")):
            return None  # the API refuses unverified sessions itself
        if not two_factor_pending(request.user):
            return None
        if self._allowed_paths is None:
            self._allowed_paths = {reverse(name) for name in _ALLOWED_URL_NAMES}
        if request.path in self._allowed_paths:
            return None
        from django_otp import devices_for_user

        has_device = any(devices_for_user(request.user, confirmed=True))
        target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
        return redirect(reverse(target))
