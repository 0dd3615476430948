"""`{% submission_token %}`: the hidden one-time token of a create form (ctip.core.idempotency)."""

from django import template
from django.utils.html import format_html

from ctip.core.idempotency import FORM_FIELD, FORM_TOKEN_RE, new_submission_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context) -> str:
    """Renders the token; a form re-shown with errors keeps the token it was posted with."""
    request = context.get("request")
    posted = request.POST.get(FORM_FIELD, "") if request is not None else ""
    token = posted if FORM_TOKEN_RE.fullmatch(posted) else new_submission_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, token)
