import hashlib
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ctip.core.models import BaseModel

from .roles import Role, needs_two_factor, permissions_for


class OrganisationType(models.TextChoices):
    POLICE = "police", _("Anti-trafficking police")
    SOCIAL_AFFAIRS = "social_affairs", _("Social-affairs department")
    NGO_SHELTER = "ngo_shelter", _("NGO shelter / aftercare")
    LEGAL_AID = "legal_aid", _("Legal aid")
    HOTLINE = "hotline", _("Hotline")
    INTERNATIONAL = "international", _("International organisation")
    OTHER = "other", _("Other")


class Organisation(BaseModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)
    # Short code used in case numbers, e.g. "PNH" in PNH-2026-000123.
    code = models.SlugField(_("code"), max_length=12, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    provinces = models.ManyToManyField(
        "places.Province", blank=True, related_name="organisations", verbose_name=_("provinces")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Only such an organisation may be named to represent the victims of an investigation,
    # which opens the proceeding and its evidence to it (ctip/access/rules/justice.py). A flag,
    # not the type: an NGO shelter may run a legal team too.
    provides_legal_aid = models.BooleanField(_("provides legal aid"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str) -> "User":
        # Emails are case-insensitive: "Dara@Example.org" signs in as dara@example.org.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        """Creates a system admin in the system-administration organisation (createsuperuser)."""
        if "organisation" not in fields and "organisation_id" not in fields:
            fields["organisation"], _ = Organisation.objects.get_or_create(
                code="system",
                defaults={"name": "CTIP system administration", "type": OrganisationType.OTHER},
            )
        user = self.create_user(email, password, **fields)
        UserRole.objects.create(user=user, role=Role.SYSTEM_ADMIN)
        return user


class User(AbstractBaseUser, BaseModel):
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    full_name_km = models.CharField(_("full name in Khmer"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", verbose_name=_("organisation")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's roles; none when the account or its organisation is inactive."""
        if not self.is_active or not self.organisation.is_active:
            return frozenset()
        return frozenset(self.role_assignments.values_list("role", flat=True))

    @cached_property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles)

    @property
    def needs_two_factor(self) -> bool:
        return needs_two_factor(self.roles)

    # Django's admin and the `perms` template variable call these; CTIP decides in `access`.
    @property
    def is_staff(self) -> bool:
        return False

    def has_perm(self, perm: str, obj=None) -> bool:
        from ctip.access.policy import can

        return can(self, perm)

    def has_module_perms(self, app_label: str) -> bool:
        return False


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class ApiScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")


class ApiToken(BaseModel):
    """A credential for the REST API, owned by one user; a user may hold several.

    Only a SHA-256 hash of the key is stored: the key itself is shown once, when the token is
    created (services.api_token_create). The key is 256 random bits, so a fast hash is enough;
    `key_prefix` (not secret) lets the owner recognise the token in a list.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # A list of ApiScope values: "read" allows safe methods, "write" the others.
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and moment < self.expires_at
