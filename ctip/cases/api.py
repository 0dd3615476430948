"""Cases over REST: the same policy as the pages (scope, 404 for other organisations, 403 for
roles without the permission, field sensitivity, audited sensitive reads, 409 on stale writes).

Thin: parse input, call one service, serialize output.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.policy import can, get_visible_or_404, visible_to
from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.models import User
from ctip.accounts.roles import Perm
from ctip.core import search
from ctip.people.models import Person
from ctip.places.models import Country

from . import services
from . import vocabulary as v
from .models import Case, CaseSource, CaseStatus, CaseTask, NoteKind
from .selectors import (
    case_get_for_user,
    case_ref_for_user,
    cases_visible_to,
    notes_for_case,
    tasks_for_case,
)


class ConcurrentEdit(ValidationError):
    """Someone saved the record since the client read it: 409, nothing overwritten."""

    status_code = status.HTTP_409_CONFLICT


def call_service(fn, **kwargs):
    """Calls a service, turning its ValidationError into a 400 (409 for a stale version).
    PermissionDenied and Http404 pass through (DRF answers 403 and 404)."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "concurrent_edit":
            raise ConcurrentEdit(exc.messages) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


def require(view, request, permission: str) -> None:
    """403 unless the user holds `permission` (beyond the view's reading permission)."""
    if not can(request.user, permission):
        view.permission_denied(request)


