"""Demo proceedings and evidence: suspects, investigations at every stage, a few synthetic files.

Idempotent: investigations are found by title; everything is written through services.
Victims and suspects are people of the police office that handles the investigation.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from ctip.core.management.commands.seed_demo import NamePicker
from ctip.evidence.models import EvidenceItem
from ctip.evidence.services import item_create, medical_certificate_create
from ctip.people.models import Person, Sex
from ctip.people.services import person_create
from ctip.places.models import Province

from . import services
from .models import Investigation, LawArticle

# (title, form, stage, suspects: (sex, role, phone, handle)); names come from names.csv
PLAN = [
    (
        "Karaoke bar recruitment ring, Chbar Ampov",
        "sex_karaoke",
        "verdict",
        [
            (Sex.FEMALE, "establishment", "+855 12 345 678", "@vanna.ka"),
            (Sex.MALE, "recruiter", "012 987 654", ""),
        ],
    ),
    (
        "Construction workers moved to Thailand",
        "labour_construction",
        "court",
        [(Sex.MALE, "broker_transporter", "012-345-678", "")],
    ),
    (
        "Online abuse via messaging app",
        "sex_online",
        "charged",
        [(Sex.MALE, "online_abuser", "", "@bora_77")],
    ),
    ("Brick kiln debt bondage, Kandal", "labour_brick_kiln", "open", []),
]

# The province of each investigation (NCDD code): the statistics count investigations by it.
PROVINCE_OF = {
    "Karaoke bar recruitment ring, Chbar Ampov": "12",
    "Construction workers moved to Thailand": "14",
    "Online abuse via messaging app": "12",
    "Brick kiln debt bondage, Kandal": "08",
}

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def seed(ctx) -> None:
    created, kept = services.law_articles_load(actor=None)
    ctx.stdout.write(f"Law articles: {created} created, {kept} kept.")
    investigator = ctx.users["investigator"]
    names = NamePicker(ctx.rng)
    legal_org = ctx.orgs.get("tworivers")
    today = timezone.localdate()
    victims = list(Person.objects.filter(organisation=investigator.organisation).order_by("id")[:4])
    for n, (title, form, stage, suspects) in enumerate(PLAN):
        if Investigation.objects.filter(title=title).exists():
            ctx.stdout.write(f"Investigation: {title} exists.")
            continue
        opened = today - timedelta(days=300 - n * 60)
        inv = services.investigation_create(
            actor=investigator,
            title=title,
            opened_on=opened,
            source="operation" if n % 2 == 0 else "report",
            exploitation_form=form,
            province=Province.objects.filter(code=PROVINCE_OF.get(title, "")).first(),
            legal_organisation=legal_org,
            summary="Synthetic demo investigation.",
        )
        victim = None
        if n < len(victims):
            victim = services.victim_add(
                actor=investigator, investigation=inv, person=victims[n], age_at_exploitation=15
            )
        recorded = []
        for sex, role, phone, handle in suspects:
            family, given = names.pick(sex)
            person = person_create(
                actor=investigator,
                given_name=given.romanised,
                family_name=family.romanised,
                name_km=f"{family.khmer} {given.khmer}",
                sex=sex,
                estimated_age=ctx.rng.randint(25, 55),
            )
            suspect = services.suspect_add(
                actor=investigator, investigation=inv, person=person, role=role
            )
            if phone:
                services.identifier_add(
                    actor=investigator, suspect=suspect, kind="phone", value=phone
                )
            if handle:
                services.identifier_add(
                    actor=investigator,
                    suspect=suspect,
                    kind="handle",
                    value=handle,
                    platform="Telegram",
                )
            if victim is not None:
                services.relation_set(
                    actor=investigator,
                    suspect=suspect,
                    victim=victim,
                    relation="employer" if role == "establishment" else "broker",
                )
            recorded.append(suspect)
        if stage == "open":
            continue
        services.complaint_add(
            actor=investigator,
            investigation=inv,
            filed_on=opened,
            filed_by="ngo",
            filed_with="Phnom Penh Municipal Police",
        )
        article = LawArticle.objects.filter(article=28 if form.startswith("sex_") else 16).first()
        for suspect in recorded:
            services.arrest_record(
                actor=investigator,
                suspect=suspect,
                arrested_on=opened + timedelta(days=5),
                agency="Phnom Penh Anti-Trafficking Police",
                place="Chbar Ampov",
            )
            if article is not None:
                services.charge_add(
                    actor=investigator,
                    suspect=suspect,
                    article=article,
                    charged_on=opened + timedelta(days=8),
                )
        _evidence(investigator, inv, opened, victim)
        if stage == "charged":
            continue
        court = services.court_case_create(
            actor=investigator,
            investigation=inv,
            court="Phnom Penh Municipal Court",
            case_number=f"{opened.year}/{100 + n}",
            filed_on=opened + timedelta(days=30),
            defendants=recorded,
        )
        first = timezone.make_aware(datetime.combine(opened + timedelta(days=60), time(8, 30)))
        hearing = services.hearing_schedule(
            actor=investigator, court_case=court, scheduled_for=first, type="trial"
        )
        hearing = services.hearing_postpone(
            actor=investigator,
            hearing=hearing,
            reason="Defence lawyer absent",
            new_date=first + timedelta(days=21),
            expected_version=None,
        )
        if victim is not None:
            services.witness_support_add(
                actor=investigator,
                hearing=hearing,
                witness=victim.person,
                prepared=True,
                accompanied=True,
                video_testimony=True,
                transport=True,
            )
        if stage == "court":
            continue
        services.hearing_record_outcome(
            actor=investigator,
            hearing=hearing,
            outcome="Testimony heard; verdict reserved.",
            expected_version=None,
        )
        for i, suspect in enumerate(recorded):
            services.verdict_record(
                actor=investigator,
                court_case=court,
                defendant=suspect,
                outcome="convicted" if i == 0 else "acquitted",
                decided_on=opened + timedelta(days=120),
                sentence_months=120 if i == 0 else None,
                fine_riel=10_000_000 if i == 0 else None,
                compensation_ordered_riel=20_000_000 if i == 0 else None,
                compensation_paid_riel=5_000_000 if i == 0 else None,
            )
        ctx.stdout.write(f"Investigation: created {inv.reference} {title} ({stage}).")


def _evidence(actor, inv, opened, victim) -> None:
    if EvidenceItem.objects.filter(investigation=inv).exists():
        return
    item_create(
        actor=actor,
        investigation=inv,
        kind="photo",
        title="Photo of the premises (synthetic)",
        collected_on=opened,
        collected_at="Chbar Ampov",
        upload=PNG_1PX,
        original_name="premises.png",
    )
    item_create(
        actor=actor,
        investigation=inv,
        kind="document",
        title="Statement summary (synthetic)",
        collected_on=opened,
        upload=b"Synthetic demo statement. No real person.\n",
        original_name="statement.txt",
    )
    if victim is not None:
        medical_certificate_create(
            actor=actor,
            investigation=inv,
            examined_person=victim.person,
            doctor_name="Dr. Demo Sopheap",
            facility="Calmette Hospital (demo)",
            examined_at=timezone.make_aware(datetime.combine(opened, time(10, 0))),
            consent_given=True,
            consent_by="parent",
            estimated_age_min=14,
            estimated_age_max=16,
            age_method="Dental and skeletal assessment",
            physical_findings="Synthetic findings.",
            conclusion="Synthetic demo certificate.",
        )
