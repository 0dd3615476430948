"""The standard cast of test users and the helpers every test module shares.

Two organisations, A and B, each with one user per role: `cast.a[Role.CASE_WORKER]` and so on,
plus named shortcuts. Build records through services, so tests exercise the real invariants.
"""

from dataclasses import dataclass, field

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.accounts.models import Organisation, OrganisationType, User, UserRole
from ctip.accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105


def make_organisation(code: str, **fields) -> Organisation:
    defaults = {"name": f"Organisation {code.upper()}", "type": OrganisationType.SOCIAL_AFFAIRS}
    return Organisation.objects.create(code=code, **(defaults | fields))


def make_user(organisation: Organisation, *roles: str, email: str | None = None) -> User:
    email = email or f"{'-'.join(roles) or 'norole'}@{organisation.code}.test"
    user = User.objects.create_user(
        email, TEST_PASSWORD, full_name=email.split("@")[0], organisation=organisation
    )
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
    return user


def give_totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def as_verified(user: User) -> User:
    """`user` as django-otp's middleware leaves a session's user after TOTP: is_verified()."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or give_totp_device(user)
    user.otp_device = device
    user.is_verified = lambda: True
    return user


def api_token_key(user: User, *, scopes=("read", "write"), name: str = "test") -> str:
    """The key of a new API token of `user`, created as from a verified session."""
    from ctip.accounts.services import api_token_create

    # A fresh instance: the caller's `user` must not come out marked as verified.
    actor = as_verified(User.objects.get(pk=user.pk))
    return api_token_create(actor=actor, name=name, scopes=scopes).key


def verified_client(user: User | None) -> Client:
    """A client signed in as `user` who has passed TOTP; anonymous for None."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or give_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class Cast:
    org_a: Organisation
    org_b: Organisation
    a: dict[str, User] = field(default_factory=dict)
    b: dict[str, User] = field(default_factory=dict)
    no_role: User | None = None

    def everyone(self) -> list[User]:
        return [*self.a.values(), *self.b.values(), self.no_role]


def make_cast() -> Cast:
    org_a = make_organisation("a", name="Organisation A", type=OrganisationType.SOCIAL_AFFAIRS)
    # B runs a legal team beside its shelter: it may represent victims in proceedings.
    org_b = make_organisation(
        "b", name="Organisation B", type=OrganisationType.NGO_SHELTER, provides_legal_aid=True
    )
    cast = Cast(org_a=org_a, org_b=org_b)
    for role in Role.values:
        cast.a[role] = make_user(org_a, role)
        cast.b[role] = make_user(org_b, role)
    cast.no_role = make_user(org_a, email="norole@a.test")
    return cast


def refused(response) -> bool:
    """True when a response shows nothing: login redirect, 401, 403 or 404."""
    if response.status_code == 302:
        return "/accounts/login/" in response["Location"] or "/two-factor/" in response["Location"]
    return response.status_code in (401, 403, 404)


def assert_refused(
    url: str,
    users: list[User | None],
    *,
    method: str = "get",
    data=None,
    expect: int | None = None,
    **extra,
) -> None:
    """Asserts that each user (None: anonymous) is refused `url`.

    With `expect`, the status must be exactly that (e.g. 404 for another organisation's record,
    which must look exactly like a record that does not exist).
    """
    for user in users:
        response = getattr(verified_client(user), method)(url, data=data, **extra)
        who = user.email if user else "anonymous"
        if expect is not None:
            assert response.status_code == expect, f"{who} got {response.status_code} on {url}"
        else:
            assert refused(response), f"{who} was not refused {url}: {response.status_code}"
