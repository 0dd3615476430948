"""Proceedings over REST: the same policy as the pages (scope, 404, field sensitivity)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.policy import can
from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.models import Organisation
from ctip.accounts.roles import Perm
from ctip.core import search

from . import selectors, services
from .models import ExploitationForm, Investigation, InvestigationSource, LawArticle


class InvestigationOutput(PolicyFilteredSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    legal_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Investigation
        fields = [
            "uuid",
            "version",
            "reference",
            "title",
            "organisation",
            "legal_organisation",
            "opened_on",
            "source",
            "source_reference",
            "exploitation_form",
            "status",
            "summary",
            "closed_on",
        ]
        read_only_fields = fields


class InvestigationSummaryOutput(InvestigationOutput):
    class Meta(InvestigationOutput.Meta):
        fields = [f for f in InvestigationOutput.Meta.fields if f != "summary"]
        read_only_fields = fields


class InvestigationInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    opened_on = serializers.DateField()
    source = serializers.ChoiceField(choices=InvestigationSource.choices)
    source_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    exploitation_form = serializers.ChoiceField(choices=ExploitationForm.choices)
    legal_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    summary = serializers.CharField(required=False, allow_blank=True)


class LawArticleOutput(PolicyFilteredSerializer):
    class Meta:
        model = LawArticle
        fields = [
            "uuid",
            "article",
            "offence",
            "offence_km",
            "summary",
            "penalty_min_years",
            "penalty_max_years",
            "aggravating",
            "confidence",
            "source",
            "is_active",
        ]
        read_only_fields = fields


def _service_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


class InvestigationListApi(GenericAPIView):
    required_permission = Perm.JUSTICE_VIEW
    serializer_class = InvestigationSummaryOutput

    def get_queryset(self):
        return selectors.investigations_visible_to(user=self.request.user)

    @extend_schema(
        description="Investigations you may see. To search by reference or title, POST to "
        "/api/v1/investigations/search/: a `q` query parameter is refused (400), a title may "
        "name a person and must not be in URLs.",
        responses=InvestigationSummaryOutput(many=True),
    )
    def get(self, request):
        search.refuse_terms_in_url(request, reverse("api-investigations-search"))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=InvestigationInput, responses={201: InvestigationOutput})
    def post(self, request):
        if not can(request.user, Perm.JUSTICE_MANAGE):
            raise PermissionDenied
        data = InvestigationInput(data=request.data)
        data.is_valid(raise_exception=True)
        inv = _service_call(
            services.investigation_create, actor=request.user, **data.validated_data
        )
        output = InvestigationOutput(inv, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class InvestigationSearchInput(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, allow_blank=True, help_text="Reference or title fragment"
    )


class InvestigationSearchApi(GenericAPIView):
    """The list searched by reference or title: the terms travel in the body, never in a URL."""

    required_permission = Perm.JUSTICE_VIEW
    serializer_class = InvestigationSummaryOutput

    @extend_schema(
        request=InvestigationSearchInput,
        responses={200: InvestigationSummaryOutput(many=True)},
        parameters=[OpenApiParameter("page", int, description="A page number")],
        description="Investigations you may see whose reference or title contains `q`, "
        "paginated like the list; the `next` and `previous` links are POSTed with the same body.",
    )
    def post(self, request):
        data = InvestigationSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        investigations = selectors.investigations_visible_to(
            user=request.user, query=data.validated_data["q"]
        )
        page = self.paginate_queryset(investigations)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class InvestigationDetailApi(GenericAPIView):
    required_permission = Perm.JUSTICE_VIEW
    serializer_class = InvestigationOutput

    @extend_schema(responses=InvestigationOutput)
    def get(self, request, investigation_uuid):
        inv = selectors.investigation_get_for_user(
            user=request.user, investigation_uuid=investigation_uuid
        )
        return Response(self.get_serializer(inv).data)


class LawArticleListApi(GenericAPIView):
    required_permission = Perm.REFERENCE_VIEW
    serializer_class = LawArticleOutput
    pagination_class = None

    @extend_schema(responses=LawArticleOutput(many=True))
    def get(self, request):
        articles = selectors.law_articles(user=request.user)
        return Response(self.get_serializer(articles, many=True).data)


class CountsApi(GenericAPIView):
    """Counts for the annual government report: numbers only, never a record."""

    required_permission = Perm.JUSTICE_COUNTS
    serializer_class = None

    @extend_schema(
        parameters=[OpenApiParameter("year", int)],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        try:
            year = int(request.GET.get("year", timezone.localdate().year))
        except ValueError as exc:
            raise ValidationError({"year": ["Give a year, e.g. 2025."]}) from exc
        if not 1900 <= year <= 2999:  # beyond datetime's range the query itself fails (500)
            raise ValidationError({"year": ["Give a year, e.g. 2025."]})
        c = selectors.annual_counts(user=request.user, year=year)

        def tally(t):
            return {
                "total": t.total,
                "by_sex": dict(t.sex),
                "by_age": dict(t.age),
                "by_form": dict(t.form),
                "by_kind": {str(k): v for k, v in t.kind.items()},
            }

        return Response(
            {
                "year": year,
                "national": c.national,
                "investigations_opened": tally(c.investigations),
                "persons_prosecuted": tally(c.prosecuted),
                "persons_convicted": tally(c.convicted),
                "victims_identified": tally(c.victims),
                "sentences": dict(c.sentences),
                "fines_riel": c.fines_riel,
                "compensation_ordered_riel": c.compensation_ordered_riel,
                "compensation_paid_riel": c.compensation_paid_riel,
            }
        )
