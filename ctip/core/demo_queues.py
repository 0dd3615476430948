"""Demo step (issue 17): work for the home-page queues of roles the other demo steps leave
without any: a new colleague waiting for a role (organisation and system admins), and a
hearing this week (legal officer, investigator). Idempotent; synthetic data only."""

import secrets
from datetime import datetime, time, timedelta

from django.utils import timezone

from ctip.accounts.models import User
from ctip.accounts.services import user_create

# Outside the demo-login domain on purpose: this account is not a login (no demo password).
NEW_COLLEAGUE_EMAIL = "new.colleague@pnh-social.ctip.test"
HEARING_IN_DAYS = 3


def seed(ctx) -> None:
    _new_colleague(ctx)
    _hearing_this_week(ctx)


def _new_colleague(ctx) -> None:
    if User.objects.filter(email=NEW_COLLEAGUE_EMAIL).exists():
        return
    admin = ctx.users["orgadmin"]
    user_create(
        actor=admin,
        organisation=admin.organisation,
        email=NEW_COLLEAGUE_EMAIL,
        full_name="Sok Chanthy",
        full_name_km="សុខ ចាន់ធី",
        # Not a demo login: nobody is told this password; the admin gives a role, then resets it.
        password=secrets.token_urlsafe(24),
        roles=set(),
    )
    ctx.stdout.write(f"Work queues: {NEW_COLLEAGUE_EMAIL} waits for a role.")


def _hearing_this_week(ctx) -> None:
    from ctip.justice.models import CourtCase, Hearing, HearingStatus, HearingType
    from ctip.justice.services import hearing_schedule

    legal = ctx.users["legal"]
    now = timezone.now()
    court_case = (
        CourtCase.objects.filter(investigation__legal_organisation=legal.organisation)
        .order_by("filed_on", "id")
        .first()
    )
    if court_case is None:
        return
    upcoming = Hearing.objects.filter(
        court_case__investigation__legal_organisation=legal.organisation,
        status=HearingStatus.SCHEDULED,
        scheduled_for__gte=now,
        scheduled_for__lte=now + timedelta(days=7),
    )
    if upcoming.exists():
        return
    day = timezone.localdate() + timedelta(days=HEARING_IN_DAYS)
    when = timezone.make_aware(datetime.combine(day, time(9, 0)))
    hearing_schedule(actor=legal, court_case=court_case, scheduled_for=when, type=HearingType.TRIAL)
    ctx.stdout.write(f"Work queues: a trial hearing of {court_case} on {day}.")
