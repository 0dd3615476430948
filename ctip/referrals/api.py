"""Referrals over REST: the same policy as the pages. Lists and details carry the referral
only; what the case shares is read on the page, section by section."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm

from . import services
from .models import Referral
from .selectors import referral_get_for_user, referrals_received, referrals_sent


class ReferralOutput(PolicyFilteredSerializer):
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)
    from_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sections = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "version",
            "case",
            "kind",
            "from_organisation",
            "to_organisation",
            "service",
            "reason",
            "urgency",
            "sections",
            "survivor_sex",
            "survivor_age",
            "status",
            "consent_overridden",
            "decided_at",
            "decision_reason",
            "completed_at",
            "withdrawn_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        # `sections` is derived from the share_* flags, all of normal sensitivity.
        fields["sections"] = serializers.ListField(child=serializers.CharField(), read_only=True)
        return fields


class AnswerInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; stale is 409.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


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


class ReferralListApi(GenericAPIView):
    required_permission = Perm.REFERRALS_VIEW
    serializer_class = ReferralOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("box", str, description="received (default) or sent"),
            OpenApiParameter("status", str, description="pending, accepted, …"),
        ],
        responses=ReferralOutput(many=True),
    )
    def get(self, request):
        finder = referrals_sent if request.GET.get("box") == "sent" else referrals_received
        page = self.paginate_queryset(
            finder(user=request.user, status=request.GET.get("status", ""))
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReferralDetailApi(GenericAPIView):
    required_permission = Perm.REFERRALS_VIEW
    serializer_class = ReferralOutput

    @extend_schema(responses=ReferralOutput)
    def get(self, request, referral_uuid):
        referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
        return Response(self.get_serializer(referral).data)


class ReferralAnswerApi(GenericAPIView):
    """POST accept or decline (the receiver), withdraw (the sender)."""

    required_permission = (Perm.REFERRALS_RESPOND, Perm.REFERRALS_CREATE)
    serializer_class = ReferralOutput
    action = "accept"

    @extend_schema(request=AnswerInput, responses={200: ReferralOutput, 409: None})
    def post(self, request, referral_uuid):
        referral = referral_get_for_user(user=request.user, referral_uuid=referral_uuid)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        fn = {
            "accept": services.referral_accept,
            "decline": services.referral_decline,
            "withdraw": services.referral_withdraw,
        }[self.action]
        referral = _service_call(
            fn,
            actor=request.user,
            referral=referral,
            reason=data.validated_data["reason"],
            expected_version=data.validated_data["version"],
        )
        return Response(self.get_serializer(referral).data)
