from django.conf import settings

from .navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs: the menu for the user's roles, and the demo warning."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_items": nav_for(user) if signed_in else [],
        "two_factor_relaxed": not settings.CTIP_REQUIRE_2FA,
    }
