from dataclasses import dataclass

import pytest

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.services import audit_record
from ctip.core.testing import Cast


@dataclass
class Events:
    a: AuditEvent  # organisation A's
    b: AuditEvent  # organisation B's
    system: AuditEvent  # no actor, no organisation: only system admins see it


@pytest.fixture
def events(cast: Cast) -> Events:
    """One event in each organisation, one with neither, recorded as services record them."""
    worker_a = cast.a[Role.CASE_WORKER]
    worker_b = cast.b[Role.CASE_WORKER]
    a = audit_record(
        actor=cast.a[Role.ORG_ADMIN],
        action=AuditAction.UPDATE,
        target=worker_a,
        changes={
            "full_name": ["Sok Dara", "Sok Dara Chan"],
            "password": ["pw-before-9f3", "pw-after-9f3"],
        },
        sensitive_fields={"password"},
        reason="reason-of-org-a",
    )
    b = audit_record(
        actor=cast.b[Role.ORG_ADMIN],
        action=AuditAction.ROLES_CHANGED,
        target=worker_b,
        changes={"roles": [["case_worker"], ["case_worker", "legal_officer"]]},
        reason="reason-of-org-b",
    )
    system = audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        target_type="accounts.user",
        target_id="nobody@example.test",
        reason="reason-of-nobody",
    )
    return Events(a=a, b=b, system=system)


def record_many(n: int, *, actor, action: str = AuditAction.LOGIN) -> list[AuditEvent]:
    return [audit_record(actor=actor, action=action, target=actor) for _ in range(n)]
