"""Pages of reference data: provinces → districts → communes → villages, village search,
countries. Read-only; every page needs `reference.view`."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm

from .forms import CODE_LENGTH, VillageSearchForm
from .selectors import (
    commune_get_for_user,
    communes_visible_to,
    countries_visible_to,
    district_get_for_user,
    districts_visible_to,
    province_get_for_user,
    provinces_visible_to,
    village_search,
    villages_for_picker,
    villages_visible_to,
)

VILLAGES_PER_PAGE = 20
RESULTS_PER_PAGE = 20
COUNTRIES_PER_PAGE = 100
PICKER_CHOICES = 20


def _include_retired(request: HttpRequest) -> bool:
    return request.GET.get("retired") == "1"


def _page(request: HttpRequest, queryset, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def province_list(request: HttpRequest) -> HttpResponse:
    """All provinces, with the village search box."""
    return render(
        request,
        "places/province_list.html",
        {
            "provinces": provinces_visible_to(user=request.user),
            "search_form": VillageSearchForm(),
        },
    )


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One province and its districts."""
    province = province_get_for_user(user=request.user, code=code)
    retired = _include_retired(request)
    districts = districts_visible_to(
        user=request.user, province_code=province.code, include_retired=retired
    )
    return render(
        request,
        "places/province_detail.html",
        {"province": province, "districts": districts, "retired": retired},
    )


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One district and its communes."""
    district = district_get_for_user(user=request.user, code=code)
    retired = _include_retired(request)
    communes = communes_visible_to(
        user=request.user, district_code=district.code, include_retired=retired
    )
    return render(
        request,
        "places/district_detail.html",
        {"district": district, "communes": communes, "retired": retired},
    )


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def commune_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One commune and its villages, a page at a time."""
    commune = commune_get_for_user(user=request.user, code=code)
    retired = _include_retired(request)
    villages = villages_visible_to(
        user=request.user, commune_code=commune.code, include_retired=retired
    )
    return render(
        request,
        "places/commune_detail.html",
        {
            "commune": commune,
            "page": _page(request, villages, VILLAGES_PER_PAGE),
            "retired": retired,
            "query": "retired=1" if retired else "",
        },
    )


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def village_search_view(request: HttpRequest) -> HttpResponse:
    """Villages by name or code: the results alone for htmx, the whole page otherwise."""
    form = VillageSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = _page(request, village_search(user=request.user, query=query), RESULTS_PER_PAGE)
    context = {"search_form": form, "query_text": query, "page": page}
    if query:
        context["query"] = urlencode({"q": query})  # kept by the pager links
    template = "places/_village_results.html" if request.htmx else "places/village_search.html"
    response = render(request, template, context)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def country_list(request: HttpRequest) -> HttpResponse:
    """ISO 3166-1 countries."""
    page = _page(request, countries_visible_to(user=request.user), COUNTRIES_PER_PAGE)
    return render(request, "places/country_list.html", {"page": page})


def _picked(request: HttpRequest, level: str) -> str:
    """The code of `level` a picker sent: `province=12` or `<field>_province=12`, else ""."""
    for key, value in request.GET.items():
        if key == level or key.endswith(f"_{level}"):
            value = value.strip()
            if value.isdigit() and len(value) == CODE_LENGTH[level]:
                return value
    return ""


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def place_options(request: HttpRequest, level: str) -> HttpResponse:
    """The <option>s of a district or commune select, for the province or district chosen.

    No province: every district (the list a page without scripts shows). No district: no
    commune, as 1,600 of them would be no help.
    """
    if level == "district":
        province = _picked(request, "province")
        places = districts_visible_to(user=request.user, province_code=province or None)
        places = places.select_related("province")
        with_parent = not province
    else:
        district = _picked(request, "district")
        places = (
            communes_visible_to(user=request.user, district_code=district)
            if district
            else communes_visible_to(user=request.user).none()
        )
        with_parent = False
    return render(request, "places/_options.html", {"places": places, "with_parent": with_parent})


@require_GET
@permission_required(Perm.REFERENCE_VIEW)
def village_choices(request: HttpRequest) -> HttpResponse:
    """Villages to pick by name, within the province, district or commune chosen."""
    query = _picked_text(request)
    villages = villages_for_picker(
        user=request.user,
        query=query,
        province_code=_picked(request, "province"),
        district_code=_picked(request, "district"),
        commune_code=_picked(request, "commune"),
    )
    shown = list(villages[: PICKER_CHOICES + 1])
    return render(
        request,
        "places/_village_choices.html",
        {
            "villages": shown[:PICKER_CHOICES],
            "more": len(shown) > PICKER_CHOICES,
            "query_text": query,
        },
    )


def _picked_text(request: HttpRequest) -> str:
    for key, value in request.GET.items():
        if key == "q" or key.endswith("_q"):
            return value[:100]
    return ""
