from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ctip.access.decorators import permission_required
from ctip.access.policy import can, get_visible_or_404, readable_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record
from ctip.core import search
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission
from ctip.core.pdf import render_pdf
from ctip.people.models import Person

from . import services
from . import vocabulary as v
from .forms import (
    CaseOpenForm,
    CaseProfileForm,
    ClosureRequestForm,
    ConsentForm,
    DecisionForm,
    EventForm,
    NoteForm,
    ReopenForm,
    SettingsForm,
    StatusForm,
    TaskForm,
)
from .models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseSource,
    CaseStatus,
    CaseTask,
    Consent,
    TraffickingEvent,
)
from .selectors import (
    approvals_for_case,
    case_get_for_user,
    case_worker_dashboard,
    cases_visible_to,
    consents_for_case,
    notes_for_case,
    tasks_for_case,
)

PROFILE_ROWS = [
    "trafficking_status",
    "exploitation_types",
    "sexual_exploitation_types",
    "forced_labour_industry",
    "means_of_control",
    "recruitment_methods",
    "recruiter_relation",
    "age_when_trafficked",
    "exploitation_started_on",
    "exploitation_ended_on",
    "destination_countries",
    "closure_reason",
    "abuse_narrative",
    "hiv_status",
    "child_witnesses",
]


def profile_rows(user, case: Case) -> list[dict]:
    """The trafficking profile as label/value rows, only the fields the user may read."""
    rows = []
    for name in readable_fields(user, Case, PROFILE_ROWS):
        field = Case._meta.get_field(name)
        if name in v.MULTI_CHOICES:
            value = ", ".join(v.labels(name, getattr(case, name)))
        elif name == "destination_countries":
            value = ", ".join(str(c) for c in case.destination_countries.all())
        elif getattr(field, "choices", None):
            value = getattr(case, f"get_{name}_display")()
        else:
            value = getattr(case, name)
        rows.append({"name": name, "label": field.verbose_name, "value": value})
    if case.exploitation_days is not None:
        rows.append(
            {"name": "duration", "label": _("duration (days)"), "value": case.exploitation_days}
        )
    return rows


def _form_page(
    request, form, title: str, case: Case | None = None, submit: str = ""
) -> HttpResponse:
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": title, "case": case, "submit": submit or _("Save")},
    )


@permission_required(Perm.CASES_VIEW)
@sensitive_post_parameters("q")
def case_list(request: HttpRequest) -> HttpResponse:
    # A survivor's name is searched by POST and kept server-side, never in a URL or a log;
    # the status and "mine" filters say nothing about a person and stay in the query string.
    if request.method == "POST":
        status = request.POST.get("status", "")
        filters = {
            "status": status if status in CaseStatus.values else "",
            "mine": "1" if request.POST.get("mine") == "1" else "",
        }
        return search.remember(request, "cases", {"q": request.POST.get("q", "")[:100]}, filters)
    found = search.recall(request, "cases")
    query = found.get("q")
    status = request.GET.get("status", "")
    mine = request.GET.get("mine") == "1"
    cases = cases_visible_to(user=request.user, query=query, status=status, mine=mine)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    filters = {k: val for k, val in {"status": status, "mine": "1" if mine else ""}.items() if val}
    context = {
        "page": page,
        "q": query,
        "status": status,
        "mine": mine,
        "statuses": CaseStatus.choices,
        "query": urlencode({**found.params(), **filters}),
        "search_expired": found.expired,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "cases/_table.html" if partial else "cases/list.html"
    return render(request, template, context)


@permission_required(Perm.CASES_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The case worker's panel: my cases, overdue tasks, upcoming reviews and visits."""
    return render(request, "cases/dashboard.html", case_worker_dashboard(user=request.user))


@permission_required(Perm.CASES_OPEN)
@once_per_submission
def case_open_view(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("person"):
        person = get_visible_or_404(request.user, Person, uuid=request.GET["person"])
        initial["person"] = person.pk
    # From a hand-off page: the source and its reference come prefilled (case_open checks them).
    if request.GET.get("source") in CaseSource.values:
        initial["source"] = request.GET["source"]
        initial["source_reference"] = request.GET.get("source_reference", "")[:100]
    form = CaseOpenForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Open a case"), submit=_("Open the case"))


@permission_required(Perm.CASES_VIEW)
def case_detail(request: HttpRequest, case_uuid) -> HttpResponse:
    user = request.user
    case = case_get_for_user(user=user, case_uuid=case_uuid)
    context = {
        "case": case,
        "rows": profile_rows(user, case),
        "events": visible_to(user, TraffickingEvent)
        .filter(case=case)
        .select_related("country", "province"),
        "consents": consents_for_case(user=user, case=case),
        "notes": notes_for_case(user=user, case=case),
        "tasks": tasks_for_case(user=user, case=case),
        "approvals": approvals_for_case(user=user, case=case),
        "can_change": can(user, Perm.CASES_CHANGE),
        "can_consent": can(user, Perm.CONSENT_RECORD),
        "can_reopen": can(user, Perm.CASES_REOPEN),
        "can_approve": can(user, Perm.CASES_APPROVE),
        "next_statuses": [
            (s, CaseStatus(s).label) for s in services.TRANSITIONS.get(case.status, ())
        ],
        "closure_pending": any(
            a.kind == "closure" and a.status == ApprovalStatus.PENDING
            for a in approvals_for_case(user=user, case=case)
        ),
    }
    if can(user, Perm.CARE_VIEW):
        from ctip.care.selectors import (
            assessments_for_case,
            care_plans_for_case,
            score_charts,
            services_for_case,
        )

        assessments = list(assessments_for_case(user=user, case=case))
        context |= {
            "assessments": assessments,
            "charts": score_charts(assessments),
            "plans": care_plans_for_case(user=user, case=case),
            "services": services_for_case(user=user, case=case),
            "can_care": can(user, Perm.CARE_CHANGE),
        }
    return render(request, "cases/detail.html", context)


@permission_required(Perm.CASES_CHANGE)
def case_edit_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = CaseProfileForm(
        request.POST or None,
        user=request.user,
        case=case,
        initial=CaseProfileForm.initial_for(case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Trafficking profile"), case)


@require_POST
@permission_required(Perm.CASES_CHANGE)
def case_status_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_change_status(
                actor=request.user,
                case=case,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The status was changed."))
    return redirect("cases:detail", case_uuid=case.uuid)


@permission_required(Perm.CASES_CHANGE)
def closure_request_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_request_closure(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Closure was requested. A supervisor will decide."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Request closure"), case, _("Request closure"))


@permission_required(Perm.CASES_APPROVE)
def approval_view(request: HttpRequest, approval_uuid) -> HttpResponse:
    approval = get_visible_or_404(
        request.user,
        visible_to(request.user, Approval).select_related("case", "created_by"),
        uuid=approval_uuid,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide(
                actor=request.user,
                approval=approval,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("cases:detail", case_uuid=approval.case.uuid)
    return render(request, "cases/approval.html", {"approval": approval, "form": form})


@permission_required(Perm.CASES_REOPEN)
def reopen_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case was reopened."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Reopen the case"), case, _("Reopen"))


@permission_required(Perm.CONSENT_RECORD)
def consent_add_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = ConsentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent was recorded."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Record consent"), case)


@permission_required(Perm.CONSENT_RECORD)
def consent_withdraw_view(request: HttpRequest, consent_uuid) -> HttpResponse:
    from .forms import WithdrawForm

    consent = get_visible_or_404(
        request.user, visible_to(request.user, Consent).select_related("case"), uuid=consent_uuid
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The withdrawal of consent was recorded."))
            return redirect("cases:detail", case_uuid=consent.case.uuid)
    return _form_page(request, form, _("Withdraw consent"), consent.case)


@permission_required(Perm.CASES_CHANGE)
@once_per_submission
def note_add_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The note was added."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Add a case note"), case)


@permission_required(Perm.CASES_CHANGE)
@once_per_submission
def task_add_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = TaskForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task was added."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Add a task"), case)


