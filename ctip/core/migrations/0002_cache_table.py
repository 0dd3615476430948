"""The table of the database cache (settings.CACHES), so that `migrate` alone prepares a new
database: the public tip form's rate limit and the API throttles keep their counters there."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Django's own command: creates the table of every DatabaseCache in settings.CACHES on this
    # database, and does nothing when it exists already.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
