import uuid

from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    """Common columns: a public uuid (never expose integer ids), timestamps, author, version.

    `version` is raised by every service write so that concurrent edits are detected
    (optimistic locking: a service compares the version the user saw with the stored one).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """One submission of a create, remembered for 24 hours so that a retry replays it.

    A retried API POST (same `Idempotency-Key`) or a double-posted form (same one-time
    submission token) finds this row and gets the first response instead of a second record.
    The unique constraint is what makes concurrent duplicates wait for the first one.
    Infrastructure, not domain data: it is read only by ctip.core.idempotency.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # "POST /api/v1/people/" or "FORM /people/new/": a key is bound to one endpoint.
    endpoint = models.CharField(max_length=300)
    # SHA-256 of the request body: the same key with another body is refused (422).
    request_hash = models.CharField(max_length=64, blank=True)
    # Empty until the first request has finished; then what it answered.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=1000, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} [{self.key}]"
