"""The interop API for partner case-management systems (Primero/CPIMS+, OSCaR).

A partner system calls with the token of a supervisor of the organisation it acts for:

- `GET /api/v1/interop/cases/?system=<id>&changed_since=<ISO datetime>` lists the cases that
  changed since then and that the survivor agreed to share with the system's organisation,
  in the partner's field names, by pages: follow `next` (a cursor) until it is null.
- `GET /api/v1/interop/cases/<system>/<external_id>/` reads one, with its ETag.
- `PUT /api/v1/interop/cases/<system>/<external_id>/` creates or updates it (If-Match).

Thin: parse input, call one service, serialize output. Same policy as the pages: another
organisation's system answers 404; a role without `interop.sync` 403.
"""

import uuid
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.policy import readable_fields, sensitive_fields
from ctip.accounts.roles import Perm
from ctip.cases.models import Case
from ctip.people.models import Person

from . import mapping, services
from .selectors import (
    BadCursor,
    Cursor,
    case_by_external_id,
    changed_cases,
    partner_system_get,
    partner_systems_for,
)
from .serializers import (
    RECORD_SERIALIZERS,
    CaseEnvelope,
    CaseListOutput,
    ErrorOutput,
    UpsertInput,
)

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The case changed since you read it.")


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _("Send If-Match with the version you last read.")


def _readable(user) -> dict[str, set[str]]:
    return {
        "people.Person": set(readable_fields(user, Person)),
        "cases.Case": set(readable_fields(user, Case)),
    }


def _changed_at(case: Case):
    value = getattr(case, "changed_at", None)
    if isinstance(value, str):  # SQLite returns the GREATEST() of datetimes as text
        value = parse_datetime(value)
    if value is None:
        value = max(case.updated_at, case.person.updated_at)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _envelope(case: Case, maps) -> dict:
    refs = getattr(case, "refs_for_system", [])
    return {
        "ctip_id": str(case.uuid),
        "external_id": refs[0].external_id if refs else None,
        "version": services.etag(case),
        "changed_at": _changed_at(case).isoformat(),
        "record": mapping.to_partner(case, maps),
    }


def _shown(user, maps) -> list[str]:
    """The sensitive CTIP fields a response shows (for the audit log)."""
    sensitive = {"people.Person": sensitive_fields(Person), "cases.Case": sensitive_fields(Case)}
    return sorted({f.source for f in maps if f.source in sensitive[f.model]})


def _system(request, system_uuid):
    try:
        uuid.UUID(str(system_uuid))
    except ValueError:
        raise NotFound from None  # not an id at all: no such system, not a server error
    system = partner_system_get(user=request.user, system_uuid=system_uuid)
    services.require_sync(request.user, system)
    return system


LIST_EXAMPLE = {
    "results": [
        {
            "ctip_id": "3f1c2b9e-5a7d-4c11-9b0e-2d4f6a8c0e11",
            "external_id": "cpims-000812",
            "version": '"3-2"',
            "changed_at": "2026-11-20T08:15:00+00:00",
            "record": {
                "name": "Sok Dara",
                "name_first": "Dara",
                "name_last": "Sok",
                "sex": "female",
                "date_of_birth": "2010-04-02",
                "age": 16,
                "location_current": "12010101",
                "protection_concerns": ["slavery_sale_abduction", "sexual_exploitation"],
                "status": "open",
                "case_id_display": "PNH-2026-000123",
                "registration_date": "2026-03-14",
            },
        }
    ],
    "next_cursor": "WyIyMDI2LTExLTIwVDA4OjE1OjAwKzAwOjAwIiwgNDJd",
    "next": "https://ctip.example/api/v1/interop/cases/?system=…&cursor=…",
}


