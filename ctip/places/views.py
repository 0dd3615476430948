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

from .forms import VillageSearchForm
from .selectors import (
    commune_get_for_user,
    communes_visible_to,
    countries_visible_to,
    district_get_for_user,
    districts_visible_to,
    province_get_for_user,
    provinces_visible_to,
    village_search,
    villages_visible_to,
)

VILLAGES_PER_PAGE = 20
RESULTS_PER_PAGE = 20
COUNTRIES_PER_PAGE = 100


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
