"""Indexes for national-scale data (bench/latency.py, docs/benchmarks.md).

person_org_name serves the people list's order. On PostgreSQL, a trigram index on the three
name columns serves name searches (`icontains`, i.e. ILIKE '%…%', which a b-tree cannot); it
is created with SQL because SQLite has no such index, and it lives outside Meta.indexes.
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS person_names_trgm ON people_person USING gin "
    "(given_name gin_trgm_ops, family_name gin_trgm_ops, name_km gin_trgm_ops)"
)


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_names_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("people", "0002_person_age_estimation_person_aliases_and_more"),
        ("places", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["organisation", "family_name", "given_name", "id"], name="person_org_name"
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
