"""Demo data for intake and operations: calls, tips and gateway messages in the queue, an
operation in Phnom Penh with the people found, their screenings and a hand-off. Synthetic only.

Idempotent: each part is created once, found again by its marker on a later run.
"""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from ctip.core.management.commands.seed_demo import NamePicker
from ctip.intake import services as intake
from ctip.intake.models import EstablishmentType, Outcome, Report, Source, Status, Urgency
from ctip.operations import services as ops
from ctip.operations.models import Operation, OperationStatus
from ctip.places.models import District, Province

# (hours ago, source, urgency chosen by operator or None, values)
CALLS = [
    (
        0.2,
        Source.HOTLINE,
        None,
        {
            "narrative": "Caller says two girls, maybe 14 or 15, are kept in a room behind a "
            "karaoke bar and are made to sit with customers every night.",
            "province": "12",
            "location_text": "Karaoke bar near Stung Meanchey market",
            "establishment_type": EstablishmentType.KARAOKE,
            "children_count": 2,
            "ages_described": "14-15",
            "sex_described": "f",
            "flag_child": True,
            "flag_sexual_exploitation": True,
            "flag_held_now": True,
        },
    ),
    (
        3,
        Source.HOTLINE,
        Urgency.URGENT,
        {
            "narrative": "A mother reports that her son (16) went to work on a fishing boat "
            "from Koh Kong three months ago and has not been paid or allowed to come back.",
            "province": "09",
            "establishment_type": EstablishmentType.FISHING_BOAT,
            "children_count": 1,
            "ages_described": "16",
            "sex_described": "m",
            "flag_child": True,
            "caller_anonymous": False,
            "caller_name": "Mother of the boy",
            "caller_phone": "012 555 014",
            "caller_may_contact": True,
        },
    ),
    (
        30,
        Source.WALK_IN,
        Urgency.ROUTINE,
        {
            "narrative": "Neighbour came to the commune office: a broker is recruiting "
            "teenagers for 'restaurant work' in Thailand, promising high wages.",
            "province": "01",
            "location_text": "Poipet, near the market",
            "ages_described": "15-19",
            "sex_described": "mixed",
        },
    ),
    (
        50,
        Source.PARTNER,
        Urgency.IMMEDIATE,
        {
            "narrative": "Partner NGO outreach worker saw young girls offered to foreigners "
            "in a guesthouse; they looked frightened.",
            "province": "17",
            "location_text": "Guesthouse off Pub Street",
            "establishment_type": EstablishmentType.HOTEL,
            "children_count": 3,
            "flag_child": True,
            "flag_sexual_exploitation": True,
        },
    ),
]


def _name(names: NamePicker, sex: str) -> dict:
    family, given = names.pick(sex)
    return {
        "family_name": family.romanised,
        "given_name": given.romanised,
        "name_km": f"{family.khmer} {given.khmer}",
    }


def _province(code: str):
    return Province.objects.filter(code=code).first()


def _seed_reports(ctx) -> list[Report]:
    hotline = ctx.users["hotline"]
    if Report.objects.filter(created_by=hotline).exists():
        ctx.stdout.write("Intake: demo reports exist.")
        return list(Report.objects.filter(created_by=hotline).order_by("received_at"))
    now = timezone.now()
    reports = []
    for hours, source, urgency, values in CALLS:
        values = dict(values)
        values["province"] = _province(values["province"])
        reason = ""
        if urgency is not None:
            suggested = intake.triage.suggest(values)[0]
            reason = "Operator's judgement from the call." if urgency != suggested else ""
        report = intake.report_create(
            actor=hotline,
            source=source,
            urgency=urgency,
            urgency_reason=reason,
            received_at=now - timedelta(hours=hours),
            **values,
        )
        reports.append(report)
    # A public tip and an SMS wait in the queue, untriaged; one is past its target.
    intake.tip_submit(
        narrative="I saw children working at night at a brick kiln in Kandal, they look very "
        "young and tired.",
        province=_province("08"),
        establishment_type=EstablishmentType.FACTORY,
        flag_child=True,
    )
    intake.sms_receive(
        message_id="demo-sms-0001",
        sender="+855 17 000 111",
        text="girl 13 sold to man in svay rieng pls help",
        received_at=now - timedelta(hours=2),
    )
    police = ctx.orgs["pnh-police"]
    first = reports[0]
    first = intake.report_dispatch(
        actor=hotline, report=first, expected_version=first.version, organisation=police
    )
    intake.report_accept(
        actor=ctx.users["investigator"], report=first, expected_version=first.version
    )
    second = reports[1]
    intake.report_dispatch(
        actor=hotline, report=second, expected_version=second.version, organisation=police
    )
    walk_in = reports[2]
    intake.report_close(
        actor=hotline,
        report=walk_in,
        expected_version=walk_in.version,
        outcome=Outcome.REFERRED,
        reason="Referred to the Banteay Meanchey prevention programme.",
    )
    ctx.stdout.write(f"Intake: {len(reports) + 2} demo reports created.")
    return reports


