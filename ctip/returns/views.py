from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can
from ctip.accounts.roles import Perm
from ctip.care.models import Instrument
from ctip.cases.selectors import case_get_for_user
from ctip.core.forms import add_service_errors

from . import services
from .forms import (
    FollowUpForm,
    PlanForm,
    ReintegrationDecisionForm,
    ReturnEditForm,
    ReturnForm,
    ReviewForm,
)
from .models import ReintegrationStatus, ReturnDirection
from .selectors import (
    flags_visible_to,
    plan_get_for_user,
    plans_for_case,
    return_get_for_user,
    returns_by_country_year,
    returns_for_case,
    returns_visible_to,
    visit_get_for_user,
    visits_for_plan,
)


@permission_required(Perm.RETURNS_VIEW, Perm.STATISTICS_VIEW)
def return_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "")
    direction = direction if direction in ReturnDirection.values else ""
    table = returns_by_country_year(user=request.user, direction=direction)
    years = sorted({r["year"] for r in table})
    countries: dict = {}
    for r in table:
        row = countries.setdefault(r["country"], {"name": r["country_name"], "years": {}})
        row["years"][r["year"]] = row["years"].get(r["year"], 0) + r["count"]
    grid = [
        {
            "name": c["name"],
            "counts": [c["years"].get(y, 0) for y in years],
            "total": sum(c["years"].values()),
        }
        for c in countries.values()
    ]
    context = {
        "years": years,
        "grid": grid,
        "direction": direction,
        "directions": ReturnDirection.choices,
        "returns": returns_visible_to(user=request.user)[:100]
        if can(request.user, Perm.RETURNS_VIEW)
        else [],
    }
    return render(request, "returns/list.html", context)


@permission_required(Perm.RETURNS_VIEW)
def case_aftercare(request: HttpRequest, case_uuid) -> HttpResponse:
    """Everything after care for one case: placements, referrals, returns, reintegration."""
    from ctip.referrals.selectors import referrals_for_case
    from ctip.shelters.selectors import placements_for_case

    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    user = request.user
    context = {
        "case": case,
        "placements": placements_for_case(user=user, case=case),
        "referrals": referrals_for_case(user=user, case=case)
        if can(user, Perm.REFERRALS_VIEW)
        else [],
        "returns": returns_for_case(user=user, case=case),
        "plans": plans_for_case(user=user, case=case),
        "can_manage": can(user, Perm.RETURNS_MANAGE) and case.status != "closed",
        "can_refer": can(user, Perm.REFERRALS_CREATE) and case.status != "closed",
    }
    return render(request, "returns/case.html", context)


@permission_required(Perm.RETURNS_MANAGE)
def return_create_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The return was recorded."))
            return redirect("returns:case", case_uuid=case.uuid)
    return render(
        request, "returns/form.html", {"form": form, "case": case, "title": _("Record a return")}
    )


@permission_required(Perm.RETURNS_MANAGE)
def return_edit_view(request: HttpRequest, return_uuid) -> HttpResponse:
    ret = return_get_for_user(user=request.user, return_uuid=return_uuid)
    initial = {name: getattr(ret, name) for name in services.RETURN_FIELDS}
    form = ReturnEditForm(request.POST or None, initial=initial | {"version": ret.version})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            services.return_update(actor=request.user, ret=ret, expected_version=version, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("returns:case", case_uuid=ret.case.uuid)
    return render(request, "returns/form.html", {"form": form, "case": ret.case, "title": str(ret)})


@permission_required(Perm.RETURNS_MANAGE)
def plan_create_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        months = values.pop("follow_up")
        try:
            plan = services.reintegration_plan_create(
                actor=request.user, case=case, follow_up_months_=months, **values
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reintegration plan was saved."))
            return redirect("returns:plan", plan_uuid=plan.uuid)
    return render(
        request,
        "returns/form.html",
        {"form": form, "case": case, "title": _("Plan reintegration")},
    )


@permission_required(Perm.RETURNS_VIEW)
def plan_detail(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    visits = list(visits_for_plan(user=request.user, plan=plan))
    # One column per domain, one row per visit: change across the years at a glance.
    domains: dict = {}
    for v in visits:
        if v.assessment:
            for s in v.assessment.scores.all():
                domains.setdefault(s.domain_id, s.domain)
    rows = []
    for v in visits:
        scores = {s.domain_id: s.score for s in v.assessment.scores.all()} if v.assessment else {}
        rows.append({"visit": v, "scores": [scores.get(d) for d in domains]})
    return render(
        request,
        "returns/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "domains": list(domains.values()),
            "can_manage": can(request.user, Perm.RETURNS_MANAGE),
            "waiting": plan.status == ReintegrationStatus.PLANNED,
        },
    )


@permission_required(Perm.RETURNS_MANAGE)
def plan_complete_view(request: HttpRequest, plan_uuid) -> HttpResponse:
    """The reintegration decision: a dated, confirmed form; it ends the current placement."""
    plan = plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    form = ReintegrationDecisionForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.reintegration_complete(
                actor=request.user,
                plan=plan,
                reintegrated_on=form.cleaned_data["reintegrated_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Reintegration recorded: the placement ended, follow-up visits are scheduled."),
            )
            return redirect("returns:plan", plan_uuid=plan.uuid)
    return render(
        request,
        "returns/form.html",
        {"form": form, "case": plan.case, "title": _("Record the reintegration decision")},
    )


@permission_required(Perm.RETURNS_MANAGE)
def visit_record_view(request: HttpRequest, visit_uuid) -> HttpResponse:
    visit = visit_get_for_user(user=request.user, visit_uuid=visit_uuid)
    instruments = Instrument.objects.filter(is_active=True)
    code = request.GET.get("instrument")
    instrument = get_object_or_404(instruments, code=code) if code else instruments.first()
    if instrument is None:
        messages.error(request, _("No assessment instrument is in use."))
        return redirect("returns:plan", plan_uuid=visit.plan.uuid)
    form = FollowUpForm(
        request.POST or None, instrument=instrument, initial={"version": visit.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = form.values()
        try:
            services.follow_up_record(
                actor=request.user,
                visit=visit,
                visited_on=values["assessed_on"],
                instrument=instrument,
                scores=values["scores"],
                notes=data["visit_notes"],
                living_where_planned=form.tristate(data["living_where_planned"]),
                in_school_or_work=form.tristate(data["in_school_or_work"]),
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up visit was recorded."))
            return redirect("returns:plan", plan_uuid=visit.plan.uuid)
    return render(
        request,
        "returns/visit_form.html",
        {"form": form, "visit": visit, "instrument": instrument, "instruments": instruments},
    )


@permission_required(Perm.RETURNS_VIEW)
def flag_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/flags.html",
        {"flags": flags_visible_to(user=request.user)[:100]},
    )


@require_POST
@permission_required(Perm.RETURNS_MANAGE)
def flag_review_view(request: HttpRequest, flag_uuid) -> HttpResponse:
    flag = get_object_or_404(flags_visible_to(user=request.user), uuid=flag_uuid)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.retrafficking_flag_review(
                actor=request.user,
                flag=flag,
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The flag is marked reviewed."))
    else:
        messages.error(request, _("Say what you found."))
    return redirect("returns:flags")
