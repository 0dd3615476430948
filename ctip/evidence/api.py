"""Evidence metadata over REST. Lists show titles and hashes, never content: reading an
item's file happens on the page, where it is a custody event."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm
from ctip.justice.selectors import investigation_get_for_user

from .models import EvidenceItem
from .selectors import items_for_investigation


class EvidenceItemOutput(PolicyFilteredSerializer):
    corrects = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = EvidenceItem
        fields = [
            "uuid",
            "kind",
            "title",
            "collected_on",
            "collected_at",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "corrects",
            "correction_reason",
            "created_at",
        ]
        read_only_fields = fields


class EvidenceListApi(GenericAPIView):
    required_permission = Perm.EVIDENCE_VIEW
    serializer_class = EvidenceItemOutput
    pagination_class = None

    @extend_schema(responses=EvidenceItemOutput(many=True))
    def get(self, request, investigation_uuid):
        inv = investigation_get_for_user(user=request.user, investigation_uuid=investigation_uuid)
        items = items_for_investigation(user=request.user, investigation=inv)
        return Response(self.get_serializer(items, many=True).data)
