import pytest
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.intake.models import EstablishmentType
from ctip.operations import services
from ctip.operations.models import Instrument
from ctip.operations.screening import read_indicator_csv
from ctip.places.models import Province


@pytest.fixture
def instrument(db) -> Instrument:
    return services.instrument_import(actor=None, version_label="test-1", rows=read_indicator_csv())


@pytest.fixture
def province(db) -> Province:
    return Province.objects.get_or_create(code="12", defaults={"name_en": "Phnom Penh"})[0]


@pytest.fixture
def operation(cast, province):
    return services.operation_create(
        actor=cast.a[Role.INVESTIGATOR],
        planned_for=timezone.now(),
        province=province,
        location_text="Karaoke bar, Street 271",
        establishment_type=EstablishmentType.KARAOKE,
        agencies="Police; Social Affairs",
    )


@pytest.fixture
def found(cast, operation):
    return services.found_person_record(
        actor=cast.a[Role.INVESTIGATOR],
        operation=operation,
        given_name="Srey Neang",
        sex="f",
        estimated_age=14,
    )
