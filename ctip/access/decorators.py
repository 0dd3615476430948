from functools import wraps

from django.core.exceptions import PermissionDenied

from .policy import can
from .refusals import refusal_message


def permission_required(*permissions: str):
    """Refuses the view (403) to users whose roles grant none of `permissions`, saying which
    roles would (ctip/access/refusals.py)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, p) for p in permissions):
                raise PermissionDenied(refusal_message(request.user, permissions))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
