"""Checks and small helpers shared by the cases services (services.py, consent_services.py)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policy import can, visible_to
from ctip.accounts.models import Organisation, User
from ctip.accounts.roles import Perm

from .models import (
    Case,
    CaseSettings,
    CaseStatus,
)


def settings_for(organisation: Organisation) -> CaseSettings:
    """The organisation's case settings; the defaults (unsaved) when it has none."""
    found = CaseSettings.objects.filter(organisation=organisation).first()
    return found or CaseSettings(organisation=organisation)


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied


def _require_visible_case(actor, case: Case, permission: str = Perm.CASES_CHANGE) -> None:
    """The actor holds `permission` and sees the case; else PermissionDenied."""
    _require(actor, permission)
    # Only the owning organisation changes a case: a referral partner only reads (issue 5).
    owned = visible_to(actor, Case).filter(pk=case.pk, organisation_id=actor.organisation_id)
    if not owned.exists():
        raise PermissionDenied


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed. Reopen it before changing it."))


def _check_staff(case_org_id: int, user: User | None, field: str, roles: set[str]) -> None:
    if user is None:
        return
    if user.organisation_id != case_org_id or not user.is_active or not (user.roles & roles):
        raise ValidationError(
            {field: _("Choose an active colleague of the case's organisation in this role.")}
        )


def _today() -> date:
    return timezone.localdate()
