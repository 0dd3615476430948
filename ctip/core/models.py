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
