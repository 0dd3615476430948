"""The network of suspects, victims, identifiers, establishments, places and proceedings.

Everything is read through the access policy (each model's own rule), so a user's network is
made only of records they may see. Victims appear as stable pseudonyms ("Victim 3F9A2C")
unless the user may see a case of that person. Suspects confirmed to be one person by the
duplicate review (matching's identity clusters) are one node.

The graph is small enough to build in Python: a fixed number of queries, then union-find for
the connected components (possible networks). No graph library is needed.
"""

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ctip.access.policy import can, visible_to
from ctip.accounts.roles import Perm
from ctip.justice.models import (
    Arrest,
    IdentifierKind,
    Investigation,
    InvestigationVictim,
    Suspect,
    SuspectIdentifier,
    SuspectVictimRelation,
)

# International dialling codes of the region, for phones recorded with a foreign prefix.
PHONE_COUNTRIES = {
    "66": "TH",
    "84": "VN",
    "60": "MY",
    "86": "CN",
    "82": "KR",
    "886": "TW",
    "856": "LA",
}


PLACE_KINDS = ("province", "country")


KIND_LABELS = {
    "suspect": _lazy("Suspect"),
    "victim": _lazy("Victim"),
    "identifier": _lazy("Identifier"),
    "establishment": _lazy("Establishment"),
    "investigation": _lazy("Investigation"),
    "province": _lazy("Province"),
    "country": _lazy("Country"),
}


@dataclass
class Node:
    id: str
    kind: str  # suspect, victim, identifier, establishment, investigation, province, country
    label: str
    detail: str = ""
    url: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def link(self, a: str, b: str, kind: str) -> None:
        if a != b and (a, b, kind) not in self._edge_set:
            self._edge_set.add((a, b, kind))
            self.edges.append((a, b, kind))

    def __post_init__(self) -> None:
        self._edge_set: set[tuple[str, str, str]] = set()

    def degree(self) -> dict[str, int]:
        """Links of each node to other records (links to places do not count)."""
        counts: dict[str, int] = defaultdict(int)
        for a, b, _kind in self.edges:
            if self.nodes[a].kind in PLACE_KINDS or self.nodes[b].kind in PLACE_KINDS:
                continue
            counts[a] += 1
            counts[b] += 1
        return counts

    def neighbours(self) -> dict[str, set[str]]:
        adj: dict[str, set[str]] = defaultdict(set)
        for a, b, _kind in self.edges:
            adj[a].add(b)
            adj[b].add(a)
        return adj

    def components(self) -> list[set[str]]:
        """Connected components, largest first (union-find).

        Places do not join components: every investigation in Phnom Penh is not one network.
        Each component carries the places its members link to (a place may be in several).
        """
        parent = {n: n for n, node in self.nodes.items() if node.kind not in PLACE_KINDS}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        places = []
        for a, b, _kind in self.edges:
            if a not in parent or b not in parent:
                places.append((a, b))
                continue
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
        groups: dict[str, set[str]] = defaultdict(set)
        for n in parent:
            groups[find(n)].add(n)
        for a, b in places:
            member, place = (a, b) if a in parent else (b, a)
            if member in parent:
                groups[find(member)].add(place)
        return sorted(groups.values(), key=lambda g: (-len(g), min(g)))

    def subgraph(self, keep: set[str]) -> "Graph":
        sub = Graph()
        for n in keep:
            sub.add(self.nodes[n])
        for a, b, kind in self.edges:
            if a in keep and b in keep:
                sub.link(a, b, kind)
        return sub


def _victim_code(person_uuid) -> str:
    key = hmac.new(settings.SECRET_KEY.encode(), b"ctip.networks.pseudonym", hashlib.sha256)
    return hmac.new(key.digest(), str(person_uuid).encode(), hashlib.sha256).hexdigest()[:6]


def pseudonym(person_uuid) -> str:
    """A stable pseudonym for a victim: the same person, the same name, for every viewer;
    keyed, so it cannot be turned back into the uuid."""
    return _("Victim %(code)s") % {"code": _victim_code(person_uuid).upper()}


def _person_keys(person_ids: set[int]) -> dict[int, str]:
    """One node id per person, shared by the records of one confirmed identity."""
    from ctip.matching.models import IdentityMember

    keys = {pid: f"person:{pid}" for pid in person_ids}
    for pid, cluster in IdentityMember.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "cluster"
    ):
        keys[pid] = f"identity:{cluster}"
    return keys


