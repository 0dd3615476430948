"""The database itself refuses to change or remove audit events, whatever the code does."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction

from ctip.accounts.roles import Role
from ctip.audit import triggers
from ctip.audit.models import AuditAction, AuditEvent
from ctip.audit.selectors import audit_chain_verify
from ctip.audit.services import audit_record

from .tamper import execute, triggers_lifted

migration = importlib.import_module("ctip.audit.migrations.0002_append_only_triggers")
REFUSED = "audit events are append-only"
is_postgresql = connection.vendor == "postgresql"

EXPECTED_TRIGGERS = {
    "sqlite": {"audit_auditevent_no_update", "audit_auditevent_no_delete"},
    "postgresql": {"audit_auditevent_no_update_delete", "audit_auditevent_no_truncate"},
}


@pytest.fixture
def chain(cast) -> list[AuditEvent]:
    admin = cast.a[Role.ORG_ADMIN]
    return [
        audit_record(actor=admin, action=AuditAction.LOGIN, target=admin, reason=f"event {i}")
        for i in range(3)
    ]


def assert_refused(action) -> None:
    # The savepoint keeps the test's transaction usable after the database refuses.
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        action()


def assert_untouched(chain: list[AuditEvent]) -> None:
    stored = list(AuditEvent.objects.order_by("seq").values_list("pk", "reason", "hash"))
    assert stored == [(e.pk, e.reason, e.hash) for e in chain]
    assert audit_chain_verify().ok


def test_the_migration_installs_the_triggers(db):
    assert triggers.installed(connection) == EXPECTED_TRIGGERS[connection.vendor]


def test_it_refuses_updates_through_the_orm(chain):
    event = AuditEvent.objects.get(seq=2)
    event.reason = "nothing happened"

    assert_refused(lambda: event.save())
    assert_refused(lambda: event.save(update_fields=["reason"]))
    assert_refused(lambda: AuditEvent.objects.filter(seq=2).update(reason="forged"))
    assert_refused(lambda: AuditEvent.objects.update(reason="forged"))
    assert_untouched(chain)


def test_it_refuses_deletes_through_the_orm(chain):
    assert_refused(lambda: AuditEvent.objects.get(seq=2).delete())
    assert_refused(lambda: AuditEvent.objects.filter(seq__gte=2).delete())
    assert_refused(lambda: AuditEvent.objects.all().delete())
    assert_untouched(chain)


def test_it_refuses_updates_and_deletes_in_raw_sql(chain):
    assert_refused(lambda: execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2"))
    assert_refused(lambda: execute("UPDATE audit_auditevent SET seq = seq + 10"))
    assert_refused(lambda: execute("DELETE FROM audit_auditevent WHERE seq = 3"))
    # Without WHERE: SQLite's truncate shortcut must not bypass the trigger.
    assert_refused(lambda: execute("DELETE FROM audit_auditevent"))
    assert_untouched(chain)


@pytest.mark.skipif(not is_postgresql, reason="TRUNCATE is PostgreSQL's")
def test_it_refuses_truncate_on_postgresql(chain):
    assert_refused(lambda: execute("TRUNCATE audit_auditevent"))
    assert_refused(lambda: execute("TRUNCATE audit_auditevent CASCADE"))
    assert_untouched(chain)


def test_it_still_appends(chain):
    event = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, target_id="x@a.test")

    assert event.seq == 4
    assert audit_chain_verify().count == 4


def test_the_migration_reverse_drops_the_triggers_and_forward_restores_them(chain):
    schema_editor = SimpleNamespace(connection=connection)

    migration.drop_triggers(None, schema_editor)
    assert triggers.installed(connection) == set()
    AuditEvent.objects.filter(seq=2).update(reason="allowed without triggers")

    migration.create_triggers(None, schema_editor)
    assert triggers.installed(connection) == EXPECTED_TRIGGERS[connection.vendor]
    assert_refused(lambda: AuditEvent.objects.filter(seq=2).update(reason="again"))


def test_the_tamper_helper_lifts_the_triggers_only_within_its_block(chain):
    with triggers_lifted():
        AuditEvent.objects.filter(seq=3).delete()

    assert AuditEvent.objects.count() == 2
    assert triggers.installed(connection) == EXPECTED_TRIGGERS[connection.vendor]
    assert_refused(lambda: AuditEvent.objects.filter(seq=2).delete())


def test_it_refuses_to_leave_other_databases_unprotected():
    other = SimpleNamespace(vendor="oracle")

    with pytest.raises(NotImplementedError, match="oracle"):
        triggers.install(other)
    with pytest.raises(NotImplementedError, match="oracle"):
        triggers.remove(other)
