"""Every indicator against hand-built records whose answers can be read off this file.

The threshold is set to 1 here so that no figure is hidden: these tests check the counting;
test_protection.py checks the hiding.
"""

from datetime import date, timedelta

import pytest

from ctip.statistics import indicators as ind
from ctip.statistics.dimensions import DIMENSION_LABELS
from ctip.statistics.selectors import breakdown, crosstab, headlines, year_bounds

from .conftest import YEAR, at, make_person

START, END = year_bounds(YEAR)


@pytest.fixture(autouse=True)
def _no_suppression(settings):
    settings.CTIP_SMALL_CELL_THRESHOLD = 1


def figures(user, code, by=None, **filters):
    result = breakdown(user=user, code=code, start=START, end=END, by=by, filters=filters)
    return result.total.value, {row.key: row.cell.value for row in result.rows if row.cell.value}


def test_every_indicator_names_what_it_counts_and_its_dimensions():
    codes = [i.code for i in ind.INDICATORS]
    assert len(codes) == len(set(codes))
    for indicator in ind.INDICATORS:
        assert str(indicator.name) and str(indicator.description) and str(indicator.counts)
        assert indicator.source.count(".") == 1
        assert indicator.dimensions
        for dimension in indicator.dimensions:
            assert dimension in DIMENSION_LABELS


def test_age_bands_are_worked_out_in_sql_from_the_date_of_birth_or_estimate(world, statistician):
    from ctip.intake.models import Report  # noqa: F401  (the app is loaded)

    # Ages on 31 December: 11, 12, 17, 18, 60 (date of birth); 15 (estimated only); unknown.
    _cases_for_ages(
        world,
        [(11, None), (12, None), (17, None), (18, None), (60, None), (None, 15), (None, None)],
    )
    total, by_band = figures(statistician, "cases_opened", "age_band")
    assert total == 7
    assert by_band == {"0-11": 1, "12-14": 1, "15-17": 2, "18-24": 1, "60+": 1, "unknown": 1}
    _total, by_group = figures(statistician, "cases_opened", "age_group")
    assert by_group == {"child": 4, "adult": 2, "unknown": 1}


def _cases_for_ages(world, ages):
    from ctip.cases.models import Case

    cast = world.cast
    for i, (age, estimated) in enumerate(ages):
        person = make_person(world, sex="f", age=age, estimated=estimated, village="12")
        Case.objects.create(
            organisation=cast.org_a,
            number=f"T-{i}",
            person=person,
            opened_on=date(YEAR, 2, 1),
            case_worker=cast.a["case_worker"],
        )


def test_reports_received_and_first_action_within_target(world, statistician):
    from ctip.intake.models import Report

    p = world.provinces

    def report(ref, source, urgency, received, first=None, province=None):
        Report.objects.create(
            reference=ref,
            source=source,
            urgency=urgency,
            received_at=received,
            first_action_at=first,
            province=province,
        )

    report("R1", "hotline", "immediate", at(3, 1), at(3, 1) + timedelta(minutes=10), p["12"])
    report("R2", "web", "routine", at(3, 5), at(3, 15), p["17"])
    report("R3", "hotline", "urgent", at(7, 1), None, p["12"])
    report("R4", "hotline", "urgent", at(1, 1) - timedelta(days=2), None, p["12"])  # 2024
    total, by_province = figures(statistician, "reports_received", "province")
    assert total == 3
    assert by_province == {"12": 2, "17": 1}
    assert figures(statistician, "reports_received", "source")[1] == {"hotline": 2, "web": 1}
    assert figures(statistician, "reports_received", "month")[1] == {3: 2, 7: 1}
    in_target, by_urgency = figures(statistician, "reports_first_action_in_target", "urgency")
    assert in_target == 1 and by_urgency == {"immediate": 1}