def _seed_operation(ctx, reports: list[Report]) -> None:
    investigator = ctx.users["investigator"]
    if Operation.objects.filter(organisation=ctx.orgs["pnh-police"]).exists():
        ctx.stdout.write("Operations: demo operation exists.")
        return
    province = _province("12")
    if province is None:
        ctx.stdout.write("Operations: no gazetteer loaded; demo operation skipped.")
        return
    led_to = [r for r in reports if r.status == Status.ACCEPTED][:1] or reports[:1]
    led_to = list(Report.objects.filter(pk__in=[r.pk for r in led_to]))
    names = NamePicker(ctx.rng)
    operation = ops.operation_create(
        actor=investigator,
        reports=led_to,
        status=OperationStatus.CARRIED_OUT,
        planned_for=timezone.now() - timedelta(hours=1),
        province=province,
        district=District.objects.filter(province=province).order_by("code").first(),
        location_text="Karaoke bar near Stung Meanchey market",
        establishment_type=EstablishmentType.KARAOKE,
        agencies="Anti-Trafficking Police; Social Affairs; Lantern House",
        notes="Two girls and the bar's cashier found on site.",
    )
    girl1 = ops.found_person_record(
        actor=investigator,
        operation=operation,
        **_name(names, "f"),
        sex="f",
        estimated_age=14,
        circumstances="Back room",
    )
    girl2 = ops.found_person_record(
        actor=investigator,
        operation=operation,
        **_name(names, "f"),
        sex="f",
        estimated_age=15,
        circumstances="Back room",
    )
    cashier = ops.found_person_record(
        actor=investigator,
        operation=operation,
        **_name(names, "f"),
        sex="f",
        estimated_age=27,
        circumstances="Behind the counter",
    )
    first = ops.screening_record(
        actor=investigator,
        person=girl1.person,
        found_person=girl1,
        is_child=True,
        commercial_sexual_exploitation=True,
        indicator_codes=["cd_isolation_confinement_surveillance", "cd_forced_tasks_or_clients"],
    )
    ops.screening_record(
        actor=investigator,
        person=girl2.person,
        found_person=girl2,
        is_child=True,
        commercial_sexual_exploitation=False,
        indicator_codes=["ex_excessive_working_days_hours", "ex_low_or_no_salary"],
    )
    ops.screening_record(
        actor=investigator,
        person=cashier.person,
        found_person=cashier,
        is_child=False,
    )
    ops.screening_hand_off(
        actor=investigator,
        screening=first,
        to_organisation=ctx.orgs["pnh-social"],
        note="Needs a place tonight; speaks Khmer only.",
    )
    ctx.stdout.write("Operations: demo operation, 3 people found, 3 screenings, 1 hand-off.")


def seed(ctx) -> None:
    """Adds demo reports, an operation with people found, screenings and a hand-off."""
    call_command("load_screening_instrument", stdout=ctx.stdout)
    reports = _seed_reports(ctx)
    _seed_operation(ctx, reports)
