# Indexes for national-scale data (bench/latency.py, docs/benchmarks.md).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0001_initial"),
        ("people", "0002_person_age_estimation_person_aliases_and_more"),
        ("places", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["organisation", "-opened_on", "-id"], name="case_org_opened"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["opened_on"], name="case_opened_on"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["closed_on"], name="case_closed_on"),
        ),
    ]
