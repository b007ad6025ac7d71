/**
 * The dashboard page: one self-contained HTML document (inline CSS and JS, charts drawn by hand as inline SVG), so
 * it works with no network. It loads nothing but its own SSE stream (/api/events) and posts to the control
 * endpoints with the token the user types in. Every value from the server is inserted as text, never as HTML.
 */

const STYLE = String.raw`
:root { --bg:#0f1419; --panel:#172029; --fg:#e6edf3; --muted:#8b98a5; --grid:#26323d; --ok:#3fb950; --bad:#f85149; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; flex-wrap:wrap; gap:16px; align-items:baseline; padding:12px 20px; border-bottom:1px solid var(--grid); }
header h1 { font-size:18px; margin:0; }
header .meta { color:var(--muted); }
#status { padding:2px 8px; border-radius:10px; background:var(--grid); }
#status.live { background:#1f4d2b; } #status.stopped { background:#5a1e1e; }
main { padding:16px 20px; display:grid; gap:16px; grid-template-columns:repeat(auto-fill,minmax(420px,1fr)); }
.cards { grid-column:1/-1; display:grid; gap:10px; grid-template-columns:repeat(auto-fill,minmax(130px,1fr)); }
.card { background:var(--panel); border-radius:8px; padding:8px 12px; }
.card .k { color:var(--muted); font-size:12px; } .card .v { font-size:20px; font-variant-numeric:tabular-nums; }
.panel { background:var(--panel); border-radius:8px; padding:10px 12px; }
.panel h2 { font-size:13px; margin:0 0 6px; color:var(--muted); font-weight:600; }
svg { width:100%; height:auto; display:block; }
svg text { fill:var(--muted); font-size:11px; }
.legend span { margin-right:12px; font-size:12px; } .legend i { display:inline-block; width:10px; height:3px; margin-right:4px; vertical-align:middle; }
.wide { grid-column:1/-1; }
table { width:100%; border-collapse:collapse; font-size:12px; font-variant-numeric:tabular-nums; }
th,td { text-align:left; padding:3px 6px; border-bottom:1px solid var(--grid); } th { color:var(--muted); font-weight:600; }
.controls { display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
input,select,button { background:#0b1016; color:var(--fg); border:1px solid var(--grid); border-radius:6px; padding:4px 8px; font:inherit; }
button { cursor:pointer; } button.danger { border-color:var(--bad); color:var(--bad); }
#control-result { color:var(--muted); }
.bad { color:var(--bad); } .ok { color:var(--ok); }
`;

