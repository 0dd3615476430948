"""The child-status and risk instruments and the service catalogue, as data.

Organisations may add instruments and services later (admin); these are the defaults every
installation starts with. Khmer names are part of the data: they are not in the .po catalogue.
"""

from django.db import migrations

CHILD_STATUS = {
    "code": "child-status",
    "name": "Child status (needs assessment)",
    "name_km": "ស្ថានភាពកុមារ (ការវាយតម្លៃតម្រូវការ)",
    "kind": "needs",
    "repeat_every_days": 90,
    "higher_is_better": True,
    "description": "Initial and repeated needs assessment, one score per domain of well-being.",
    "domains": [
        ("safety", "Safety", "សុវត្ថិភាព"),
        ("physical-health", "Physical health", "សុខភាពរាងកាយ"),
        ("mental-health", "Mental health and trauma", "សុខភាពផ្លូវចិត្ត និងរបួសផ្លូវចិត្ត"),
        ("education", "Education", "ការអប់រំ"),
        ("family-care", "Family and care", "គ្រួសារ និងការថែទាំ"),
        ("legal", "Legal", "ផ្លូវច្បាប់"),
        ("livelihood", "Livelihood and skills", "ជីវភាព និងជំនាញ"),
        ("social", "Social connection", "ទំនាក់ទំនងសង្គម"),
    ],
    "levels": [
        (1, "Very poor", "ខ្សោយខ្លាំង"),
        (2, "Poor", "ខ្សោយ"),
        (3, "Fair", "មធ្យម"),
        (4, "Good", "ល្អ"),
    ],
}

RISK = {
    "code": "risk",
    "name": "Risk assessment",
    "name_km": "ការវាយតម្លៃហានិភ័យ",
    "kind": "risk",
    "repeat_every_days": 30,
    "higher_is_better": False,
    "description": "Risks to the survivor's safety, repeated monthly while the case is open.",
    "domains": [
        ("re-trafficking", "Risk of re-trafficking", "ហានិភ័យនៃការជួញដូរម្តងទៀត"),
        ("perpetrators", "Threats from perpetrators", "ការគំរាមកំហែងពីជនល្មើស"),
        ("home", "Risk at home", "ហានិភ័យនៅផ្ទះ"),
        ("self-harm", "Self-harm", "ការធ្វើបាបខ្លួនឯង"),
        ("community", "Risk in the community", "ហានិភ័យក្នុងសហគមន៍"),
    ],
    "levels": [(1, "Low", "ទាប"), (2, "Medium", "មធ្យម"), (3, "High", "ខ្ពស់")],
}

SERVICES = [
    ("medical", "health", "Medical care", "ការថែទាំវេជ្ជសាស្ត្រ"),
    ("hiv-sexual-health", "health", "HIV and sexual health", "មេរោគអេដស៍ និងសុខភាពផ្លូវភេទ"),
    ("counselling", "psychosocial", "Psychosocial counselling", "ការប្រឹក្សាផ្លូវចិត្តសង្គម"),
    ("trauma-therapy", "psychosocial", "Trauma therapy", "ការព្យាបាលរបួសផ្លូវចិត្ត"),
    ("legal-aid", "legal", "Legal aid", "ជំនួយផ្លូវច្បាប់"),
    ("education", "education", "Education (school support)", "ការអប់រំ (ការគាំទ្រការសិក្សា)"),
    ("hairdressing", "vocational", "Vocational training: hairdressing", "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ៖ កាត់សក់"),
    ("tailoring", "vocational", "Vocational training: tailoring", "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ៖ កាត់ដេរ"),
    ("weaving", "vocational", "Vocational training: weaving", "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ៖ ត្បាញ"),
    ("computer-skills", "vocational", "Vocational training: computer skills", "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ៖ កុំព្យូទ័រ"),
    ("life-skills", "psychosocial", "Life skills", "ជំនាញជីវិត"),
    ("family-tracing", "family", "Family tracing", "ការស្វែងរកគ្រួសារ"),
    ("transport", "basic_needs", "Transport", "ការធ្វើដំណើរ"),
    ("food", "basic_needs", "Food", "អាហារ"),
    ("accommodation", "basic_needs", "Accommodation", "កន្លែងស្នាក់នៅ"),
    ("cash-support", "basic_needs", "Cash support", "ជំនួយសាច់ប្រាក់"),
]


def seed(apps, schema_editor):
    Instrument = apps.get_model("care", "Instrument")
    Domain = apps.get_model("care", "Domain")
    Level = apps.get_model("care", "Level")
    ServiceType = apps.get_model("care", "ServiceType")
    for spec in (CHILD_STATUS, RISK):
        fields = {k: v for k, v in spec.items() if k not in ("code", "domains", "levels")}
        instrument, _ = Instrument.objects.get_or_create(code=spec["code"], defaults=fields)
        for order, (code, name, name_km) in enumerate(spec["domains"], start=1):
            Domain.objects.get_or_create(
                instrument=instrument,
                code=code,
                defaults={"name": name, "name_km": name_km, "order": order},
            )
        for score, name, name_km in spec["levels"]:
            Level.objects.get_or_create(
                instrument=instrument, score=score, defaults={"name": name, "name_km": name_km}
            )
    for code, category, name, name_km in SERVICES:
        ServiceType.objects.get_or_create(
            code=code, defaults={"category": category, "name": name, "name_km": name_km}
        )


class Migration(migrations.Migration):
    dependencies = [("care", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
