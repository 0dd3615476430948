"""Every write to organisations and users. Each runs in a transaction and is audited."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.access.policy import can, can_manage_users_in, sensitive_fields
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version

from .models import ApiScope, ApiToken, Organisation, User, UserRole
from .roles import Perm, Role, roles_grantable_by


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied


def _check_roles_grantable(actor, roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))})
    refused = roles - set(roles_grantable_by(actor.roles))
    if refused:
        raise PermissionDenied


def _check_may_administer(actor, target: User) -> None:
    """Admins manage users of their reach who hold no role above what the admin could grant:
    an organisation admin cannot rename, deactivate or reset a system admin."""
    if not can_manage_users_in(actor, target.organisation):
        raise PermissionDenied
    held = set(target.role_assignments.values_list("role", flat=True))
    if held - set(roles_grantable_by(actor.roles)):
        raise PermissionDenied


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    code: str,
    type: str,
    name_km: str = "",
    provinces=(),
    provides_legal_aid: bool = False,
) -> Organisation:
    _require(actor, Perm.ORGANISATIONS_MANAGE)
    org = Organisation(
        name=name,
        name_km=name_km,
        code=code,
        type=type,
        provides_legal_aid=provides_legal_aid,
        created_by=actor,
    )
    org.full_clean()
    org.save()
    org.provinces.set(provinces)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=org,
        changes={
            "name": [None, name],
            "code": [None, code],
            "type": [None, type],
            "provides_legal_aid": [None, provides_legal_aid],
        },
    )
    return org


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int | None, **values
) -> Organisation:
    _require(actor, Perm.ORGANISATIONS_MANAGE)
    org = lock_and_check_version(organisation, expected_version)
    provinces = values.pop("provinces", None)
    changes = apply_changes(org, values)
    if provinces is not None:
        before = set(org.provinces.values_list("code", flat=True))
        after = {p.code for p in provinces}
        if before != after:
            org.provinces.set(provinces)
            changes["provinces"] = [sorted(before), sorted(after)]
    if changes:
        org.full_clean()
        org.version += 1
        org.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, target=org, changes=changes)
    return org


@transaction.atomic
def user_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    full_name: str,
    password: str,
    roles: set[str],
    full_name_km: str = "",
) -> User:
    """Creates an account in `organisation` with an initial password the admin hands over."""
    if not can_manage_users_in(actor, organisation):
        raise PermissionDenied
    _check_roles_grantable(actor, roles)
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    user = User(
        email=email,
        full_name=full_name,
        full_name_km=full_name_km,
        organisation=organisation,
        created_by=actor,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in sorted(roles)])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        organisation=organisation,
        changes={"email": [None, email], "roles": [[], sorted(roles)], "password": None},
        sensitive_fields={"password"},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    expected_version: int | None,
    roles: set[str] | None = None,
    **values,
) -> User:
    """Changes a user's name, active flag or roles; an admin never changes their own roles."""
    _check_may_administer(actor, user)
    target = lock_and_check_version(user, expected_version)
    if target.pk == actor.pk and (roles is not None and set(roles) != set(target.roles)):
        raise ValidationError(_("You cannot change your own roles. Ask another admin."))
    if target.pk == actor.pk and values.get("is_active") is False:
        raise ValidationError(_("You cannot deactivate your own account."))
    changes = apply_changes(target, values)
    if roles is not None:
        before = set(target.role_assignments.values_list("role", flat=True))
        # An admin may only add or remove roles they could grant.
        _check_roles_grantable(actor, set(roles) ^ before)
        if before != set(roles):
            target.role_assignments.exclude(role__in=roles).delete()
            UserRole.objects.bulk_create(
                [UserRole(user=target, role=r) for r in sorted(set(roles) - before)]
            )
            changes["roles"] = [sorted(before), sorted(roles)]
    if changes:
        target.full_clean(exclude=["password"])
        target.version += 1
        target.save()
        action = AuditAction.ROLES_CHANGED if list(changes) == ["roles"] else AuditAction.UPDATE
        if values.get("is_active") is False and "is_active" in changes:
            action = AuditAction.DEACTIVATE
        audit_record(
            actor=actor,
            action=action,
            target=target,
            organisation=target.organisation,
            changes=changes,
            sensitive_fields=sensitive_fields(User),
        )
    target.__dict__.pop("roles", None)
    target.__dict__.pop("permissions", None)
    return target


