"""Data exchange over REST: the HTCDS export, and HTCDS imports (upload, progress, errors).

Thin: the export is `htcds.htcds_export` (visible, consented cases, readable columns), audited as
the page's download is; imports are `importer.batch_create` and `importer.batch_run`.
"""

import time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .htcds import htcds_export
from .importer import (
    MAX_BYTES,
    batch_create,
    batch_get_for_user,
    batch_run,
    batches_visible_to,
)
from .issues import batch_issues
from .models import ImportBatch

API_CHUNK_SECONDS = 10.0  # work done per POST; repeat `advance` until the status is "done"


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, (bytes, str)) else b""


class HtcdsExportApi(GenericAPIView):
    """The organisation's consented cases in HTCDS 2.0, as JSON or CSV (audited)."""

    required_permission = Perm.EXCHANGE_EXPORT
    renderer_classes = [JSONRenderer, CsvRenderer]
    pagination_class = None

    def handle_exception(self, exc):
        # A refusal is JSON even when CSV was asked for (the CSV renderer would send nothing).
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        summary="Export cases in HTCDS 2.0",
        description=(
            "Own organisation's cases whose survivor gave a sharing consent not withdrawn, in the "
            "Human Trafficking Case Data Standard 2.0's field and value names; columns the user "
            "may not read are left out (listed in `dropped`). Every export is audited."
        ),
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "csv"], description="json (default) or csv"
            )
        ],
        responses={
            # A body type on each media type: without one, drf-spectacular fails (KeyError).
            (200, "application/json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="{standard, columns, dropped, records: [{HTCDS field: value}]}",
            ),
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="One row per case, HTCDS columns"
            ),
        },
    )
    def get(self, request):
        fmt = request.accepted_renderer.format
        export = htcds_export(user=request.user)
        audit_record(
            actor=request.user,
            action=AuditAction.HTCDS_EXPORTED,
            target_type="exchange.htcds_export",
            target_id=fmt,
            changes={
                "format": fmt,
                "records": len(export.rows),
                "dropped": export.dropped,
                "via": "api",
            },
        )
        if fmt == "csv":
            stamp = timezone.localdate().isoformat()
            response = HttpResponse(export.to_csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="ctip-htcds-{stamp}.csv"'
            return response
        return Response(
            {
                "standard": "HTCDS 2.0",
                "columns": export.columns,
                "dropped": export.dropped,
                "records": export.rows,
            }
        )


class ImportBatchOutput(PolicyFilteredSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.full_name", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "uuid",
            "file_name",
            "file_format",
            "sha256",
            "status",
            "total_rows",
            "rows_done",
            "rows_imported",
            "rows_failed",
            "rows_skipped",
            "file_error",
            "uploaded_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportIssueOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row in the file; the header is row 1.")
    column = serializers.CharField(help_text="HTCDS column; empty for the row as a whole.")
    level = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()


class ImportBatchDetailOutput(ImportBatchOutput):
    def get_fields(self):
        # Added after the policy filter, which keeps model fields only: the issues are read
        # through `batch_issues`, which applies the policy to the rows itself.
        return super().get_fields() | {"issues": serializers.SerializerMethodField()}

    @extend_schema_field(ImportIssueOutput(many=True))
    def get_issues(self, batch) -> list[dict]:
        return ImportIssueOutput(batch_issues(self.context["request"].user, batch), many=True).data


class ImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"HTCDS 2.0 as CSV (UTF-8) or XLSX; {MAX_BYTES >> 20} MB at most."
    )


def _run_chunk(request, batch):
    return batch_run(batch=batch, actor=request.user, deadline=time.monotonic() + API_CHUNK_SECONDS)


class ImportListApi(GenericAPIView):
    """The organisation's HTCDS imports; POST a file to start one."""

    required_permission = Perm.EXCHANGE_IMPORT
    serializer_class = ImportBatchOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return batches_visible_to(self.request.user)

    @extend_schema(summary="List HTCDS imports", responses=ImportBatchOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Upload an HTCDS file for import",
        description=(
            "Creates the import (201) and imports rows for up to about ten seconds; the same file "
            "uploaded again answers its existing import (200) and continues it. While `status` "
            "is `pending` or `running`, POST to `advance/` to continue. Rows with an error are "
            "not imported; `issues` lists them by row and column."
        ),
        request={"multipart/form-data": ImportInput},
        responses={201: ImportBatchDetailOutput, 200: ImportBatchDetailOutput},
    )
    def post(self, request):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            batch, created = batch_create(
                actor=request.user, file_name=upload.name, content=upload.read(MAX_BYTES + 1)
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        batch = _run_chunk(request, batch)
        output = ImportBatchDetailOutput(batch, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED if created else 200)


class ImportDetailApi(GenericAPIView):
    """One import: its progress, and its errors and warnings by row and column."""

    required_permission = Perm.EXCHANGE_IMPORT
    serializer_class = ImportBatchDetailOutput

    @extend_schema(summary="An HTCDS import's status and errors", responses=ImportBatchDetailOutput)
    def get(self, request, batch_uuid):
        batch = batch_get_for_user(request.user, batch_uuid)
        return Response(self.get_serializer(batch).data)


class ImportAdvanceApi(GenericAPIView):
    """Continues an import for up to about ten seconds (resumes one that was stopped)."""

    required_permission = Perm.EXCHANGE_IMPORT
    serializer_class = ImportBatchDetailOutput

    @extend_schema(
        summary="Continue an HTCDS import", request=None, responses=ImportBatchDetailOutput
    )
    def post(self, request, batch_uuid):
        batch = _run_chunk(request, batch_get_for_user(request.user, batch_uuid))
        return Response(self.get_serializer(batch).data)
