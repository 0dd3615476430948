"""Triggers that refuse UPDATE and DELETE on evidence items, custody events and medical
certificates (and TRUNCATE on PostgreSQL).

The SQL lives in ctip/evidence/triggers.py. If it ever changes, copy the statements used here
into this file first.
"""

from django.db import migrations

from ctip.evidence import triggers


def create_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
