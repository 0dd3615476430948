"""Organisation admins manage their own users only; system admins manage organisations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Role
from ctip.accounts.services import user_create, user_update
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, give_totp_device, verified_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase 7"


def test_an_org_admin_lists_only_their_organisations_users(cast):
    page = verified_client(cast.a[Role.ORG_ADMIN]).get(reverse("accounts:user_list"))
    emails = {u.email for u in page.context["page"]}
    assert emails == {u.email for u in User.objects.filter(organisation=cast.org_a)}
    api = verified_client(cast.a[Role.ORG_ADMIN]).get(reverse("api-users")).json()
    assert {u["email"] for u in api["results"]} == emails


def test_an_org_admin_gets_404_on_another_organisations_user(cast):
    other = cast.b[Role.CASE_WORKER]
    assert_refused(
        reverse("accounts:user_edit", args=[other.uuid]), [cast.a[Role.ORG_ADMIN]], expect=404
    )
    assert_refused(reverse("api-user", args=[other.uuid]), [cast.a[Role.ORG_ADMIN]], expect=404)
    assert_refused(
        reverse("accounts:user_edit", args=[other.uuid]),
        [cast.a[Role.ORG_ADMIN]],
        method="post",
        data={"version": 1, "full_name": "Hijacked", "is_active": ""},
        expect=404,
    )
    other.refresh_from_db()
    assert other.full_name != "Hijacked" and other.is_active


def test_users_who_are_not_admins_are_refused_user_management(cast):
    target = cast.a[Role.CASE_WORKER]
    not_admins = [cast.a[r] for r in Role.values if r not in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)]
    assert_refused(reverse("accounts:user_list"), [None, *not_admins])
    assert_refused(reverse("accounts:user_edit", args=[target.uuid]), not_admins, expect=404)
    assert_refused(reverse("api-user", args=[target.uuid]), not_admins, expect=404)


def test_an_org_admin_creates_a_user_in_their_organisation(cast):
    admin = cast.a[Role.ORG_ADMIN]
    response = verified_client(admin).post(
        reverse("accounts:user_create"),
        {
            "email": "New.Worker@a.test",
            "full_name": "Chan Sophea",
            "full_name_km": "ចាន់ សុភា",
            "organisation": cast.org_a.pk,
            "roles": [Role.CASE_WORKER],
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.worker@a.test")
    assert user.organisation == cast.org_a and user.roles == {Role.CASE_WORKER}
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(user.uuid))
    assert event.changes["password"] is None and event.organisation_id == cast.org_a.pk


def test_an_org_admin_cannot_create_users_elsewhere_or_grant_system_admin(cast):
    admin = cast.a[Role.ORG_ADMIN]
    with pytest.raises(PermissionDenied):
        user_create(
            actor=admin,
            organisation=cast.org_b,
            email="x@b.test",
            full_name="X",
            password=NEW_PASSWORD,
            roles={Role.CASE_WORKER},
        )
    with pytest.raises(PermissionDenied):
        user_create(
            actor=admin,
            organisation=cast.org_a,
            email="x@a.test",
            full_name="X",
            password=NEW_PASSWORD,
            roles={Role.SYSTEM_ADMIN},
        )
    response = verified_client(admin).post(
        reverse("accounts:user_create"),
        {
            "email": "x@b.test",
            "full_name": "X",
            "organisation": cast.org_b.pk,
            "roles": [Role.CASE_WORKER],
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not User.objects.filter(email__in=["x@a.test", "x@b.test"]).exists()


def test_weak_or_duplicate_passwords_and_emails_are_refused_with_messages(cast):
    admin = verified_client(cast.a[Role.ORG_ADMIN])
    base = {"full_name": "X", "organisation": cast.org_a.pk, "roles": [Role.CASE_WORKER]}
    count = User.objects.count()
    short = admin.post(
        reverse("accounts:user_create"), base | {"email": "s@a.test", "password": "short pw"}
    )
    assert "at least 12 characters" in short.content.decode()
    common = admin.post(
        reverse("accounts:user_create"), base | {"email": "c@a.test", "password": "password1234"}
    )
    assert "too common" in common.content.decode()
    dup = admin.post(
        reverse("accounts:user_create"),
        base | {"email": cast.a[Role.CASE_WORKER].email.upper(), "password": NEW_PASSWORD},
    )
    assert "already exists" in dup.content.decode()
    assert User.objects.count() == count


def test_role_changes_are_audited_and_admins_cannot_change_their_own_roles(cast):
    admin = cast.a[Role.ORG_ADMIN]
    worker = cast.a[Role.CASE_WORKER]
    user_update(
        actor=admin,
        user=worker,
        expected_version=worker.version,
        roles={Role.CASE_WORKER, Role.CASE_SUPERVISOR},
    )
    event = AuditEvent.objects.filter(action=AuditAction.ROLES_CHANGED).latest("seq")
    assert event.changes["roles"] == [["case_worker"], ["case_supervisor", "case_worker"]]
    with pytest.raises(ValidationError):
        user_update(
            actor=admin,
            user=admin,
            expected_version=admin.version,
            roles={Role.ORG_ADMIN, Role.CASE_SUPERVISOR},
        )
    with pytest.raises(ValidationError):
        user_update(actor=admin, user=admin, expected_version=admin.version, is_active=False)


def test_an_org_admin_cannot_touch_an_account_holding_a_role_above_theirs(cast):
    sysadmin_in_a = cast.a[Role.SYSTEM_ADMIN]
    give_totp_device(sysadmin_in_a)
    admin = verified_client(cast.a[Role.ORG_ADMIN])
    url = reverse("accounts:user_edit", args=[sysadmin_in_a.uuid])
    response = admin.post(
        url, {"version": sysadmin_in_a.version, "full_name": "Renamed", "is_active": ""}
    )
    assert response.status_code == 403
    response = admin.post(url, {"action": "reset_2fa", "reset-reason": "takeover"})
    assert response.status_code == 403
    sysadmin_in_a.refresh_from_db()
    assert sysadmin_in_a.full_name != "Renamed" and sysadmin_in_a.is_active
    assert sysadmin_in_a.totpdevice_set.exists()


def test_deactivated_users_cannot_log_in(cast):
    admin = cast.a[Role.ORG_ADMIN]
    worker = cast.a[Role.CASE_WORKER]
    user_update(actor=admin, user=worker, expected_version=worker.version, is_active=False)
    assert AuditEvent.objects.filter(action=AuditAction.DEACTIVATE).count() == 1
    response = verified_client(None).post(
        "/accounts/login/",
        {"username": worker.email, "password": "correct horse battery staple 42"},
    )
    assert response.status_code == 200  # the form again, not a redirect


def test_a_stale_user_edit_is_refused(cast):
    admin = cast.a[Role.ORG_ADMIN]
    worker = cast.a[Role.CASE_WORKER]
    user_update(actor=admin, user=worker, expected_version=1, full_name="First")
    response = verified_client(admin).post(
        reverse("accounts:user_edit", args=[worker.uuid]),
        {"version": 1, "full_name": "Second", "is_active": "on", "roles": [Role.CASE_WORKER]},
    )
    assert "Someone else changed this record" in response.content.decode()
    assert User.objects.get(pk=worker.pk).full_name == "First"


def test_resetting_totp_needs_a_reason_and_is_audited(cast):
    worker = cast.a[Role.CASE_WORKER]
    give_totp_device(worker)
    admin = verified_client(cast.a[Role.ORG_ADMIN])
    url = reverse("accounts:user_edit", args=[worker.uuid])
    admin.post(url, {"action": "reset_2fa", "reset-reason": ""})
    assert worker.totpdevice_set.filter(confirmed=True).exists()
    admin.post(url, {"action": "reset_2fa", "reset-reason": "Phone stolen"})
    assert not worker.totpdevice_set.exists()
    assert AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET).reason == "Phone stolen"


def test_only_system_admins_manage_organisations(cast):
    url = reverse("accounts:organisation_create")
    assert_refused(url, [None, cast.a[Role.ORG_ADMIN], cast.a[Role.CASE_WORKER]])
    response = verified_client(cast.a[Role.SYSTEM_ADMIN]).post(
        url, {"name": "Kampot Social Affairs", "code": "kpt", "type": "social_affairs"}
    )
    assert response.status_code == 302
    org = Organisation.objects.get(code="kpt")
    edit = reverse("accounts:organisation_edit", args=[org.uuid])
    assert_refused(
        edit,
        [cast.a[Role.ORG_ADMIN]],
        method="post",
        data={"version": 1, "name": "Hijacked", "code": "kpt", "type": "other"},
    )
    org.refresh_from_db()
    assert org.name == "Kampot Social Affairs"
    duplicate = verified_client(cast.a[Role.SYSTEM_ADMIN]).post(
        url, {"name": "Other", "code": "kpt", "type": "other"}
    )
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
