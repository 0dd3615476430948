"""Demo cases (and their care records) at every stage, written through the services.

Synthetic only: survivors and guardians get random Khmer names from names.csv. Idempotent: an
organisation that already has cases gets none added.
"""

from datetime import timedelta

from django.utils import timezone

from ctip.care import services as care
from ctip.care.models import Instrument, ServiceType
from ctip.core.management.commands.seed_demo import NamePicker
from ctip.people.models import Sex
from ctip.people.services import family_link_add, person_create
from ctip.places.models import Village

from . import services
from .models import Case, CaseStatus, ClosureCategory, ConsentPurpose

STAGES = [
    CaseStatus.OPEN,
    CaseStatus.ACTIVE,
    CaseStatus.ACTIVE,
    CaseStatus.REINTEGRATION,
    CaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED,
]
PROFILES = [
    (["SexualExploitation"], ["Prostitution"], "", ["DebtBondage", "FalsePromises"], "broker"),
    (
        ["ForcedCriminality"],
        [],
        "J_InformationAndCommunication",
        ["WithholdsDocuments", "PhysicalAbuse", "RestrictsMovement"],
        "friend",
    ),
    (
        ["ForcedLabour"],
        [],
        "A_AgricultureForestryAndFishing",
        ["DebtBondage", "TakesEarnings"],
        "employer",
    ),
    (["ForcedMarriage"], [], "", ["PsychologicalAbuse", "FalsePromises"], "family"),
    (["ForcedBegging"], [], "", ["PhysicalThreats"], "neighbour"),
    (
        ["SexualExploitation"],
        ["RemoteInteractiveServices"],
        "",
        ["PsychologicalAbuse"],
        "intimate_partner",
    ),
]
NOTES = [
    ("visit", "Home visit: the family welcomed her back; the house needs a new roof."),
    ("phone", "Called the school director about re-enrolment in grade 7."),
    ("office", "Counselling session at the office; sleeping better."),
]


def seed(ctx) -> None:
    plans = [
        ("pnh-social", "caseworker", "supervisor", 20),
        ("srp-social", "caseworker2", None, 10),
    ]
    names = NamePicker(ctx.rng)
    for org_code, worker_login, supervisor_login, count in plans:
        org = ctx.orgs[org_code]
        if Case.objects.filter(organisation=org).exists():
            ctx.stdout.write(f"Cases: {org.name} already has cases.")
            continue
        worker = ctx.users[worker_login]
        supervisor = ctx.users[supervisor_login] if supervisor_login else None
        for i in range(count):
            _one_case(ctx, names, i, org, worker, supervisor)
        ctx.stdout.write(f"Cases: {org.name}: {count} created.")


def _home_village(org, i: int) -> Village | None:
    """The i-th current village of the organisation's provinces, spread over them; None when
    the gazetteer is not loaded. Does not draw from the step's random numbers, so the names and
    stages drawn after it stay the same."""
    villages = Village.objects.filter(
        is_active=True, commune__district__province__in=org.provinces.all()
    ).order_by("code")
    count = villages.count()
    return villages[(i * 7919) % count] if count else None


