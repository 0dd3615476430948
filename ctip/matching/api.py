"""Possible matches over REST: the same rules as the pages. A record the reader may not see is
given as its organisation only; the evidence only to readers who see both records."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.accounts.roles import Perm

from . import services
from .models import CandidateStatus
from .selectors import (
    REVEAL_EXISTENCE,
    candidate_get_for_user,
    candidate_views,
    candidates_visible_to,
)


class RecordOutput(serializers.Serializer):
    """One side of a pair: the person when the reader may see them, else the organisation as
    far as the data-sharing agreement reveals it (null: "another partner")."""

    organisation = serializers.CharField(allow_null=True)
    person = serializers.UUIDField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    contact = serializers.CharField(required=False, allow_blank=True)


def _side(person, organisation, contact: str = "") -> dict:
    return {
        "organisation": organisation.code if organisation is not None else None,
        "person": person.uuid if person is not None else None,
        "name": person.display_name if person is not None else None,
        "contact": contact,
    }


def candidate_output(view) -> dict:
    c = view.candidate
    own = None
    if view.own is not None:
        own_org = c.organisation_a if view.own.pk == c.person_a_id else c.organisation_b
        own = _side(view.own, own_org)
    requested_by = c.requested_by.code if c.requested_by_id else None
    if view.reveal == REVEAL_EXISTENCE and c.requested_by_id != view.viewer_organisation_id:
        requested_by = None  # the partner asked: its code would name it
    return {
        "uuid": c.uuid,
        "version": c.version,
        "probability": round(c.probability, 4),
        "status": c.status,
        "requested_by": requested_by,
        "own": own,
        "other": _side(view.other, view.other_organisation, view.contact),
        "evidence": view.evidence,
    }


class CandidateOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    version = serializers.IntegerField()
    probability = serializers.FloatField()
    status = serializers.ChoiceField(choices=CandidateStatus.choices)
    requested_by = serializers.CharField(allow_null=True)
    own = RecordOutput(allow_null=True)
    other = RecordOutput()
    evidence = serializers.DictField(child=serializers.CharField())


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "reject", "undo"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(
        help_text="The version you read; a stale version is refused with 409."
    )


class ConcurrentEdit(ValidationError):
    status_code = status.HTTP_409_CONFLICT


class CandidateListApi(GenericAPIView):
    required_permission = Perm.MATCHING_REVIEW
    serializer_class = CandidateOutput

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="open (default) or a status")],
        responses=CandidateOutput(many=True),
    )
    def get(self, request):
        status_filter = request.GET.get("status", "open")[:20]
        qs = candidates_visible_to(user=request.user, status=status_filter)
        page = self.paginate_queryset(qs)
        views = candidate_views(request.user, list(page))
        return self.get_paginated_response([candidate_output(v) for v in views])


class CandidateDecisionApi(GenericAPIView):
    required_permission = Perm.MATCHING_REVIEW
    serializer_class = CandidateOutput

    @extend_schema(responses=CandidateOutput)
    def get(self, request, candidate_uuid):
        view = candidate_get_for_user(user=request.user, candidate_uuid=candidate_uuid)
        return Response(candidate_output(view))

    @extend_schema(request=DecisionInput, responses={200: CandidateOutput, 409: None})
    def post(self, request, candidate_uuid):
        view = candidate_get_for_user(user=request.user, candidate_uuid=candidate_uuid)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values["decision"] == "undo":
                services.candidate_undo(
                    actor=request.user,
                    candidate=view.candidate,
                    expected_version=values["version"],
                    reason=values["note"],
                )
            else:
                decide = (
                    services.candidate_confirm
                    if values["decision"] == "confirm"
                    else services.candidate_reject
                )
                decide(
                    actor=request.user,
                    candidate=view.candidate,
                    expected_version=values["version"],
                    note=values["note"],
                )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "concurrent_edit":
                raise ConcurrentEdit(exc.messages) from exc
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        view = candidate_get_for_user(user=request.user, candidate_uuid=candidate_uuid)
        return Response(candidate_output(view))