class InteropCaseListApi(GenericAPIView):
    required_permission = Perm.INTEROP_SYNC
    serializer_class = CaseListOutput

    @extend_schema(
        operation_id="interop_cases_changed",
        summary="Cases changed since a moment, in a partner's field names",
        description=(
            "Cases of your organisation that changed (the case, its survivor, or the consent) "
            "at or after `changed_since` and whose survivor's consent to share with the "
            "system's organisation is given and not withdrawn. Ordered by change time then id; "
            "follow `next` until it is null. A case changed while you page moves to the end "
            "and is sent again: upserts are idempotent. Only the fields your role may read."
        ),
        parameters=[
            OpenApiParameter(
                "system",
                OpenApiTypes.UUID,
                description="Partner system id (from the /interop/ page); may be omitted when "
                "your organisation has one active partner system.",
            ),
            OpenApiParameter(
                "changed_since",
                OpenApiTypes.DATETIME,
                description="ISO 8601; omitted: every shared case.",
            ),
            OpenApiParameter("cursor", str, description="The `next_cursor` of the last page."),
            OpenApiParameter("limit", int, description=f"Page size, at most {MAX_LIMIT}."),
        ],
        responses={
            200: CaseListOutput,
            400: OpenApiResponse(description="Bad parameter."),
            403: OpenApiResponse(ErrorOutput, description="No interop.sync, or system disabled."),
            404: OpenApiResponse(description="No such partner system in your organisation."),
        },
        examples=[
            OpenApiExample(
                "Primero page", value=LIST_EXAMPLE, response_only=True, status_codes=["200"]
            )
        ],
    )
    def get(self, request):
        params = request.query_params
        if params.get("system"):
            system = _system(request, params["system"])
        else:
            # Without `system`: the organisation's one active system; with none, nothing is
            # shared with anyone; with several, the caller must say which.
            active = list(partner_systems_for(user=request.user).filter(is_active=True)[:2])
            if not active:
                return Response({"results": [], "next_cursor": None, "next": None})
            if len(active) > 1:
                raise ValidationError({"system": [_("Give the partner system's id.")]})
            system = _system(request, active[0].uuid)
        since = datetime(1970, 1, 1, tzinfo=UTC)
        if params.get("changed_since"):
            parsed = parse_datetime(params["changed_since"].replace(" ", "+"))
            if parsed is None:
                raise ValidationError({"changed_since": [_("Give an ISO 8601 date and time.")]})
            since = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
        after = None
        if params.get("cursor"):
            try:
                after = Cursor.decode(params["cursor"])
            except BadCursor:
                raise ValidationError(
                    {"cursor": [_("This cursor was not issued by CTIP.")]}
                ) from None
        try:
            limit = min(max(int(params.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
        except ValueError:
            raise ValidationError({"limit": [_("Give a whole number.")]}) from None
        found = changed_cases(
            user=request.user, system=system, changed_since=since, after=after, limit=limit + 1
        )
        page, more = found[:limit], len(found) > limit
        maps = mapping.readable_maps(system.kind, _readable(request.user))
        services.interop_pull_record(
            actor=request.user, system=system, cases_sent=page, shown=_shown(request.user, maps)
        )
        next_cursor = None
        next_url = None
        if more:
            last = page[-1]
            next_cursor = Cursor(_changed_at(last), last.pk).encode()
            query = {"system": str(system.uuid), "cursor": next_cursor, "limit": limit}
            query["changed_since"] = since.isoformat()
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(
            {
                "results": [_envelope(case, maps) for case in page],
                "next_cursor": next_cursor,
                "next": next_url,
            }
        )


UPSERT_EXAMPLE = {
    "record": {
        "name_first": "Dara",
        "name_last": "Sok",
        "sex": "female",
        "date_of_birth": "2010-04-02",
        "location_current": "12010101",
        "status": "open",
    },
    "consent": {
        "given_by": "both",
        "given_on": "2026-11-20",
        "method": "written",
        "guardian_given_name": "Srey",
        "guardian_family_name": "Sok",
        "guardian_relationship": "mother",
    },
}
OSCAR_EXAMPLE = {
    "record": {
        "given_name": "Vannak",
        "family_name": "Chan",
        "gender": "male",
        "date_of_birth": "2004-01-15",
        "status": "Active",
    },
    "consent": {"given_by": "child", "given_on": "2026-11-20", "method": "written"},
}


def _errors(exc: DjangoValidationError) -> dict:
    """A service's refusal as the API answers it (nested by part of the payload)."""
    if isinstance(exc, services.PartnerInputError):
        return exc.errors
    if hasattr(exc, "error_dict"):
        return {"record": exc.message_dict}
    return {"detail": exc.messages}


class InteropCaseApi(GenericAPIView):
    required_permission = Perm.INTEROP_SYNC
    serializer_class = CaseEnvelope

    @extend_schema(
        operation_id="interop_case_read",
        summary="One case by the partner's id",
        responses={
            200: CaseEnvelope,
            404: OpenApiResponse(description="Unknown id, or the case is no longer shared."),
        },
    )
    def get(self, request, system_uuid, external_id):
        system = _system(request, system_uuid)
        case = case_by_external_id(user=request.user, system=system, external_id=external_id)
        maps = mapping.readable_maps(system.kind, _readable(request.user))
        services.interop_pull_record(
            actor=request.user, system=system, cases_sent=[case], shown=_shown(request.user, maps)
        )
        return Response(_envelope(case, maps), headers={"ETag": services.etag(case)})

    @extend_schema(
        operation_id="interop_case_upsert",
        summary="Create or update a case by the partner's id",
        description=(
            "Unknown id: records the survivor and opens a case in your organisation; `consent` "
            "is then required and recorded as the survivor's consent to share with the "
            "organisation that runs the partner system. Known id: updates the survivor's "
            "details and the status; send `If-Match` with the `version` you last read. The "
            "same record sent twice changes nothing. Closing or reopening a case needs a "
            "supervisor in CTIP and is refused here. A case whose sharing consent was withdrawn "
            "is refused (403) and not changed."
        ),
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description="The `version` (ETag) you last read; required to change a case.",
            )
        ],
        request=UpsertInput,
        responses={
            200: OpenApiResponse(CaseEnvelope, description="Updated (or unchanged)."),
            201: OpenApiResponse(CaseEnvelope, description="Created."),
            400: OpenApiResponse(description="Bad input, by field; nothing changed."),
            403: OpenApiResponse(ErrorOutput, description="No permission, or consent withdrawn."),
            404: OpenApiResponse(description="No such partner system in your organisation."),
            409: OpenApiResponse(ErrorOutput, description="Stale If-Match: read again."),
            428: OpenApiResponse(ErrorOutput, description="If-Match missing on a change."),
        },
        examples=[
            OpenApiExample(
                "Primero: a child, guardian and child consent", UPSERT_EXAMPLE, request_only=True
            ),
            OpenApiExample("OSCaR: an adult survivor", OSCAR_EXAMPLE, request_only=True),
        ],
    )
    def put(self, request, system_uuid, external_id):
        system = _system(request, system_uuid)
        envelope = UpsertInput(data=request.data)
        envelope.is_valid(raise_exception=True)
        record = RECORD_SERIALIZERS[system.kind](data=envelope.validated_data["record"])
        if not record.is_valid():
            raise ValidationError({"record": record.errors})
        consent = envelope.validated_data.get("consent")
        try:
            result = services.interop_case_upsert(
                actor=request.user,
                system=system,
                external_id=external_id,
                record=dict(record.validated_data),
                consent=services.ConsentStatement(**consent) if consent else None,
                if_match=request.headers.get("If-Match"),
                ctip_id=envelope.validated_data.get("ctip_id"),
            )
        except DjangoValidationError as exc:
            code = getattr(exc, "code", None)
            if code == "concurrent_edit":
                raise Conflict(exc.messages[0]) from exc
            if code == "precondition_required":
                raise PreconditionRequired(exc.messages[0]) from exc
            raise ValidationError(_errors(exc)) from exc
        case = result.case
        case.refs_for_system = [type("Ref", (), {"external_id": external_id})()]
        maps = mapping.readable_maps(system.kind, _readable(request.user))
        return Response(
            _envelope(case, maps),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers={"ETag": services.etag(case)},
        )
