"""Input and output serializers of the interop API, one record serializer per partner kind.

They check types and value lists only; the services decide everything else (names required,
dates not in the future, consent rules, the case workflow).
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from ctip.cases.models import CaseStatus, ConsentGiver, ConsentMethod
from ctip.people.models import Relationship, Sex
from ctip.places.models import Village

from . import mapping


def _village(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Village.objects.all(),
        required=False,
        allow_null=True,
        help_text="NCDD village code, e.g. 12010101.",
        **kwargs,
    )


class PrimeroCaseRecord(serializers.Serializer):
    """A case as Primero v2 / CPIMS+ names its fields."""

    name = serializers.CharField(read_only=True, help_text="Family then given name (sent only).")
    name_first = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_last = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sex = serializers.ChoiceField(
        choices=list(mapping.PRIMERO_SEX.values()), required=False, allow_null=True
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    location_current = _village()
    protection_concerns = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="lookup-protection-concerns"
    )
    status = serializers.ChoiceField(choices=mapping.status_choices("primero"), required=False)
    case_id_display = serializers.CharField(read_only=True, help_text="CTIP's case number.")
    registration_date = serializers.DateField(read_only=True)


class OscarClientRecord(serializers.Serializer):
    """A client as OSCaR names its fields."""

    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gender = serializers.ChoiceField(
        choices=list(mapping.OSCAR_GENDER.values()), required=False, allow_null=True
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    location_current_village_code = _village()
    status = serializers.ChoiceField(choices=mapping.status_choices("oscar"), required=False)


class CtipCaseRecord(serializers.Serializer):
    """A case in CTIP's own field names (partner kind "other")."""

    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_km = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    home_village = _village()
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    number = serializers.CharField(read_only=True)
    exploitation_types = serializers.ListField(child=serializers.CharField(), read_only=True)


RECORD_SERIALIZERS = {
    "primero": PrimeroCaseRecord,
    "oscar": OscarClientRecord,
    "other": CtipCaseRecord,
}

RECORD_SCHEMA = PolymorphicProxySerializer(
    component_name="PartnerRecord",
    serializers=[PrimeroCaseRecord, OscarClientRecord, CtipCaseRecord],
    resource_type_field_name=None,
)


@extend_schema_field(RECORD_SCHEMA)
class RecordField(serializers.DictField):
    """The record in the partner's field names (validated against the system's kind)."""


class ConsentInput(serializers.Serializer):
    given_by = serializers.ChoiceField(
        choices=ConsentGiver.choices,
        help_text="child (the survivor), guardian, or both; the case organisation's settings "
        "say which an age needs.",
    )
    given_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    guardian_given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    guardian_family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    guardian_relationship = serializers.ChoiceField(
        choices=Relationship.choices, required=False, default=Relationship.OTHER
    )


class UpsertInput(serializers.Serializer):
    record = RecordField(help_text="The case in the partner's field names.")
    ctip_id = serializers.UUIDField(
        required=False,
        help_text="For an id CTIP does not know yet: the case you read from CTIP (its "
        "`ctip_id`) that you recorded under this id. Maps the id to it instead of creating.",
    )
    consent = ConsentInput(
        required=False,
        help_text="Required to create: the survivor's consent to share with the organisation "
        "that runs the partner system. Ignored on update.",
    )


class CaseEnvelope(serializers.Serializer):
    """One case as the API sends it: CTIP's identifiers beside the partner's record."""

    ctip_id = serializers.UUIDField(help_text="The case's id in CTIP.")
    external_id = serializers.CharField(
        allow_null=True, help_text="The partner's id for the case, when it has one."
    )
    version = serializers.CharField(help_text="Send it back as If-Match to change the case.")
    changed_at = serializers.DateTimeField()
    record = RecordField()


class CaseListOutput(serializers.Serializer):
    results = CaseEnvelope(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()
