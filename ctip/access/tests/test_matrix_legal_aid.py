"""The access matrix, for the legal-aid side of proceedings (docs/security.md, finding 5).

An investigation names the organisation that represents its victims, and that opens the
proceeding and its evidence to it. Only an organisation that provides legal aid may be named
(ctip/justice/services.py); should a record name another one anyway (written before the check,
or past the service), the access rule opens nothing to it. Here organisation C, which does not
provide legal aid, is named on A's investigation: every proceeding and evidence route of the
matrix must refuse C's investigator and legal officer, and no list may show the record. The
control: once C provides legal aid, the same requests are allowed.

A separate module from test_matrix.py, so that other matrix cases can be added there at the
same time; it reuses the matrix's world and helpers.
"""

import pytest

from ctip.accounts.roles import Role
from ctip.core.testing import make_user, verified_client
from ctip.justice.models import Investigation

from .matrix_routes import ROUTES
from .test_matrix import request, url_for, world  # noqa: F401 (the world fixture)

PROCEEDING_SCOPES = ("investigation", "proceeding", "evidence")
ROLES = (Role.INVESTIGATOR, Role.LEGAL_OFFICER)


def _record_routes():
    return sorted(
        name
        for name, route in ROUTES.items()
        if not route.exempt
        and route.scope in PROCEEDING_SCOPES
        and any(op.method == "get" for op in route.ops)
    )


def _list_routes():
    return ["justice:list", "api-investigations"]


def _name_c_on_own_investigation(world):  # noqa: F811
    own = world.records["own"]["investigation"]
    Investigation.objects.filter(pk=own.pk).update(legal_organisation=world.org_c)
    return own


def _c_clients(world):  # noqa: F811
    return {role: verified_client(make_user(world.org_c, role)) for role in ROLES}


def _answers(world, clients):  # noqa: F811
    answers = {}
    for role, client in clients.items():
        for name in _record_routes():
            url = url_for(name, world, "own") + ROUTES[name].query
            response = request(client, "get", url, api=name.startswith("api-"))
            answers[(role, name)] = response.status_code
    return answers


@pytest.mark.django_db
def test_an_organisation_named_without_providing_legal_aid_sees_no_proceeding_or_evidence(
    world,  # noqa: F811
):
    assert _record_routes(), "the matrix lists the proceeding and evidence routes"
    assert not world.org_c.provides_legal_aid
    own = _name_c_on_own_investigation(world)
    clients = _c_clients(world)
    opened = {k: v for k, v in _answers(world, clients).items() if v not in (403, 404)}
    assert not opened, f"organisation C was shown A's proceeding: {opened}"
    for role, client in clients.items():
        for name in _list_routes():
            from django.urls import reverse

            response = request(client, "get", reverse(name), api=name.startswith("api-"))
            assert response.status_code == 200, (role, name)
            assert str(own.uuid) not in response.content.decode(), (role, name)
            assert own.reference not in response.content.decode(), (role, name)


@pytest.mark.django_db
def test_the_same_organisation_providing_legal_aid_represents_the_victims(world):  # noqa: F811
    # The control: the refusals above come from the legal-aid rule, not from the routes.
    _name_c_on_own_investigation(world)
    world.org_c.provides_legal_aid = True
    world.org_c.save(update_fields=["provides_legal_aid"])
    try:
        answers = _answers(world, _c_clients(world))
    finally:
        world.org_c.provides_legal_aid = False
    assert answers[(Role.LEGAL_OFFICER, "justice:detail")] == 200
    assert answers[(Role.LEGAL_OFFICER, "evidence:detail")] == 200
