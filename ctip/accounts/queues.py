"""Work-queue source of accounts (see ctip/core/work_queue.py): active users who have no
role yet, for the admins who may give them one."""

from django.urls import reverse
from django.utils.translation import gettext as _

from ctip.access.policy import visible_to
from ctip.core.work_queue import URGENT, QueueResult, WorkItem, take

from .models import User


def users_without_role(*, user) -> QueueResult:
    """Active users the admin manages (own organisation, or all for system admins) without a
    role: they can sign in but do nothing until given one. Oldest first."""
    waiting = (
        visible_to(user, User)
        .filter(is_active=True, role_assignments__isnull=True)
        .exclude(pk=user.pk)
        .select_related("organisation")
        .order_by("created_at", "id")
    )

    def make(account) -> WorkItem:
        return WorkItem(
            kind="users_without_role",
            title=account.full_name or account.email,
            url=reverse("accounts:user_edit", args=[account.uuid]),
            urgency=URGENT,
            created=account.created_at,
            detail=_("No role yet · %(organisation)s") % {"organisation": account.organisation},
        )

    return take(waiting, make)