def network_for(*, user) -> Graph:
    """The whole network the user may see. A fixed number of queries."""
    graph = Graph()
    if not can(user, Perm.NETWORKS_VIEW):
        return graph
    investigations = list(visible_to(user, Investigation).select_related("province", "case"))
    suspects = list(visible_to(user, Suspect).select_related("person"))
    uses = list(visible_to(user, SuspectIdentifier).select_related("identifier"))
    victims = list(visible_to(user, InvestigationVictim).select_related("person"))
    relations = list(visible_to(user, SuspectVictimRelation))
    arrests = list(visible_to(user, Arrest).select_related("province"))
    shown_victims: set[int] = set()
    if can(user, Perm.CASES_VIEW):
        from ctip.cases.models import Case

        shown_victims = set(
            visible_to(user, Case)
            .filter(person_id__in=[v.person_id for v in victims])
            .values_list("person_id", flat=True)
        )
    countries: dict[int, list] = defaultdict(list)
    case_ids = [i.case_id for i in investigations if i.case_id]
    if case_ids and can(user, Perm.CASES_VIEW):
        from ctip.cases.models import Case

        for case in (
            visible_to(user, Case).filter(pk__in=case_ids).prefetch_related("destination_countries")
        ):
            countries[case.pk] = list(case.destination_countries.all())
    person_key = _person_keys({s.person_id for s in suspects})

    inv_node: dict[int, str] = {}
    for inv in investigations:
        inv_node[inv.pk] = graph.add(
            Node(f"inv:{inv.uuid}", "investigation", inv.reference, inv.title)
        )
        if inv.province_id:
            prov = graph.add(
                Node(f"province:{inv.province.code}", "province", inv.province.name_en)
            )
            graph.link(inv_node[inv.pk], prov, _("in province"))
        for country in countries.get(inv.case_id, []):
            if country.code != "KH":
                node = graph.add(Node(f"country:{country.code}", "country", country.name_en))
                graph.link(inv_node[inv.pk], node, _("destination"))
    suspect_node: dict[int, str] = {}
    for s in suspects:
        node_id = person_key[s.person_id]
        suspect_node[s.pk] = graph.add(
            Node(node_id, "suspect", s.person.display_name, s.get_role_display())
        )
        if s.investigation_id in inv_node:
            graph.link(suspect_node[s.pk], inv_node[s.investigation_id], _("suspect in"))
    for use in uses:
        ident = use.identifier
        kind = "establishment" if ident.kind == IdentifierKind.ESTABLISHMENT else "identifier"
        node = graph.add(
            Node(f"identifier:{ident.uuid}", kind, ident.value, ident.get_kind_display())
        )
        if use.suspect_id in suspect_node:
            graph.link(suspect_node[use.suspect_id], node, _("uses"))
        if ident.kind == IdentifierKind.PHONE and not ident.normalised.startswith("0"):
            for prefix, code in sorted(PHONE_COUNTRIES.items(), key=lambda kv: -len(kv[0])):
                if ident.normalised.startswith(prefix):
                    graph.link(
                        node, graph.add(Node(f"country:{code}", "country", code)), _("abroad")
                    )
                    break
    victim_node: dict[int, str] = {}
    for v in victims:
        label = v.person.display_name if v.person_id in shown_victims else pseudonym(v.person.uuid)
        victim_node[v.pk] = graph.add(
            Node(f"victim:{_victim_code(v.person.uuid)}", "victim", label)
        )
        if v.investigation_id in inv_node:
            graph.link(victim_node[v.pk], inv_node[v.investigation_id], _("victim in"))
    for rel in relations:
        if rel.suspect_id in suspect_node and rel.victim_id in victim_node:
            graph.link(
                suspect_node[rel.suspect_id], victim_node[rel.victim_id], rel.get_relation_display()
            )
    for arrest in arrests:
        if arrest.province_id and arrest.suspect_id in suspect_node:
            prov = graph.add(
                Node(f"province:{arrest.province.code}", "province", arrest.province.name_en)
            )
            graph.link(suspect_node[arrest.suspect_id], prov, _("arrested in"))
    return graph


