"""The network view: components, rankings, links across provinces and borders, pseudonyms,
GraphML, and who is refused."""

from datetime import date
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctip.accounts.roles import Role
from ctip.audit.models import AuditAction, AuditEvent
from ctip.core.testing import assert_refused, verified_client
from ctip.justice import services as justice
from ctip.matching import services as matching
from ctip.networks.selectors import analysis, around, network_for, pseudonym, to_graphml
from ctip.people.services import person_create
from ctip.places.models import Province


@pytest.fixture
def ring(cast):
    """One broker's phone in two provinces of organisation A, a Thai number, and an unrelated
    investigation; and one investigation of organisation B."""
    inv_a = cast.a[Role.INVESTIGATOR]
    pp = Province.objects.create(code="12", iso3166_2="KH-12", name_en="Phnom Penh")
    sr = Province.objects.create(code="17", iso3166_2="KH-17", name_en="Siem Reap")
    made = {}
    for title, province, phone in (
        ("Karaoke", pp, "+855 97 555 0142"),
        ("Restaurant", sr, "097 555 0142"),
        ("Unrelated", pp, "012 000 111"),
    ):
        inv = justice.investigation_create(
            actor=inv_a,
            title=title,
            opened_on=date(2025, 1, 1),
            source="report",
            exploitation_form="sex_karaoke",
            province=province,
        )
        broker = person_create(actor=inv_a, given_name=f"Broker {title}", family_name="Heng")
        suspect = justice.suspect_add(
            actor=inv_a, investigation=inv, person=broker, role="recruiter"
        )
        justice.identifier_add(actor=inv_a, suspect=suspect, kind="phone", value=phone)
        victim = person_create(actor=inv_a, given_name=f"Girl {title}", sex="f")
        v = justice.victim_add(actor=inv_a, investigation=inv, person=victim)
        justice.relation_set(actor=inv_a, suspect=suspect, victim=v, relation="broker")
        made[title] = {"inv": inv, "suspect": suspect, "victim": victim}
    justice.identifier_add(
        actor=inv_a, suspect=made["Restaurant"]["suspect"], kind="phone", value="+66 81 234 5678"
    )
    inv_b = justice.investigation_create(
        actor=cast.b[Role.INVESTIGATOR],
        title="B's own",
        opened_on=date(2025, 1, 1),
        source="report",
        exploitation_form="labour_fishing",
    )
    secret = person_create(actor=cast.b[Role.INVESTIGATOR], given_name="Secret", family_name="Ly")
    justice.suspect_add(
        actor=cast.b[Role.INVESTIGATOR], investigation=inv_b, person=secret, role="recruiter"
    )
    return made


def _node(graph, label):
    return next(n for n in graph.nodes.values() if n.label == label)


def test_a_shared_phone_joins_investigations_into_one_network_across_provinces(cast, ring):
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    phone = next(n for n in graph.nodes.values() if n.kind == "identifier" and "555" in n.label)
    network = around(graph, phone.id)
    kinds = [n.kind for n in network.nodes.values()]
    assert kinds.count("investigation") == 2
    assert {"Phnom Penh", "Siem Reap", "TH"} <= {n.label for n in network.nodes.values()}
    assert "Unrelated" not in {n.detail for n in network.nodes.values()}
    summary = analysis(graph)
    assert summary["components"][0]["size"] == len(network.nodes)
    assert summary["identifiers"][0][0].id == phone.id
    spanning = {s.node.id: s for s in summary["spanning"]}
    assert spanning[phone.id].provinces == ["Phnom Penh", "Siem Reap"]
    broker = ring["Restaurant"]["suspect"].person
    assert "TH" in spanning[f"person:{broker.pk}"].countries


def test_victims_are_pseudonyms_for_those_who_may_not_see_their_case(cast, ring):
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    labels = {n.label for n in graph.nodes.values() if n.kind == "victim"}
    assert "Girl Karaoke" not in str(labels)
    assert pseudonym(ring["Karaoke"]["victim"].uuid) in labels
    assert pseudonym(ring["Karaoke"]["victim"].uuid) == pseudonym(ring["Karaoke"]["victim"].uuid)


