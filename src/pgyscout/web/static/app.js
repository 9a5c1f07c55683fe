// pgyscout dashboard: every page reads without this file; it adds the CSRF header to htmx
// requests and draws the charts from the JSON blocks the server put in the page.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
});

function chartData(el) {
  var source = document.getElementById(el.dataset.source);
  return source ? JSON.parse(source.textContent) : null;
}

var FONT = { family: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };
var CONFIG = { displaylogo: false, responsive: true };

function layout(extra) {
  var base = { margin: { l: 60, r: 20, t: 20, b: 40 }, height: 320, font: FONT, showlegend: true };
  for (var key in extra) { base[key] = extra[key]; }
  return base;
}

var DRAW = {
  trend: function (el, d) {
    return [[
      { x: d.x, y: d.y, type: "scatter", mode: "lines", name: el.dataset.title },
      { x: d.spike_x, y: d.spike_y, type: "scatter", mode: "markers", name: "⚠",
        marker: { color: "#d62728", size: 10 } }
    ], layout({ yaxis: { title: { text: el.dataset.title } } })];
  },
  scatter: function (el, d) {
    var daily = { x: [], y: [], text: [] }, coop = { x: [], y: [], text: [] };
    for (var i = 0; i < d.x.length; i++) {
      var target = d.kind[i] === "cooperation" ? coop : daily;
      target.x.push(d.x[i]); target.y.push(d.y[i]); target.text.push(d.text[i]);
    }
    function trace(t, name, color) {
      return { x: t.x, y: t.y, text: t.text, type: "scatter", mode: "markers", name: name,
        hovertemplate: "%{text}<br>%{x:,} / %{y:,}<extra></extra>", marker: { color: color } };
    }
    return [[trace(daily, el.dataset.daily, "#1f77b4"), trace(coop, el.dataset.coop, "#ff7f0e")],
      layout({ xaxis: { title: { text: el.dataset.x } }, yaxis: { title: { text: el.dataset.y } } })];
  },
  usage: function (el, d) {
    return [[
      { x: d.x, y: d.calls, type: "bar", name: el.dataset.calls },
      { x: d.x, y: d.billed, type: "bar", name: el.dataset.billed },
      { x: d.x, y: d.cache, type: "bar", name: el.dataset.cache }
    ], layout({ barmode: "group", xaxis: { type: "category" } })];
  }
};

function drawCharts(root) {
  if (typeof Plotly === "undefined") { return; }
  root.querySelectorAll("div.chart[data-kind]").forEach(function (el) {
    var data = chartData(el);
    var draw = DRAW[el.dataset.kind];
    if (!data || !draw) { return; }
    var figure = draw(el, data);
    Plotly.newPlot(el, figure[0], figure[1], CONFIG);
  });
}

window.addEventListener("load", function () { drawCharts(document); });