def around(graph: Graph, focus: str) -> Graph:
    """The possible network (connected component) that contains `focus`; empty if unknown."""
    if focus not in graph.nodes:
        return Graph()
    if graph.nodes[focus].kind in PLACE_KINDS:
        # Around a place: what links to it directly, and the places of those.
        adj = graph.neighbours()
        keep = {focus} | adj[focus]
        return graph.subgraph(keep | {m for n in adj[focus] for m in adj[n]})
    for component in graph.components():
        if focus in component:
            return graph.subgraph(component)
    return Graph()  # pragma: no cover


@dataclass
class Spread:
    node: Node
    provinces: list[str]
    countries: list[str]
    investigations: int


def analysis(graph: Graph, *, top: int = 10) -> dict:
    """Components (possible networks), most-connected identifiers and suspects, and the
    suspects and identifiers whose links span provinces or cross borders."""
    adj = graph.neighbours()
    degree = graph.degree()

    def reach(node_id: str) -> Spread:
        # Places and investigations within two steps: identifier → suspect → investigation →
        # province, or suspect → investigation → province.
        provinces, countries, investigations = set(), set(), set()
        frontier, seen = {node_id}, {node_id}
        for _step in range(3):
            nxt = set()
            for n in frontier:
                for m in adj[n] - seen:
                    kind = graph.nodes[m].kind
                    if kind == "province":
                        provinces.add(graph.nodes[m].label)
                    elif kind == "country":
                        countries.add(graph.nodes[m].label)
                    elif kind == "investigation":
                        investigations.add(m)
                        nxt.add(m)
                    elif kind in ("suspect", "identifier", "establishment") and _step == 0:
                        nxt.add(m)
            seen |= nxt
            frontier = nxt
        return Spread(
            graph.nodes[node_id], sorted(provinces), sorted(countries), len(investigations)
        )

    components = []
    for comp in graph.components():
        kinds: dict[str, int] = defaultdict(int)
        for n in comp:
            kinds[graph.nodes[n].kind] += 1
        if kinds.get("investigation", 0) == 0 and len(comp) < 2:
            continue
        anchor = max(comp, key=lambda n: (degree.get(n, 0), n))
        labelled = {str(KIND_LABELS.get(k, k)): count for k, count in sorted(kinds.items())}
        components.append({"size": len(comp), "kinds": labelled, "anchor": graph.nodes[anchor]})
    ranked = sorted(graph.nodes.values(), key=lambda n: (-degree.get(n.id, 0), n.label))
    identifiers = [
        (n, degree.get(n.id, 0)) for n in ranked if n.kind in ("identifier", "establishment")
    ][:top]
    suspects = [(n, degree.get(n.id, 0)) for n in ranked if n.kind == "suspect"][:top]
    spreads = [reach(n.id) for n in ranked if n.kind in ("suspect", "identifier", "establishment")]
    spanning = [s for s in spreads if len(s.provinces) > 1 or s.countries]
    return {
        "components": components,
        "identifiers": identifiers,
        "suspects": suspects,
        "spanning": spanning,
    }


def to_graphml(graph: Graph) -> str:
    """The graph as GraphML (for Gephi, yEd, Cytoscape desktop, i2-like tools)."""
    from xml.sax.saxutils import escape, quoteattr

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="detail" for="node" attr.name="detail" attr.type="string"/>',
        '  <key id="relation" for="edge" attr.name="relation" attr.type="string"/>',
        '  <graph id="ctip-network" edgedefault="undirected">',
    ]
    for node in graph.nodes.values():
        lines.append(
            f"    <node id={quoteattr(node.id)}>"
            f'<data key="kind">{escape(node.kind)}</data>'
            f'<data key="label">{escape(node.label)}</data>'
            f'<data key="detail">{escape(node.detail)}</data></node>'
        )
    for i, (a, b, kind) in enumerate(graph.edges):
        lines.append(
            f'    <edge id="e{i}" source={quoteattr(a)} target={quoteattr(b)}>'
            f'<data key="relation">{escape(kind)}</data></edge>'
        )
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def cytoscape_elements(graph: Graph) -> list[dict]:
    elements: list[dict] = [
        {"data": {"id": n.id, "label": n.label, "kind": n.kind, "detail": n.detail}}
        for n in graph.nodes.values()
    ]
    elements += [
        {"data": {"id": f"e{i}", "source": a, "target": b, "label": kind}}
        for i, (a, b, kind) in enumerate(graph.edges)
    ]
    return elements
