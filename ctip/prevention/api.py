"""Prevention over REST: programmes, attendance, and the aggregates that statistics reads."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.policy import visible_to
from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm

from . import selectors, services
from .models import AgeBand, Member, Programme, Sex


class ConcurrentEdit(ValidationError):
    status_code = status.HTTP_409_CONFLICT


def _service_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "concurrent_edit":
            raise ConcurrentEdit(exc.messages) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


class ProgrammeOutput(PolicyFilteredSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provinces = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "uuid",
            "version",
            "organisation",
            "name",
            "name_km",
            "kind",
            "target_group",
            "provinces",
            "start_date",
            "end_date",
            "is_active",
        ]
        read_only_fields = fields


class ProgrammeListApi(GenericAPIView):
    required_permission = Perm.PREVENTION_VIEW
    serializer_class = ProgrammeOutput

    def get_queryset(self):
        return selectors.programmes_visible_to(user=self.request.user)

    @extend_schema(responses=ProgrammeOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class WalkInInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False, allow_null=True)


class AttendanceInput(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The session version you read; a stale version is refused with 409."
    )
    present = serializers.ListField(child=serializers.UUIDField(), allow_empty=True)
    walk_ins = WalkInInput(many=True, required=False)
    unregistered = serializers.DictField(
        child=serializers.IntegerField(min_value=0), required=False
    )


class AttendanceOutput(serializers.Serializer):
    session = serializers.UUIDField(source="uuid")
    version = serializers.IntegerField()
    present = serializers.IntegerField()
    unregistered = serializers.DictField(child=serializers.IntegerField())


class SessionAttendanceApi(GenericAPIView):
    """Sets a session's attendance in one request (a phone syncing a ticked list)."""

    required_permission = Perm.PREVENTION_MANAGE
    serializer_class = AttendanceOutput

    @extend_schema(request=AttendanceInput, responses={200: AttendanceOutput, 409: None})
    def put(self, request, session_uuid):
        session = selectors.session_get_for_user(user=request.user, session_uuid=session_uuid)
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        wanted = set(values["present"])
        members = list(
            visible_to(request.user, Member).filter(group=session.group_id, uuid__in=wanted)
        )
        if len(members) != len(wanted):
            raise ValidationError(
                {"present": [_("Only members of this session's group can be ticked.")]}
            )
        session = _service_call(
            services.attendance_take,
            actor=request.user,
            session=session,
            present=members,
            walk_ins=[dict(w) for w in values.get("walk_ins", [])],
            unregistered=values.get("unregistered"),
            expected_version=values["version"],
        )
        body = {
            "uuid": session.uuid,
            "version": session.version,
            "present": session.attendances.count(),
            "unregistered": {
                key: getattr(session, f"unregistered_{key}")
                for key in ("girls", "boys", "women", "men")
            },
        }
        return Response(AttendanceOutput(body).data)


class ReachOutput(serializers.Serializer):
    children = serializers.IntegerField()
    adults = serializers.IntegerField()
    age_unknown = serializers.IntegerField()
    total = serializers.IntegerField()
    attendances = serializers.IntegerField()
    sessions = serializers.IntegerField()
    unregistered = serializers.DictField(child=serializers.IntegerField())
    rows = serializers.ListField(child=serializers.DictField())


class ReachQuery(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    province = serializers.CharField(required=False, max_length=2)
    by = serializers.CharField(required=False, default="programme,province,sex,age_band")

    def validate_by(self, value: str) -> tuple[str, ...]:
        names = tuple(n for n in value.split(",") if n)
        unknown = set(names) - set(selectors.REACH_DIMENSIONS)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown dimensions: %(names)s") % {"names": ", ".join(sorted(unknown))}
            )
        return names


class ReachApi(GenericAPIView):
    """Unique people reached: aggregates only, for prevention and statistics officers."""

    required_permission = (Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS)
    serializer_class = ReachOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="First day (YYYY-MM-DD)"),
            OpenApiParameter("end", str, description="Last day (YYYY-MM-DD)"),
            OpenApiParameter("province", str, description="NCDD province code"),
            OpenApiParameter(
                "by", str, description="Comma-separated: " + ",".join(selectors.REACH_DIMENSIONS)
            ),
        ],
        responses=ReachOutput,
    )
    def get(self, request):
        query = ReachQuery(data=request.GET)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        report = selectors.reach(
            user=request.user,
            start=q.get("start"),
            end=q.get("end"),
            province_code=q.get("province", ""),
            by=q["by"],
        )
        return Response(ReachOutput(report).data)


class TrainingSummaryOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    organisation = serializers.CharField(help_text="Code of the organisation that ran it")
    province = serializers.CharField(help_text="NCDD province code")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    participant_count = serializers.IntegerField()
    by_institution = serializers.DictField(child=serializers.IntegerField())
    by_sex = serializers.DictField(child=serializers.IntegerField())
    avg_pre = serializers.FloatField(allow_null=True)
    avg_post = serializers.FloatField(allow_null=True)
    gain = serializers.FloatField(
        allow_null=True, help_text="Average post-test minus pre-test score, in points"
    )


class TrainingSummaryApi(GenericAPIView):
    """Trainings with participants by institution and sex, scores and gain: aggregates only."""

    required_permission = (Perm.PREVENTION_VIEW, Perm.PREVENTION_COUNTS)
    serializer_class = TrainingSummaryOutput
    pagination_class = None  # one list, as the schema says (not a paginated page)

    @extend_schema(responses=TrainingSummaryOutput(many=True))
    def get(self, request):
        summaries = selectors.training_summaries(user=request.user)
        return Response(TrainingSummaryOutput(summaries, many=True).data)
