/* bizmap web UI: ticking money and live updates over server-sent events.
   No framework: the server renders every piece of HTML (escaped); this script only
   moves numbers between updates and asks the server for fresh fragments. */
(function () {
  "use strict";
  var SYMBOLS = { EUR: "€", GBP: "£", USD: "$", JPY: "¥", CHF: "CHF " };
  var offset = 0; // client clock minus server clock, seconds

  function money(value, currency) {
    // half away from zero on the cents, as the server's pages (bizmap.text.money_text)
    var whole = Math.floor((Math.round(Math.abs(value) * 100) + 50) / 100);
    var text = (value < 0 && whole ? -whole : whole).toLocaleString("en-GB");
    var symbol = SYMBOLS[currency];
    return symbol ? symbol + text : text + " " + currency;
  }

  // amount at data-at (server seconds) + rate per hour since then
  function tick() {
    var now = Date.now() / 1000 - offset;
    document.querySelectorAll(".ticking").forEach(function (el) {
      var amount = parseFloat(el.dataset.amount), rate = parseFloat(el.dataset.rate);
      var at = parseFloat(el.dataset.at);
      if (isNaN(amount) || isNaN(rate) || isNaN(at)) return;
      el.textContent = money(amount + rate * Math.max(0, now - at) / 3600, el.dataset.currency);
    });
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function onOverview(snapshot) {
    offset = Date.now() / 1000 - snapshot.at_seconds;
    var inc = snapshot.incidents, cur = snapshot.currency;
    // the big number and the sentence tick from the same amount, rate and instant
    document.querySelectorAll(".incident-cost").forEach(function (el) {
      el.dataset.amount = inc.cost;
      el.dataset.rate = inc.cost_per_hour;
      el.dataset.at = snapshot.at_seconds;
    });
    setText("incident-count", String(inc.open));
    setText("incident-rate", money(inc.cost_per_hour, cur));
    setText("incident-users", inc.users.toLocaleString("en-GB"));
    setText(
      "incident-announcement",
      "Open incidents: " + inc.open + ", costing " + money(inc.cost, cur) + " so far, rising by " +
        money(inc.cost_per_hour, cur) + " per hour; " + inc.users.toLocaleString("en-GB") + " people affected."
    );
    var tiles = document.getElementById("tiles");
    if (tiles && window.htmx) {
      var focused = document.activeElement;
      var href = focused && tiles.contains(focused) ? focused.getAttribute("href") : null;
      window.htmx.ajax("GET", "/ui/overview/tiles" + window.location.search, { target: "#tiles", swap: "outerHTML" }).then(function () {
        if (href) {
          var again = document.querySelector('#tiles a[href="' + CSS.escape(href) + '"]');
          if (again) again.focus();
        }
        tick();
      });
    }
    tick();
  }

  function connect(url) {
    var status = document.getElementById("stream-status");
    var source = new EventSource(url);
    source.addEventListener("overview", function (message) {
      if (status) status.textContent = "";
      onOverview(JSON.parse(message.data));
    });
    source.onerror = function () {
      if (status) status.textContent = "(reconnecting…)";
    };
  }

  // the time-zone select in the top bar: tell the server this browser's zone, choose on change
  function timeZoneChoice() {
    var form = document.querySelector("form.time-zone");
    if (!form) return;
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var select = form.querySelector("select");
    var browser = select.querySelector('option[value="browser"]');
    if (zone) {
      if (!browser.selected) browser.textContent = zone + " (this browser)";
      form.querySelector('input[name="browser_zone"]').value = zone;
      browser.disabled = false;
    }
    form.querySelector("button").hidden = true;
    select.addEventListener("change", function () { form.submit(); });
  }

  // A table too wide for its place becomes a stack of cards (one a row), each cell labelled
  // with its column's heading; without this script it scrolls inside its own frame.
  function labelCells(table) {
    if (table.dataset.labelled || !table.tHead || !table.tHead.rows.length) return;
    var names = [];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) names.push(cell.textContent.replace(/\s+/g, " ").trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.colSpan === 1 && names[column]) cell.setAttribute("data-label", names[column]);
          column += cell.colSpan;
        });
      });
    });
    table.dataset.labelled = "yes";
  }

  function fitTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      labelCells(table);
      table.classList.remove("stacked");
      if (table.scrollWidth > table.parentElement.clientWidth + 1) table.classList.add("stacked");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    timeZoneChoice();
    fitTables();
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(fitTables, 100);
    });
    document.body.addEventListener("htmx:afterSettle", fitTables);
    var first = document.querySelector("[data-at]");
    if (first) offset = Date.now() / 1000 - parseFloat(first.dataset.at);
    var live = document.querySelector("[data-stream]");
    if (live) connect(live.dataset.stream);
    if (document.querySelector(".ticking")) {
      tick();
      setInterval(tick, 1000);
    }
  });
})();
