/* The offline report page (midcorridor.views.page): chooses among figures computed
   beforehand (the JSON in #mc-data) and writes them as text, never as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mc-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { middle: "#d62728", northern: "#1f77b4" };
  var byId = function (id) { return document.getElementById(id); };
  var scenarioSelect = byId("mc-scenario");
  var classSelect = byId("mc-class");
  var monthSelect = byId("mc-month");

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = String(value);
    o.textContent = text;
    select.appendChild(o);
  }
  data.scenarios.forEach(function (s, i) { option(scenarioSelect, i, s.name); });
  data.classes.forEach(function (c) { option(classSelect, c.key, c.name); });
  data.months.forEach(function (m, i) { option(monthSelect, i + 1, m); });
  byId("mc-fifty").textContent = String(data.fifty_days_from);

  function days(value, bound) {
    if (value === null || value === undefined) return "\u2013";
    return (bound ? ">" : "") + value.toFixed(1);
  }
  function money(value) {
    if (value === null || value === undefined) return "\u2013";
    return Math.round(value).toLocaleString("en-US");
  }
  function cell(scenario, corridor, shipment, month) {
    return scenario.cells.filter(function (c) {
      return c.corridor === corridor && c.shipment === shipment && c.month === month;
    })[0];
  }
  function text(el, value) { el.textContent = value; return el; }
  function svg(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    parent.appendChild(el);
    return el;
  }

  function drawAnswer(scenario, shipment, month) {
    var has = scenario.cells.length > 0;
    byId("mc-answer").hidden = !has;
    byId("mc-none").hidden = has;
    var what = shipment.replace("_", " ");
    var sentence = scenario.sentences.filter(function (s) {
      return s.indexOf("A " + what + " ") === 0;
    })[0];
    text(byId("mc-sentence"), sentence || "");
    var change = scenario.changes.filter(function (s) {
      return s.indexOf(", a " + what + " on") > 0;
    })[0];
    text(byId("mc-change"), change || "");
    text(byId("mc-description"), scenario.description || "");
    text(byId("mc-answer-caption"), has
      ? what + " " + data.origin + "-" + data.destination + ", departing in " +
        data.months[month - 1] + ": " + scenario.name
      : "");
    ["middle", "northern"].forEach(function (corridor) {
      var row = document.querySelector('#mc-answer tr[data-corridor="' + corridor + '"]');
      var c = has ? cell(scenario, corridor, shipment, month) : null;
      ["p10", "p50", "p90"].forEach(function (k) {
        text(row.querySelector("." + k), c ? days(c[k], c.saturated) : "\u2013");
      });
      text(row.querySelector(".assumed"), c ? Math.round(100 * c.assumed) + "%" : "\u2013");
    });
    var list = byId("mc-stages");
    list.textContent = "";
    var middle = has ? cell(scenario, "middle", shipment, month) : null;
    if (!middle) return;
    var stages = Object.keys(middle.stages).sort(function (a, b) {
      return middle.stages[b] - middle.stages[a];
    });
    var top = stages.length ? middle.stages[stages[0]] : 1;
    stages.forEach(function (stage) {
      var li = document.createElement("li");
      li.setAttribute("data-stage", stage);
      text(li.appendChild(document.createElement("span")), data.stage_words[stage] || stage);
      var bar = li.appendChild(document.createElement("span"));
      bar.className = "mc-bar";
      bar.style.width = (100 * middle.stages[stage] / top).toFixed(1) + "%";
      var value = li.appendChild(document.createElement("span"));
      value.className = "mc-value";
      text(value, middle.stages[stage].toFixed(1) + " d");
      list.appendChild(li);
    });
  }

  function drawChart(scenario, shipment, month) {
    var chart = byId("mc-month-chart");
    chart.textContent = "";
    if (!scenario.cells.length) return;
    var W = 640, H = 260, left = 44, right = 12, top = 12, bottom = 28;
    var cells = scenario.cells.filter(function (c) { return c.shipment === shipment; });
    var high = Math.max(data.fifty_days_from * 1.15, Math.max.apply(null, cells.map(function (c) { return c.p90; })));
    var x = function (m) { return left + (m - 0.5) * (W - left - right) / 12; };
    var y = function (d) { return top + (1 - d / high) * (H - top - bottom); };
    svg("rect", { x: x(month - 0.5), y: top, width: x(1.5) - x(0.5), height: H - top - bottom, "class": "mc-chosen" }, chart);
    for (var tick = 0; tick <= high; tick += 10) {
      svg("line", { x1: left, x2: W - right, y1: y(tick), y2: y(tick), stroke: "#e5e5e5" }, chart);
      text(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, chart), String(tick));
    }
    svg("line", { x1: left, x2: W - right, y1: y(data.fifty_days_from), y2: y(data.fifty_days_from), stroke: "#555", "stroke-dasharray": "5 4" }, chart);
    data.months.forEach(function (name, i) {
      text(svg("text", { x: x(i + 1), y: H - 8, "text-anchor": "middle" }, chart), name);
    });
    ["northern", "middle"].forEach(function (corridor) {
      var series = cells.filter(function (c) { return c.corridor === corridor; })
        .sort(function (a, b) { return a.month - b.month; });
      var band = series.map(function (c) { return x(c.month) + "," + y(c.p90); })
        .concat(series.slice().reverse().map(function (c) { return x(c.month) + "," + y(c.p10); }));
      svg("polygon", { points: band.join(" "), fill: COLOURS[corridor], "fill-opacity": 0.15, "data-corridor": corridor }, chart);
      svg("polyline", {
        points: series.map(function (c) { return x(c.month) + "," + y(c.p50); }).join(" "),
        fill: "none", stroke: COLOURS[corridor], "stroke-width": 2.5, "class": "mc-p50", "data-corridor": corridor
      }, chart);
      var chosen = series.filter(function (c) { return c.month === month; })[0];
      if (chosen) {
        var dot = svg("circle", { cx: x(month), cy: y(chosen.p50), r: 4.5, fill: COLOURS[corridor], "class": "mc-point", "data-corridor": corridor, "data-p50": chosen.p50 }, chart);
        text(svg("title", {}, dot), corridor + ": P50 " + chosen.p50.toFixed(1) + " days");
      }
    });
  }

  function drawRoutes(scenario, shipment) {
    var body = document.querySelector("#mc-routes tbody");
    body.textContent = "";
    scenario.routes.filter(function (r) { return r.shipment === shipment; }).forEach(function (r) {
      var tr = body.appendChild(document.createElement("tr"));
      tr.setAttribute("data-route", r.route);
      [r.route, r.corridor, r.shipment.replace("_", " "),
       days(r.days_p10, r.saturated), days(r.days_p50, r.saturated), days(r.days_p90, r.saturated),
       money(r.usd_p50), r.t_co2e_p50 === null ? "\u2013" : r.t_co2e_p50.toFixed(1)
      ].forEach(function (value) { text(tr.appendChild(document.createElement("td")), value); });
    });
  }

  function update() {
    var scenario = data.scenarios[Number(scenarioSelect.value)];
    var shipment = classSelect.value;
    var month = Number(monthSelect.value);
    drawAnswer(scenario, shipment, month);
    drawChart(scenario, shipment, month);
    drawRoutes(scenario, shipment);
    document.body.setAttribute("data-shown", scenario.name + "|" + shipment + "|" + month);
  }

  // Open on the answer's slowest month of the first class: the brief's question.
  var first = data.scenarios[0];
  var opening = first.cells.filter(function (c) {
    return c.corridor === "middle" && c.shipment === data.classes[data.classes.length - 1].key;
  }).sort(function (a, b) { return b.p50 - a.p50; })[0];
  classSelect.value = data.classes[data.classes.length - 1].key;
  monthSelect.value = String(opening ? opening.month : 1);
  [scenarioSelect, classSelect, monthSelect].forEach(function (s) { s.addEventListener("change", update); });
  update();
})();
