"""Care over REST: assessments of a case and its care plans, under the same policy as the
pages (404 for other organisations' cases, 403 without the permission, field sensitivity)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm
from ctip.cases.api import call_service, require
from ctip.cases.selectors import case_ref_for_user

from . import services
from .models import Action, Assessment, AssessmentScore, CarePlan, Goal, Instrument, Review
from .selectors import assessments_for_case, care_plan_detail_for_user, care_plans_for_case

# --- output -------------------------------------------------------------------------------------


class WithParts(PolicyFilteredSerializer):
    """Keeps the nested `parts` (reverse relations the rules cannot classify): each part is a
    PolicyFilteredSerializer itself, over rows seen exactly when the parent is."""

    parts: tuple[str, ...] = ()

    def get_fields(self):
        kept = super().get_fields()
        declared = serializers.ModelSerializer.get_fields(self)
        return kept | {name: declared[name] for name in self.parts if name in declared}


class ScoreOutput(PolicyFilteredSerializer):
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AssessmentScore
        fields = ["domain", "score", "note"]
        read_only_fields = fields


class AssessmentOutput(WithParts):
    parts = ("scores",)
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assessed_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    scores = ScoreOutput(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "uuid",
            "instrument",
            "assessed_on",
            "assessed_by",
            "summary",
            "next_due_on",
            "scores",
            "created_at",
        ]
        read_only_fields = fields


class ActionOutput(PolicyFilteredSerializer):
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Action
        fields = ["uuid", "version", "description", "owner", "due_on", "done_on"]
        read_only_fields = fields


class GoalOutput(WithParts):
    parts = ("actions",)
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actions = ActionOutput(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["uuid", "version", "domain", "description", "status", "actions"]
        read_only_fields = fields


class ReviewOutput(PolicyFilteredSerializer):
    class Meta:
        model = Review
        fields = ["uuid", "reviewed_on", "notes", "next_review_on"]
        read_only_fields = fields


class CarePlanOutput(WithParts):
    parts = ("goals", "reviews")
    case = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    goals = GoalOutput(many=True, read_only=True)
    reviews = ReviewOutput(many=True, read_only=True)

    class Meta:
        model = CarePlan
        fields = [
            "uuid",
            "version",
            "case",
            "status",
            "starts_on",
            "review_every_days",
            "next_review_on",
            "summary",
            "goals",
            "reviews",
            "created_at",
        ]
        read_only_fields = fields


# --- input --------------------------------------------------------------------------------------


class AssessmentInput(serializers.Serializer):
    instrument = serializers.SlugRelatedField(
        slug_field="code", queryset=Instrument.objects.filter(is_active=True)
    )
    assessed_on = serializers.DateField()
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text="A score for every domain of the instrument, by domain code.",
    )
    notes = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")


# --- views --------------------------------------------------------------------------------------


class CaseAssessmentsApi(GenericAPIView):
    required_permission = Perm.CARE_VIEW
    serializer_class = AssessmentOutput

    @extend_schema(responses=AssessmentOutput(many=True))
    def get(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        page = self.paginate_queryset(assessments_for_case(user=request.user, case=case))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentOutput})
    def post(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        require(self, request, Perm.CARE_CHANGE)
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = call_service(
            services.assessment_record, actor=request.user, case=case, **data.validated_data
        )
        assessment = assessments_for_case(user=request.user, case=case).get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


class CaseCarePlansApi(GenericAPIView):
    required_permission = Perm.CARE_VIEW
    serializer_class = CarePlanOutput

    @extend_schema(responses=CarePlanOutput(many=True))
    def get(self, request, case_uuid):
        case = case_ref_for_user(user=request.user, case_uuid=case_uuid)
        plans = care_plans_for_case(user=request.user, case=case).select_related("case")
        page = self.paginate_queryset(plans.order_by("-starts_on", "-id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CarePlanDetailApi(GenericAPIView):
    required_permission = Perm.CARE_VIEW
    serializer_class = CarePlanOutput

    @extend_schema(responses=CarePlanOutput)
    def get(self, request, plan_uuid):
        plan = care_plan_detail_for_user(user=request.user, plan_uuid=plan_uuid)
        return Response(self.get_serializer(plan).data)
