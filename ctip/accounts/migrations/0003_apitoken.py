import hashlib
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def revoke_clear_text_tokens(apps, schema_editor):
    """Revokes the tokens of rest_framework.authtoken instead of converting them.

    Their keys sat in clear in the database, so in every backup and dump taken since: they must
    be taken as known to whoever read one, and were issued without two-factor verification.
    Each becomes a revoked, expired entry (hash only, never the key) that its owner sees on
    their API tokens page, and the clear-text rows are deleted. Owners create new tokens.
    """
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return  # a new installation: the old app never ran
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                name=f"migrated (created {str(created)[:10]})",
                key_prefix=key[:8],
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                scopes=["read", "write"],
                expires_at=now,
                revoked_at=now,
            )
            for key, user_id, created in rows
        )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_provides_legal_aid"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("version", models.PositiveIntegerField(default=1)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("key_prefix", models.CharField(max_length=16, verbose_name="key starts with")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last used"),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunPython(revoke_clear_text_tokens, migrations.RunPython.noop),
    ]
