/* Draws each case network (partials/network.html) with Cytoscape.js.
 *
 * The elements come from the <script type="application/json"> block that the canvas names in
 * data-network-elements, so the page needs no inline script and a strict Content-Security-Policy
 * holds. Clicking a node or link names it in the canvas's aria-live selection line and fades the
 * rest; clicking the background clears it. The table under the canvas says the same in text.
 */
(function () {
  "use strict";

  // Cytoscape adds a one-rule <style> element unless one with this id exists; a strict CSP
  // blocks inline styles, so a placeholder stands in and views.css holds that rule instead.
  var STYLESHEET_ID = "__________cytoscape_stylesheet";

  var STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", "shape": "data(shape)", "label": "data(label)",
      "font-size": 9,
      "color": "#222", "text-valign": "bottom", "text-margin-y": 3,
      "width": "mapData(signals, 1, 30, 14, 34)", "height": "mapData(signals, 1, 30, 14, 34)",
      "text-background-color": "#fff", "text-background-opacity": 0.7,
      "text-background-padding": 1, "min-zoomed-font-size": 7 } },
    { selector: "edge", style: {
      "line-color": "data(colour)", "width": "mapData(score, 0, 1, 1, 5)",
      "opacity": 0.7, "curve-style": "bezier" } },
    { selector: ".faded", style: { "opacity": 0.12 } },
    { selector: ":selected", style: { "border-width": 3, "border-color": "#000" } }
  ];

  function describe(element) {
    var data = element.data();
    if (element.isNode()) {
      return data.id + " (" + data.kind.replace("_", " ") + "): named by " + data.signals +
        " signal(s), " + data.degree + " link(s)";
    }
    return data.kind + " link " + data.source + " to " + data.target + ": " + data.signals +
      " signal(s), highest score " + data.score.toFixed(2) + " (" + data.detectors.join(", ") + ")";
  }

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-network-elements"));
    var selection = document.getElementById(canvas.getAttribute("data-network-selection"));
    if (!block || typeof window.cytoscape !== "function") { return null; }
    var cy = window.cytoscape({
      container: canvas, elements: JSON.parse(block.textContent), style: STYLE,
      layout: { name: "circle", animate: false }, minZoom: 0.2, maxZoom: 4
    });
    // cose from a circle, not from every node at the origin: no two nodes start in one place,
    // where cytoscape cannot draw the edge between them ("invalid endpoints").
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 9000,
                idealEdgeLength: 60, padding: 20 }).run();
    cy.on("tap", function (event) {
      cy.elements().removeClass("faded");
      if (event.target === cy) {
        if (selection) { selection.textContent = ""; }
        return;
      }
      var near = event.target.isNode() ? event.target.closedNeighborhood()
        : event.target.connectedNodes().union(event.target);
      cy.elements().not(near).addClass("faded");
      if (selection) { selection.textContent = describe(event.target); }
    });
    canvas.vigilNetwork = cy;
    return cy;
  }

  function drawAll() {
    var canvases = document.querySelectorAll(".network-canvas[data-network-elements]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      if (!canvas.vigilNetwork) { draw(canvas); }
    });
  }

  function start() {
    if (!document.getElementById(STYLESHEET_ID)) {
      var placeholder = document.createElement("meta");
      placeholder.id = STYLESHEET_ID;
      document.head.appendChild(placeholder);
    }
    drawAll();
    // A partial swapped in later (htmx) gets drawn too; a canvas already drawn is left alone.
    document.addEventListener("htmx:afterSettle", drawAll);
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".network-fit") : null;
      if (!button) { return; }
      var canvas = document.getElementById(button.getAttribute("data-network-canvas"));
      if (canvas && canvas.vigilNetwork) { canvas.vigilNetwork.fit(undefined, 20); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
