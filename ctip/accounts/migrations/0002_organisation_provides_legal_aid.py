from django.db import migrations, models


def legal_aid_organisations(apps, schema_editor):
    """Organisations typed "legal aid" provide it; others are set by an administrator."""
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(type="legal_aid").update(provides_legal_aid=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="provides_legal_aid",
            field=models.BooleanField(default=False, verbose_name="provides legal aid"),
        ),
        migrations.RunPython(legal_aid_organisations, migrations.RunPython.noop),
    ]