def test_operations_people_screened_and_victims_identified(world, statistician):
    from ctip.operations.models import FoundPerson, Instrument, Operation, Screening

    cast = world.cast
    instrument = Instrument.objects.create(
        name="Tool", version_label="t1", source="test", rule={}, status="active"
    )
    done = Operation.objects.create(
        organisation=cast.org_a,
        reference="OP1",
        status="carried_out",
        planned_for=at(4, 2),
        province=world.provinces["17"],
        location_text="x",
        establishment_type="karaoke",
    )
    Operation.objects.create(
        organisation=cast.org_a,
        reference="OP2",
        status="cancelled",
        planned_for=at(4, 3),
        province=world.provinces["17"],
        location_text="x",
        establishment_type="karaoke",
    )
    girl = make_person(world, sex="f", age=15)
    boy = make_person(world, sex="m", age=16)
    woman = make_person(world, sex="f", age=30)

    def screen(person, result, org=cast.org_a):
        found, _ = FoundPerson.objects.get_or_create(operation=done, person=person)
        screening = Screening.objects.create(
            organisation=org,
            person=person,
            found_person=found,
            instrument=instrument,
            list_code="child",
            is_child=True,
            computed_result=result,
            result=result,
        )
        # Screened in the year under report (created_at is set on save).
        Screening.objects.filter(pk=screening.pk).update(created_at=at(4, 2))

    screen(girl, "identified")
    screen(girl, "identified")  # screened twice: one person
    screen(boy, "possible")
    screen(woman, "identified", org=cast.org_b)
    assert figures(statistician, "operations", "province")[1] == {"17": 1}
    total, by_result = figures(statistician, "people_screened", "result")
    assert total == 3 and by_result == {"identified": 2, "possible": 1}
    total, by_sex = figures(statistician, "victims_identified", "sex")
    assert total == 2 and by_sex == {"f": 2}
    assert figures(statistician, "victims_identified", "age_group")[1] == {"child": 1, "adult": 1}
    assert figures(statistician, "victims_identified", "organisation")[1] == {"a": 1, "b": 1}
    assert figures(statistician, "victims_identified", "province")[1] == {"17": 2}


def test_cases_opened_active_closed_by_country_and_province(world, statistician):
    from ctip.cases.models import Case

    cast = world.cast
    worker = cast.a["case_worker"]

    def case(n, opened, closed=None, sex="f", age=14, village="12", countries=(), org=None):
        person = make_person(world, sex=sex, age=age, village=village)
        c = Case.objects.create(
            organisation=org or cast.org_a,
            number=f"C-{n}",
            person=person,
            opened_on=opened,
            closed_on=closed,
            status="closed" if closed else "active",
            case_worker=worker,
        )
        c.destination_countries.set([world.countries[x] for x in countries])
        return c

    case(1, date(YEAR, 3, 1), countries=["TH", "MY"])
    case(2, date(YEAR, 5, 1), closed=date(YEAR, 9, 1), village="17", countries=["TH"])
    case(3, date(YEAR - 1, 5, 1), sex="m", age=25)  # opened last year, still active
    case(4, date(YEAR - 1, 5, 1), closed=date(YEAR - 1, 12, 1))  # closed before the year
    total, by_country = figures(statistician, "cases_opened", "country")
    assert total == 2  # a case with two countries counts once in the total
    assert by_country == {"TH": 2, "MY": 1}
    assert figures(statistician, "cases_opened", "province")[1] == {"12": 1, "17": 1}
    total, by_sex = figures(statistician, "cases_active", "sex")
    assert total == 3 and by_sex == {"f": 2, "m": 1}
    total, by_month = figures(statistician, "cases_closed", "month")
    assert total == 1 and by_month == {9: 1}


