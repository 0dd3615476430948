"""The trigram index on people's names, on the expressions Django's `icontains` produces.

On PostgreSQL `icontains` is `UPPER(col::text) LIKE UPPER(%s)`, which an index on the bare
columns (0003) cannot serve: the person search ran a sequential scan of every person
(bench/latency.py, docs/benchmarks.md). SQLite has no such index.
"""

from django.db import migrations

UPPER_INDEX = (
    "CREATE INDEX IF NOT EXISTS person_names_upper_trgm ON people_person USING gin ("
    "(UPPER(given_name::text)) gin_trgm_ops, "
    "(UPPER(family_name::text)) gin_trgm_ops, "
    "(UPPER(name_km::text)) gin_trgm_ops)"
)
BARE_INDEX = (
    "CREATE INDEX IF NOT EXISTS person_names_trgm ON people_person USING gin "
    "(given_name gin_trgm_ops, family_name gin_trgm_ops, name_km gin_trgm_ops)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(UPPER_INDEX)
    schema_editor.execute("DROP INDEX IF EXISTS person_names_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BARE_INDEX)
    schema_editor.execute("DROP INDEX IF EXISTS person_names_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_bench_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
