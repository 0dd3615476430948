"""Reads of returns, reintegration and follow-up, always through the access policy."""

from datetime import timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from ctip.access.policy import can, get_visible_or_404, visible_to
from ctip.accounts.roles import Perm
from ctip.cases.models import Case

from .models import FollowUpVisit, ReintegrationPlan, ReTraffickingFlag, Return, ReturnStatus


def returns_visible_to(*, user) -> QuerySet[Return]:
    return visible_to(user, Return).select_related("case", "country").order_by("-planned_on")


def returns_for_case(*, user, case: Case) -> QuerySet[Return]:
    return visible_to(user, Return).filter(case=case).select_related("country")


def return_get_for_user(*, user, return_uuid) -> Return:
    return get_visible_or_404(
        user, visible_to(user, Return).select_related("case", "country"), uuid=return_uuid
    )


def plans_for_case(*, user, case: Case) -> QuerySet[ReintegrationPlan]:
    return visible_to(user, ReintegrationPlan).filter(case=case)


def plan_get_for_user(*, user, plan_uuid) -> ReintegrationPlan:
    return get_visible_or_404(
        user,
        visible_to(user, ReintegrationPlan).select_related("case", "case__person"),
        uuid=plan_uuid,
    )


def visits_for_plan(*, user, plan: ReintegrationPlan) -> QuerySet[FollowUpVisit]:
    return (
        visible_to(user, FollowUpVisit)
        .filter(plan=plan)
        .select_related("visited_by", "assessment", "assessment__instrument")
        .prefetch_related("assessment__scores__domain")
    )


def visit_get_for_user(*, user, visit_uuid) -> FollowUpVisit:
    return get_visible_or_404(
        user,
        visible_to(user, FollowUpVisit).select_related("plan", "plan__case"),
        uuid=visit_uuid,
    )


# A follow-up visit shows on the case worker's home page this many days before it is due.
FOLLOW_UP_DUE_SOON_DAYS = 14


def follow_up_dashboard(*, user) -> dict:
    """The case worker's follow-up panel: overdue visits of their cases, visits due within
    FOLLOW_UP_DUE_SOON_DAYS, and open re-trafficking flags of their organisation. Three
    queries."""
    today = timezone.localdate()
    overdue = (
        visible_to(user, FollowUpVisit)
        .filter(plan__case__case_worker=user, visited_on__isnull=True, due_on__lt=today)
        .exclude(plan__status="broke_down")
        .select_related("plan", "plan__case")
        .order_by("due_on")
    )
    flags = (
        visible_to(user, ReTraffickingFlag)
        .filter(reviewed_at__isnull=True)
        .select_related("plan", "plan__case")
        .order_by("-created_at")
    )
    due_soon = (
        visible_to(user, FollowUpVisit)
        .filter(
            plan__case__case_worker=user,
            visited_on__isnull=True,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=FOLLOW_UP_DUE_SOON_DAYS),
        )
        .exclude(plan__status="broke_down")
        .select_related("plan", "plan__case")
        .order_by("due_on")
    )
    return {
        "overdue_follow_ups": list(overdue[:50]),
        "due_follow_ups": list(due_soon[:50]),
        "open_flags": list(flags[:50]),
    }


def flags_visible_to(*, user) -> QuerySet[ReTraffickingFlag]:
    return visible_to(user, ReTraffickingFlag).select_related("plan", "plan__case", "person")


def returns_by_country_year(*, user, direction: str = "") -> list[dict]:
    """Completed returns counted by country and year of return: rows of
    {"country": code, "country_name", "year", "direction", "count"}.

    Statistics officers get national counts (aggregates only, never a record); others count
    the returns they may see.
    """
    if can(user, Perm.STATISTICS_VIEW):
        returns = Return.objects.all()
    elif can(user, Perm.RETURNS_VIEW):
        returns = visible_to(user, Return)
    else:
        return []
    returns = returns.filter(status=ReturnStatus.RETURNED, returned_on__isnull=False)
    if direction:
        returns = returns.filter(direction=direction)
    rows = (
        returns.annotate(year=ExtractYear("returned_on"))
        .values("country", "country__name_en", "year", "direction")
        .annotate(count=Count("id"))
        .order_by("country__name_en", "year")
    )
    return [
        {
            "country": r["country"],
            "country_name": r["country__name_en"],
            "year": r["year"],
            "direction": r["direction"],
            "count": r["count"],
        }
        for r in rows
    ]