def test_services_delivered_by_category(world, statistician):
    from ctip.care.models import ServiceDelivery, ServiceType
    from ctip.cases.models import Case

    cast = world.cast
    person = make_person(world, sex="f", age=12)
    c = Case.objects.create(
        organisation=cast.org_a,
        number="S-1",
        person=person,
        opened_on=date(YEAR, 1, 5),
        case_worker=cast.a["case_worker"],
    )
    health, _ = ServiceType.objects.get_or_create(
        code="t-health", defaults={"name": "Health check", "category": "health"}
    )
    legal, _ = ServiceType.objects.get_or_create(
        code="t-legal", defaults={"name": "Legal aid", "category": "legal"}
    )
    for service, status, day in (
        (health, "delivered", date(YEAR, 2, 1)),
        (health, "delivered", date(YEAR, 3, 1)),
        (legal, "delivered", date(YEAR, 3, 1)),
        (legal, "requested", None),
    ):
        ServiceDelivery.objects.create(
            case=c, service=service, provider=cast.org_b, status=status, delivered_on=day
        )
    total, by_category = figures(statistician, "services_delivered", "category")
    assert total == 3 and by_category == {"health": 2, "legal": 1}
    assert figures(statistician, "services_delivered", "organisation")[1] == {"b": 3}
    assert figures(statistician, "services_delivered", "age_group")[1] == {"child": 3}


@pytest.fixture
def proceedings(world):
    """Two investigations (sex, labour), three defendants, two convictions, one acquittal."""
    from ctip.justice.models import (
        CourtCase,
        Investigation,
        InvestigationVictim,
        Suspect,
        Verdict,
    )

    cast = world.cast
    police = cast.a["investigator"]

    def investigation(ref, form, opened):
        return Investigation.objects.create(
            organisation=police.organisation,
            reference=ref,
            title=ref,
            opened_on=opened,
            source="report",
            exploitation_form=form,
            province=world.provinces["12"],
        )

    sex_inv = investigation("I1", "sex_karaoke", date(YEAR, 2, 1))
    labour_inv = investigation("I2", "labour_fishing", date(YEAR, 3, 1))
    investigation("I3", "sex_online", date(YEAR - 1, 3, 1))
    for person, inv, form, age in (
        (make_person(world, sex="f", age=30), sex_inv, "sex_karaoke", 15),
        (make_person(world, sex="f", age=16), sex_inv, "sex_karaoke", None),
        (make_person(world, sex="m", age=40), labour_inv, "labour_fishing", 35),
    ):
        InvestigationVictim.objects.create(
            investigation=inv, person=person, exploitation_form=form, age_at_exploitation=age
        )
    man = Suspect.objects.create(
        investigation=sex_inv, person=make_person(world, sex="m", age=45), role="pimp"
    )
    woman = Suspect.objects.create(
        investigation=sex_inv, person=make_person(world, sex="f", age=50), role="recruiter"
    )
    skipper = Suspect.objects.create(
        investigation=labour_inv, person=make_person(world, sex="m", age=38), role="recruiter"
    )
    court_1 = CourtCase.objects.create(
        investigation=sex_inv, court="PP", case_number="1", filed_on=date(YEAR, 4, 1)
    )
    court_2 = CourtCase.objects.create(
        investigation=sex_inv, court="PP", case_number="2", filed_on=date(YEAR, 5, 1)
    )
    court_3 = CourtCase.objects.create(
        investigation=labour_inv, court="PP", case_number="3", filed_on=date(YEAR, 6, 1)
    )
    court_1.defendants.set([man, woman])
    court_2.defendants.set([man])  # the same man in two court cases: prosecuted once
    court_3.defendants.set([skipper])
    Verdict.objects.create(
        court_case=court_1,
        defendant=man,
        outcome="convicted",
        decided_on=date(YEAR, 8, 1),
        sentence_months=84,
        compensation_ordered_riel=4_000_000,
        compensation_paid_riel=1_000_000,
    )
    Verdict.objects.create(
        court_case=court_2,
        defendant=man,
        outcome="convicted",
        decided_on=date(YEAR, 9, 1),
        sentence_months=24,
        compensation_ordered_riel=2_000_000,
    )
    Verdict.objects.create(
        court_case=court_1, defendant=woman, outcome="acquitted", decided_on=date(YEAR, 8, 1)
    )
    Verdict.objects.create(
        court_case=court_3,
        defendant=skipper,
        outcome="convicted",
        decided_on=date(YEAR, 10, 1),
        sentence_months=180,
    )


