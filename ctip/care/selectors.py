"""Reads of care records, always through the access policy, and the score chart."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from ctip.access.policy import visible_to
from ctip.cases.models import Case

from .models import (
    Action,
    Assessment,
    AssessmentScore,
    CarePlan,
    DeliveryStatus,
    Goal,
    Instrument,
    ServiceDelivery,
)

# One colour per domain line; eight domains at most in the seeded instruments, then repeat.
PALETTE = ["#0b5cad", "#a1231b", "#1e6b35", "#8a4b00", "#6b2fa3", "#00787a", "#b0467a", "#555"]


def assessments_for_case(*, user, case: Case) -> QuerySet[Assessment]:
    return (
        visible_to(user, Assessment)
        .filter(case=case)
        .select_related("instrument", "assessed_by")
        .prefetch_related(
            Prefetch("scores", queryset=AssessmentScore.objects.select_related("domain"))
        )
    )


def assessment_get_for_user(*, user, assessment_uuid) -> Assessment:
    from ctip.access.policy import get_visible_or_404

    return get_visible_or_404(
        user,
        assessments_for_case_qs(user),
        uuid=assessment_uuid,
    )


def assessments_for_case_qs(user) -> QuerySet[Assessment]:
    return (
        visible_to(user, Assessment)
        .select_related("instrument", "assessed_by", "case")
        .prefetch_related(
            Prefetch("scores", queryset=AssessmentScore.objects.select_related("domain"))
        )
    )


@dataclass
class Chart:
    instrument: Instrument
    width: int
    height: int
    lines: list[dict] = field(default_factory=list)  # {name, colour, points, dots}
    x_labels: list[dict] = field(default_factory=list)  # {x, text}
    y_labels: list[dict] = field(default_factory=list)  # {y, text}
    rows: list[dict] = field(default_factory=list)  # the same data as a table


def score_charts(assessments: list[Assessment], *, width: int = 560, height: int = 220) -> list:
    """Scores by domain over time, one chart per instrument, as coordinates for inline SVG.

    Server-rendered: no JavaScript, nothing to download. Oldest assessment on the left.
    """
    by_instrument: dict[int, list[Assessment]] = {}
    for a in assessments:
        by_instrument.setdefault(a.instrument_id, []).append(a)
    charts = []
    left, right, top, bottom = 36, 12, 10, 28
    for items in by_instrument.values():
        items = sorted(items, key=lambda a: (a.assessed_on, a.id))
        instrument = items[0].instrument
        all_scores = [s.score for a in items for s in a.scores.all()] or [1]
        lo, hi = 1, max(max(all_scores), 2)
        plot_w, plot_h = width - left - right, height - top - bottom
        step = plot_w / max(len(items) - 1, 1)

        single = len(items) == 1

        def x_of(i: int, step=step, single=single, plot_w=plot_w) -> float:
            return round(left + (plot_w / 2 if single else i * step), 1)

        def y_of(score: int, lo=lo, hi=hi, plot_h=plot_h) -> float:
            return round(top + plot_h - (score - lo) / (hi - lo) * plot_h, 1)

        chart = Chart(instrument=instrument, width=width, height=height)
        chart.x_labels = [
            {"x": x_of(i), "text": a.assessed_on.strftime("%Y-%m-%d")} for i, a in enumerate(items)
        ]
        chart.y_labels = [{"y": y_of(s), "text": str(s)} for s in range(lo, hi + 1)]
        series: dict[int, dict] = {}
        for i, a in enumerate(items):
            for s in a.scores.all():
                line = series.setdefault(
                    s.domain_id,
                    {"name": s.domain.display_name, "order": s.domain.order, "dots": []},
                )
                line["dots"].append({"x": x_of(i), "y": y_of(s.score), "score": s.score})
        for n, line in enumerate(sorted(series.values(), key=lambda line: line["order"])):
            line["colour"] = PALETTE[n % len(PALETTE)]
            line["points"] = " ".join(f"{d['x']},{d['y']}" for d in line["dots"])
            chart.lines.append(line)
        chart.rows = [
            {"name": line["name"], "scores": [d["score"] for d in line["dots"]]}
            for line in chart.lines
        ]
        charts.append(chart)
    return charts


def care_plans_for_case(*, user, case: Case) -> QuerySet[CarePlan]:
    return (
        visible_to(user, CarePlan)
        .filter(case=case)
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("domain").prefetch_related(
                    Prefetch("actions", queryset=Action.objects.select_related("owner"))
                ),
            ),
            "reviews",
        )
    )


def care_plan_get_for_user(*, user, plan_uuid) -> CarePlan:
    from ctip.access.policy import get_visible_or_404

    return get_visible_or_404(
        user, visible_to(user, CarePlan).select_related("case", "case__person"), uuid=plan_uuid
    )


def services_for_case(*, user, case: Case) -> QuerySet[ServiceDelivery]:
    return visible_to(user, ServiceDelivery).filter(case=case).select_related("service", "provider")


def service_requests_for_partner(*, user) -> QuerySet[ServiceDelivery]:
    """Services other organisations asked of the user's organisation, open ones first."""
    return (
        visible_to(user, ServiceDelivery)
        .filter(provider_id=user.organisation_id)
        .exclude(case__organisation_id=user.organisation_id)
        .select_related("service", "case", "case__organisation")
        .order_by("status", "-requested_on", "-id")
    )


def delivery_get_for_user(*, user, delivery_uuid) -> ServiceDelivery:
    from ctip.access.policy import get_visible_or_404

    return get_visible_or_404(
        user,
        visible_to(user, ServiceDelivery).select_related("service", "provider", "case"),
        uuid=delivery_uuid,
    )


OPEN_REQUEST = DeliveryStatus.REQUESTED


def care_plan_detail_for_user(*, user, plan_uuid) -> CarePlan:
    """One care plan the user may see, with its goals, actions and reviews (404 otherwise)."""
    from ctip.access.policy import get_visible_or_404

    plans = (
        visible_to(user, CarePlan)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("domain").prefetch_related(
                    Prefetch("actions", queryset=Action.objects.select_related("owner"))
                ),
            ),
            "reviews",
        )
    )
    return get_visible_or_404(user, plans, uuid=plan_uuid)