def test_confirmed_identities_make_one_suspect_node(cast, ring):
    a, b = ring["Karaoke"]["suspect"].person, ring["Unrelated"]["suspect"].person
    from ctip.matching.models import MatchCandidate

    low, high = sorted([a, b], key=lambda p: p.pk)
    candidate = MatchCandidate.objects.create(
        person_a=low,
        person_b=high,
        organisation_a=cast.org_a,
        organisation_b=cast.org_a,
        probability=0.99,
    )
    matching.candidate_confirm(
        actor=cast.a[Role.INVESTIGATOR], candidate=candidate, expected_version=None
    )
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    suspects = [n for n in graph.nodes.values() if n.kind == "suspect"]
    assert len(suspects) == 2  # three suspect records, two people
    phone = next(n for n in graph.nodes.values() if "012" in n.label)
    assert (
        len([n for n in around(graph, phone.id).nodes.values() if n.kind == "investigation"]) == 3
    )


def test_nobody_sees_another_organisations_network(cast, ring):
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    assert "Secret Ly" not in {n.label for n in graph.nodes.values()}
    assert network_for(user=cast.a[Role.CASE_WORKER]).nodes == {}
    b_graph = network_for(user=cast.b[Role.INVESTIGATOR])
    assert {n.kind for n in b_graph.nodes.values()} == {"investigation", "suspect"}


def test_graphml_export_is_valid_and_holds_the_same_nodes(cast, ring):
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    root = ElementTree.fromstring(to_graphml(graph))  # noqa: S314 (our own output)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == len(graph.nodes)
    assert len(root.findall(".//g:edge", ns)) == len(graph.edges)


def test_the_network_page_draws_the_graph_and_its_table_and_is_audited(cast, ring):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    graph = network_for(user=cast.a[Role.INVESTIGATOR])
    phone = next(n for n in graph.nodes.values() if "555" in n.label)
    response = client.get(reverse("networks:home"), {"focus": phone.id})
    assert response.status_code == 200
    body = response.content.decode()
    assert "networks/vendor/cytoscape.min.js" in body and "network-elements" in body
    assert "Siem Reap" in body and "Girl Karaoke" not in body
    export = client.get(reverse("networks:graphml"), {"focus": phone.id})
    assert export["Content-Type"] == "application/graphml+xml"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.NETWORK_VIEWED, AuditAction.NETWORK_EXPORTED} <= actions
    unknown = client.get(reverse("networks:home"), {"focus": "identifier:nope"})
    assert "Nothing to show" in unknown.content.decode()


def test_the_network_page_is_refused_to_all_but_investigators_and_legal_officers(cast, ring):
    for url in (reverse("networks:home"), reverse("networks:graphml")):
        assert_refused(url, [None])
        others = [
            cast.a[r]
            for r in (
                Role.CASE_WORKER,
                Role.CASE_SUPERVISOR,
                Role.HOTLINE_OPERATOR,
                Role.SHELTER_MANAGER,
                Role.STATISTICS_OFFICER,
                Role.PREVENTION_OFFICER,
                Role.ORG_ADMIN,
                Role.SYSTEM_ADMIN,
            )
        ]
        assert_refused(url, others, expect=403)
    assert (
        verified_client(cast.a[Role.LEGAL_OFFICER]).get(reverse("networks:home")).status_code == 200
    )


def test_the_network_page_costs_the_same_queries_however_large_the_network(cast, ring):
    client = verified_client(cast.a[Role.INVESTIGATOR])
    url = reverse("networks:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assert len(few.captured_queries) <= 25
    inv_a = cast.a[Role.INVESTIGATOR]
    for n in range(3):
        inv = justice.investigation_create(
            actor=inv_a,
            title=f"More {n}",
            opened_on=date(2025, 1, 1),
            source="report",
            exploitation_form="sex_karaoke",
        )
        p = person_create(actor=inv_a, given_name=f"Extra {n}")
        s = justice.suspect_add(actor=inv_a, investigation=inv, person=p, role="recruiter")
        justice.identifier_add(actor=inv_a, suspect=s, kind="handle", value=f"@extra{n}")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)
