"""DRF glue for the access policy: the same rules as the pages."""

from rest_framework import permissions

from ctip.accounts.middleware import two_factor_pending

from .policy import can, is_active_user


class IsVerifiedUser(permissions.BasePermission):
    """Signed in, active, and past TOTP when the user's roles need it.

    Tokens are issued only to verified sessions, so a token stands for a verified user.
    Views may name `required_permission` (or a tuple, any one of which suffices); without one,
    being verified is enough.
    """

    message = "Authentication with two-factor verification is required."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not is_active_user(user):
            return False
        if request.auth is None and two_factor_pending(user):
            return False
        needed = getattr(view, "required_permission", None)
        if needed is None:
            return True
        if isinstance(needed, str):
            needed = (needed,)
        return any(can(user, p) for p in needed)
