"""Pages for proceedings. Views parse forms and call one service; reads go through selectors."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.debug import sensitive_post_parameters

from ctip.access.decorators import permission_required
from ctip.access.policy import can, can_change, readable_fields, visible_to
from ctip.accounts.roles import Perm
from ctip.core import search
from ctip.core.forms import add_service_errors
from ctip.people.models import Person, Sex
from ctip.people.services import person_create

from . import forms, selectors, services
from .models import (
    ExploitationForm,
    IdentifierKind,
    Suspect,
    TraffickingKind,
    WitnessSupport,
)


def _form_page(
    request: HttpRequest,
    form,
    *,
    title: str,
    back: str,
    save: Callable[[dict], object],
    done: str,
    multipart: bool = False,
) -> HttpResponse:
    """Shows `form`; on a valid POST calls `save(values)` and goes back to `back`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "justice/form.html",
        {"form": form, "title": title, "back": back, "multipart": multipart},
    )


@permission_required(Perm.JUSTICE_VIEW)
@sensitive_post_parameters("q")
def investigation_list(request: HttpRequest) -> HttpResponse:
    # A title may name a victim or a suspect: searched by POST, kept server-side, never in a URL.
    if request.method == "POST":
        return search.remember(request, "investigations", {"q": request.POST.get("q", "")[:100]})
    found = search.recall(request, "investigations")
    investigations = selectors.investigations_visible_to(user=request.user, query=found.get("q"))
    page = Paginator(investigations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "justice/investigation_list.html",
        {
            "page": page,
            "q": found.get("q"),
            "query": urlencode(found.params()),
            "search_expired": found.expired,
            "can_create": can(request.user, Perm.JUSTICE_MANAGE),
        },
    )


