from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# The API authenticates by token as well as session, so DRF decides there (ctip.access.api).
_SELF_AUTHENTICATING_PREFIXES = ("/api/", "/static/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs login unless its view is marked `login_not_required`."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(_SELF_AUTHENTICATING_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
