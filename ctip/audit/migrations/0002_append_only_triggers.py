"""Triggers that refuse UPDATE and DELETE on the audit table (and TRUNCATE on PostgreSQL).

The SQL lives in ctip/audit/triggers.py, shared with the tests that lift the triggers to forge
tampering. If it ever changes, copy the statements used here into this file first.
"""

from django.db import migrations

from ctip.audit import triggers


def create_triggers(apps, schema_editor):
    # triggers.install branches on schema_editor.connection.vendor (sqlite / postgresql) and
    # refuses any other database rather than leave the log unprotected.
    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
