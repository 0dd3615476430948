from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, get_visible_or_404, visible_to
from ctip.accounts.roles import Perm
from ctip.cases.selectors import case_get_for_user
from ctip.core.forms import add_service_errors

from . import services
from .forms import (
    ActionForm,
    AssessmentForm,
    CarePlanForm,
    DeliveredForm,
    GoalForm,
    RespondForm,
    ReviewForm,
    ServiceForm,
)
from .models import Action, CarePlanStatus, Goal, Instrument
from .selectors import (
    assessment_get_for_user,
    care_plan_get_for_user,
    delivery_get_for_user,
    service_requests_for_partner,
)


def _page(request, form, title, case, submit=""):
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": title, "case": case, "submit": submit or _("Save")},
    )


@permission_required(Perm.CARE_CHANGE)
def assessment_new(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    instruments = Instrument.objects.filter(is_active=True)
    code = request.GET.get("instrument")
    if not code:
        return render(
            request, "care/choose_instrument.html", {"case": case, "instruments": instruments}
        )
    instrument = get_object_or_404(instruments, code=code)
    form = AssessmentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user, case=case, instrument=instrument, **form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect("care:assessment", assessment_uuid=assessment.uuid)
    return render(
        request,
        "care/assessment_form.html",
        {"case": case, "instrument": instrument, "form": form},
    )


@permission_required(Perm.CARE_VIEW)
def assessment_detail(request: HttpRequest, assessment_uuid) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, assessment_uuid=assessment_uuid)
    levels = {lvl.score: lvl for lvl in assessment.instrument.levels.all()}
    return render(request, "care/assessment.html", {"assessment": assessment, "levels": levels})


@permission_required(Perm.CARE_CHANGE)
def plan_new(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = CarePlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.care_plan_create(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The care plan was written. Add its goals."))
            return redirect("care:plan", plan_uuid=plan.uuid)
    return _page(request, form, _("Write a care plan"), case)


@permission_required(Perm.CARE_VIEW)
def plan_detail(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = care_plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    goals = (
        visible_to(request.user, Goal)
        .filter(plan=plan)
        .select_related("domain")
        .prefetch_related("actions__owner")
    )
    editable = can(request.user, Perm.CARE_CHANGE) and plan.status != CarePlanStatus.ENDED
    return render(
        request,
        "care/plan.html",
        {
            "plan": plan,
            "goals": goals,
            "reviews": plan.reviews.all(),
            "editable": editable and plan.case.status != "closed",
            "goal_form": GoalForm(),
            "review_form": ReviewForm(),
            "action_form": ActionForm(),
        },
    )


def _plan_form_post(request, plan_uuid, form_class, call, ok_message, title):
    plan = care_plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(plan, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ok_message)
            return redirect("care:plan", plan_uuid=plan.uuid)
    return _page(request, form, title, plan.case)


@permission_required(Perm.CARE_CHANGE)
def goal_add(request: HttpRequest, plan_uuid) -> HttpResponse:
    return _plan_form_post(
        request,
        plan_uuid,
        GoalForm,
        lambda plan, data: services.goal_add(actor=request.user, plan=plan, **data),
        _("The goal was added."),
        _("Add a goal"),
    )


@permission_required(Perm.CARE_CHANGE)
def review_add(request: HttpRequest, plan_uuid) -> HttpResponse:
    return _plan_form_post(
        request,
        plan_uuid,
        ReviewForm,
        lambda plan, data: services.review_add(actor=request.user, plan=plan, **data),
        _("The review was recorded."),
        _("Review the care plan"),
    )


@require_POST
@permission_required(Perm.CARE_CHANGE)
def plan_submit(request: HttpRequest, plan_uuid) -> HttpResponse:
    plan = care_plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    try:
        services.care_plan_submit(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("care:plan", plan_uuid=plan.uuid)


@permission_required(Perm.CARE_CHANGE)
def action_add(request: HttpRequest, goal_uuid) -> HttpResponse:
    goal = get_visible_or_404(
        request.user,
        visible_to(request.user, Goal).select_related("plan__case"),
        uuid=goal_uuid,
    )
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action was added."))
            return redirect("care:plan", plan_uuid=goal.plan.uuid)
    return _page(request, form, _("Add an action"), goal.plan.case)


@require_POST
@permission_required(Perm.CARE_CHANGE)
def action_done(request: HttpRequest, action_uuid) -> HttpResponse:
    action = get_visible_or_404(
        request.user,
        visible_to(request.user, Action).select_related("goal__plan__case"),
        uuid=action_uuid,
    )
    try:
        services.action_complete(actor=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("care:plan", plan_uuid=action.goal.plan.uuid)


@permission_required(Perm.CARE_CHANGE)
def service_new(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The service was recorded."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _page(request, form, _("Record a service"), case)


@permission_required(Perm.SERVICES_CONFIRM)
def requests_list(request: HttpRequest) -> HttpResponse:
    """Services other organisations asked of ours."""
    return render(
        request,
        "care/requests.html",
        {"deliveries": service_requests_for_partner(user=request.user)[:200]},
    )


@permission_required(Perm.SERVICES_CONFIRM)
def request_respond(request: HttpRequest, delivery_uuid) -> HttpResponse:
    delivery = delivery_get_for_user(user=request.user, delivery_uuid=delivery_uuid)
    if delivery.status == "confirmed":
        form = DeliveredForm(request.POST or None)
    else:
        form = RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, DeliveredForm):
                services.service_mark_delivered(
                    actor=request.user, delivery=delivery, **form.cleaned_data
                )
            else:
                services.service_respond(
                    actor=request.user,
                    delivery=delivery,
                    confirm=form.cleaned_data["decision"] == "confirm",
                    comment=form.cleaned_data["comment"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer was recorded."))
            return redirect("care:requests")
    return render(request, "care/respond.html", {"delivery": delivery, "form": form})
