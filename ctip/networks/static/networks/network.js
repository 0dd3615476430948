// Draws the network around the focus node with cytoscape.js (served from the project).
(function () {
  var data = document.getElementById("network-elements");
  var box = document.getElementById("network-graph");
  if (!data || !box || typeof cytoscape === "undefined") return;
  var colours = {
    suspect: "#b3261e", victim: "#1d6fb8", identifier: "#6b4fa0", establishment: "#8a5a00",
    investigation: "#2e7d32", province: "#555", country: "#000"
  };
  // cytoscape adds a <style> element unless one with this id exists; the page policy refuses
  // inline styles, so a placeholder stands in and the rule it would add is in ctip.css.
  var sheetId = "__________cytoscape_stylesheet";
  if (!document.getElementById(sheetId)) {
    var placeholder = document.createElement("meta");
    placeholder.id = sheetId;
    document.head.appendChild(placeholder);
  }
  var cy = cytoscape({
    container: box,
    elements: JSON.parse(data.textContent),
    style: [
      { selector: "node", style: {
          "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120,
          "background-color": function (n) { return colours[n.data("kind")] || "#999"; },
          "width": 18, "height": 18 } },
      { selector: "node[kind = 'investigation']", style: { "shape": "round-rectangle" } },
      { selector: "node[kind = 'province'], node[kind = 'country']", style: { "shape": "diamond" } },
      { selector: "node[kind = 'identifier'], node[kind = 'establishment']", style: { "shape": "triangle" } },
      { selector: "edge", style: { "width": 1, "line-color": "#bbb", "curve-style": "bezier",
          "label": "data(label)", "font-size": 7, "color": "#777" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#f9a825" } }
    ],
    layout: { name: "cose", animate: false, padding: 20 }
  });
  var focus = box.getAttribute("data-focus");
  if (focus) { cy.getElementById(focus).select(); }
  cy.on("tap", "node", function (evt) {
    var url = new URL(window.location.href);
    url.searchParams.set("focus", evt.target.id());
    var info = document.getElementById("network-selected");
    if (info) {
      info.textContent = evt.target.data("label") + " (" + evt.target.data("kind") + ")";
    }
  });
})();
