"""DRF glue for the access policy: the same rules as the pages."""

from rest_framework import permissions

from ctip.accounts.middleware import two_factor_pending

from .policy import can, is_active_user
from .refusals import TWO_FACTOR_PENDING, refusal_message


class IsVerifiedUser(permissions.BasePermission):
    """Signed in, active, and past TOTP when the user's roles need it.

    Tokens are issued only to verified sessions, so a token stands for a verified user.
    Views may name `required_permission` (or a tuple, any one of which suffices); without one,
    being verified is enough. A refusal says what is missing (ctip/access/refusals.py): only a
    pending two-factor verification says two-factor.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not is_active_user(user):
            self.message = refusal_message(user, session=request.auth is None)
            return False
        if request.auth is None and two_factor_pending(user):
            self.message = str(TWO_FACTOR_PENDING)
            return False
        needed = getattr(view, "required_permission", None)
        if needed is None:
            return True
        if isinstance(needed, str):
            needed = (needed,)
        if any(can(user, p) for p in needed):
            return True
        self.message = refusal_message(user, needed, session=request.auth is None)
        return False