class UserRefField(serializers.SlugRelatedField):
    """A colleague by uuid; the service checks organisation and role."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", queryset=User.objects.filter(is_active=True), **kwargs)


# --- output -------------------------------------------------------------------------------------


class CaseOutput(PolicyFilteredSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    case_worker = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    supervisor = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    exploitation_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    sexual_exploitation_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    means_of_control = serializers.ListField(child=serializers.CharField(), read_only=True)
    recruitment_methods = serializers.ListField(child=serializers.CharField(), read_only=True)
    destination_countries = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "uuid",
            "version",
            "number",
            "organisation",
            "person",
            "status",
            "source",
            "source_reference",
            "opened_on",
            "case_worker",
            "supervisor",
            "closed_on",
            "closure_reason",
            "trafficking_status",
            "exploitation_types",
            "sexual_exploitation_types",
            "forced_labour_industry",
            "means_of_control",
            "recruitment_methods",
            "recruiter_relation",
            "age_when_trafficked",
            "exploitation_started_on",
            "exploitation_ended_on",
            "destination_countries",
            "abuse_narrative",
            "hiv_status",
            "child_witnesses",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseSummaryOutput(CaseOutput):
    """What lists show: normal-sensitivity fields only. Sensitive fields are read one case at
    a time, where each read is audited; a list must never become an unaudited bulk read."""

    class Meta(CaseOutput.Meta):
        fields = [
            "uuid",
            "version",
            "number",
            "organisation",
            "person",
            "status",
            "source",
            "opened_on",
            "case_worker",
            "supervisor",
            "closed_on",
        ]
        read_only_fields = fields


class NoteOutput(serializers.Serializer):
    """A note; `text` is null (and `withheld` true) when the reader may not see it."""

    uuid = serializers.UUIDField(source="note.uuid")
    kind = serializers.ChoiceField(source="note.kind", choices=NoteKind.choices)
    happened_on = serializers.DateField(source="note.happened_on")
    is_sensitive = serializers.BooleanField(source="note.is_sensitive")
    text = serializers.CharField(allow_null=True)
    withheld = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="note.created_at")

    def get_withheld(self, view) -> bool:
        return view.text is None


class TaskOutput(PolicyFilteredSerializer):
    assigned_to = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = CaseTask
        fields = [
            "uuid",
            "version",
            "title",
            "is_visit",
            "assigned_to",
            "due_on",
            "remind_on",
            "done_on",
        ]
        read_only_fields = fields


# --- input --------------------------------------------------------------------------------------


class CaseOpenInput(serializers.Serializer):
    person = serializers.UUIDField(help_text="The survivor's uuid (a person you may see).")
    source = serializers.ChoiceField(choices=CaseSource.choices, default=CaseSource.DIRECT)
    source_reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="For a screening: the uuid of the hand-off your organisation accepted.",
    )
    case_worker = UserRefField(required=False, allow_null=True)
    supervisor = UserRefField(required=False, allow_null=True)
    opened_on = serializers.DateField(required=False, allow_null=True)


def _multi(field: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=v.MULTI_CHOICES[field].choices), required=False
    )


class CaseUpdateInput(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The version you read; a stale version is refused with 409."
    )
    case_worker = UserRefField(required=False)
    supervisor = UserRefField(required=False, allow_null=True)
    trafficking_status = serializers.ChoiceField(
        choices=v.TraffickingStatus.choices, required=False, allow_blank=True
    )
    exploitation_types = _multi("exploitation_types")
    sexual_exploitation_types = _multi("sexual_exploitation_types")
    forced_labour_industry = serializers.ChoiceField(
        choices=v.LabourIndustry.choices, required=False, allow_blank=True
    )
    means_of_control = _multi("means_of_control")
    recruitment_methods = _multi("recruitment_methods")
    recruiter_relation = serializers.ChoiceField(
        choices=v.RecruiterRelation.choices, required=False, allow_blank=True
    )
    age_when_trafficked = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    exploitation_started_on = serializers.DateField(required=False, allow_null=True)
    exploitation_ended_on = serializers.DateField(required=False, allow_null=True)
    destination_countries = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), many=True, required=False
    )
    abuse_narrative = serializers.CharField(required=False, allow_blank=True)
    hiv_status = serializers.ChoiceField(
        choices=v.HivStatus.choices, required=False, allow_blank=True
    )
    child_witnesses = serializers.CharField(required=False, allow_blank=True)


class NoteInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    happened_on = serializers.DateField()
    text = serializers.CharField(max_length=20000)
    is_sensitive = serializers.BooleanField(default=False)


class TaskInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    remind_on = serializers.DateField(required=False, allow_null=True)
    is_visit = serializers.BooleanField(default=False)
    assigned_to = UserRefField(required=False, allow_null=True)


# --- views --------------------------------------------------------------------------------------


class CaseListApi(GenericAPIView):
    required_permission = Perm.CASES_VIEW
    serializer_class = CaseSummaryOutput

    def get_queryset(self):
        params = self.request.GET
        return cases_visible_to(
            user=self.request.user,
            status=params.get("status", ""),
            mine=params.get("mine") == "1",
        ).select_related("supervisor")

    @extend_schema(
        description="Cases you may see. To search by case number or survivor name, POST to "
        "/api/v1/cases/search/: a `q` query parameter is refused (400), names must not be in URLs.",
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values),
            OpenApiParameter("mine", str, enum=["1"], description="Only my cases"),
        ],
        responses=CaseSummaryOutput(many=True),
    )
    def get(self, request):
        search.refuse_terms_in_url(request, reverse("api-cases-search"))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=CaseOpenInput, responses={201: CaseOutput})
    def post(self, request):
        require(self, request, Perm.CASES_OPEN)
        data = CaseOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = visible_to(request.user, Person).filter(uuid=values.pop("person")).first()
        if person is None:
            raise ValidationError({"person": ["No person you may see has this identifier."]})
        case = call_service(services.case_open, actor=request.user, person=person, **values)
        case = case_get_for_user(user=request.user, case_uuid=case.uuid)
        output = CaseOutput(case, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class CaseSearchInput(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, allow_blank=True, help_text="Case number or survivor name fragment"
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    mine = serializers.BooleanField(default=False, help_text="Only my cases")


class CaseSearchApi(GenericAPIView):
    """The list searched by number or name: the terms travel in the body, never in a URL."""

    required_permission = Perm.CASES_VIEW
    serializer_class = CaseSummaryOutput

    @extend_schema(
        request=CaseSearchInput,
        responses={200: CaseSummaryOutput(many=True)},
        parameters=[OpenApiParameter("page", int, description="A page number")],
        description="Cases you may see whose number or survivor's name contains `q`, paginated "
        "like the list; the `next` and `previous` links are POSTed with the same body.",
    )
    def post(self, request):
        data = CaseSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cases = cases_visible_to(
            user=request.user,
            query=values["q"],
            status=values.get("status", ""),
            mine=values["mine"],
        ).select_related("supervisor")
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CaseDetailApi(GenericAPIView):
    required_permission = Perm.CASES_VIEW
    serializer_class = CaseOutput

    @extend_schema(responses=CaseOutput)
    def get(self, request, case_uuid):
        case = case_get_for_user(user=request.user, case_uuid=case_uuid)
        return Response(self.get_serializer(case).data)

    @extend_schema(request=CaseUpdateInput, responses={200: CaseOutput, 409: None})
    def patch(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        require(self, request, Perm.CASES_CHANGE)
        data = CaseUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "version" not in values:
            raise ValidationError({"version": ["This field is required."]})
        version = values.pop("version")
        case = call_service(
            services.case_update,
            actor=request.user,
            case=case,
            expected_version=version,
            **values,
        )
        case = case_get_for_user(user=request.user, case_uuid=case.uuid)
        return Response(self.get_serializer(case).data)


class CaseNotesApi(GenericAPIView):
    required_permission = Perm.CASES_VIEW
    serializer_class = NoteOutput

    @extend_schema(responses=NoteOutput(many=True))
    def get(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        # Sensitive notes are withheld (text null) from readers without restricted access;
        # the sensitive notes a reader does see are audited by the selector.
        page = self.paginate_queryset(notes_for_case(user=request.user, case=case))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=NoteInput, responses={201: NoteOutput})
    def post(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        require(self, request, Perm.CASES_CHANGE)
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = call_service(services.note_add, actor=request.user, case=case, **data.validated_data)
        view = next(
            (n for n in notes_for_case(user=request.user, case=case) if n.note.pk == note.pk),
            None,
        )
        return Response(self.get_serializer(view).data, status=status.HTTP_201_CREATED)


class CaseTasksApi(GenericAPIView):
    required_permission = Perm.CASES_VIEW
    serializer_class = TaskOutput

    @extend_schema(responses=TaskOutput(many=True))
    def get(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        page = self.paginate_queryset(tasks_for_case(user=request.user, case=case))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=TaskInput, responses={201: TaskOutput})
    def post(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        require(self, request, Perm.CASES_CHANGE)
        data = TaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = call_service(services.task_add, actor=request.user, case=case, **data.validated_data)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)


class TaskDoneApi(GenericAPIView):
    required_permission = Perm.CASES_VIEW
    serializer_class = TaskOutput

    @extend_schema(
        request=inline_serializer(
            "TaskDoneInput", {"done_on": serializers.DateField(required=False, allow_null=True)}
        ),
        responses=TaskOutput,
    )
    def post(self, request, task_uuid):
        task = get_visible_or_404(
            request.user, visible_to(request.user, CaseTask).select_related("case"), uuid=task_uuid
        )
        require(self, request, Perm.CASES_CHANGE)
        done_on = serializers.DateField(required=False, allow_null=True).run_validation(
            request.data.get("done_on")
        )
        task = call_service(services.task_complete, actor=request.user, task=task, done_on=done_on)
        return Response(self.get_serializer(task).data)
