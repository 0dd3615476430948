"""Reports over REST, and the webhook through which SMS or messaging gateways send reports.

The webhook
-----------
`POST /api/v1/intake/webhook/` with a JSON body::

    {"message_id": "gw-123", "from": "+85512345678", "text": "...",
     "received_at": "2026-11-22T08:00:00Z"}   # received_at optional

and two headers:

- `X-CTIP-Timestamp`: the Unix time of sending, in seconds;
- `X-CTIP-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of
  `<timestamp>.<raw body>`.

The shared secret is the environment variable `CTIP_SMS_WEBHOOK_SECRET`; without it the
webhook answers 503 (it never accepts unsigned messages). A timestamp more than five minutes
away is refused (401), so a captured request cannot be replayed later; within that window the
`message_id` makes a repeat harmless: 201 creates a report, 200 says it already exists.
"""

import hashlib
import hmac
import json
import os
import time

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.places.models import District, Province

from . import services
from .models import EstablishmentType, Report, SexDescribed, Source, Urgency
from .selectors import report_get_for_user, reports_visible_to

SECRET_ENV = "CTIP_SMS_WEBHOOK_SECRET"  # noqa: S105 (the variable's name, not a secret)
MAX_CLOCK_SKEW = 300  # seconds
MAX_BODY = 16_000  # bytes


