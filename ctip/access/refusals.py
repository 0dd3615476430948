"""What a refusal (403) says: what is missing, in the user's language, never which record.

A refusal names the cause the user can act on: two-factor verification still pending (only
then), an inactive account or organisation, or the roles that would grant what was asked for.
It never names or describes the record asked for: a record the user may not see answers 404
before any of this is reached (STYLE.md rule 4).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ctip.accounts.middleware import two_factor_pending
from ctip.accounts.roles import ROLES, Role

TWO_FACTOR_PENDING = _("Verify your session with two-factor authentication first.")
NOT_SIGNED_IN = _("Sign in first.")
ACCOUNT_INACTIVE = _("Your account is not active. Ask your organisation admin.")
ORGANISATION_INACTIVE = _("Your organisation is not active in CTIP. Ask a system admin.")
NO_PERMISSION = _("Your roles do not allow this. Ask your organisation admin.")


def roles_granting(permissions) -> list[str]:
    """The labels of the roles that grant any of `permissions`, in the roles table's order."""
    wanted = set(permissions)
    return [str(Role(role).label) for role, spec in ROLES.items() if spec.permissions & wanted]


def refusal_message(user, permissions=(), *, session: bool = True) -> str:
    """Why `user` is refused an action needing any one of `permissions` (none: any check).

    `session`: False for an API token, which stands for a verified user (no TOTP to pass).
    """
    if user is None or not user.is_authenticated:
        return str(NOT_SIGNED_IN)
    if session and two_factor_pending(user):
        return str(TWO_FACTOR_PENDING)
    if not user.is_active:
        return str(ACCOUNT_INACTIVE)
    if not user.organisation.is_active:
        return str(ORGANISATION_INACTIVE)
    roles = roles_granting(permissions)
    if roles:
        return str(
            format_lazy(
                _("This needs one of these roles: {roles}. Ask your organisation admin."),
                roles=", ".join(roles),
            )
        )
    return str(NO_PERMISSION)
