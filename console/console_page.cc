#include "console/console_page.h"

namespace cdr::console {
namespace {

// Read-only: the script only GETs the JSON APIs. Values are put into the page with textContent, never as HTML.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cdr console</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2733; background: #f3f5f8; }
header { background: #1d2733; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: baseline; }
header h1 { font-size: 18px; margin: 0; }
main { padding: 12px 20px; display: grid; gap: 14px; }
section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px #0002; }
h2 { font-size: 15px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e7ee; vertical-align: middle; }
.counts { display: flex; gap: 10px; flex-wrap: wrap; }
.count { padding: 6px 12px; border-radius: 4px; background: #eef1f5; }
.count b { font-size: 18px; margin-right: 4px; }
.h-healthy { color: #137333; } .h-rpo_high { color: #b06000; } .h-error { color: #c5221f; }
.h-unknown { color: #5f6368; } .h-not_replicating { color: #1a56a8; }
.notlive { color: #c5221f; font-weight: bold; }
svg.rpo-chart { background: #fafbfc; border: 1px solid #e3e7ee; }
.bar { height: 8px; background: #e3e7ee; border-radius: 4px; width: 120px; display: inline-block; }
.bar i { display: block; height: 8px; background: #1a73e8; border-radius: 4px; }
button.link { background: none; border: 0; color: #1a56a8; cursor: pointer; padding: 0; font: inherit; }
</style>
</head>
<body>
<header><h1>cdr console</h1><span id="observed">loading…</span><span id="live"></span></header>
<main>
<section id="overview"><h2>Group overview</h2><div id="groups"></div></section>
<section><h2>Servers</h2>
<table id="servers"><thead><tr><th>Group</th><th>Server</th><th>State</th><th>Health</th><th>RPO</th>
<th>RPO, last hours</th><th>Progress</th></tr></thead><tbody></tbody></table></section>
<section id="timeline"><h2>Recovery points of <span id="timeline-server">-</span></h2><div id="timeline-body"></div></section>
<section><h2>Tasks</h2>
<table id="jobs"><thead><tr><th>#</th><th>Resource</th><th>Operation</th><th>Status</th><th>Progress</th>
<th>Started</th><th>Error</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
const SVG = "http://www.w3.org/2000/svg";
let selected = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
function seconds(s) {
  if (s === null || s === undefined || s < 0) return "-";
  return s < 120 ? s.toFixed(1) + " s" : s < 7200 ? (s / 60).toFixed(1) + " min" : (s / 3600).toFixed(1) + " h";
}
function time(ms) { return ms ? new Date(ms).toISOString().replace(".000", "") : "-"; }
function bar(percent) {
  const b = el("span", null, "bar"), i = el("i");
  i.style.width = Math.max(0, Math.min(100, percent)) + "%";
  b.appendChild(i);
  return b;
}
async function get(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

function chart(samples) {
  const w = 260, h = 48;
  const s = svg("svg", {width: w, height: h, class: "rpo-chart", "data-samples": samples.length});
  const known = samples.filter(p => p.rpo >= 0);
  if (known.length === 0) return s;
  const t0 = samples[0].t, t1 = Math.max(samples[samples.length - 1].t, t0 + 1);
  const max = Math.max(...known.map(p => p.rpo)), top = Math.max(1, max);  // a flat 0 stays at the bottom
  const points = known.map(p => ((p.t - t0) / (t1 - t0) * (w - 4) + 2).toFixed(1) + "," +
                                (h - 2 - p.rpo / top * (h - 4)).toFixed(1)).join(" ");
  s.appendChild(svg("polyline", {points, fill: "none", stroke: "#1a73e8", "stroke-width": 1.5}));
  const label = svg("text", {x: 4, y: 12, "font-size": 10, fill: "#5f6368"});
  label.textContent = "max " + seconds(max);
  s.appendChild(label);
  return s;
}

async function renderTimeline(server) {
  // Built aside and swapped in at the end, so a refresh never shows a half-drawn timeline.
  const body = el("div");
  body.id = "timeline-body";
  const done = () => {
    document.getElementById("timeline-server").textContent = server.group + "/" + server.name;
    document.getElementById("timeline-body").replaceWith(body);
  };
  let rp;
  try { rp = await get("/api/recovery-points?server=" + encodeURIComponent(server.address)); }
  catch (e) { body.appendChild(el("p", "no recovery points: " + e.message)); return done(); }
  if (rp.error) { body.appendChild(el("p", rp.error)); return done(); }
  const points = rp.points || [];
  const start = rp.window_start_ns / 1e6, end = rp.window_end_ns / 1e6;
  body.appendChild(el("p", start ? "Any point in time from " + time(start) + " to " + time(end) +
                                   " · history " + (rp.history_bytes / 1048576).toFixed(1) + " MiB"
                                 : "No history yet."));
  const w = 900, h = 40;
  const s = svg("svg", {width: w, height: h, class: "rp-timeline", "data-points": points.length});
  s.appendChild(svg("line", {x1: 10, y1: 20, x2: w - 10, y2: 20, stroke: "#9aa0a6"}));
  const times = points.map(p => p.time_ns / 1e6).concat(start ? [start, end] : []);
  const lo = Math.min(...times), hi = Math.max(...times, lo + 1);
  if (start) s.appendChild(svg("rect", {x: 10 + (start - lo) / (hi - lo) * (w - 20), y: 14, height: 12,
                                        width: Math.max(2, (end - start) / (hi - lo) * (w - 20)), fill: "#c6dafc"}));
  for (const p of points) {
    const c = svg("circle", {cx: 10 + (p.time_ns / 1e6 - lo) / (hi - lo) * (w - 20), cy: 20, r: 5,
                             fill: p.kind === "manual" ? "#b06000" : "#1a73e8"});
    const title = svg("title", {});
    title.textContent = p.id + " " + p.kind;
    c.appendChild(title);
    s.appendChild(c);
  }
  body.appendChild(s);
  const list = el("ul");
  for (const p of points.slice(-8)) list.appendChild(el("li", p.id + " · " + p.kind + " · " + time(p.time_ns / 1e6)));
  body.appendChild(list);
  done();
}

async function refresh() {
  const [status, jobs] = await Promise.all([get("/api/status"), get("/api/jobs")]);
  document.getElementById("observed").textContent = "observed " + time(status.observed_at_ms) + " in " +
      status.refresh_seconds.toFixed(2) + " s";
  const live = document.getElementById("live");
  live.textContent = status.live ? "live" : "NOT LIVE: " + status.not_live_reason;
  live.className = status.live ? "" : "notlive";

  const groups = document.getElementById("groups");
  groups.replaceChildren();
  const servers = [];
  for (const g of status.groups) {
    const box = el("div", null, "counts group");
    box.dataset.group = g.name;
    box.appendChild(el("strong", g.name));
    for (const h of ["healthy", "rpo_high", "not_replicating", "error", "unknown"]) {
      const c = el("span", null, "count h-" + h);
      c.dataset.health = h;
      c.appendChild(el("b", String(g.health[h] || 0)));
      c.appendChild(document.createTextNode(h.replace("_", " ")));
      box.appendChild(c);
    }
    groups.appendChild(box);
    for (const s of g.servers) servers.push(Object.assign({group: g.name}, s));
  }

  const tbody = document.querySelector("#servers tbody");
  const rows = await Promise.all(servers.map(async s => {
    const tr = el("tr", null, "server");
    tr.dataset.server = s.group + "/" + s.name;
    tr.appendChild(el("td", s.group));
    const name = el("button", s.name, "link");
    name.onclick = () => { selected = s.address; renderTimeline(s); };
    const td = el("td"); td.appendChild(name); tr.appendChild(td);
    tr.appendChild(el("td", s.state, "state"));
    tr.appendChild(el("td", s.health, "health h-" + s.health));
    tr.appendChild(el("td", seconds(s.rpo_seconds) + (s.rpo_live ? "" : " (not live)"), "rpo"));
    const c = el("td");
    try { c.appendChild(chart((await get("/api/rpo?server=" + encodeURIComponent(s.address))).samples)); }
    catch (e) { c.textContent = e.message; }
    tr.appendChild(c);
    const p = el("td");
    if (typeof s.progress_percent === "number") { p.appendChild(bar(s.progress_percent)); p.append(" " + s.progress_percent.toFixed(0) + " %"); }
    tr.appendChild(p);
    return tr;
  }));
  tbody.replaceChildren(...rows);

  const jbody = document.querySelector("#jobs tbody");
  jbody.replaceChildren(...jobs.jobs.slice(0, 30).map(j => {
    const tr = el("tr", null, "job");
    tr.dataset.status = j.status;
    for (const v of [j.id, j.address, j.operation, j.status]) tr.appendChild(el("td", String(v)));
    const p = el("td"); p.appendChild(bar(j.progress)); p.append(" " + j.progress + " %"); tr.appendChild(p);
    tr.appendChild(el("td", time(j.started_at_ms)));
    tr.appendChild(el("td", j.error));
    return tr;
  }));

  const current = servers.find(s => s.address === selected) || servers.find(s => s.shadow_host_id) || servers[0];
  if (current) { selected = current.address; await renderTimeline(current); }
  document.body.dataset.ready = "1";
  setTimeout(refresh, Math.max(2, status.interval_seconds) * 1000);
}

refresh().catch(e => { document.getElementById("observed").textContent = "error: " + e.message; });
</script>
</body>
</html>
)html";

}  // namespace

std::string_view ConsolePageHtml() { return kPage; }

}  // namespace cdr::console
