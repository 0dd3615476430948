"""API tokens: hashed at rest, expiring, scoped, issued only to two-factor-verified sessions,
several per user, revocable by their owner and by the admin of the owner's organisation."""

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctip.accounts.models import ApiToken, User
from ctip.accounts.roles import Role
from ctip.accounts.services import api_token_create, api_token_revoke
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import api_token_key, as_verified, verified_client
from ctip.people.models import Person

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PEOPLE = "/api/v1/people/"
PAGE = reverse("accounts:api_token")


def _create_on_page(client: Client, name: str = "script", access: str = "read", days: int = 30):
    return client.post(PAGE, {"name": name, "access": access, "lifetime": days})


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _all_stored_values() -> str:
    """Every value of every row of every table, as one text."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def test_the_database_keeps_a_hash_of_the_key_never_the_key(cast):
    user = cast.a[Role.CASE_WORKER]
    key = _create_on_page(verified_client(user)).context["new_key"]
    assert _api(key).get(ME).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.key_prefix) and len(key) - len(token.key_prefix) >= 32
    secret = key[len(token.key_prefix) :]
    stored = _all_stored_values()  # tokens, audit log, sessions, cache: everything
    assert key not in stored and secret not in stored


def test_the_new_key_is_shown_once(cast):
    client = verified_client(cast.a[Role.CASE_WORKER])
    key = _create_on_page(client).context["new_key"]
    page = client.get(PAGE).content.decode()
    assert key not in page and "script" in page


def test_expired_and_revoked_tokens_are_refused_with_401(cast):
    user = cast.a[Role.CASE_WORKER]
    client = verified_client(user)
    key = _create_on_page(client, days=30).context["new_key"]
    assert _api(key).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        expired = _api(key).get(ME)
        assert expired.status_code == 401 and "expired" in expired.json()["detail"]
        assert expired["WWW-Authenticate"] == "Token"
    token = ApiToken.objects.get(user=user)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.uuid])).status_code == 302
    revoked = _api(key).get(ME)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert _api("ctip_" + "x" * 43).get(ME).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(cast):
    user = cast.a[Role.CASE_WORKER]
    key = api_token_key(user)
    user.is_active = False
    user.save()
    assert _api(key).get(ME).status_code == 401


def test_a_read_token_cannot_write_and_a_write_token_can(cast):
    user = cast.a[Role.CASE_WORKER]
    read_key = api_token_key(user, scopes=["read"])
    write_key = api_token_key(user, scopes=["read", "write"])
    body = {"given_name": "Scope", "estimated_age": 12}
    refused = _api(read_key).post(PEOPLE, body, content_type="application/json")
    assert refused.status_code == 403 and "write" in refused.json()["detail"]
    assert _api(read_key).get(PEOPLE).status_code == 200
    assert not Person.objects.filter(given_name="Scope").exists()
    created = _api(write_key).post(PEOPLE, body, content_type="application/json")
    assert created.status_code == 201


def test_a_session_not_verified_by_two_factor_cannot_create_a_token(cast):
    # Statistics officers need no TOTP to browse, so the middleware lets them in unverified:
    # the token page itself must refuse, or a password alone would mint a lasting credential.
    user = cast.a[Role.STATISTICS_OFFICER]
    client = Client()
    client.force_login(user)
    page = client.get(PAGE)
    assert page.status_code == 200 and "new_key" in page.context and not page.context["verified"]
    assert _create_on_page(client).status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()
    # The service refuses a user that no verified session stands for (a script, an API call).
    with pytest.raises(PermissionDenied):
        api_token_create(actor=User.objects.get(pk=user.pk), name="script")
    # Once verified with TOTP, the same user may.
    assert _create_on_page(verified_client(user)).context["new_key"]


def test_without_required_two_factor_the_demo_may_create_tokens(cast, settings):
    settings.CTIP_REQUIRE_2FA = False  # the local demo's relaxation, as on every page
    user = cast.a[Role.STATISTICS_OFFICER]
    client = Client()
    client.force_login(user)
    assert _create_on_page(client).context["new_key"]


def test_a_user_holds_several_tokens_and_revokes_one_alone(cast):
    user = cast.a[Role.CASE_WORKER]
    client = verified_client(user)
    first = _create_on_page(client, name="first").context["new_key"]
    second = _create_on_page(client, name="second", access="write").context["new_key"]
    assert first != second
    assert _api(first).get(ME).status_code == 200 and _api(second).get(ME).status_code == 200
    token = ApiToken.objects.get(user=user, name="first")
    client.post(reverse("accounts:api_token_revoke", args=[token.uuid]))
    assert _api(first).get(ME).status_code == 401
    assert _api(second).get(ME).status_code == 200
    page = client.get(PAGE).content.decode()
    assert "first" in page and "second" in page


def test_a_token_lives_one_year_at_most(cast):
    actor = as_verified(cast.a[Role.CASE_WORKER])
    with pytest.raises(ValidationError):
        api_token_create(actor=actor, name="x", expires_at=timezone.now() + timedelta(days=366))
    with pytest.raises(ValidationError):
        api_token_create(actor=actor, name="x", expires_at=timezone.now() - timedelta(days=1))
    token = api_token_create(actor=actor, name="default").token
    assert token.expires_at - timezone.now() == pytest.approx(
        timedelta(days=90), abs=timedelta(minutes=1)
    )


def test_creating_and_revoking_are_audited_without_the_key(cast):
    user = cast.a[Role.CASE_WORKER]
    admin = cast.a[Role.ORG_ADMIN]
    issued = api_token_create(actor=as_verified(user), name="sync", scopes=["read"])
    api_token_revoke(actor=admin, token=issued.token)
    created = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert created.actor_id == user.pk and created.target_id == str(issued.token.uuid)
    assert revoked.actor_id == admin.pk and revoked.organisation_id == cast.org_a.pk
    assert issued.key not in str(created.changes) and issued.key not in str(revoked.changes)
    api_token_revoke(actor=admin, token=issued.token)  # again: nothing changes, nothing logged
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).count() == 1


def test_an_org_admin_sees_and_revokes_their_users_tokens_only(cast):
    admin = verified_client(cast.a[Role.ORG_ADMIN])
    worker_a, worker_b = cast.a[Role.CASE_WORKER], cast.b[Role.CASE_WORKER]
    key_a = api_token_key(worker_a, name="tablet A")
    key_b = api_token_key(worker_b, name="tablet B")
    token_a = ApiToken.objects.get(user=worker_a)
    token_b = ApiToken.objects.get(user=worker_b)

    page = admin.get(reverse("accounts:user_edit", args=[worker_a.uuid]))
    assert "tablet A" in page.content.decode()
    assert admin.get(reverse("accounts:user_edit", args=[worker_b.uuid])).status_code == 404

    def revoke(user, token):
        return admin.post(reverse("accounts:user_api_token_revoke", args=[user.uuid, token.uuid]))

    # Another organisation's token answers 404, by its own user or slipped under one of ours.
    assert revoke(worker_b, token_b).status_code == 404
    assert revoke(worker_a, token_b).status_code == 404
    assert _api(key_b).get(ME).status_code == 200
    assert revoke(worker_a, token_a).status_code == 302
    assert _api(key_a).get(ME).status_code == 401

    # A colleague who is no admin cannot revoke anyone's token; nor by the owner's own route.
    other = api_token_key(worker_a, name="phone")
    token = ApiToken.objects.get(user=worker_a, name="phone")
    colleague = verified_client(cast.a[Role.CASE_SUPERVISOR])
    url = reverse("accounts:user_api_token_revoke", args=[worker_a.uuid, token.uuid])
    assert colleague.post(url).status_code == 404
    own_route = reverse("accounts:api_token_revoke", args=[token.uuid])
    assert colleague.post(own_route).status_code == 404
    assert admin.post(own_route).status_code == 404  # admins revoke from the user's page
    assert _api(other).get(ME).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(cast):
    key = api_token_key(cast.a[Role.CASE_WORKER])
    assert _api(key).get(ME).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    with CaptureQueriesContext(connection) as queries:
        _api(key).get(ME)
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        _api(key).get(ME)
    assert ApiToken.objects.get().last_used_at > token.last_used_at


def test_the_migration_revokes_clear_text_tokens_and_deletes_them(cast):
    user = cast.a[Role.CASE_WORKER]
    clear = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created varchar(40) NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [clear, "2026-01-02 03:04:05", user.pk],
        )
    migration = importlib.import_module("ctip.accounts.migrations.0003_apitoken")
    migration.revoke_clear_text_tokens(django_apps, SimpleNamespace(connection=connection))
    token = ApiToken.objects.get(user=user)
    assert (
        token.revoked_at is not None
        and token.key_hash == hashlib.sha256(clear.encode()).hexdigest()
    )
    assert clear not in _all_stored_values()
    assert _api(clear).get(ME).status_code == 401