@permission_required(Perm.JUSTICE_MANAGE)
def investigation_create(request: HttpRequest) -> HttpResponse:
    form = forms.InvestigationForm(
        request.POST or None, user=request.user, initial={"opened_on": timezone.localdate()}
    )
    created = {}

    def save(values):
        created["inv"] = services.investigation_create(actor=request.user, **values)

    if request.method == "POST" and form.is_valid():
        try:
            save(form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The investigation was opened."))
            return redirect("justice:detail", investigation_uuid=created["inv"].uuid)
    return render(
        request,
        "justice/form.html",
        {"form": form, "title": _("Open an investigation"), "back": "justice:list"},
    )


@permission_required(Perm.JUSTICE_VIEW)
def investigation_detail(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = selectors.investigation_get_for_user(
        user=request.user, investigation_uuid=investigation_uuid
    )
    file = selectors.investigation_file(user=request.user, investigation=inv)
    evidence = []
    if can(request.user, Perm.EVIDENCE_VIEW):
        from ctip.evidence.selectors import items_for_investigation

        evidence = list(items_for_investigation(user=request.user, investigation=inv))
    return render(
        request,
        "justice/investigation_detail.html",
        {
            "inv": inv,
            "file": file,
            "evidence": evidence,
            "can_edit": can_change(request.user, inv),
            "can_add_evidence": can(request.user, Perm.EVIDENCE_ADD)
            and request.user.organisation_id in (inv.organisation_id, inv.legal_organisation_id),
            "can_export": can(request.user, Perm.EVIDENCE_EXPORT),
            "sees_summary": "summary" in readable_fields(request.user, type(inv)),
            "sees_witness": "witness" in readable_fields(request.user, WitnessSupport),
        },
    )


def _editable_investigation(request, investigation_uuid):
    inv = selectors.investigation_get_for_user(
        user=request.user, investigation_uuid=investigation_uuid
    )
    if not can_change(request.user, inv):
        raise PermissionDenied
    return inv


def _back(inv) -> str:
    from django.urls import reverse

    return reverse("justice:detail", args=[inv.uuid])


@permission_required(Perm.JUSTICE_MANAGE)
def victim_add(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _editable_investigation(request, investigation_uuid)
    people = visible_to(request.user, Person).order_by("family_name", "given_name")
    form = forms.VictimForm(request.POST or None, people=people)
    return _form_page(
        request,
        form,
        title=_("Add a victim"),
        back=_back(inv),
        save=lambda v: services.victim_add(actor=request.user, investigation=inv, **v),
        done=_("The victim was added."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def suspect_add(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _editable_investigation(request, investigation_uuid)
    form = forms.SuspectForm(request.POST or None)

    def save(values):
        person_fields = {
            k: values.pop(k)
            for k in ("given_name", "family_name", "name_km", "sex", "estimated_age")
        }
        person = person_create(
            actor=request.user, **{k: v for k, v in person_fields.items() if v not in ("", None)}
        )
        services.suspect_add(actor=request.user, investigation=inv, person=person, **values)

    return _form_page(
        request,
        form,
        title=_("Record a suspect"),
        back=_back(inv),
        save=save,
        done=_("The suspect was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def complaint_add(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _editable_investigation(request, investigation_uuid)
    return _form_page(
        request,
        forms.ComplaintForm(request.POST or None),
        title=_("Record a complaint"),
        back=_back(inv),
        save=lambda v: services.complaint_add(actor=request.user, investigation=inv, **v),
        done=_("The complaint was recorded."),
    )


def _editable_suspect(request, suspect_uuid) -> Suspect:
    suspect = selectors.suspect_get_for_user(user=request.user, suspect_uuid=suspect_uuid)
    if not can_change(request.user, suspect.investigation):
        raise PermissionDenied
    return suspect


@permission_required(Perm.JUSTICE_MANAGE)
def identifier_add(request: HttpRequest, suspect_uuid) -> HttpResponse:
    suspect = _editable_suspect(request, suspect_uuid)
    return _form_page(
        request,
        forms.IdentifierForm(request.POST or None),
        title=_("Add an identifier for %(name)s") % {"name": suspect.person.display_name},
        back=_back(suspect.investigation),
        save=lambda v: services.identifier_add(actor=request.user, suspect=suspect, **v),
        done=_("The identifier was added."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def relation_add(request: HttpRequest, suspect_uuid) -> HttpResponse:
    suspect = _editable_suspect(request, suspect_uuid)
    from .models import InvestigationVictim

    victims = visible_to(request.user, InvestigationVictim).filter(
        investigation=suspect.investigation
    )
    return _form_page(
        request,
        forms.RelationForm(request.POST or None, victims=victims),
        title=_("Relationship of %(name)s to a victim") % {"name": suspect.person.display_name},
        back=_back(suspect.investigation),
        save=lambda v: services.relation_set(actor=request.user, suspect=suspect, **v),
        done=_("The relationship was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def arrest_add(request: HttpRequest, suspect_uuid) -> HttpResponse:
    suspect = _editable_suspect(request, suspect_uuid)
    return _form_page(
        request,
        forms.ArrestForm(request.POST or None, initial={"arrested_on": timezone.localdate()}),
        title=_("Record the arrest of %(name)s") % {"name": suspect.person.display_name},
        back=_back(suspect.investigation),
        save=lambda v: services.arrest_record(actor=request.user, suspect=suspect, **v),
        done=_("The arrest was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def charge_add(request: HttpRequest, suspect_uuid) -> HttpResponse:
    suspect = _editable_suspect(request, suspect_uuid)
    return _form_page(
        request,
        forms.ChargeForm(request.POST or None, initial={"charged_on": timezone.localdate()}),
        title=_("Charge %(name)s") % {"name": suspect.person.display_name},
        back=_back(suspect.investigation),
        save=lambda v: services.charge_add(actor=request.user, suspect=suspect, **v),
        done=_("The charge was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def court_case_add(request: HttpRequest, investigation_uuid) -> HttpResponse:
    inv = _editable_investigation(request, investigation_uuid)
    suspects = visible_to(request.user, Suspect).filter(investigation=inv).select_related("person")
    return _form_page(
        request,
        forms.CourtCaseForm(request.POST or None, suspects=suspects),
        title=_("Record the court case"),
        back=_back(inv),
        save=lambda v: services.court_case_create(actor=request.user, investigation=inv, **v),
        done=_("The court case was recorded."),
    )


def _editable_court_case(request, court_case_uuid):
    cc = selectors.court_case_get_for_user(user=request.user, court_case_uuid=court_case_uuid)
    if not can_change(request.user, cc.investigation):
        raise PermissionDenied
    return cc


@permission_required(Perm.JUSTICE_MANAGE)
def hearing_add(request: HttpRequest, court_case_uuid) -> HttpResponse:
    cc = _editable_court_case(request, court_case_uuid)
    return _form_page(
        request,
        forms.HearingForm(request.POST or None),
        title=_("Schedule a hearing"),
        back=_back(cc.investigation),
        save=lambda v: services.hearing_schedule(actor=request.user, court_case=cc, **v),
        done=_("The hearing was scheduled."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def verdict_add(request: HttpRequest, court_case_uuid) -> HttpResponse:
    cc = _editable_court_case(request, court_case_uuid)
    defendants = cc.defendants.select_related("person")
    form = forms.VerdictForm(request.POST or None, defendants=defendants)
    return _form_page(
        request,
        form,
        title=_("Record a verdict"),
        back=_back(cc.investigation),
        save=lambda v: services.verdict_record(actor=request.user, court_case=cc, **form.values()),
        done=_("The verdict was recorded."),
    )


def _editable_hearing(request, hearing_uuid):
    hearing = selectors.hearing_get_for_user(user=request.user, hearing_uuid=hearing_uuid)
    if not can_change(request.user, hearing.court_case.investigation):
        raise PermissionDenied
    return hearing


@permission_required(Perm.JUSTICE_MANAGE)
def hearing_outcome(request: HttpRequest, hearing_uuid) -> HttpResponse:
    hearing = _editable_hearing(request, hearing_uuid)
    form = forms.HearingOutcomeForm(request.POST or None, initial={"version": hearing.version})
    return _form_page(
        request,
        form,
        title=_("Record what happened at the hearing"),
        back=_back(hearing.court_case.investigation),
        save=lambda v: services.hearing_record_outcome(
            actor=request.user, hearing=hearing, outcome=v["outcome"], expected_version=v["version"]
        ),
        done=_("The hearing was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def hearing_postpone(request: HttpRequest, hearing_uuid) -> HttpResponse:
    hearing = _editable_hearing(request, hearing_uuid)
    form = forms.HearingPostponeForm(request.POST or None, initial={"version": hearing.version})
    return _form_page(
        request,
        form,
        title=_("Postpone the hearing"),
        back=_back(hearing.court_case.investigation),
        save=lambda v: services.hearing_postpone(
            actor=request.user,
            hearing=hearing,
            reason=v["reason"],
            new_date=v["new_date"],
            expected_version=v["version"],
        ),
        done=_("The hearing was postponed."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def witness_support_add(request: HttpRequest, hearing_uuid) -> HttpResponse:
    hearing = _editable_hearing(request, hearing_uuid)
    inv = hearing.court_case.investigation
    people = Person.objects.filter(
        pk__in=visible_to(request.user, inv.victims.model)
        .filter(investigation=inv)
        .values("person_id")
    )
    return _form_page(
        request,
        forms.WitnessSupportForm(request.POST or None, people=people),
        title=_("Support for a witness"),
        back=_back(inv),
        save=lambda v: services.witness_support_add(actor=request.user, hearing=hearing, **v),
        done=_("The witness support was recorded."),
    )


@permission_required(Perm.JUSTICE_MANAGE)
def appeal_add(request: HttpRequest, verdict_uuid) -> HttpResponse:
    verdict = selectors.verdict_get_for_user(user=request.user, verdict_uuid=verdict_uuid)
    if not can_change(request.user, verdict.court_case.investigation):
        raise PermissionDenied
    return _form_page(
        request,
        forms.AppealForm(request.POST or None),
        title=_("Record an appeal"),
        back=_back(verdict.court_case.investigation),
        save=lambda v: services.appeal_file(actor=request.user, verdict=verdict, **v),
        done=_("The appeal was recorded."),
    )


# --- identifiers ----------------------------------------------------------------------------


@permission_required(Perm.JUSTICE_VIEW)
@sensitive_post_parameters("value")
def identifier_search(request: HttpRequest) -> HttpResponse:
    # A phone number or an account name is searched by POST and kept server-side, never in a
    # URL or a log; the kind (phone, e-mail...) says nothing about anyone and stays visible.
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        return search.remember(
            request,
            "identifiers",
            {"value": request.POST.get("value", "")[:200]},
            {"kind": kind if kind in IdentifierKind.values else ""},
        )
    found = search.recall(request, "identifiers")
    kind = request.GET.get("kind", IdentifierKind.PHONE)
    value = found.get("value")
    results = []
    if value and kind in IdentifierKind.values:
        results = list(selectors.identifiers_search(user=request.user, kind=kind, value=value))
    return render(
        request,
        "justice/identifier_search.html",
        {
            "kinds": IdentifierKind.choices,
            "kind": kind,
            "value": value,
            "results": results,
            "search_expired": found.expired,
        },
    )


@permission_required(Perm.JUSTICE_VIEW)
def identifier_detail(request: HttpRequest, identifier_uuid) -> HttpResponse:
    identifier = selectors.identifier_get_for_user(
        user=request.user, identifier_uuid=identifier_uuid
    )
    uses = selectors.identifier_uses(user=request.user, identifier=identifier)
    return render(
        request, "justice/identifier_detail.html", {"identifier": identifier, "uses": uses}
    )


# --- law articles ---------------------------------------------------------------------------


@permission_required(Perm.REFERENCE_VIEW)
def law_article_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "justice/law_article_list.html",
        {
            "articles": selectors.law_articles(user=request.user),
            "can_manage": can(request.user, Perm.REFERENCE_MANAGE),
        },
    )


@permission_required(Perm.REFERENCE_MANAGE)
def law_article_create(request: HttpRequest) -> HttpResponse:
    def save(values):
        values.pop("version", None)
        services.law_article_create(actor=request.user, **values)

    return _form_page(
        request,
        forms.LawArticleForm(request.POST or None),
        title=_("Add a law article"),
        back="justice:law_articles",
        save=save,
        done=_("The article was added."),
    )


@permission_required(Perm.REFERENCE_MANAGE)
def law_article_edit(request: HttpRequest, article_uuid) -> HttpResponse:
    article = selectors.law_article_get_for_user(user=request.user, article_uuid=article_uuid)
    initial = {f: getattr(article, f) for f in ("article", *services.LAW_FIELDS)}
    initial["version"] = article.version
    form = forms.LawArticleForm(request.POST or None, initial=initial)
    form.fields["article"].disabled = True

    def save(values):
        version = values.pop("version", None)
        values.pop("article", None)
        services.law_article_update(
            actor=request.user, law_article=article, expected_version=version, **values
        )

    return _form_page(
        request,
        form,
        title=str(article),
        back="justice:law_articles",
        save=save,
        done=_("The article was corrected."),
    )


# --- counts ---------------------------------------------------------------------------------


@permission_required(Perm.JUSTICE_COUNTS)
def counts(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    data = selectors.annual_counts(user=request.user, year=year)
    return render(
        request,
        "justice/counts.html",
        {
            "c": data,
            "year": year,
            "years": range(this_year, 2007, -1),
            "sections": _count_sections(data),
            "sentences": [
                (label, data.sentences.get(key, 0)) for key, label in SENTENCE_LABELS.items()
            ],
        },
    )


SEX_LABELS = dict(Sex.choices)
AGE_LABELS = {
    "child": _l("Children (under 18)"),
    "adult": _l("Adults"),
    "unknown": _l("Age unknown"),
}
SENTENCE_LABELS = {
    "under_1y": _l("Under 1 year"),
    "1_to_5y": _l("1 to under 5 years"),
    "5_to_10y": _l("5 to under 10 years"),
    "10_to_15y": _l("10 to under 15 years"),
    "15y_plus": _l("15 years or more"),
    "none": _l("No prison sentence"),
}


def _rows(counter, labels) -> list:
    return [(labels.get(key, key), n) for key, n in sorted(counter.items()) if n]


def _count_sections(data) -> list[dict]:
    forms_ = dict(ExploitationForm.choices)
    kinds = dict(TraffickingKind.choices)
    sections = []
    for title, tally, people in (
        (_("Investigations opened"), data.investigations, False),
        (_("Persons prosecuted"), data.prosecuted, True),
        (_("Persons convicted"), data.convicted, True),
        (_("Victims identified in these proceedings"), data.victims, True),
    ):
        groups = [
            {"title": _("Labour or sex trafficking"), "rows": _rows(tally.kind, kinds)},
            {"title": _("Form of exploitation"), "rows": _rows(tally.form, forms_)},
        ]
        if people:
            groups = [
                {"title": _("Sex"), "rows": _rows(tally.sex, SEX_LABELS)},
                {"title": _("Age"), "rows": _rows(tally.age, AGE_LABELS)},
                *groups,
            ]
        sections.append({"title": title, "total": tally.total, "groups": groups})
    return sections