@require_POST
@permission_required(Perm.CASES_CHANGE)
def task_done_view(request: HttpRequest, task_uuid) -> HttpResponse:
    task = get_visible_or_404(
        request.user, visible_to(request.user, CaseTask).select_related("case"), uuid=task_uuid
    )
    try:
        services.task_complete(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    nxt = request.POST.get("next", "")
    if nxt == "dashboard":
        return redirect("cases:dashboard")
    return redirect("cases:detail", case_uuid=task.case.uuid)


@permission_required(Perm.CASES_CHANGE)
def event_add_view(request: HttpRequest, case_uuid) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_uuid=case_uuid)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The place and date were added."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return _form_page(request, form, _("Add recruitment, transit or exploitation"), case)


@permission_required(Perm.CASES_VIEW)
def case_pdf(request: HttpRequest, case_uuid) -> HttpResponse:
    """The case summary for the paper file, in English or Khmer (?lang=km), showing only the
    fields the reader may read. Exporting is audited."""
    user = request.user
    case = case_get_for_user(user=user, case_uuid=case_uuid)
    lang = "km" if request.GET.get("lang") == "km" else "en"
    with translation.override(lang):
        person = case.person
        person_rows = []
        for name in readable_fields(
            user,
            Person,
            [
                "name_km",
                "aliases",
                "sex",
                "date_of_birth",
                "estimated_age",
                "nationality",
                "languages",
                "disability",
            ],
        ):
            field = Person._meta.get_field(name)
            value = getattr(person, f"get_{name}_display", lambda n=name: getattr(person, n))()
            person_rows.append({"label": field.verbose_name, "value": value})
        context = {
            "case": case,
            "person": person,
            "person_rows": person_rows,
            "rows": profile_rows(user, case),
            "consents": consents_for_case(user=user, case=case),
            "tasks": tasks_for_case(user=user, case=case).filter(done_on__isnull=True),
            "lang": lang,
        }
        if can(user, Perm.CARE_VIEW):
            from ctip.care.selectors import (
                assessments_for_case,
                care_plans_for_case,
                services_for_case,
            )

            context |= {
                "assessments": list(assessments_for_case(user=user, case=case)[:5]),
                "plans": care_plans_for_case(user=user, case=case).filter(status="active"),
                "services": services_for_case(user=user, case=case),
            }
        pdf = render_pdf("cases/summary_pdf.html", context, request=request)
    audit_record(
        actor=user,
        action=AuditAction.PDF_EXPORTED,
        target=case,
        changes={"language": lang},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-{lang}.pdf"'
    return response


@permission_required(Perm.CASES_SETTINGS)
def settings_view(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    current = services.settings_for(organisation)
    initial = {
        "version": current.version if current.pk else None,
        "restrict_to_assigned": current.restrict_to_assigned,
        "care_plan_approval": current.care_plan_approval,
        "guardian_required_under": current.guardian_required_under,
        "child_assent_from": current.child_assent_from,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            services.case_settings_update(
                actor=request.user,
                organisation=organisation,
                expected_version=version,
                **values,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("cases:settings")
    return _form_page(request, form, _("Case management settings"))
