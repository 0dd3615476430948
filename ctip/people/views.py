from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from ctip.access.decorators import permission_required
from ctip.access.policy import can_change, get_visible_or_404, readable_fields
from ctip.accounts.roles import Perm
from ctip.core import search
from ctip.core.forms import add_service_errors
from ctip.core.idempotency import once_per_submission

from . import services
from .forms import PersonForm
from .models import Person
from .selectors import people_visible_to, person_get_for_user

DETAIL_FIELDS = [
    "name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "nationality",
    "home_village",
    "phone",
    "protection_notes",
    "aliases",
    "age_estimation",
    "languages",
    "disability",
]


@permission_required(Perm.PEOPLE_VIEW)
@sensitive_post_parameters("q")
def person_list(request: HttpRequest) -> HttpResponse:
    # A name is searched by POST and kept server-side: it never reaches a URL or a log.
    if request.method == "POST":
        return search.remember(request, "people", {"q": request.POST.get("q", "")[:100]})
    found = search.recall(request, "people")
    people = people_visible_to(user=request.user, query=found.get("q"))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": found.get("q"),
        "query": urlencode(found.params()),
        "search_expired": found.expired,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "people/_table.html" if partial else "people/list.html"
    return render(request, template, context)


@permission_required(Perm.PEOPLE_VIEW)
def person_detail(request: HttpRequest, person_uuid) -> HttpResponse:
    person = person_get_for_user(user=request.user, person_uuid=person_uuid)
    rows = []
    for name in readable_fields(request.user, Person, DETAIL_FIELDS):
        field = Person._meta.get_field(name)
        value = getattr(person, f"get_{name}_display", lambda n=name: getattr(person, n))()
        rows.append({"label": field.verbose_name, "value": value})
    from ctip.access.policy import can, visible_to

    from .models import FamilyLink, IdentityDocument
    from .selectors import documents_for_person

    context = {
        "person": person,
        "rows": rows,
        "can_edit": can_change(request.user, person),
        # Only relatives the reader sees: another organisation's record of a family member
        # (its local copy, see services.family_link_add) stays that organisation's.
        "family": visible_to(request.user, FamilyLink)
        .filter(person=person, relative__in=visible_to(request.user, Person))
        .select_related("relative"),
        # The link's notes say, among other things, whose record a local copy came from.
        "family_notes": "notes" in readable_fields(request.user, FamilyLink, ["notes"]),
        "documents": documents_for_person(user=request.user, person=person),
        "document_fields": set(readable_fields(request.user, IdentityDocument)),
        # The photo is restricted: only readers the policy allows see it (each load audited).
        "shows_photo": bool(person.photo) and "photo" in readable_fields(request.user, Person),
        "can_screen": can(request.user, Perm.SCREENING_RECORD),
    }
    if can(request.user, "cases.view"):
        from ctip.cases.models import Case

        context["cases"] = visible_to(request.user, Case).filter(person=person)
        context["can_open_case"] = can(request.user, "cases.open")
    return render(request, "people/detail.html", context)


@permission_required(Perm.PEOPLE_CHANGE)
def family_link_add_view(request: HttpRequest, person_uuid) -> HttpResponse:
    from .forms import FamilyLinkForm

    person = person_get_for_user(user=request.user, person_uuid=person_uuid)
    form = FamilyLinkForm(request.POST or None, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_link_add(actor=request.user, person=person, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The family member was linked."))
            return redirect("people:detail", person_uuid=person.uuid)
    return render(request, "people/family_form.html", {"form": form, "person": person})


@permission_required(Perm.PEOPLE_CREATE)
@once_per_submission
def person_create_view(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The person was recorded."))
            return redirect("people:detail", person_uuid=person.uuid)
    return render(request, "people/form.html", {"form": form, "creating": True})


@permission_required(Perm.PEOPLE_CHANGE)
def person_edit_view(request: HttpRequest, person_uuid) -> HttpResponse:
    person = person_get_for_user(user=request.user, person_uuid=person_uuid)
    form = PersonForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=PersonForm.initial_for(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data.get("version"),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:detail", person_uuid=person.uuid)
    return render(request, "people/form.html", {"form": form, "person": person})


@permission_required(Perm.PEOPLE_VIEW)
def documents_view(request: HttpRequest, person_uuid) -> HttpResponse:
    """The person's identity documents, and (for users who may change the person) a form to
    add one."""
    from .forms import DocumentForm
    from .models import IdentityDocument
    from .selectors import documents_for_person

    person = get_visible_or_404(request.user, Person, uuid=person_uuid)
    may_add = can_change(request.user, person)
    form = DocumentForm(request.POST or None, user=request.user) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.document_add(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The document was recorded."))
                return redirect("people:documents", person_uuid=person.uuid)
    context = {
        "person": person,
        "documents": documents_for_person(user=request.user, person=person),
        "fields": set(readable_fields(request.user, IdentityDocument)),
        "form": form,
    }
    return render(request, "people/documents.html", context)


@permission_required(Perm.PEOPLE_VIEW)
def photo_view(request: HttpRequest, person_uuid) -> HttpResponse:
    """The person's photo, for readers the policy allows (404 to anyone else); audited."""
    from .selectors import person_photo_get_for_user

    person = person_photo_get_for_user(user=request.user, person_uuid=person_uuid)
    handle = person.photo.open("rb")
    content_type = services.photo_content_type(handle.read(16))
    if content_type is None:  # never served as anything but a checked image
        handle.close()
        raise Http404
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A restricted picture stays out of every cache, shared or private.
    response["Cache-Control"] = "no-store"
    return response
