"""Reads of organisations and users, always through the access policy."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ctip.access.policy import get_visible_or_404, visible_to

from .models import ApiToken, Organisation, User, UserRole


def users_visible_to(*, user) -> QuerySet[User]:
    """Users an admin may manage: their organisation's, or all for system admins."""
    return (
        visible_to(user, User)
        .select_related("organisation")
        .prefetch_related(Prefetch("role_assignments", queryset=UserRole.objects.order_by("role")))
        .order_by("organisation__name", "full_name")
    )


def user_get_for_user(*, user, user_uuid) -> User:
    return get_visible_or_404(user, users_visible_to(user=user), uuid=user_uuid)


def organisations_visible_to(*, user) -> QuerySet[Organisation]:
    return visible_to(user, Organisation).prefetch_related("provinces").order_by("name")


def organisation_get_for_user(*, user, org_uuid) -> Organisation:
    return get_visible_or_404(user, organisations_visible_to(user=user), uuid=org_uuid)


def organisations_user_may_staff(*, user) -> QuerySet[Organisation]:
    """Organisations in which `user` may create accounts."""
    from ctip.access.policy import can

    if can(user, "users.manage_all"):
        return Organisation.objects.filter(is_active=True)
    if can(user, "users.manage_own_org"):
        return Organisation.objects.filter(pk=user.organisation_id, is_active=True)
    return Organisation.objects.none()


def api_tokens_visible_to(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens, and those of the users they administer (never the key)."""
    administered = users_visible_to(user=user).values("pk")
    return (
        ApiToken.objects.filter(Q(user=user) | Q(user__in=administered))
        .select_related("user", "revoked_by")
        .order_by("-created_at")
    )


def api_token_get_for_user(*, user, token_uuid, owner=None) -> ApiToken:
    """One token the user may see (and, with `owner`, of that user); 404 otherwise."""
    tokens = api_tokens_visible_to(user=user)
    if owner is not None:
        tokens = tokens.filter(user=owner)
    return get_object_or_404(tokens, uuid=token_uuid)


def api_token_for_key(key: str) -> ApiToken | None:
    """The token a presented key stands for, found by the hash of the key (authentication)."""
    return (
        ApiToken.objects.select_related("user__organisation")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
