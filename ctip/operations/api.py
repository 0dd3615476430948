"""Operations and hand-offs over REST (read-only): the same policy as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm

from .models import HandOff, Operation
from .selectors import handoffs_pending_for, operations_visible_to


class OperationSummaryOutput(PolicyFilteredSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Operation
        fields = [
            "uuid",
            "version",
            "reference",
            "status",
            "planned_for",
            "province",
            "district",
            "establishment_type",
            "agencies",
        ]
        read_only_fields = fields


class HandOffOutput(PolicyFilteredSerializer):
    screening = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    person = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    from_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    result = serializers.CharField(source="screening.result", read_only=True)

    class Meta:
        model = HandOff
        fields = [
            "uuid",
            "version",
            "screening",
            "result",
            "person",
            "from_organisation",
            "to_organisation",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class OperationListApi(GenericAPIView):
    required_permission = Perm.OPERATIONS_VIEW
    serializer_class = OperationSummaryOutput

    @extend_schema(responses=OperationSummaryOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(operations_visible_to(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PendingHandOffListApi(GenericAPIView):
    """Hand-offs waiting for the caller's organisation to open a case."""

    required_permission = Perm.HANDOFFS_VIEW
    serializer_class = HandOffOutput

    @extend_schema(responses=HandOffOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(handoffs_pending_for(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
