# Indexes for national-scale data (bench/reports.py, docs/benchmarks.md).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("care", "0003_seed_instruments_and_catalogue"),
        ("cases", "0002_bench_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="servicedelivery",
            index=models.Index(fields=["delivered_on"], name="delivery_delivered_on"),
        ),
    ]
