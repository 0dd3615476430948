"""Statistics hooks: counts without personal data, for statistics officers only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ctip.accounts.roles import Role
from ctip.intake import services
from ctip.intake.models import Outcome, Urgency
from ctip.intake.selectors import report_counts, report_first_action_figures
from ctip.places.models import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    now = timezone.now()
    return {"start": now - timedelta(days=1), "end": now + timedelta(minutes=1)}


def test_reports_are_counted_by_source_urgency_province_and_outcome(cast, period):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    province = Province.objects.get_or_create(code="17", defaults={"name_en": "Siem Reap"})[0]
    held = services.report_create(
        actor=hotline, narrative="a", flag_held_now=True, province=province
    )
    services.report_create(actor=hotline, narrative="b", source="walk_in")
    services.tip_submit(narrative="c")
    services.report_close(
        actor=hotline, report=held, expected_version=None, outcome=Outcome.OPERATION
    )
    stats = cast.a[Role.STATISTICS_OFFICER]
    assert report_counts(user=stats, by="source", **period) == {
        "hotline": 1,
        "walk_in": 1,
        "web": 1,
    }
    assert report_counts(user=stats, by="urgency", **period) == {
        Urgency.IMMEDIATE: 1,
        Urgency.ROUTINE: 2,
    }
    assert report_counts(user=stats, by="province", **period) == {"": 2, "17": 1}
    assert report_counts(user=stats, by="outcome", **period) == {"": 2, "operation": 1}
    with pytest.raises(ValueError):
        report_counts(user=stats, by="caller_phone", **period)


def test_time_to_first_action_is_summarised(cast, period):
    hotline = cast.a[Role.HOTLINE_OPERATOR]
    late = services.report_create(
        actor=hotline,
        narrative="a",
        flag_held_now=True,
        received_at=timezone.now() - timedelta(minutes=30),
    )
    services.report_triage(
        actor=hotline, report=late, expected_version=None, urgency=Urgency.IMMEDIATE
    )
    services.report_create(actor=hotline, narrative="b", urgency=Urgency.ROUTINE)
    figures = report_first_action_figures(user=cast.a[Role.STATISTICS_OFFICER], **period)
    assert figures.received == 2 and figures.actioned == 2
    assert figures.breached == 1 and figures.within_target == 1
    assert figures.median_minutes is not None and 14 < figures.median_minutes < 16


def test_only_statistics_readers_get_the_counts(cast, period):
    for role in (Role.HOTLINE_OPERATOR, Role.INVESTIGATOR, Role.CASE_WORKER):
        with pytest.raises(PermissionDenied):
            report_counts(user=cast.a[role], by="source", **period)
        with pytest.raises(PermissionDenied):
            report_first_action_figures(user=cast.a[role], **period)
