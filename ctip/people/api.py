"""People over REST: the same policy as the pages (scope, 404, field sensitivity)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm
from ctip.core import search
from ctip.places.models import Country, Village

from . import services
from .models import Person, Sex
from .selectors import people_visible_to, person_get_for_user


class PersonOutput(PolicyFilteredSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    nationality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    home_village = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Person
        fields = [
            "uuid",
            "version",
            "organisation",
            "given_name",
            "family_name",
            "name_km",
            "sex",
            "date_of_birth",
            "estimated_age",
            "nationality",
            "home_village",
            "phone",
            "protection_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonSummaryOutput(PersonOutput):
    """What lists show: normal-sensitivity fields only. Sensitive fields are read one record
    at a time, where each read is audited; a list must never become an unaudited bulk read."""

    class Meta(PersonOutput.Meta):
        fields = [
            "uuid",
            "version",
            "organisation",
            "given_name",
            "family_name",
            "name_km",
            "sex",
            "estimated_age",
            "nationality",
        ]
        read_only_fields = fields


class PersonInput(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_km = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    nationality = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    home_village = serializers.SlugRelatedField(
        slug_field="code", queryset=Village.objects.all(), required=False, allow_null=True
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    protection_notes = serializers.CharField(required=False, allow_blank=True)


class PersonUpdateInput(PersonInput):
    version = serializers.IntegerField(
        help_text="The version you read; a stale version is refused with 409."
    )


def _service_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "concurrent_edit":
            raise ConcurrentEdit(exc.messages) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


class ConcurrentEdit(ValidationError):
    status_code = status.HTTP_409_CONFLICT


class PersonSearchInput(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, allow_blank=True, help_text="Name fragment (Latin or Khmer script)"
    )


class PersonListApi(GenericAPIView):
    required_permission = Perm.PEOPLE_VIEW
    serializer_class = PersonSummaryOutput

    def get_queryset(self):
        return people_visible_to(user=self.request.user)

    @extend_schema(
        description="People you may see. To search by name, POST to /api/v1/people/search/: "
        "a `q` query parameter is refused (400), names must not be in URLs.",
        responses=PersonSummaryOutput(many=True),
    )
    def get(self, request):
        search.refuse_terms_in_url(request, reverse("api-people-search"))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=PersonInput, responses={201: PersonOutput})
    def post(self, request):
        if not request.user.has_perm(Perm.PEOPLE_CREATE):
            self.permission_denied(request)
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = _service_call(services.person_create, actor=request.user, **data.validated_data)
        output = PersonOutput(person, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class PersonSearchApi(GenericAPIView):
    """The list searched by name: the name travels in the body, never in a URL or a log."""

    required_permission = Perm.PEOPLE_VIEW
    serializer_class = PersonSummaryOutput

    @extend_schema(
        request=PersonSearchInput,
        responses={200: PersonSummaryOutput(many=True)},
        parameters=[OpenApiParameter("page", int, description="A page number")],
        description="People you may see whose name contains `q`, paginated like the list; "
        "the `next` and `previous` links are POSTed with the same body.",
    )
    def post(self, request):
        data = PersonSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        people = people_visible_to(user=request.user, query=data.validated_data["q"])
        page = self.paginate_queryset(people)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PersonDetailApi(GenericAPIView):
    required_permission = Perm.PEOPLE_VIEW
    serializer_class = PersonOutput
    lookup_url_kwarg = "person_uuid"

    @extend_schema(responses=PersonOutput)
    def get(self, request, person_uuid):
        person = person_get_for_user(user=request.user, person_uuid=person_uuid)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=PersonUpdateInput, responses={200: PersonOutput, 409: None})
    def patch(self, request, person_uuid):
        # The permission before anything else (as in post); then the input, before the lookup:
        # a refused body must not log a read of the person (nothing was shown).
        if not request.user.has_perm(Perm.PEOPLE_CHANGE):
            self.permission_denied(request)
        data = PersonUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "version" not in values:
            raise ValidationError({"version": ["This field is required."]})
        version = values.pop("version")
        person = person_get_for_user(user=request.user, person_uuid=person_uuid)
        person = _service_call(
            services.person_update,
            actor=request.user,
            person=person,
            expected_version=version,
            **values,
        )
        return Response(self.get_serializer(person).data)
