"""The audit log over REST, read-only: the same events, filters and refusals as the pages."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from ctip.accounts.roles import Perm

from .models import AuditAction, AuditEvent
from .selectors import audit_event_get_for_user, audit_event_list

# --- Output ---------------------------------------------------------------------------------------


class AuditEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor_label",
        read_only=True,
        help_text="Email of the acting user when the event was recorded; empty for none.",
    )
    organisation = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Code of the organisation the event belongs to.",
    )
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    changes = serializers.JSONField(
        read_only=True,
        help_text='{"field": [old, new]}; a null value is a sensitive field\'s, withheld.',
    )

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor",
            "organisation",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "changes",
            "reason",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


# --- Input (query parameters) ---------------------------------------------------------------------


class AuditEventFilter(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    actor = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Part of the actor's email, as recorded.",
    )
    target_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="Exact target type, e.g. accounts.user.",
    )


# --- Endpoints ------------------------------------------------------------------------------------


@extend_schema(summary="Audit events", parameters=[AuditEventFilter])
class AuditEventListApi(ListAPIView):
    """Events of the caller's organisation (organisation admins) or of all (system admins),
    newest first."""

    required_permission = (Perm.AUDIT_VIEW_OWN_ORG, Perm.AUDIT_VIEW_ALL)
    serializer_class = AuditEventOutput

    def get_queryset(self) -> QuerySet[AuditEvent]:
        params = AuditEventFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return audit_event_list(user=self.request.user, **params.validated_data)


@extend_schema(summary="One audit event")
class AuditEventDetailApi(RetrieveAPIView):
    """One event by sequence number; 404 when it does not exist or is not the caller's to see."""

    required_permission = (Perm.AUDIT_VIEW_OWN_ORG, Perm.AUDIT_VIEW_ALL)
    serializer_class = AuditEventOutput
    queryset = AuditEvent.objects.none()  # for the schema only; reads go through the selector
    lookup_field = "seq"

    def get_object(self) -> AuditEvent:
        return audit_event_get_for_user(user=self.request.user, seq=self.kwargs["seq"])