const SCRIPT = String.raw`
'use strict';
const MAX_POINTS = 600;
const S = { info: null, counters: null, history: [], decisions: [], decisionsTotal: 0, running: true, events: 0 };
const $ = (id) => document.getElementById(id);
const NS = 'http://www.w3.org/2000/svg';

function fmt(v, digits) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (digits !== undefined) return v.toFixed(digits);
  if (Number.isInteger(v) && a < 1e4) return String(v);
  if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}
function setText(id, text) { const el = $(id); if (el && el.textContent !== text) el.textContent = text; }
function el(tag, attrs) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }

// A line chart in a 600x170 viewBox: y from 0 (or the data minimum when negative) to the data maximum.
function drawChart(svgId, series, opts) {
  const svg = $(svgId);
  const W = 600, H = 170, L = 48, R = 8, T = 8, B = 20;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  const xs = S.history.map((t) => t.tSeconds);
  let lo = 0, hi = (opts && opts.minMax) || 0;
  for (const s of series) for (const t of S.history) { const v = s.get(t); if (Number.isFinite(v)) { if (v > hi) hi = v; if (v < lo) lo = v; } }
  if (hi <= lo) hi = lo + 1;
  hi = hi * 1.05;
  const x0 = xs.length ? xs[0] : 0, x1 = xs.length > 1 ? xs[xs.length - 1] : x0 + 1;
  const px = (x) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y) => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = lo + ((hi - lo) * i) / 4;
    svg.appendChild(el('line', { x1: L, x2: W - R, y1: py(y), y2: py(y), stroke: '#26323d', 'stroke-width': 1 }));
    const label = el('text', { x: L - 4, y: py(y) + 4, 'text-anchor': 'end' }); label.textContent = fmt(y); svg.appendChild(label);
  }
  const tl = el('text', { x: L, y: H - 4 }); tl.textContent = 't=' + fmt(x0, 0) + ' s'; svg.appendChild(tl);
  const tr = el('text', { x: W - R, y: H - 4, 'text-anchor': 'end' }); tr.textContent = 't=' + fmt(x1, 0) + ' s'; svg.appendChild(tr);
  for (const s of series) {
    let d = '', prevY = null;
    S.history.forEach((t, i) => {
      const v = s.get(t);
      if (!Number.isFinite(v)) { prevY = null; return; }
      const X = px(xs[i]).toFixed(1), Y = py(v).toFixed(1);
      if (prevY === null) d += 'M' + X + ' ' + Y;
      else d += s.step ? 'H' + X + 'V' + Y : 'L' + X + ' ' + Y;
      prevY = Y;
    });
    if (d === '') continue;
    const path = el('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': s.width || 1.8 });
    if (s.dash) path.setAttribute('stroke-dasharray', '6 4');
    path.setAttribute('data-series', s.name);
    svg.appendChild(path);
  }
}

function legend(id, series) {
  const box = $(id); if (box.childElementCount) return;
  for (const s of series) { const span = document.createElement('span'); const i = document.createElement('i'); i.style.background = s.color; span.appendChild(i); span.appendChild(document.createTextNode(s.name)); box.appendChild(span); }
}

const CHARTS = [
  ['c-rate', 'l-rate', [
    { name: 'arrivals', color: '#58a6ff', get: (t) => t.arrivalRateMsgsPerS },
    { name: 'processed', color: '#3fb950', get: (t) => t.processedRateMsgsPerS },
    { name: 'edge forecast', color: '#d2a8ff', dash: true, get: (t) => t.forecastRateMsgsPerS },
  ]],
  ['c-backlog', 'l-backlog', [{ name: 'backlog (msgs)', color: '#f0883e', get: (t) => t.backlogMsgs }]],
  ['c-latency', 'l-latency', [
    { name: 'p95 latency (ms)', color: '#ff7b72', get: (t) => t.p95LatencyMs },
    { name: 'SLA', color: '#e6edf3', dash: true, width: 1, get: (t) => t.slaP95LatencyMs },
  ]],
  ['c-exec', 'l-exec', [
    { name: 'running', color: '#3fb950', step: true, get: (t) => t.executorsRunning },
    { name: 'starting', color: '#d29922', step: true, get: (t) => t.executorsStarting },
    { name: 'draining', color: '#8b98a5', step: true, get: (t) => t.executorsDraining },
  ]],
  ['c-mem', 'l-mem', [
    { name: 'memory / executor (GB)', color: '#79c0ff', step: true, get: (t) => t.memoryPerExecutorGb },
    { name: 'memory used (%)', color: '#f778ba', get: (t) => t.memoryUtilization * 100 },
  ]],
  ['c-cost', 'l-cost', [{ name: 'cost rate ($/h)', color: '#e3b341', get: (t) => t.costRateUsdPerHour }]],
  ['c-weights', 'l-weights', [
    { name: 'alpha (cost)', color: '#e3b341', step: true, get: (t) => t.weights.alpha },
    { name: 'beta (latency)', color: '#ff7b72', step: true, get: (t) => t.weights.beta },
    { name: 'gamma (throughput)', color: '#3fb950', step: true, get: (t) => t.weights.gamma },
  ]],
];

let drawPending = false;
function scheduleDraw() { if (drawPending) return; drawPending = true; requestAnimationFrame(() => { drawPending = false; render(); }); }

function render() {
  const info = S.info;
  if (info) {
    setText('scenario', info.scenario); setText('policy', info.policy); setText('mode', info.mode);
    setText('notes', info.notes.join(' · '));
    fillSelect('policy-select', info.policies, info.policy);
    fillSelect('mode-select', info.modes, info.mode);
  }
  const st = $('status'); st.textContent = S.running ? 'live' : 'stopped'; st.className = S.running ? 'live' : 'stopped';
  const c = S.counters;
  if (c) { setText('v-published', fmt(c.published)); setText('v-ingested', fmt(c.ingested)); setText('v-processed', fmt(c.processed)); setText('v-dropped', fmt(c.dropped)); setText('v-malformed', fmt(c.malformed)); }
  const t = S.history.length ? S.history[S.history.length - 1] : null;
  if (t) {
    setText('v-t', fmt(t.tSeconds, 0) + ' s');
    setText('v-arrival', fmt(t.arrivalRateMsgsPerS));
    setText('v-forecast', fmt(t.forecastRateMsgsPerS));
    setText('v-backlog', fmt(t.backlogMsgs));
    setText('v-p95', fmt(t.p95LatencyMs, 0) + ' / ' + fmt(t.slaP95LatencyMs, 0));
    $('v-p95').className = 'v ' + (t.p95LatencyMs > t.slaP95LatencyMs ? 'bad' : 'ok');
    setText('v-exec', t.executorsRunning + ' (+' + t.executorsStarting + ')');
    setText('v-mem', fmt(t.memoryPerExecutorGb, 0) + ' GB · ' + fmt(t.memoryUtilization * 100, 0) + '%');
    setText('v-tier', t.tier + ' / ' + t.codec);
    setText('v-costrate', '$' + fmt(t.costRateUsdPerHour) + '/h');
    setText('v-cost', '$' + t.costTotalUsd.toFixed(4));
    setText('v-weights', fmt(t.weights.alpha, 2) + ' / ' + fmt(t.weights.beta, 2) + ' / ' + fmt(t.weights.gamma, 2));
  }
  setText('v-decisions', String(S.decisionsTotal));
  for (const [svgId, legendId, series] of CHARTS) { legend(legendId, series); drawChart(svgId, series); }
  renderDecisions();
  document.body.setAttribute('data-events', String(S.events));
}

function fillSelect(id, values, current) {
  const sel = $(id);
  const key = values.join('|');
  if (sel.getAttribute('data-key') !== key) {
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    for (const v of values) { const o = document.createElement('option'); o.value = v; o.textContent = v; sel.appendChild(o); }
    sel.setAttribute('data-key', key);
    sel.disabled = values.length === 0;
  }
  if (document.activeElement !== sel && values.includes(current)) sel.value = current;
}

function actionText(a) { return a.executors + '×' + a.memoryGb + 'GB ' + a.tier + '/' + a.codec; }
function renderDecisions() {
  const body = $('decisions');
  while (body.firstChild) body.removeChild(body.firstChild);
  for (const d of S.decisions.slice().reverse().slice(0, 20)) {
    const tr = document.createElement('tr');
    const cells = [fmt(d.tSeconds, 0), d.policy, actionText(d.proposed), actionText(d.applied), d.path, d.shieldReasons.join('; ') || '–', fmt(d.decisionMicros / 1000, 2)];
    for (const text of cells) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
    body.appendChild(tr);
  }
}

function connect() {
  const es = new EventSource('/api/events');
  es.addEventListener('state', (m) => {
    const s = JSON.parse(m.data);
    S.info = s.info; S.counters = s.counters; S.history = s.history; S.decisions = s.decisions; S.decisionsTotal = s.decisionsTotal; S.running = s.running;
    S.events++; scheduleDraw();
  });
  es.addEventListener('tick', (m) => {
    const e = JSON.parse(m.data);
    S.history.push(e.tick); if (S.history.length > MAX_POINTS) S.history.shift();
    S.decisions.push(e.decision); if (S.decisions.length > 50) S.decisions.shift();
    S.decisionsTotal = e.decisionsTotal; S.events++; scheduleDraw();
  });
  es.addEventListener('counters', (m) => { S.counters = JSON.parse(m.data); S.events++; scheduleDraw(); });
  es.addEventListener('info', (m) => { const e = JSON.parse(m.data); S.info = e.info; S.running = e.running; S.events++; scheduleDraw(); });
  es.onopen = () => setText('conn', 'connected');
  es.onerror = () => setText('conn', 'reconnecting…');
}

async function post(path, body) {
  const token = $('token').value.trim();
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const out = $('control-result');
  try {
    const r = await fetch(path, { method: 'POST', headers: headers, body: JSON.stringify(body || {}) });
    const j = await r.json().catch(() => ({}));
    out.textContent = r.status + ' ' + (r.ok ? 'ok' : (j.error || r.statusText));
    out.className = r.ok ? 'ok' : 'bad';
  } catch (err) { out.textContent = String(err); out.className = 'bad'; }
}

document.addEventListener('DOMContentLoaded', () => {
  $('apply-policy').addEventListener('click', () => post('/api/policy', { policy: $('policy-select').value }));
  $('apply-mode').addEventListener('click', () => post('/api/mode', { mode: $('mode-select').value }));
  $('stop').addEventListener('click', () => { if (confirm('Stop the pipeline?')) post('/api/stop', {}); });
  connect();
});
`;