def webhook_secret() -> str:
    """The gateway's shared secret, from the environment (empty when not configured)."""
    return os.environ.get(SECRET_ENV, "")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a gateway sends for `body` at `timestamp` (also used by tests)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class ReportOutput(PolicyFilteredSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_to = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Report
        fields = [
            "uuid",
            "version",
            "reference",
            "source",
            "status",
            "received_at",
            "first_action_at",
            "urgency",
            "suggested_urgency",
            "triage_rules",
            "urgency_reason",
            "province",
            "district",
            "establishment_type",
            "children_count",
            "ages_described",
            "sex_described",
            "assigned_to",
            "outcome",
            "caller_anonymous",
            "caller_name",
            "caller_phone",
            "caller_may_contact",
            "narrative",
            "location_text",
        ]
        read_only_fields = fields


class ReportSummaryOutput(ReportOutput):
    """Lists show normal-sensitivity fields only; confidential ones are read one by one."""

    class Meta(ReportOutput.Meta):
        fields = ReportOutput.Meta.fields[:19]
        read_only_fields = fields


class ReportInput(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=[Source.HOTLINE, Source.WALK_IN, Source.PARTNER, Source.POLICE],
        default=Source.HOTLINE,
    )
    narrative = serializers.CharField(max_length=5000)
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
    )
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), required=False, allow_null=True
    )
    location_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    establishment_type = serializers.ChoiceField(
        choices=EstablishmentType.choices, required=False, allow_blank=True
    )
    children_count = serializers.IntegerField(
        min_value=0, max_value=500, required=False, allow_null=True
    )
    ages_described = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sex_described = serializers.ChoiceField(choices=SexDescribed.choices, required=False)
    caller_anonymous = serializers.BooleanField(required=False)
    caller_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    caller_may_contact = serializers.BooleanField(required=False)
    flag_child = serializers.BooleanField(required=False)
    flag_sexual_exploitation = serializers.BooleanField(required=False)
    flag_held_now = serializers.BooleanField(required=False)
    flag_injury = serializers.BooleanField(required=False)
    flag_moving_soon = serializers.BooleanField(required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    urgency_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _service_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


class ReportListApi(GenericAPIView):
    required_permission = (Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED, Perm.REPORTS_CREATE)
    serializer_class = ReportSummaryOutput

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="open, closed, all or a status")],
        responses=ReportSummaryOutput(many=True),
    )
    def get(self, request):
        reports = reports_visible_to(user=request.user, status=request.GET.get("status", "open"))
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ReportInput, responses={201: ReportOutput})
    def post(self, request):
        if not request.user.has_perm(Perm.REPORTS_CREATE):
            self.permission_denied(request)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = _service_call(services.report_create, actor=request.user, **data.validated_data)
        output = ReportOutput(report, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class ReportDetailApi(GenericAPIView):
    required_permission = (Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED)
    serializer_class = ReportOutput

    @extend_schema(responses=ReportOutput)
    def get(self, request, report_uuid):
        report = report_get_for_user(user=request.user, report_uuid=report_uuid)
        return Response(self.get_serializer(report).data)


class WebhookInput(serializers.Serializer):
    message_id = serializers.CharField(max_length=100)
    # "from" is a Python keyword, hence the rename below.
    sender = serializers.CharField(max_length=100, required=False, allow_blank=True)
    text = serializers.CharField(max_length=3000)
    received_at = serializers.DateTimeField(required=False)


class WebhookOutput(serializers.Serializer):
    reference = serializers.CharField()
    created = serializers.BooleanField()


class SmsWebhookApi(APIView):
    """Gateways post messages here; authenticated by the shared-secret signature only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=WebhookInput,
        responses={201: WebhookOutput, 200: WebhookOutput, 401: None, 503: None},
        parameters=[
            OpenApiParameter("X-CTIP-Timestamp", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-CTIP-Signature", str, OpenApiParameter.HEADER, required=True),
        ],
        description=__doc__,
    )
    def post(self, request):
        secret = webhook_secret()
        if not secret:
            return Response(
                {"detail": "The webhook is not configured."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        body = request.body
        if len(body) > MAX_BODY:
            return Response({"detail": "Too large."}, status=413)
        timestamp = request.headers.get("X-CTIP-Timestamp", "")
        signature = request.headers.get("X-CTIP-Signature", "")
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            skew = None
        if (
            skew is None
            or skew > MAX_CLOCK_SKEW
            or not hmac.compare_digest(signature, sign(secret, timestamp, body))
        ):
            return Response({"detail": "Bad signature."}, status=status.HTTP_401_UNAUTHORIZED)
        try:
            payload = json.loads(body)
        except ValueError:
            return Response({"detail": "The body is not JSON."}, status=400)
        if isinstance(payload, dict) and "from" in payload:
            payload["sender"] = payload.pop("from")
        data = WebhookInput(data=payload)
        data.is_valid(raise_exception=True)
        report, created = _service_call(services.sms_receive, **data.validated_data)
        return Response(
            {"reference": report.reference, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConcurrentEdit(ValidationError):
    status_code = status.HTTP_409_CONFLICT


def _action_call(fn, **kwargs):
    """Calls a service; a stale version answers 409, other refusals 400."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "concurrent_edit":
            raise ConcurrentEdit(exc.messages) from exc
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


class TriageInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; stale answers 409.")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DispatchInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; stale answers 409.")
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(is_active=True)
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReportTriageApi(GenericAPIView):
    required_permission = Perm.REPORTS_TRIAGE
    serializer_class = ReportOutput

    @extend_schema(request=TriageInput, responses={200: ReportOutput, 409: None})
    def post(self, request, report_uuid):
        report = report_get_for_user(user=request.user, report_uuid=report_uuid)
        data = TriageInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = _action_call(
            services.report_triage,
            actor=request.user,
            report=report,
            expected_version=values["version"],
            urgency=values["urgency"],
            reason=values["reason"],
        )
        return Response(self.get_serializer(report).data)


class ReportDispatchApi(GenericAPIView):
    required_permission = Perm.REPORTS_TRIAGE
    serializer_class = ReportOutput

    @extend_schema(request=DispatchInput, responses={200: ReportOutput, 409: None})
    def post(self, request, report_uuid):
        report = report_get_for_user(user=request.user, report_uuid=report_uuid)
        data = DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = _action_call(
            services.report_dispatch,
            actor=request.user,
            report=report,
            expected_version=values["version"],
            organisation=values["organisation"],
            note=values["note"],
        )
        return Response(self.get_serializer(report).data)
