# Indexes for national-scale data (bench/reports.py, docs/benchmarks.md).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("intake", "0001_initial"),
        ("places", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["received_at"], name="intake_received_at"),
        ),
    ]
