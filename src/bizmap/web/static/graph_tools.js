/* Tools shared by the dependency graphs (service page, what-if): zoom and fit buttons, a filter
   to one business service's subgraph, and the layout that keeps labels apart. Cytoscape.js pans
   by dragging the background and zooms with the wheel as well; the buttons do it by keyboard. */
(function () {
  "use strict";

  // breadthfirst from the business services down, each node as wide as its label: labels never
  // sit on one another, and a long name wraps instead of being cut
  function layout(roots) {
    return { name: "breadthfirst", directed: true, roots: roots, spacingFactor: 1.15, padding: 16,
             nodeDimensionsIncludeLabels: true, avoidOverlap: true };
  }

  function button(text, label, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "graph-tool";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.addEventListener("click", action);
    return element;
  }

  // The toolbar above a graph: zoom in, zoom out, fit; with ``filter``, a select that shows one
  // business service and what it depends on (or the whole model).
  function toolbar(cy, container, options) {
    const bar = document.createElement("div");
    bar.className = "graph-tools";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Graph view");
    function zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * factor,
                renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 } });
    }
    bar.appendChild(button("+", "Zoom in", function () { zoomBy(1.25); }));
    bar.appendChild(button("−", "Zoom out", function () { zoomBy(0.8); }));
    bar.appendChild(button("Fit", "Fit the graph to its frame", function () {
      cy.fit(shownElements(cy), 16);
    }));
    if (options && options.filter) {
      const label = document.createElement("label");
      label.textContent = "Show ";
      const select = document.createElement("select");
      select.className = "graph-filter";
      const whole = document.createElement("option");
      whole.value = "";
      whole.textContent = "the whole model";
      select.appendChild(whole);
      cy.nodes("[kind = 'service']").sort(function (a, b) {
        return String(a.data("label") || a.id()).localeCompare(String(b.data("label") || b.id()));
      }).forEach(function (node) {
        const option = document.createElement("option");
        option.value = node.id();
        option.textContent = node.data("label") || node.id();  // textContent: never markup
        select.appendChild(option);
      });
      select.addEventListener("change", function () { showSubgraph(cy, select.value, options.roots); });
      label.appendChild(select);
      bar.appendChild(label);
    }
    container.parentNode.insertBefore(bar, container);
    return bar;
  }

  // What the filter leaves shown (by class: ":visible" follows only once the style is redrawn).
  function shownElements(cy) {
    return cy.elements().not(".filtered-out");
  }

  // One business service and everything below it (its dependencies, all the way down).
  function showSubgraph(cy, serviceId, roots) {
    cy.batch(function () {
      if (!serviceId) {
        cy.elements().removeClass("filtered-out");
      } else {
        const service = cy.getElementById(serviceId);
        const kept = service.union(service.successors());
        cy.elements().addClass("filtered-out");
        kept.removeClass("filtered-out");
      }
    });
    const shown = shownElements(cy);
    shown.layout(layout(serviceId ? "#" + CSS.escape(serviceId) : roots)).run();
    cy.fit(shown, 16);
  }

  window.bizmapGraph = { layout: layout, toolbar: toolbar, showSubgraph: showSubgraph,
                         hiddenStyle: { selector: ".filtered-out", style: { "display": "none" } } };
})();
