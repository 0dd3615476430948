from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, readable_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission

from . import ratelimit, services, triage
from .forms import (
    CloseForm,
    DeclineForm,
    DispatchForm,
    LinkForm,
    ReportForm,
    TipAddForm,
    TipForm,
    TipStatusForm,
    TriageForm,
    VersionForm,
)
from .models import Report, Status, TipAddition, Urgency
from .selectors import (
    dispatch_targets,
    queue_summary,
    report_clock,
    report_get_for_user,
    report_possible_repeats,
    reports_visible_to,
    tip_public_status,
)

_VIEW = (Perm.REPORTS_VIEW_ALL, Perm.REPORTS_VIEW_ASSIGNED)
QUEUE_FILTERS = ["open", *Status.values, "all"]


@permission_required(*_VIEW)
def report_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in QUEUE_FILTERS:
        status = "open"
    page = Paginator(reports_visible_to(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [{"report": r, "clock": report_clock(r, now)} for r in page]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "filters": [(f, Status(f).label if f in Status.values else f) for f in QUEUE_FILTERS],
        "query": f"status={status}",
        "summary": queue_summary(user=request.user),
        "urgencies": Urgency,
    }
    template = "intake/_queue_table.html" if request.htmx else "intake/queue.html"
    return render(request, template, context)


@permission_required(Perm.REPORTS_CREATE)
@once_per_submission
def report_console(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        urgency = values.pop("urgency") or None
        reason = values.pop("urgency_reason")
        source = values.pop("source")
        try:
            report = services.report_create(
                actor=request.user,
                source=source,
                urgency=urgency,
                urgency_reason=reason,
                **values,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Report %(ref)s recorded.") % {"ref": report.reference})
            return redirect("intake:detail", report_uuid=report.uuid)
    return render(request, "intake/console.html", {"form": form, "rules": triage.RULES})


DETAIL_FIELDS = [
    "source",
    "received_at",
    "narrative",
    "province",
    "district",
    "location_text",
    "establishment_type",
    "children_count",
    "ages_described",
    "sex_described",
    "caller_anonymous",
    "caller_name",
    "caller_phone",
    "caller_may_contact",
    "assigned_to",
    "outcome",
    "outcome_reason",
]


@permission_required(*_VIEW)
def report_detail(request: HttpRequest, report_uuid) -> HttpResponse:
    report = report_get_for_user(user=request.user, report_uuid=report_uuid)
    rows = []
    for name in readable_fields(request.user, Report, DETAIL_FIELDS):
        field = Report._meta.get_field(name)
        raw = getattr(report, name)
        if raw in ("", None):
            continue
        if isinstance(raw, bool):
            value = _("Yes") if raw else _("No")
        elif isinstance(raw, datetime):
            value = date_format(timezone.localtime(raw), "DATETIME_FORMAT")
        else:
            value = getattr(report, f"get_{name}_display", lambda r=raw: r)()
        rows.append({"label": capfirst(field.verbose_name), "value": value, "name": name})
    user = request.user
    may_triage = can(user, Perm.REPORTS_TRIAGE)
    responder = can(user, Perm.REPORTS_RESPOND) and report.assigned_to_id == user.organisation_id
    initial = {"version": report.version}
    context = {
        "report": report,
        "rows": rows,
        "clock": report_clock(report),
        "matched_rules": [
            triage.RULES_BY_CODE[c] for c in report.triage_rules if c in triage.RULES_BY_CODE
        ],
        "additions": visible_to(user, TipAddition).filter(report=report),
        "may_triage": may_triage and report.status != Status.CLOSED,
        "may_dispatch": may_triage and report.status in (Status.NEW, Status.TRIAGED),
        "may_respond": responder and report.status == Status.DISPATCHED,
        "may_plan_operation": responder
        and report.status == Status.ACCEPTED
        and can(user, Perm.OPERATIONS_MANAGE),
        "may_close": report.status != Status.CLOSED
        and (may_triage or (responder and report.status == Status.ACCEPTED)),
        "triage_form": TriageForm(initial=initial | {"urgency": report.urgency}),
        "dispatch_form": DispatchForm(initial=initial, organisations=dispatch_targets(user=user))
        if may_triage
        else None,
        "decline_form": DeclineForm(initial=initial),
        "close_form": CloseForm(initial=initial),
        "repeats": report_possible_repeats(user=user, report=report) if may_triage else [],
        "linked": list(report.repeats.all()) if may_triage else [],
    }
    return render(request, "intake/detail.html", context)


def _report_action(form_class, permission: str | tuple[str, ...], form_kwargs=None):
    """Wraps a POST that changes a report: loads it visibly, validates `form_class`, calls the
    service, and shows refusals as messages on the report page."""
    permissions = (permission,) if isinstance(permission, str) else permission

    def decorator(call: Callable):
        @require_POST
        @permission_required(*permissions)
        @wraps(call)
        def view(request: HttpRequest, report_uuid) -> HttpResponse:
            report = report_get_for_user(user=request.user, report_uuid=report_uuid)
            extra = form_kwargs(request) if form_kwargs else {}
            form = form_class(request.POST, **extra)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("intake:detail", report_uuid=report.uuid)
            try:
                call(request, report, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("Saved."))
            return redirect("intake:detail", report_uuid=report.uuid)

        return view

    return decorator


@_report_action(TriageForm, Perm.REPORTS_TRIAGE)
def report_triage_view(request, report, data):
    services.report_triage(
        actor=request.user,
        report=report,
        expected_version=data["version"],
        urgency=data["urgency"],
        reason=data["reason"],
    )


@_report_action(
    DispatchForm,
    Perm.REPORTS_TRIAGE,
    form_kwargs=lambda r: {"organisations": dispatch_targets(user=r.user)},
)
def report_dispatch_view(request, report, data):
    services.report_dispatch(
        actor=request.user,
        report=report,
        expected_version=data["version"],
        organisation=data["organisation"],
        note=data["note"],
    )


@_report_action(VersionForm, Perm.REPORTS_RESPOND)
def report_accept_view(request, report, data):
    services.report_accept(actor=request.user, report=report, expected_version=data["version"])


@_report_action(DeclineForm, Perm.REPORTS_RESPOND)
def report_decline_view(request, report, data):
    services.report_decline(
        actor=request.user, report=report, expected_version=data["version"], reason=data["reason"]
    )


@_report_action(CloseForm, (Perm.REPORTS_TRIAGE, Perm.REPORTS_RESPOND))
def report_close_view(request, report, data):
    services.report_close(
        actor=request.user,
        report=report,
        expected_version=data["version"],
        outcome=data["outcome"],
        reason=data["reason"],
        closed_on=data["closed_on"],
    )


@_report_action(LinkForm, Perm.REPORTS_TRIAGE)
def report_link_view(request, report, data):
    original = None
    if data["original"]:
        original = report_get_for_user(user=request.user, report_uuid=data["original"])
    services.report_link(
        actor=request.user, report=report, expected_version=data["version"], original=original
    )


# --- public pages: no login, no signed-in shell, rate limited --------------------------------


def _public(view):
    """Marks a public page: no login, and ?lang=km|en switches the language (a cookie keeps
    it), since the signed-in language switch is not on these pages."""

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        lang = request.GET.get("lang")
        if lang in ("en", "km"):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = view(request, *args, **kwargs)
        if lang in ("en", "km"):
            response.set_cookie("django_language", lang, samesite="Lax")
        # Never cached anywhere: the page may show a tip's secret.
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _too_many(request) -> HttpResponse:
    return render(request, "intake/public/too_many.html", status=429)


@_public
def tip_form(request: HttpRequest) -> HttpResponse:
    form = TipForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit(request, "tip"):
            return _too_many(request)
        if form.is_spam():
            # Look like success to a robot, record nothing.
            return render(request, "intake/public/thanks.html", {"code": None})
        if form.is_valid():
            try:
                _report, code, secret = services.tip_submit(**form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(
                    request, "intake/public/thanks.html", {"code": code, "secret": secret}
                )
    return render(request, "intake/public/tip_form.html", {"form": form})


@_public
def tip_status(request: HttpRequest) -> HttpResponse:
    form = TipStatusForm(request.POST or None)
    add_form = None
    status = None
    if request.method == "POST":
        if not ratelimit.hit(request, "tip-status"):
            return _too_many(request)
        if form.is_valid():
            code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
            if "text" in request.POST:
                add_form = TipAddForm(request.POST)
                if add_form.is_valid():
                    try:
                        services.tip_add_information(
                            code=code, secret=secret, text=add_form.cleaned_data["text"]
                        )
                    except ValidationError as exc:
                        add_service_errors(add_form, exc)
                    else:
                        messages.success(request, _("Thank you. Your information was added."))
                        add_form = None
            report = services.tip_find(code=code, secret=secret)
            if report is None:
                form.add_error(None, _("No tip matches this code and secret."))
            else:
                status = tip_public_status(report)
                add_form = add_form or TipAddForm(initial={"code": code, "secret": secret})
    return render(
        request,
        "intake/public/status.html",
        {"form": form, "status": status, "add_form": add_form},
    )
