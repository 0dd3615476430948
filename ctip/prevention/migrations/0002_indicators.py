"""The vulnerability indicators and their starting weights (programmes may tune them later)."""

from django.db import migrations

# code, English label, Khmer label, weight
INDICATORS = [
    ("id-poor", "Household is poor or holds an ID-Poor card", "គ្រួសារក្រីក្រ ឬមានប័ណ្ណក្រីក្រ", 2),
    ("debt", "Household is in debt", "គ្រួសារជំពាក់បំណុល", 2),
    ("out-of-school", "A child is out of school", "កុមារបោះបង់ការសិក្សា", 3),
    ("child-working", "A child is working", "កុមារកំពុងធ្វើការ", 3),
    (
        "migrated",
        "Family members have migrated or plan to migrate",
        "សមាជិកគ្រួសារបានធ្វើចំណាកស្រុក ឬគ្រោងនឹងធ្វើចំណាកស្រុក",
        2,
    ),
    (
        "violence",
        "Violence or family breakdown in the household",
        "អំពើហិង្សា ឬការបែកបាក់ក្នុងគ្រួសារ",
        3,
    ),
    ("hiv", "HIV in the household", "មានមេរោគអេដស៍ក្នុងគ្រួសារ", 2),
    (
        "previously-exploited",
        "A child was previously exploited or trafficked",
        "កុមារធ្លាប់ត្រូវបានកេងប្រវ័ញ្ច ឬជួញដូរ",
        5,
    ),
    ("work-offer", "Offers of work far away", "ការផ្តល់ការងារនៅឆ្ងាយ", 4),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("prevention", "Indicator")
    for position, (code, label, label_km, weight) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            code=code,
            defaults={"label": label, "label_km": label_km, "weight": weight, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("prevention", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
