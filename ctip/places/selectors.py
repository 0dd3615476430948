"""Reads of reference data. Every signed-in user holding `reference.view` sees all of it; anyone
else sees nothing (fail closed)."""

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ctip.access.policy import can
from ctip.accounts.roles import Perm

from .models import Commune, Country, District, Province, Village
from .services import clean_name


def _places(user, model: type[Model], *, include_retired: bool) -> QuerySet:
    if not can(user, Perm.REFERENCE_VIEW):
        return model._default_manager.none()
    places = model._default_manager.all()
    return places if include_retired else places.filter(is_active=True)


def _get(queryset: QuerySet, code: str) -> Model:
    """One place by code; 404 alike for an unknown code and for a user who may not see it."""
    try:
        return queryset.get(code=code)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def provinces_visible_to(*, user, include_retired: bool = False) -> QuerySet[Province]:
    """Provinces in code order."""
    return _places(user, Province, include_retired=include_retired).order_by("code")


def districts_visible_to(
    *, user, province_code: str | None = None, include_retired: bool = False
) -> QuerySet[District]:
    """Districts, of one province when `province_code` is given, in code order."""
    districts = _places(user, District, include_retired=include_retired)
    if province_code is not None:
        districts = districts.filter(province_id=province_code)
    return districts.order_by("code")


def communes_visible_to(
    *, user, district_code: str | None = None, include_retired: bool = False
) -> QuerySet[Commune]:
    """Communes, of one district when `district_code` is given, in code order."""
    communes = _places(user, Commune, include_retired=include_retired)
    if district_code is not None:
        communes = communes.filter(district_id=district_code)
    return communes.order_by("code")


def villages_visible_to(
    *,
    user,
    commune_code: str | None = None,
    query: str = "",
    include_retired: bool = False,
) -> QuerySet[Village]:
    """Villages, of one commune and/or matching `query`, in code order.

    `query` matches the Latin or the Khmer name (case-insensitive, anywhere in the name), or the
    start of the code when it is all digits. It is cleaned like the names were on loading, so a
    zero-width space typed by a Khmer keyboard does not hide a match.
    """
    villages = _places(user, Village, include_retired=include_retired)
    if commune_code is not None:
        villages = villages.filter(commune_id=commune_code)
    query = clean_name(query)
    if query:
        if query.isdigit():
            villages = villages.filter(code__startswith=query)
        else:
            villages = villages.filter(Q(name_en__icontains=query) | Q(name_km__icontains=query))
    return villages.order_by("code")


def village_search(*, user, query: str, include_retired: bool = False) -> QuerySet[Village]:
    """Villages matching `query`, with their commune, district and province; none for no query."""
    if not clean_name(query):
        return Village.objects.none()
    return villages_visible_to(
        user=user, query=query, include_retired=include_retired
    ).select_related("commune__district__province")


def villages_for_picker(
    *, user, query: str, province_code: str = "", district_code: str = "", commune_code: str = ""
) -> QuerySet[Village]:
    """Current villages to pick from: by name within the narrowest place given, by name.

    Nothing without a name unless a commune is chosen: then its villages, to pick from.
    """
    query = clean_name(query)
    if not query and not commune_code:
        return Village.objects.none()
    villages = villages_visible_to(user=user, commune_code=commune_code or None, query=query)
    if district_code and not commune_code:
        villages = villages.filter(commune__district_id=district_code)
    elif province_code and not (commune_code or district_code):
        villages = villages.filter(commune__district__province_id=province_code)
    return villages.select_related("commune__district__province").order_by("name_en", "code")


def countries_visible_to(*, user) -> QuerySet[Country]:
    """ISO 3166-1 countries, by Latin name."""
    return _places(user, Country, include_retired=False).order_by("name_en")


def province_get_for_user(*, user, code: str) -> Province:
    return _get(provinces_visible_to(user=user, include_retired=True), code)


def district_get_for_user(*, user, code: str) -> District:
    districts = districts_visible_to(user=user, include_retired=True)
    return _get(districts.select_related("province"), code)


def commune_get_for_user(*, user, code: str) -> Commune:
    communes = communes_visible_to(user=user, include_retired=True)
    return _get(communes.select_related("district__province"), code)
