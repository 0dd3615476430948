"""Template tags of the justice app, for pages of other apps."""

from django import template

from ctip.justice.selectors import case_proceedings as _case_proceedings

register = template.Library()


@register.simple_tag(takes_context=True)
def case_proceedings(context, case) -> list:
    """The status of the proceedings in which the case's survivor is a victim, as the signed-in
    user may see it (ctip.justice.selectors.case_proceedings)."""
    request = context.get("request")
    if request is None or case is None:
        return []
    return _case_proceedings(user=request.user, case=case)