function card(id: string, label: string): string {
  return `<div class="card"><div class="k">${label}</div><div class="v" id="${id}">–</div></div>`;
}

function chart(id: string, title: string): string {
  return `<section class="panel"><h2>${title}</h2><svg id="c-${id}" viewBox="0 0 600 170" role="img" aria-label="${title}"></svg><div class="legend" id="l-${id}"></div></section>`;
}

export function renderDashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edgepilot dashboard</title>
<style>${STYLE}</style>
</head>
<body data-events="0">
<header>
  <h1>Edgepilot</h1>
  <span class="meta">scenario <b id="scenario">–</b></span>
  <span class="meta">policy <b id="policy">–</b></span>
  <span class="meta">mode <b id="mode">–</b></span>
  <span id="status">…</span>
  <span class="meta" id="conn">connecting…</span>
  <span class="meta" id="notes"></span>
</header>
<main>
  <div class="cards">
    ${card('v-t', 'time')}
    ${card('v-arrival', 'arrivals (msgs/s)')}
    ${card('v-forecast', 'edge forecast (msgs/s)')}
    ${card('v-backlog', 'backlog (msgs)')}
    ${card('v-p95', 'p95 / SLA (ms)')}
    ${card('v-exec', 'executors (+starting)')}
    ${card('v-mem', 'memory')}
    ${card('v-tier', 'tier / codec')}
    ${card('v-costrate', 'cost rate')}
    ${card('v-cost', 'cost total')}
    ${card('v-weights', 'α / β / γ')}
    ${card('v-decisions', 'decisions')}
    ${card('v-published', 'published')}
    ${card('v-ingested', 'ingested')}
    ${card('v-processed', 'processed')}
    ${card('v-dropped', 'dropped')}
    ${card('v-malformed', 'malformed')}
  </div>
  ${chart('rate', 'Arrivals vs edge forecast (msgs/s)')}
  ${chart('backlog', 'Backlog (messages)')}
  ${chart('latency', 'p95 end-to-end latency vs SLA (ms)')}
  ${chart('exec', 'Executors')}
  ${chart('mem', 'Memory')}
  ${chart('cost', 'Cost rate (USD/h)')}
  ${chart('weights', 'Reward weights α β γ')}
  <section class="panel">
    <h2>Control (needs the token printed at start)</h2>
    <div class="controls">
      <input id="token" type="password" placeholder="token" autocomplete="off" size="20">
      <select id="policy-select" aria-label="policy"></select><button id="apply-policy">switch policy</button>
      <select id="mode-select" aria-label="mode"></select><button id="apply-mode">switch mode</button>
      <button id="stop" class="danger">stop</button>
    </div>
    <p id="control-result"></p>
  </section>
  <section class="panel wide">
    <h2>Decision log (newest first)</h2>
    <table><thead><tr><th>t (s)</th><th>policy</th><th>proposed</th><th>applied</th><th>path</th><th>shield</th><th>decision (ms)</th></tr></thead>
    <tbody id="decisions"></tbody></table>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
