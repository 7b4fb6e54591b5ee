/* The dependency graph of a service page (Cytoscape.js), from the JSON the server embedded.
   The same nodes and edges are in the table under it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("graph");
    var data = document.getElementById("graph-data");
    if (!holder || !data || !window.cytoscape || !window.bizmapGraph) return;
    var colours = { ok: "#1b6e35", degraded: "#d98a00", unknown: "#8c8ca8", down: "#a4161a" };
    var cy = window.cytoscape({
      container: holder,
      elements: JSON.parse(data.textContent),
      layout: window.bizmapGraph.layout("[kind = 'service']"),
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
            "label": "data(label)", "background-color": function (n) { return colours[n.data("state")]; },
            "color": "#1a1a1a", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
            "text-wrap": "wrap", "text-max-width": 140, "text-background-color": "#f3f4f6",
            "text-background-opacity": 1, "text-background-padding": 2, "width": 22, "height": 22,
            "border-width": 2, "border-color": "#ffffff" } },
        { selector: "node[kind = 'service']", style: { "shape": "round-rectangle", "width": 30, "height": 30 } },
        { selector: "node[?cause]", style: { "border-color": "#1a1a1a", "border-width": 4 } },
        { selector: "edge", style: {
            "width": 1.5, "line-color": "#8a8a8a", "target-arrow-color": "#8a8a8a",
            "target-arrow-shape": "triangle", "curve-style": "bezier" } },
        { selector: "edge[effect = 'ignore']", style: { "line-style": "dotted" } },
        { selector: "edge[effect = 'soft']", style: { "line-style": "dashed" } },
        { selector: "edge[?path]", style: { "width": 5, "line-color": "#a4161a", "target-arrow-color": "#a4161a" } },
        window.bizmapGraph.hiddenStyle
      ]
    });
    cy.userZoomingEnabled(true);
    window.bizmapGraph.toolbar(cy, holder);
  });
})();
