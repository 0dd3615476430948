"""Live dashboard widgets, shown to users whose roles grant the widget's permission.

Each domain adds its widget here: a permission, a template, and a selector that takes `user`
and returns the template's context (reads through `access`, a fixed number of queries).
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from ctip.access.policy import can
from ctip.accounts.roles import Perm


@dataclass(frozen=True)
class Widget:
    permission: str
    template: str
    selector: str  # dotted path of a function (*, user) -> dict


WIDGETS = [
    Widget(
        Perm.REPORTS_VIEW_ALL,
        "intake/_dashboard_panel.html",
        "ctip.intake.selectors.intake_dashboard",
    ),
    Widget(
        Perm.CASES_CHANGE,
        "cases/_dashboard_panels.html",
        "ctip.cases.selectors.case_worker_dashboard",
    ),
    Widget(
        Perm.STATISTICS_VIEW,
        "statistics/_dashboard_widget.html",
        "ctip.statistics.selectors.dashboard_widget",
    ),
    # Issue 17: children the police handed on to a shelter, with their summary, to admit.
    Widget(
        Perm.PLACEMENTS_MANAGE,
        "shelters/_dashboard_handoffs.html",
        "ctip.shelters.selectors.shelter_handoffs_dashboard",
    ),
    # Issue 5: overdue follow-up visits after reintegration, and re-trafficking flags.
    Widget(
        Perm.RETURNS_MANAGE,
        "returns/_dashboard.html",
        "ctip.returns.selectors.follow_up_dashboard",
    ),
]


def dashboard_widgets(request) -> list[SafeString]:
    """The rendered widgets the user may see, in order."""
    rendered = []
    for widget in WIDGETS:
        if can(request.user, widget.permission):
            context = import_string(widget.selector)(user=request.user)
            rendered.append(mark_safe(render_to_string(widget.template, context, request)))  # noqa: S308
    return rendered
