from functools import wraps

from django.core.exceptions import PermissionDenied

from .policy import can


def permission_required(*permissions: str):
    """Refuses the view (403) to users whose roles grant none of `permissions`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
