from functools import wraps

from django.core.exceptions import PermissionDenied

from .policy import can


def permission_required(permission: str):
    """Refuses the view (403) to users whose roles do not grant `permission`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
