"""Idempotent submission: a create retried after a dropped response makes one record, not two.

Two entry points share one table (`IdempotencyRecord`, unique per user and key):

- API: `IdempotencyMiddleware` honours an `Idempotency-Key` request header on POST under
  /api/. The first request runs inside one transaction together with the row that claims the
  key, so the record and the remembered response commit (or vanish) together. A retry with the
  same key and the same body replays the stored status, body and Location for 24 hours; the
  same key with another body or on another endpoint answers 422. A concurrent duplicate waits
  on the unique constraint until the first commits, then replays it (409 only if it still
  finds the first unfinished). Only successful (2xx) responses are remembered: a rejected
  request changed nothing, so retrying it is safe.
- Forms: `{% submission_token %}` (templatetags/submission.py) renders a hidden one-time token
  in a create form, and `@once_per_submission` on the view makes a second post of the same
  token redirect to the record the first post created.
"""

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
FORM_FIELD = "_submission"
TTL = timedelta(hours=24)
# Visible ASCII only: the key is echoed in logs and compared byte for byte.
_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
FORM_TOKEN_RE = re.compile(r"[0-9a-f]{32}")


def new_submission_token() -> str:
    """A fresh one-time token for a create form."""
    return uuid.uuid4().hex


def claim(
    *, user, key: str, endpoint: str, request_hash: str = ""
) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """Claims `key` for `user`: (new record, None), or (None, the record that holds it).

    Call inside `transaction.atomic()`: the claim commits with the work it guards. A
    concurrent claim of the same key blocks on the unique constraint until this transaction
    ends. Expired records of the user are purged on the way.
    """
    now = timezone.now()
    IdempotencyRecord.objects.filter(user=user, created_at__lt=now - TTL).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key, endpoint=endpoint, request_hash=request_hash, created_at=now
            )
    except IntegrityError:
        return None, IdempotencyRecord.objects.filter(user=user, key=key).first()
    return record, None


def _finish(record: IdempotencyRecord, response: HttpResponse, *, keep: bool) -> None:
    """Remembers the response of a finished first request, or frees the key for a retry."""
    if transaction.get_rollback():
        return  # the whole transaction, claim included, is rolled back
    if not keep:
        record.delete()
        return
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.location = response.get("Location", "")[:1000]
    record.body = b"" if response.streaming else bytes(response.content)
    record.save(update_fields=["status_code", "content_type", "location", "body"])


def _problem(status: int, detail: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


def _api_user(request: HttpRequest):
    """The user a token or session stands for, or None (the view will then refuse)."""
    from ctip.accounts.authentication import api_token_user  # the API's own token check

    if request.headers.get("Authorization", "").lower().split()[:1] == ["token"]:
        return api_token_user(request)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request submits (content type and body; uploaded files by content)."""
    digest = hashlib.sha256(request.content_type.encode())
    length_header = request.headers.get("Content-Length") or "0"
    length = int(length_header) if length_header.isdigit() else 0
    if (
        request.content_type == "multipart/form-data"
        and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    ):
        # Reading the body of a large upload is refused; its parsed parts are not. (Small
        # bodies are read raw: the view may still want the raw body, e.g. to check a
        # signature, which it could not once the stream was parsed.)
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    """Honours `Idempotency-Key` on API POSTs (see the module docstring).

    Must come after AuthenticationMiddleware (session users); token users are resolved here
    with the API's token check (ctip/accounts/authentication.py), as the view will resolve them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY_RE.fullmatch(key):
            return _problem(
                400, _("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
            )
        user = _api_user(request)
        if user is None:
            return self.get_response(request)  # refused by the view; nothing to remember
        fingerprint = request_fingerprint(request)
        endpoint = f"POST {request.path}"[:300]
        with transaction.atomic():
            record, previous = claim(
                user=user, key=key, endpoint=endpoint, request_hash=fingerprint
            )
            if previous is not None:
                return self._answer_retry(previous, endpoint=endpoint, fingerprint=fingerprint)
            if record is None:  # pragma: no cover - claimed and released between two queries
                return _problem(
                    409, _("This request is being processed; retry."), **{"Retry-After": "1"}
                )
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # a failed request leaves nothing behind
            else:
                _finish(record, response, keep=200 <= response.status_code < 300)
        return response

    @staticmethod
    def _answer_retry(
        previous: IdempotencyRecord, *, endpoint: str, fingerprint: str
    ) -> HttpResponse:
        if previous.endpoint != endpoint or previous.request_hash != fingerprint:
            return _problem(
                422,
                _(
                    "This Idempotency-Key was already used for a different request. "
                    "Use a new key for a new request."
                ),
            )
        if previous.status_code is None:
            return _problem(
                409,
                _("A request with this Idempotency-Key is still being processed; retry."),
                **{"Retry-After": "1"},
            )
        return _replay(previous)


def once_per_submission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Makes a create view honour the one-time token of `{% submission_token %}`.

    The first post of a token runs the view in a transaction with the claim; when it redirects
    (success), the redirect is remembered. A second post of the same token (double click,
    retry after a dropped response, back and resubmit) redirects to the same place instead of
    creating a second record. A post that shows the form again (errors) frees the token.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        if not FORM_TOKEN_RE.fullmatch(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        endpoint = f"FORM {request.path}"[:300]
        with transaction.atomic():
            record, previous = claim(user=request.user, key=f"form:{token}", endpoint=endpoint)
            if previous is not None:
                if previous.endpoint == endpoint and previous.location:
                    messages.info(
                        request,
                        _("This form had already been submitted: here is what it recorded."),
                    )
                    return HttpResponseRedirect(previous.location)
                return view(request, *args, **kwargs)
            response = view(request, *args, **kwargs)
            if record is not None:
                _finish(record, response, keep=response.status_code in (301, 302, 303))
        return response

    return wrapped
