// What-if page: the model as a Cytoscape.js graph, coloured by the state each node would be
// in under the hypothesis. Clicking a node makes it fail (down) or takes it back; the server
// answers with the panel (form, choice and business impact), which htmx swaps in. The panel's
// result carries the hypothesis as JSON (#whatif-data), so the graph always shows what the
// server says; it is asked for again when the live state changes.
(function () {
  "use strict";
  const COLOURS = { ok: "#1b6e35", degraded: "#8a4b00", unknown: "#4a4a6a", down: "#a4161a" };

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function panelQuery(chosen, toggled) {
    const params = new URLSearchParams();
    let found = false;
    for (const state of ["down", "degraded", "unknown"]) {
      const ids = (chosen[state] || []).filter(function (id) {
        if (id === toggled) { found = true; return false; }
        return true;
      });
      if (ids.length) params.set(state, ids.join(","));
    }
    if (!found) params.set("down", (params.get("down") ? params.get("down") + "," : "") + toggled);
    return params.toString();
  }

  function chosenQuery(chosen) {
    const params = new URLSearchParams();
    for (const state of ["down", "degraded", "unknown"]) {
      if ((chosen[state] || []).length) params.set(state, chosen[state].join(","));
    }
    return params.toString();
  }

  // The answer is worked out on top of the live state: when a business service's state or root
  // causes change (the overview stream says so), the result, and the graph's colours with it,
  // are asked for again. The form is left alone, so nothing typed in it is lost.
  function follow() {
    if (!window.EventSource || !document.getElementById("whatif-panel")) return;
    let last = null;
    const source = new EventSource("/ui/stream");
    source.addEventListener("overview", function (message) {
      const snapshot = JSON.parse(message.data);
      const key = JSON.stringify(snapshot.services.map(function (s) {
        return [s.id, s.state, s.planned, s.root_causes];
      }).sort());
      if (last !== null && key !== last) {
        const data = readJson("whatif-data") || { chosen: {} };
        htmx.ajax("GET", "/ui/whatif/panel?" + chosenQuery(data.chosen),
          { target: "#whatif-result", select: "#whatif-result", swap: "outerHTML" });
      }
      last = key;
    });
  }

  function start() {
    const container = document.getElementById("whatif-cy");
    const elements = readJson("whatif-elements");
    if (!container || !elements || typeof cytoscape !== "function" || !window.bizmapGraph) return;
    const services = elements.filter(function (e) { return e.data.kind === "service"; })
      .map(function (e) { return "#" + CSS.escape(e.data.id); });
    const cy = cytoscape({
      container: container,
      elements: elements,
      wheelSensitivity: 0.2,
      style: [
        { selector: "node", style: {
          "label": "data(id)", "font-size": 11, "color": "#1a1a1a", "text-valign": "bottom",
          "text-wrap": "wrap", "text-max-width": 140, "text-background-color": "#f3f4f6",
          "text-background-opacity": 1, "text-background-padding": 2,
          "text-margin-y": 3, "background-color": "#ffffff", "border-width": 2,
          "border-color": COLOURS.ok, "width": 18, "height": 18 } },
        { selector: "node[kind = 'service']", style: {
          "shape": "round-rectangle", "width": 34, "height": 22, "font-weight": "bold" } },
        { selector: "node.degraded", style: { "background-color": "#fff1d6", "border-color": COLOURS.degraded } },
        { selector: "node.unknown", style: { "background-color": "#ebebf2", "border-color": COLOURS.unknown, "border-style": "dashed" } },
        { selector: "node.down", style: { "background-color": COLOURS.down, "border-color": COLOURS.down } },
        { selector: "node.chosen", style: { "border-width": 5, "border-color": "#102a43" } },
        { selector: "edge", style: {
          "width": 1.5, "line-color": "#9a9a9a", "target-arrow-shape": "triangle",
          "target-arrow-color": "#9a9a9a", "curve-style": "bezier" } },
        { selector: "edge[effect = 'soft']", style: { "line-style": "dashed" } },
        // the way from a business service down to what failed: both ends not ok
        { selector: "edge.path", style: {
          "width": 4, "line-color": COLOURS.down, "target-arrow-color": COLOURS.down } },
        window.bizmapGraph.hiddenStyle,
      ],
      layout: window.bizmapGraph.layout(services.join(",")),
    });
    window.bizmapGraph.toolbar(cy, container, { filter: true, roots: services.join(",") });

    function paint() {
      const data = readJson("whatif-data");
      if (!data) return;
      cy.batch(function () {
        cy.nodes().removeClass("degraded unknown down chosen");
        for (const [id, state] of Object.entries(data.states)) cy.getElementById(id).addClass(state);
        for (const ids of Object.values(data.chosen)) {
          for (const id of ids) cy.getElementById(id).addClass("chosen");
        }
        cy.edges().forEach(function (edge) {
          edge.toggleClass("path", Boolean(data.states[edge.source().id()] && data.states[edge.target().id()]));
        });
      });
    }

    cy.on("tap", "node", function (event) {
      const data = readJson("whatif-data") || { chosen: {} };
      const query = panelQuery(data.chosen, event.target.id());
      htmx.ajax("GET", "/ui/whatif/panel?" + query, { target: "#whatif-panel", swap: "outerHTML" });
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      paint();
      const input = document.getElementById("whatif-add");
      if (input && document.activeElement === document.body) input.focus();
    });
    paint();
  }

  function ready() {
    start();
    follow();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
