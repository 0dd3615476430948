"""drf-spectacular postprocessing: what every operation may answer, and `Idempotency-Key`.

Views document their own success and domain responses (201, 409 on a stale version...). The
answers that any operation may give are added here once, so that the schema tells the truth
about them (the API fuzzing test holds every response to it):

- 400 (with a request body or query parameters): field errors, an object of lists, or a list;
- 401 (no or bad credentials), 403 (no permission, or two-factor verification pending);
- 404 (not found, or not yours: the two are indistinguishable; also an invalid page number);
- 415 (with a request body): a Content-Type the operation does not accept;
- 429 (beyond the rate of the token, the user or the client address; header Retry-After);
- on POST: the optional `Idempotency-Key` header (ctip.core.idempotency), 409 while a request
  with the same key is still running and 422 when the key was used for another request.
"""

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal, with a human-readable reason.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "description": "Invalid input: errors by field name, or a list of errors about the whole.",
    "oneOf": [
        {"type": "object", "additionalProperties": True},
        {"type": "array", "items": {"type": "string"}},
    ],
}
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A unique key (1-255 visible ASCII characters, e.g. a UUID) that makes a POST safe to "
        "retry: for 24 hours a retry with the same key and body replays the first response "
        "(header `Idempotent-Replayed: true`) instead of creating a second record. The same "
        "key with a different body or endpoint answers 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}

_STANDARD = {
    "401": "Authentication credentials were missing or invalid.",
    "403": "Not permitted for your roles, or two-factor verification is pending.",
    "404": "Not found, or not visible to you (the two answer the same).",
    "429": "Too many requests for this token, user or address; retry after Retry-After seconds.",
}
_METHODS = ("get", "put", "post", "patch", "delete")


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def postprocess_error_responses(result: dict[str, Any], generator, request, public) -> dict:
    """Adds the standard error responses and the idempotency header to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    parameters = result["components"].setdefault("parameters", {})
    parameters.setdefault("IdempotencyKey", IDEMPOTENCY_KEY_PARAMETER)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            # A POST takes at least the Idempotency-Key header, which may be malformed.
            takes_input = (
                method == "post"
                or "requestBody" in operation
                or any(p.get("in") in ("query", "header") for p in operation.get("parameters", []))
            )
            if takes_input:
                responses.setdefault(
                    "400",
                    _json("Invalid input.", {"$ref": "#/components/schemas/ValidationError"}),
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "415",
                    _json("The request's Content-Type is not one this operation accepts.", ERROR),
                )
            for code, description in _STANDARD.items():
                responses.setdefault(code, _json(description, ERROR))
            if method == "post":
                operation.setdefault("parameters", []).append(
                    {"$ref": "#/components/parameters/IdempotencyKey"}
                )
                responses.setdefault(
                    "409", _json("A request with this Idempotency-Key is still running.", ERROR)
                )
                responses.setdefault(
                    "422", _json("This Idempotency-Key was used for another request.", ERROR)
                )
    return result
