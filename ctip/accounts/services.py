"""Every write to organisations and users. Each runs in a transaction and is audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ctip.access.policy import can, can_manage_users_in, sensitive_fields
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core.services import apply_changes, lock_and_check_version

from .models import Organisation, User, UserRole
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
    *, actor: User, name: str, code: str, type: str, name_km: str = "", provinces=()
) -> Organisation:
    _require(actor, Perm.ORGANISATIONS_MANAGE)
    org = Organisation(name=name, name_km=name_km, code=code, type=type, created_by=actor)
    org.full_clean()
    org.save()
    org.provinces.set(provinces)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=org,
        changes={"name": [None, name], "code": [None, code], "type": [None, type]},
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


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """Replaces the user's API token with a new one and returns it (shown once)."""
    _require(user, Perm.API_TOKEN)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(actor=user, action=AuditAction.API_TOKEN_CREATED, target=user)
    return token


@transaction.atomic
def api_token_revoke(*, user: User) -> None:
    deleted, _count = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action=AuditAction.API_TOKEN_REVOKED, target=user)


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