def test_investigations_prosecutions_convictions_sentences_compensation(proceedings, statistician):
    total, by_kind = figures(statistician, "investigations", "kind")
    assert total == 2 and by_kind == {"sex": 1, "labour": 1}
    total, by_sex = figures(statistician, "prosecutions", "sex")
    assert total == 3 and by_sex == {"m": 2, "f": 1}
    total, by_kind = figures(statistician, "convictions", "kind")
    assert total == 2 and by_kind == {"sex": 1, "labour": 1}
    total, by_band = figures(statistician, "sentences", "sentence")
    assert total == 3 and by_band == {"5_to_10y": 1, "1_to_5y": 1, "15y_plus": 1}
    ordered, by_kind = figures(statistician, "compensation_ordered", "kind")
    assert ordered == 6_000_000 and by_kind == {"sex": 6_000_000}
    assert figures(statistician, "compensation_paid")[0] == 1_000_000
    # Victims: the age recorded for the exploitation comes before today's age.
    total, by_group = figures(statistician, "investigation_victims", "age_group")
    assert total == 3 and by_group == {"child": 2, "adult": 1}


def test_a_crosstab_separates_sex_and_labour_trafficking_by_sex(proceedings, statistician):
    table = crosstab(
        user=statistician, code="prosecutions", start=START, end=END, rows="kind", columns="sex"
    )
    assert table.cell("sex", "m").value == 1
    assert table.cell("sex", "f").value == 1
    assert table.cell("labour", "m").value == 1
    assert table.grid.total.value == 3


def test_prevention_reach_and_officials_trained(world, statistician):
    from ctip.prevention.models import (
        Attendance,
        Group,
        Member,
        Programme,
        Session,
        Training,
        TrainingParticipant,
    )

    cast = world.cast
    org = cast.a["prevention_officer"].organisation
    programme = Programme.objects.create(
        organisation=org, name="Clubs", kind="childrens_club", target_group="children"
    )
    group = Group.objects.create(programme=programme, name="G", village=world.villages["17"])
    members = [
        Member.objects.create(group=group, name=f"M{i}", sex=sex, age_band=band)
        for i, (sex, band) in enumerate([("f", "12-14"), ("m", "15-17"), ("f", "25-59")])
    ]
    for day in (date(YEAR, 3, 1), date(YEAR, 4, 1)):
        session = Session.objects.create(
            programme=programme,
            group=group,
            topic="Safe migration",
            date=day,
            village=world.villages["17"],
        )
        for member in members:
            Attendance.objects.create(session=session, member=member)
    total, by_group = figures(statistician, "prevention_reach", "age_group")
    assert total == 3 and by_group == {"child": 2, "adult": 1}
    assert figures(statistician, "prevention_reach", "province")[1] == {"17": 3}

    training = Training.objects.create(
        organisation=org,
        title="Police",
        topics="law",
        start_date=date(YEAR, 5, 1),
        end_date=date(YEAR, 5, 2),
        province=world.provinces["12"],
    )
    for i, (sex, institution) in enumerate([("f", "police"), ("m", "police"), ("m", "judge")]):
        TrainingParticipant.objects.create(
            training=training, name=f"O{i}", sex=sex, institution=institution
        )
    total, by_institution = figures(statistician, "officials_trained", "institution")
    assert total == 3 and by_institution == {"police": 2, "judge": 1}


def test_drill_down_filters_by_a_dimension(proceedings, statistician):
    total, by_sex = figures(statistician, "prosecutions", "sex", kind="sex")
    assert total == 2 and by_sex == {"m": 1, "f": 1}


def test_headlines_give_every_indicator_a_total(proceedings, statistician):
    figures_ = {
        h.indicator.code: h.total.value for h in headlines(user=statistician, start=START, end=END)
    }
    assert set(figures_) == set(ind.BY_CODE)
    assert figures_["convictions"] == 2
    assert figures_["reports_received"] == 0