def _one_case(ctx, names, i, org, worker, supervisor) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    sex = rng.choices([Sex.FEMALE, Sex.MALE], weights=[7, 3])[0]
    family, given = names.pick(sex)
    age = rng.randint(10, 19)
    # A home village in one of the organisation's provinces: the statistics count cases by the
    # survivor's province, and a case without one shows under "Unknown".
    home = _home_village(org, i)
    child = person_create(
        actor=worker,
        organisation=org,
        **({"home_village": home} if home else {}),
        given_name=given.romanised,
        family_name=family.romanised,
        name_km=f"{family.khmer} {given.khmer}",
        sex=sex,
        estimated_age=age,
        age_estimation=rng.choice(["self", "family", "document"]),
        languages="Khmer",
    )
    mother_given = names.pick(Sex.FEMALE)[1]
    mother = person_create(
        actor=worker,
        organisation=org,
        **({"home_village": home} if home else {}),
        given_name=mother_given.romanised,
        family_name=family.romanised,
        name_km=f"{family.khmer} {mother_given.khmer}",
        sex=Sex.FEMALE,
        estimated_age=age + rng.randint(18, 30),
        age_estimation="self",
    )
    family_link_add(
        actor=worker, person=child, relative=mother, relationship="mother", is_guardian=True
    )
    stage = STAGES[i % len(STAGES)]
    opened = today - timedelta(days=30 + 40 * STAGES.index(stage) + rng.randint(0, 30))
    case = services.case_open(
        actor=worker,
        person=child,
        # A screening source needs a real accepted hand-off (case_open checks it).
        source=rng.choice(["direct", "referral"]),
        source_reference=f"DEMO-{i + 1:03d}",
        supervisor=supervisor,
        opened_on=opened,
    )
    types, sex_types, industry, control, relation = PROFILES[i % len(PROFILES)]
    case = services.case_update(
        actor=worker,
        case=case,
        expected_version=case.version,
        trafficking_status="ActualVictimOfTrafficking",
        exploitation_types=types,
        sexual_exploitation_types=sex_types,
        forced_labour_industry=industry,
        means_of_control=control,
        recruitment_methods=[
            rng.choice(
                [
                    "ThroughFriendsOrSocialEvents",
                    "ThroughOnlineSocialNetworks",
                    "ThroughFamilyOrFamilyEvents",
                ]
            )
        ],
        recruiter_relation=relation,
        age_when_trafficked=max(age - 1, 8),
        exploitation_started_on=opened - timedelta(days=rng.randint(60, 400)),
        exploitation_ended_on=opened - timedelta(days=rng.randint(1, 20)),
    )
    given_by = "child" if age >= 18 else "both" if age >= 12 else "guardian"
    guardian = None if given_by == "child" else mother
    for purpose in (ConsentPurpose.SERVICES, ConsentPurpose.STATISTICS):
        services.consent_record(
            actor=worker,
            case=case,
            purpose=purpose,
            given_by=given_by,
            guardian=guardian,
            given_on=opened,
            method="written",
        )
    if stage == CaseStatus.OPEN:
        services.task_add(
            actor=worker,
            case=case,
            title="Complete the initial assessment",
            due_on=today - timedelta(days=rng.randint(1, 5)),
        )
        return
    needs = Instrument.objects.get(code="child-status")
    risk = Instrument.objects.get(code="risk")
    domains = list(needs.domains.all())
    for n, days in enumerate((5, 95, 185)):
        day = opened + timedelta(days=days)
        if day > today:
            break
        care.assessment_record(
            actor=worker,
            case=case,
            instrument=needs,
            assessed_on=day,
            scores={d.code: min(4, rng.randint(1, 2) + n) for d in domains},
        )
    care.assessment_record(
        actor=worker,
        case=case,
        instrument=risk,
        assessed_on=opened + timedelta(days=3),
        scores={d.code: rng.randint(1, 3) for d in risk.domains.all()},
    )
    plan = care.care_plan_create(
        actor=worker,
        case=case,
        starts_on=opened + timedelta(days=10),
        review_every_days=90,
        summary="Return to school and family.",
    )
    by_code = {d.code: d for d in domains}
    goal = care.goal_add(
        actor=worker,
        plan=plan,
        domain=by_code["education"],
        description="Back in school by the next term.",
    )
    care.action_add(
        actor=worker,
        goal=goal,
        description="Meet the school director",
        due_on=today + timedelta(days=rng.randint(-5, 20)),
    )
    goal = care.goal_add(
        actor=worker,
        plan=plan,
        domain=by_code["mental-health"],
        description="Sleeps well and feels safe.",
    )
    care.action_add(actor=worker, goal=goal, description="Weekly counselling")
    service_codes = ["medical", "counselling", "tailoring", "hairdressing", "food"]
    for code in rng.sample(service_codes, 2):
        care.service_record(
            actor=worker,
            case=case,
            service=ServiceType.objects.get(code=code),
            delivered_on=opened + timedelta(days=rng.randint(1, 25)),
            outcome="Attended.",
        )
    kind, text = NOTES[i % len(NOTES)]
    services.note_add(
        actor=worker, case=case, kind=kind, happened_on=opened + timedelta(days=7), text=text
    )
    due = today + timedelta(days=rng.randint(-3, 12))
    services.task_add(
        actor=worker,
        case=case,
        title="Follow-up visit at home",
        is_visit=True,
        due_on=due,
        remind_on=due - timedelta(days=2),
    )
    target = CaseStatus.FOLLOW_UP if stage == CaseStatus.CLOSED else stage
    for status in (CaseStatus.ACTIVE, CaseStatus.REINTEGRATION, CaseStatus.FOLLOW_UP):
        case = services.case_change_status(
            actor=worker, case=case, status=status, expected_version=case.version
        )
        if status == target:
            break
    if stage == CaseStatus.CLOSED:
        approval = services.case_request_closure(
            actor=worker,
            case=case,
            reason="Reintegrated with family; stable at follow-up.",
            category=ClosureCategory.REINTEGRATED,
        )
        # One closure request stays pending, for the supervisor's panel.
        if supervisor is not None and i != 5:
            services.approval_decide(
                actor=supervisor, approval=approval, approve=True, comment="Agreed."
            )
