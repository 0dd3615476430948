import json

import pytest
from django.db import connection

from ctip.accounts.roles import Role
from ctip.audit.models import GENESIS_HASH, AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.audit.services import audit_record, event_hash


def _raw_row(seq: int) -> str:
    """Every column of the stored row, as text, straight from the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent WHERE seq = %s", [seq])
        return " ".join(str(value) for value in cursor.fetchone())


def test_it_builds_a_chain_from_the_genesis_hash(cast):
    admin = cast.a[Role.ORG_ADMIN]
    recorded = [
        audit_record(actor=admin, action=AuditAction.LOGIN, target=admin),
        audit_record(actor=admin, action=AuditAction.UPDATE, target=cast.org_a, reason="typo"),
        audit_record(actor=None, action=AuditAction.LOGIN_FAILED, target_id="x@a.test"),
    ]

    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.pk for e in stored] == [e.pk for e in recorded]
    assert [e.seq for e in stored] == [1, 2, 3]
    assert stored[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    # The hash covers the content as read back from the database, not just as written.
    assert all(event_hash(e) == e.hash for e in stored)
    assert len({e.hash for e in stored}) == 3
    report = audit_chain_verify()
    assert report.ok and report.count == 3 and report.head_hash == stored[-1].hash


def test_it_records_who_acted_for_which_organisation_and_on_what(cast):
    admin = cast.a[Role.ORG_ADMIN]

    event = audit_record(actor=admin, action=AuditAction.UPDATE, target=cast.org_a)

    assert event.actor_id == admin.pk
    assert event.actor_label == admin.email
    assert event.organisation_id == cast.org_a.pk
    assert event.target_type == "accounts.organisation"
    assert event.target_id == str(cast.org_a.uuid)


def test_an_event_names_itself_by_sequence_action_and_target(cast):
    event = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, target=cast.org_a)

    assert str(event) == f"#1 login_failed accounts.organisation:{cast.org_a.uuid}"


def test_it_records_events_without_an_actor(db):
    event = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, target_id="x@a.test")

    assert (event.actor_id, event.actor_label, event.organisation_id) == (None, "", None)


def test_it_stores_the_names_of_sensitive_fields_never_their_values(cast):
    admin = cast.a[Role.ORG_ADMIN]

    event = audit_record(
        actor=admin,
        action=AuditAction.UPDATE,
        target=admin,
        changes={
            "full_name": ["Chan Sophea", "Chan Sophea Mey"],
            "phone": ["012 345 678", "099 876 543"],
            "protection_notes": [None, "ស្នាក់នៅជាមួយមីង"],
        },
        sensitive_fields={"phone", "protection_notes"},
    )

    event.refresh_from_db()
    assert event.changes == {
        "full_name": ["Chan Sophea", "Chan Sophea Mey"],
        "phone": None,
        "protection_notes": None,
    }
    raw = _raw_row(event.seq)
    for secret in ("012 345 678", "099 876 543", "ស្នាក់នៅជាមួយមីង"):
        assert secret not in raw
        assert json.dumps(secret) not in raw
    assert audit_chain_verify().ok


def test_it_writes_records_in_changes_as_their_uuid(cast):
    event = audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        changes={"organisation": [cast.org_a, cast.org_b], "when": [None, cast.org_a.created_at]},
    )

    event.refresh_from_db()
    assert event.changes["organisation"] == [str(cast.org_a.uuid), str(cast.org_b.uuid)]
    assert event.changes["when"][1].startswith(str(cast.org_a.created_at.year))
    assert audit_chain_verify().ok


@pytest.mark.parametrize("value", [1e20, -0.0, 0.1, 1.5e-7, 12345678901234567890.5])
def test_it_hashes_numbers_as_the_database_gives_them_back(db, value):
    # PostgreSQL's jsonb rewrites 1e20 as 100000000000000000000: the hash must follow.
    audit_record(actor=None, action=AuditAction.UPDATE, changes={"n": [value, {"x": [value]}]})

    event = AuditEvent.objects.get()
    assert event_hash(event) == event.hash
    assert audit_chain_verify().ok
