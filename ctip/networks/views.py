"""The network page for investigators: summary, the network around one node (interactive graph
and the same data as tables), and GraphML export. Every view is audited."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ctip.access.decorators import permission_required
from ctip.accounts.roles import Perm
from ctip.audit.models import AuditAction
from ctip.audit.services import audit_record

from .selectors import analysis, around, cytoscape_elements, network_for, to_graphml


def _audit(user, action: str, focus: str, size: int) -> None:
    audit_record(
        actor=user,
        action=action,
        target_type="networks.network",
        target_id=(focus or "all")[:64],
        changes={"nodes": size},
    )


@permission_required(Perm.NETWORKS_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    graph = network_for(user=request.user)
    focus = request.GET.get("focus", "")[:120]
    shown = around(graph, focus) if focus in graph.nodes else None
    _audit(request.user, AuditAction.NETWORK_VIEWED, focus, len((shown or graph).nodes))
    context = {"focus": focus, "summary": analysis(graph), "total": len(graph.nodes)}
    if shown is not None:
        context |= {
            "shown": shown,
            "focus_node": graph.nodes.get(focus),
            "elements": cytoscape_elements(shown),
            "nodes": sorted(shown.nodes.values(), key=lambda n: (n.kind, n.label)),
            "edges": [(shown.nodes[a], shown.nodes[b], kind) for a, b, kind in shown.edges],
        }
    return render(request, "networks/home.html", context)


@permission_required(Perm.NETWORKS_VIEW)
def export_graphml(request: HttpRequest) -> HttpResponse:
    graph = network_for(user=request.user)
    focus = request.GET.get("focus", "")[:120]
    if focus:
        graph = around(graph, focus)
    _audit(request.user, AuditAction.NETWORK_EXPORTED, focus, len(graph.nodes))
    response = HttpResponse(to_graphml(graph), content_type="application/graphml+xml")
    response["Content-Disposition"] = 'attachment; filename="ctip-network.graphml"'
    return response
