"""Demo prevention work of Bamboo Bridge: programmes, children's clubs with members, sessions
with attendance (one today, not yet taken, for the attendance demo), trainings of officials,
campaigns and vulnerability assessments. Synthetic only; written through the services.

Idempotent: the step runs once, when the organisation has no programme yet.
"""

from datetime import timedelta

from django.utils import timezone

from ctip.core.management.commands.seed_demo import DemoContext, NamePicker
from ctip.places.models import Province, Village

from . import services
from .models import (
    AgeBand,
    Channel,
    Indicator,
    Institution,
    Programme,
    ProgrammeKind,
    Sex,
    TargetGroup,
)

ORG = "bamboo"
CLUB_TOPICS = [
    "Safe migration: know before you go",
    "Who can you trust? Recognising recruiters",
    "Staying in school",
    "Online safety and grooming",
    "Where to get help: the hotline",
]


def seed(ctx: DemoContext) -> None:
    org = ctx.orgs.get(ORG)
    officer = ctx.users.get("prevention")
    if org is None or officer is None:
        return
    if Programme.objects.filter(organisation=org).exists():
        ctx.stdout.write("Prevention: demo programmes exist.")
        return
    villages = list(
        Village.objects.filter(
            is_active=True, commune__district__province__code__in=["17", "01", "22"]
        )
        .select_related("commune__district")
        .order_by("code")[:400]
    )
    if not villages:
        ctx.stdout.write("Prevention: no gazetteer loaded; no demo prevention records.")
        return
    rng = ctx.rng
    names = NamePicker(rng)
    today = timezone.localdate()
    provinces = {p.code: p for p in Province.objects.filter(code__in=["17", "01", "22"])}

    clubs_programme = services.programme_create(
        actor=officer,
        name="Children's clubs against unsafe migration",
        name_km="ក្លឹបកុមារប្រឆាំងការធ្វើចំណាកស្រុកគ្មានសុវត្ថិភាព",
        kind=ProgrammeKind.CHILDRENS_CLUB,
        target_group=TargetGroup.CHILDREN,
        description="Weekly clubs where children learn how traffickers recruit and where to "
        "get help.",
        start_date=today - timedelta(days=400),
        provinces=[provinces[c] for c in ("17", "01") if c in provinces],
    )
    parents = services.programme_create(
        actor=officer,
        name="Parent groups on safe migration",
        kind=ProgrammeKind.PARENT_GROUP,
        target_group=TargetGroup.PARENTS,
        start_date=today - timedelta(days=200),
        provinces=list(provinces.values()),
    )
    services.programme_create(
        actor=officer,
        name="Child-safe tourism in Siem Reap",
        kind=ProgrammeKind.CHILD_SAFE_TOURISM,
        target_group=TargetGroup.TOURISM,
        provinces=[provinces[c] for c in ("17",) if c in provinces],
    )

    def member_fields(child: bool) -> dict:
        sex = rng.choice([Sex.FEMALE, Sex.MALE])
        family, given = names.pick(sex)
        fields = {"name": f"{family.khmer} {given.khmer} ({given.romanised})", "sex": sex}
        if child:
            if rng.random() < 0.8:
                fields["birth_year"] = today.year - rng.randint(9, 17)
            else:
                fields["age_band"] = rng.choice([AgeBand.FROM_12, AgeBand.FROM_15])
        else:
            fields["birth_year"] = today.year - rng.randint(25, 55)
        return fields

    groups = []
    for index, club_name in enumerate(["Sunrise club", "Lotus club", "River club"]):
        village = villages[(index * 37) % len(villages)]
        group = services.group_create(
            actor=officer,
            programme=clubs_programme,
            name=club_name,
            village=village,
            meeting_place="Pagoda hall" if index != 1 else "Primary school, room 2",
            facilitators="Sok Dara, youth volunteer",
        )
        members = [
            services.member_add(actor=officer, group=group, **member_fields(True))
            for _ in range(10 + index * 2)
        ]
        groups.append((group, members))
    parent_group = services.group_create(
        actor=officer,
        programme=parents,
        name="Mothers' group",
        village=villages[5 % len(villages)],
        meeting_place="Village chief's house",
        facilitators="Chan Sophea",
    )
    parent_members = [
        services.member_add(actor=officer, group=parent_group, **member_fields(False))
        for _ in range(8)
    ]
    groups.append((parent_group, parent_members))

    sessions = 0
    for group, members in groups:
        for week, topic in enumerate(CLUB_TOPICS[:4]):
            session = services.session_create(
                actor=officer,
                programme=group.programme,
                group=group,
                topic=topic,
                date=today - timedelta(days=7 * (5 - week)),
                facilitator=group.facilitators.split(",")[0],
            )
            present = [m for m in members if rng.random() < 0.75]
            services.attendance_take(
                actor=officer,
                session=session,
                present=present,
                unregistered={"girls": rng.randint(0, 2), "boys": rng.randint(0, 2)},
                expected_version=session.version,
            )
            sessions += 1
    # Today's meeting of the first club: attendance not yet taken (the phone demo).
    services.session_create(
        actor=officer,
        programme=clubs_programme,
        group=groups[0][0],
        topic=CLUB_TOPICS[4],
        date=today,
        facilitator="Sok Dara",
    )
    community = services.session_create(
        actor=officer,
        programme=parents,
        topic="Village meeting: brokers and fake job offers",
        date=today - timedelta(days=10),
        village=villages[9 % len(villages)],
        place="Pagoda grounds",
        facilitator="Chan Sophea",
    )
    services.attendance_take(
        actor=officer,
        session=community,
        present=[],
        unregistered={"girls": 14, "boys": 11, "women": 32, "men": 19},
        expected_version=community.version,
    )

    training_specs = [
        (
            "Victim identification for commune police",
            "Indicators of trafficking\nChild-friendly interviewing\nReferral pathways",
            "17",
            [Institution.POLICE] * 8 + [Institution.LOCAL_AUTHORITY] * 4,
        ),
        (
            "Child-safe tourism for guesthouses",
            "Child sex tourism and the law\nReporting to the hotline",
            "17",
            [Institution.TOURISM] * 10,
        ),
        (
            "Border screening of returning migrants",
            "Screening at the border\nSafe return and referral",
            "01",
            [Institution.BORDER] * 6 + [Institution.SOCIAL_WORKER] * 3,
        ),
    ]
    for offset, (title, topics, province, institutions) in enumerate(training_specs):
        start = today - timedelta(days=90 - offset * 30)
        training = services.training_create(
            actor=officer,
            title=title,
            topics=topics,
            start_date=start,
            end_date=start + timedelta(days=1),
            province=provinces[province],
            place="Provincial hall",
        )
        for institution in institutions:
            sex = rng.choice([Sex.FEMALE, Sex.MALE, Sex.MALE])
            family, given = names.pick(sex)
            pre = rng.randint(30, 65)
            services.training_participant_add(
                actor=officer,
                training=training,
                name=f"{family.romanised} {given.romanised}",
                sex=sex,
                institution=institution,
                pre_score=pre,
                post_score=min(100, pre + rng.randint(5, 35)) if rng.random() < 0.9 else None,
            )

    campaign_specs = [
        ("Don't trust easy money abroad", Channel.RADIO, 120, 45000, "Listener survey"),
        ("Stickers on buses to Poipet", Channel.STICKERS, 60, 18000, "Passengers per month"),
        ("Protect children, report abuse", Channel.SOCIAL_MEDIA, 30, 72000, "Page reach"),
        ("Safe migration fair", Channel.EVENT, 1, 850, "Visitors counted at the gate"),
    ]
    for days_ago, (name, channel, length, reach, method) in enumerate(campaign_specs):
        start = today - timedelta(days=150 - days_ago * 30)
        services.campaign_create(
            actor=officer,
            name=name,
            channel=channel,
            start_date=start,
            end_date=start + timedelta(days=length - 1),
            provinces=list(provinces.values())[: 1 + days_ago % 3],
            places="Siem Reap town, Poipet border crossing",
            estimated_reach=reach,
            reach_method=method,
        )

    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True)}
    assessment_specs = [
        ("household", "Household of Chea Sreymom", ["id-poor", "debt", "migrated"]),
        ("child", "Srey Leak", ["out-of-school", "child-working", "work-offer", "debt"]),
        ("household", "Household of Kim Vuthy", ["id-poor"]),
        ("child", "Vannak", ["previously-exploited", "violence", "work-offer"]),
    ]
    assessed = []
    for index, (subject, name, codes) in enumerate(assessment_specs):
        child = subject == "child"
        assessed.append(
            services.vulnerability_assess(
                actor=officer,
                subject=subject,
                subject_name=name,
                child_sex=(Sex.FEMALE if index == 1 else Sex.MALE) if child else "",
                child_birth_year=today.year - 14 if child else None,
                village=villages[(index * 11) % len(villages)],
                assessed_on=today - timedelta(days=20 - index * 4),
                indicators=[indicators[c] for c in codes if c in indicators],
            )
        )
    services.vulnerability_refer_to_programme(
        actor=officer,
        assessment=assessed[0],
        programme=parents,
        reason="Mother agreed to join the parent group.",
        expected_version=assessed[0].version,
    )
    services.vulnerability_refer_to_intake(
        actor=officer,
        assessment=assessed[3],
        reason="A broker has arranged to take him to Thailand this week.",
        expected_version=assessed[3].version,
    )
    ctx.stdout.write(
        f"Prevention: 3 programmes, {len(groups)} groups, {sessions + 2} sessions, "
        f"{len(training_specs)} trainings, {len(campaign_specs)} campaigns, "
        f"{len(assessment_specs)} assessments."
    )