@transaction.atomic
def two_factor_device_start(*, user: User) -> TOTPDevice:
    """Returns the user's unconfirmed TOTP device, creating one with a fresh key if needed.

    An unconfirmed device grants nothing until the user proves they hold its key.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def two_factor_enrol(*, user: User, device: TOTPDevice) -> TOTPDevice:
    """Confirms a TOTP device the user has just proved they hold."""
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(actor=user, action=AuditAction.TWO_FACTOR_ENROLLED, target=user)
    return device


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, reason: str) -> None:
    """Removes a user's TOTP devices (lost phone); they enrol again at next login."""
    _check_may_administer(actor, user)
    if not reason.strip():
        raise ValidationError(_("Give a reason for resetting two-factor authentication."))
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.TWO_FACTOR_RESET,
        target=user,
        organisation=user.organisation,
        reason=reason.strip(),
    )


API_TOKEN_DEFAULT_LIFETIME = timedelta(days=90)
API_TOKEN_MAX_LIFETIME = timedelta(days=365)
# Keys look like "ctip_" + 43 URL-safe characters (256 random bits); the first 8 characters
# after "ctip_" are kept in clear so that the owner can tell tokens apart.
API_TOKEN_KEY_PREFIX = "ctip_"  # noqa: S105 (the public start of every key)
_PREFIX_LENGTH = len(API_TOKEN_KEY_PREFIX) + 8


class IssuedToken(NamedTuple):
    """A token just created, with its key: the only moment the key exists outside the client."""

    token: ApiToken
    key: str


def two_factor_verified(user) -> bool:
    """True when `user` (a request's user) passed TOTP in this session.

    As everywhere in CTIP, CTIP_REQUIRE_2FA=0 (the local demo only) relaxes it. A user loaded
    from the database, or authenticated by an API token, has no `is_verified` and fails.
    """
    if not settings.CTIP_REQUIRE_2FA:
        return True
    is_verified = getattr(user, "is_verified", None)
    return callable(is_verified) and bool(is_verified())


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str,
    scopes: Iterable[str] = (ApiScope.READ,),
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Creates an API token for `actor` and returns it with its key, which is never stored.

    Only from a session verified by two-factor authentication: a token outlives the session
    and skips TOTP at every request, so it must not be obtainable with a password alone.
    """
    _require(actor, Perm.API_TOKEN)
    if not two_factor_verified(actor):
        raise PermissionDenied(_("Verify your session with two-factor authentication first."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    scopes = sorted(set(scopes))
    if not scopes or set(scopes) - set(ApiScope.values):
        raise ValidationError({"scopes": _("Choose what the token may do.")})
    now = timezone.now()
    expires_at = expires_at or now + API_TOKEN_DEFAULT_LIFETIME
    if not now < expires_at <= now + API_TOKEN_MAX_LIFETIME:
        raise ValidationError({"expires_at": _("A token expires within one year.")})
    key = API_TOKEN_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name,
        key_prefix=key[:_PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
        scopes=scopes,
        expires_at=expires_at,
        created_by=actor,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action=AuditAction.API_TOKEN_CREATED,
        target=token,
        changes={
            "user": [None, str(actor.uuid)],
            "name": [None, name],
            "key_prefix": [None, token.key_prefix],
            "scopes": [None, scopes],
            "expires_at": [None, expires_at],
        },
    )
    return IssuedToken(token, key)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revokes a token: its owner may, and an admin of the owner's organisation (or a system
    admin). Revoking a revoked token changes nothing."""
    owner = token.user
    if owner.pk != actor.pk:
        _check_may_administer(actor, owner)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.version += 1
    token.save(update_fields=["revoked_at", "revoked_by", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.API_TOKEN_REVOKED,
        target=token,
        organisation=owner.organisation,
        changes={"revoked_at": [None, token.revoked_at]},
    )
    return token


@transaction.atomic
def password_change(*, user: User, form) -> None:
    """Saves a validated PasswordChangeForm; the log records that it changed, never the value."""
    form.save()
    user.version += 1
    user.save(update_fields=["version"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        changes={"password": None},
        sensitive_fields={"password"},
    )


def login_record(*, user: User) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, target=user)


def login_failed_record(*, email: str, locked_out: bool) -> None:
    """Logs a failed login against the account it named, if any.

    What was typed is never stored: people sometimes type their password in the email box.
    """
    action = AuditAction.LOCKED_OUT if locked_out else AuditAction.LOGIN_FAILED
    account = User.objects.filter(email__iexact=email.strip()).select_related("organisation")
    user = account.first()
    if user is None:
        audit_record(actor=None, action=action, target_type="accounts.user", target_id="unknown")
    else:
        audit_record(actor=None, action=action, target=user, organisation=user.organisation)


def logout_record(*, user: User) -> None:
    audit_record(actor=user, action=AuditAction.LOGOUT, target=user)
