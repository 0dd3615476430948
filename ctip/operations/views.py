from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, readable_fields
from ctip.accounts.roles import Perm
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission
from ctip.intake.selectors import handoff_targets
from ctip.people.selectors import person_get_for_user

from . import services
from .forms import (
    FoundPersonForm,
    HandOffDecideForm,
    HandOffForm,
    InstrumentValidateForm,
    OperationForm,
    OperationStatusForm,
    ScreeningForm,
    ScreeningReviseForm,
)
from .models import HandOff, Indicator, InstrumentStatus, Screening, ScreeningResult
from .selectors import (
    found_people_of,
    found_person_get_for_user,
    handoff_get_for_user,
    handoffs_accepted_without_case,
    handoffs_pending_for,
    handoffs_visible_to,
    indicators_of,
    instrument_for_display,
    instruments_visible_to,
    operation_get_for_user,
    operations_visible_to,
    reports_for_operations,
    screening_get_for_user,
)


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@permission_required(Perm.OPERATIONS_VIEW)
def operation_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(operations_visible_to(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "operations/list.html", {"page": page})


def _initial_from_report(report) -> dict:
    """What an operation planned from a report starts with: its place, its establishment and
    the people it describes (in the notes), for the investigator to check, not to retype."""
    people = [
        _("Reported: %(n)s child(ren)") % {"n": report.children_count}
        if report.children_count is not None
        else "",
        _("approximate ages %(ages)s") % {"ages": report.ages_described}
        if report.ages_described
        else "",
        report.get_sex_described_display() if report.sex_described != "u" else "",
    ]
    described = ", ".join(p for p in people if p)
    return {
        "reports": [report],
        "province": report.province_id,
        "district": report.district_id,
        "location_text": report.location_text,
        "establishment_type": report.establishment_type,
        "notes": f"{report.reference}: {described}." if described else "",
    }


@permission_required(Perm.OPERATIONS_MANAGE)
@once_per_submission
def operation_create_view(request: HttpRequest) -> HttpResponse:
    reports = reports_for_operations(user=request.user)
    initial = {}
    if request.GET.get("report"):
        try:
            report = reports.filter(uuid=request.GET["report"]).first()
        except ValidationError:  # not a uuid
            report = None
        if report is not None:
            initial = _initial_from_report(report)
    form = OperationForm(request.POST or None, reports=reports, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        chosen = list(values.pop("reports"))
        try:
            operation = services.operation_create(actor=request.user, reports=chosen, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Operation %(ref)s recorded.") % {"ref": operation.reference}
            )
            return redirect("operations:detail", operation_uuid=operation.uuid)
    return render(request, "operations/form.html", {"form": form})


@permission_required(Perm.OPERATIONS_VIEW)
def operation_detail(request: HttpRequest, operation_uuid) -> HttpResponse:
    operation = operation_get_for_user(user=request.user, operation_uuid=operation_uuid)
    may_manage = can(request.user, Perm.OPERATIONS_MANAGE)
    context = {
        "operation": operation,
        "show_notes": "notes" in readable_fields(request.user, type(operation)),
        "found": found_people_of(user=request.user, operation=operation),
        "reports": operation.reports.all(),
        "may_manage": may_manage,
        "may_screen": can(request.user, Perm.SCREENING_RECORD),
        "found_form": FoundPersonForm() if may_manage else None,
        "status_form": OperationStatusForm(
            initial={"version": operation.version, "status": operation.status}
        ),
    }
    return render(request, "operations/detail.html", context)


@require_POST
@permission_required(Perm.OPERATIONS_MANAGE)
def operation_status_view(request: HttpRequest, operation_uuid) -> HttpResponse:
    operation = operation_get_for_user(user=request.user, operation_uuid=operation_uuid)
    form = OperationStatusForm(request.POST)
    if form.is_valid():
        try:
            services.operation_update(
                actor=request.user,
                operation=operation,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Saved."))
    return redirect("operations:detail", operation_uuid=operation.uuid)


@permission_required(Perm.OPERATIONS_MANAGE)
@once_per_submission
def found_person_add(request: HttpRequest, operation_uuid) -> HttpResponse:
    operation = operation_get_for_user(user=request.user, operation_uuid=operation_uuid)
    form = FoundPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        try:
            services.found_person_record(actor=request.user, operation=operation, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Person found recorded."))
            return redirect("operations:detail", operation_uuid=operation.uuid)
    return render(request, "operations/found_form.html", {"form": form, "operation": operation})


def _grouped(indicators):
    """Indicators grouped by dimension, in instrument order, for the checklist."""
    return [
        (label, list(items))
        for label, items in groupby(indicators, key=lambda i: i.dimension_label)
    ]


def _screening_context(request, instrument, form, **extra) -> dict:
    checked = set(form["indicator_codes"].value() or [])
    child = indicators_of(
        user=request.user, instrument=instrument, list_code=services.list_for(instrument, True)
    )
    adult = indicators_of(
        user=request.user, instrument=instrument, list_code=services.list_for(instrument, False)
    )
    return {
        "form": form,
        "instrument": instrument,
        "provisional": instrument.status != InstrumentStatus.VALIDATED,
        "child_groups": _grouped(child),
        "adult_groups": _grouped(adult),
        "checked": checked,
        **extra,
    }


@permission_required(Perm.SCREENING_RECORD)
@once_per_submission
def screening_create_view(request: HttpRequest, person_uuid) -> HttpResponse:
    person = person_get_for_user(user=request.user, person_uuid=person_uuid)
    found = None
    if request.GET.get("found"):
        found = found_person_get_for_user(user=request.user, found_uuid=request.GET["found"])
    instrument = instrument_for_display(user=request.user)
    if instrument is None:
        messages.error(request, _("No screening instrument is loaded. Ask an administrator."))
        return redirect("operations:list")
    all_indicators = Indicator.objects.filter(instrument=instrument).order_by("position")
    form = ScreeningForm(
        request.POST or None,
        indicators=all_indicators,
        initial={"is_child": person.estimated_age is not None and person.estimated_age < 18},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            screening = services.screening_record(
                actor=request.user,
                person=person,
                found_person=found,
                instrument=instrument,
                is_child=data["is_child"],
                commercial_sexual_exploitation=data["commercial_sexual_exploitation"],
                indicator_codes=_codes_for_list(instrument, data),
                result=data["result"] or None,
                override_reason=data["override_reason"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("operations:screening", screening_uuid=screening.uuid)
    return render(
        request,
        "operations/screening_form.html",
        _screening_context(request, instrument, form, person=person, found=found),
    )


def _codes_for_list(instrument, data) -> list[str]:
    # The form shows both lists; only the one that applies to this person is used.
    list_code = services.list_for(instrument, data["is_child"])
    wanted = set(data["indicator_codes"])
    return list(
        Indicator.objects.filter(
            instrument=instrument, list_code=list_code, code__in=wanted
        ).values_list("code", flat=True)
    )


def _dimension_labels(screening: Screening) -> list[str]:
    """The instrument's names of the dimensions that came out positive."""
    codes = screening.basis.get("positive_dimensions", [])
    labels = dict(
        Indicator.objects.filter(instrument=screening.instrument, dimension__in=codes)
        .values_list("dimension", "dimension_label")
        .distinct()
    )
    return [labels.get(code, code) for code in codes]


@permission_required(Perm.SCREENING_VIEW)
def screening_detail(request: HttpRequest, screening_uuid) -> HttpResponse:
    screening = screening_get_for_user(user=request.user, screening_uuid=screening_uuid)
    readable = set(readable_fields(request.user, Screening))
    indicators = []
    if "indicator_codes" in readable:
        indicators = Indicator.objects.filter(
            instrument=screening.instrument,
            list_code=screening.list_code,
            code__in=screening.indicator_codes,
        ).order_by("position")
    may_record = can(request.user, Perm.SCREENING_RECORD) and (
        screening.organisation_id == request.user.organisation_id
    )
    may_hand_off = may_record and screening.result != ScreeningResult.NOT_VICTIM
    context = {
        "screening": screening,
        "readable": readable,
        "indicators": indicators,
        "basis": screening.basis if "basis" in readable else {},
        "positive_labels": _dimension_labels(screening) if "basis" in readable else [],
        "provisional": screening.basis.get("instrument_status") != InstrumentStatus.VALIDATED,
        "may_record": may_record,
        "handoff_form": HandOffForm(organisations=handoff_targets(user=request.user))
        if may_hand_off
        else None,
        "handoffs": handoffs_visible_to(user=request.user).filter(screening=screening),
    }
    return render(request, "operations/screening_detail.html", context)


@permission_required(Perm.SCREENING_RECORD)
def screening_revise_view(request: HttpRequest, screening_uuid) -> HttpResponse:
    screening = screening_get_for_user(user=request.user, screening_uuid=screening_uuid)
    instrument = screening.instrument
    all_indicators = Indicator.objects.filter(instrument=instrument).order_by("position")
    form = ScreeningReviseForm(
        request.POST or None,
        indicators=all_indicators,
        initial={
            "version": screening.version,
            "is_child": screening.is_child,
            "commercial_sexual_exploitation": screening.commercial_sexual_exploitation,
            "indicator_codes": screening.indicator_codes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.screening_revise(
                actor=request.user,
                screening=screening,
                expected_version=data["version"],
                reason=data["reason"],
                is_child=data["is_child"],
                commercial_sexual_exploitation=data["commercial_sexual_exploitation"],
                indicator_codes=_codes_for_list(instrument, data),
                result=data["result"] or None,
                override_reason=data["override_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionError:  # pragma: no cover
            raise
        else:
            messages.success(request, _("Screening revised."))
            return redirect("operations:screening", screening_uuid=screening.uuid)
    return render(
        request,
        "operations/screening_form.html",
        _screening_context(request, instrument, form, person=screening.person, screening=screening),
    )


@require_POST
@permission_required(Perm.SCREENING_RECORD)
def screening_hand_off_view(request: HttpRequest, screening_uuid) -> HttpResponse:
    screening = screening_get_for_user(user=request.user, screening_uuid=screening_uuid)
    form = HandOffForm(request.POST, organisations=handoff_targets(user=request.user))
    if not form.is_valid():
        messages.error(request, _("Choose an organisation."))
    else:
        try:
            services.screening_hand_off(
                actor=request.user, screening=screening, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(
                request, _("Handed on. The organisation will see it in its hand-offs.")
            )
    return redirect("operations:screening", screening_uuid=screening.uuid)


def handoff_case_open_url(handoff) -> str:
    """The case-open page for the hand-off's person, with the hand-off as the case's source."""
    query = urlencode(
        {"person": handoff.person.uuid, "source": "screening", "source_reference": handoff.uuid}
    )
    return f"{reverse('cases:open')}?{query}"


@permission_required(Perm.HANDOFFS_VIEW)
def handoff_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "pending": handoffs_pending_for(user=user),
        "sent": handoffs_visible_to(user=user).filter(from_organisation_id=user.organisation_id)[
            :50
        ],
        "may_decide": can(user, Perm.HANDOFFS_DECIDE),
        # A shelter admits the child to a bed, which accepts the hand-off (issue 17).
        "may_admit": can(user, Perm.PLACEMENTS_MANAGE) and not can(user, Perm.CASES_OPEN),
        "show_confidential": {"child_name", "urgent_needs", "note"}
        <= set(readable_fields(user, HandOff)),
        "today": timezone.localdate(),
        # Issue 4: an accepted hand-off leads to opening the case, until one is open for it.
        "accepted": handoffs_accepted_without_case(user=user)[:50],
        "may_open_case": can(user, Perm.CASES_OPEN),
        # A shelter manager sees hand-offs but not the screenings behind them.
        "may_view_screenings": can(user, Perm.SCREENING_VIEW),
    }
    return render(request, "operations/handoffs.html", context)


@require_POST
@permission_required(Perm.HANDOFFS_DECIDE)
def handoff_decide_view(request: HttpRequest, handoff_uuid) -> HttpResponse:
    handoff = handoff_get_for_user(user=request.user, handoff_uuid=handoff_uuid)
    form = HandOffDecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.handoff_decide(
                actor=request.user,
                handoff=handoff,
                expected_version=form.cleaned_data["version"],
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Saved."))
            if form.cleaned_data["accept"] and can(request.user, Perm.CASES_OPEN):
                # Accepting leads straight on to opening the case for the person.
                return redirect(handoff_case_open_url(handoff))
    return redirect("operations:handoffs")


@permission_required(Perm.SCREENING_VIEW, Perm.SCREENING_INSTRUMENT_MANAGE)
def instrument_view(request: HttpRequest) -> HttpResponse:
    instrument = instrument_for_display(user=request.user)
    may_manage = can(request.user, Perm.SCREENING_INSTRUMENT_MANAGE)
    form = InstrumentValidateForm(request.POST or None)
    if request.method == "POST":
        if not may_manage or instrument is None:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                services.instrument_validate(
                    actor=request.user, instrument=instrument, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The instrument is now marked validated."))
                return redirect("operations:instrument")
    indicators = indicators_of(user=request.user, instrument=instrument) if instrument else []
    lists = {}
    for indicator in indicators:
        lists.setdefault(indicator.list_code, []).append(indicator)
    return render(
        request,
        "operations/instrument.html",
        {
            "instrument": instrument,
            "lists": lists,
            "versions": instruments_visible_to(user=request.user),
            "may_manage": may_manage
            and instrument is not None
            and instrument.status == InstrumentStatus.PROVISIONAL,
            "form": form,
        },
    )
