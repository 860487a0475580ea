// The finance leads' dashboard: vanilla JS, no build step, charts drawn with uPlot (served from
// /vendor). Reads the same figures as `ar metrics`, `ar metrics history` and `ar metrics decisions`
// through /api with the signed-in user's token (a viewer is enough). Server text goes in as text.
'use strict';

const TOKEN_KEY = 'ar.admin.token';
const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'];
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7e8c'];
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN_KEY);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  for (const c of children.flat())
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = new Error(body?.error?.message || `HTTP ${res.status}`);
    e.status = res.status;
    throw e;
  }
  return body;
}

const daySeconds = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;
const pct = (r) => (r.rate === null ? 'n/a' : `${Math.round(r.rate * 100)}%`);
const interval = (r) => (r.lower === null ? '' : `${Math.round(r.lower * 100)}–${Math.round(r.upper * 100)}%`);

/** Draws a chart into its container and records how many data points it plotted (read by tests and operators). */
function draw(container, opts, data) {
  container.replaceChildren();
  const points = data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null && y !== undefined).length, 0);
  container.dataset.points = String(points);
  if (points === 0) {
    container.append(el('p', { class: 'hint' }, 'No data yet.'));
    return;
  }
  const width = Math.max(320, Math.min(960, container.clientWidth || 960));
  new uPlot({ width, height: 260, ...opts }, data, container);
}

/**
 * One line per currency and measure for the daily snapshots, and the baseline of each as a dashed
 * line across. `measures`: [label, pick] pairs (a pick returns null where a figure is undefined).
 */
function trendChart(container, title, unit, history, measures) {
  const daily = history.filter((s) => s.kind === 'daily').sort((a, b) => (a.asOf < b.asOf ? -1 : 1));
  const baseline = history.find((s) => s.kind === 'baseline'); // newest first: the latest baseline
  const currencies = [...new Set(history.flatMap((s) => Object.keys(s.byCurrency)))].sort();
  const xs = [...new Set([...daily.map((s) => s.asOf), ...(baseline ? [baseline.asOf] : [])])].sort();
  const data = [xs.map(daySeconds)];
  const series = [{}];
  let colour = 0;
  for (const cur of currencies) {
    for (const [label, pick] of measures) {
      const stroke = COLOURS[colour++ % COLOURS.length];
      const byDay = new Map(daily.map((s) => [s.asOf, s.byCurrency[cur] ? pick(s.byCurrency[cur]) : null]));
      data.push(xs.map((d) => byDay.get(d) ?? null));
      series.push({ label: `${cur} ${label}`, stroke, width: 2, spanGaps: true, points: { show: true, size: 6 } });
      const base = baseline?.byCurrency[cur] ? pick(baseline.byCurrency[cur]) : null;
      if (base !== null && base !== undefined) {
        data.push(xs.map(() => base));
        series.push({ label: `${cur} ${label}, baseline ${baseline.asOf}`, stroke, width: 1, dash: [6, 4], points: { show: false } });
      }
    }
  }
  draw(container, { title: `${title} (${unit})`, scales: { x: { time: true } }, series }, data);
}

/** Grouped bars: each bucket holds one bar per currency (its share of that currency's open AR). */
function agingChart(container, report) {
  const currencies = Object.keys(report.byCurrency).sort();
  const slots = currencies.length + 1; // one empty slot between buckets keeps the bars apart
  const xs = [];
  for (let b = 0; b < BUCKETS.length; b++) for (let j = 0; j < slots; j++) xs.push(b + j / slots);
  const data = [xs];
  const series = [{ label: 'bucket' }];
  currencies.forEach((cur, j) => {
    const m = report.byCurrency[cur];
    const open = Number(m.arOpen);
    data.push(
      xs.map((x) => {
        const b = Math.floor(x + 1e-9);
        const slot = Math.round((x - b) * slots);
        // Display only: a share of the open total, never money arithmetic.
        return slot === j && open > 0 ? Math.round((Number(m.aging[BUCKETS[b]]) / open) * 1000) / 10 : null;
      }),
    );
    series.push({
      label: `${cur} % of open`,
      fill: COLOURS[j % COLOURS.length],
      stroke: COLOURS[j % COLOURS.length],
      paths: uPlot.paths.bars({ size: [0.95, Infinity] }),
      points: { show: false },
    });
  });
  const centres = BUCKETS.map((_, b) => b + (currencies.length - 1) / 2 / slots);
  draw(
    container,
    {
      title: `Aging as of ${report.asOf} (% of open receivables)`,
      scales: { x: { time: false, range: [-0.5 / slots, BUCKETS.length - 1 / slots] }, y: { range: [0, 100] } },
      axes: [{ splits: () => centres, values: (_u, splits) => splits.map((_, i) => `${BUCKETS[i]}${i === 0 ? '' : ' days'}`) }, {}],
      series,
    },
    data,
  );
}

/** The approved-as-drafted rate per scope as points, its Wilson 95% interval as a band, and the edit rate. */
function ratesChart(container, decisions) {
  const scopes = decisions.scopes.filter((s) => s.rates.approvedAsDrafted.count > 0);
  const xs = scopes.map((_, i) => i + 1);
  const val = (r) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10);
  const lo = (r) => (r.lower === null ? null : Math.round(r.lower * 1000) / 10);
  const hi = (r) => (r.upper === null ? null : Math.round(r.upper * 1000) / 10);
  const data = [
    xs,
    scopes.map((s) => val(s.rates.approvedAsDrafted)),
    scopes.map((s) => hi(s.rates.approvedAsDrafted)),
    scopes.map((s) => lo(s.rates.approvedAsDrafted)),
    scopes.map((s) => val(s.rates.approvedWithEdits)),
  ];
  const dots = (colour) => ({ stroke: colour, paths: () => null, points: { show: true, size: 9, fill: colour } });
  draw(
    container,
    {
      title: 'Approved as drafted per scope (%), with its 95% interval; edited (%)',
      scales: { x: { time: false, range: [0.5, xs.length + 0.5] }, y: { range: [0, 100] } },
      axes: [{ splits: () => xs, values: (_u, splits) => splits.map((x) => `#${x}`) }, {}],
      bands: [{ series: [2, 3], fill: 'rgba(31, 111, 235, 0.15)' }],
      series: [
        { label: 'scope' },
        { label: 'approved as drafted', ...dots('#1f6feb') },
        { label: 'interval upper', stroke: 'rgba(31, 111, 235, 0.5)', width: 1, points: { show: false } },
        { label: 'interval lower', stroke: 'rgba(31, 111, 235, 0.5)', width: 1, points: { show: false } },
        { label: 'approved with edits', ...dots('#9a6700') },
      ],
    },
    data,
  );
  $('rates-table').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        [
          '#',
          'scope (action | tier | segment | amount band)',
          'decisions',
          'as drafted',
          '95% interval',
          'edited',
          '95% interval',
          'rejected',
          'autonomous',
        ].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      scopes.map((s, i) =>
        el(
          'tr',
          {},
          el('td', {}, `#${i + 1}`),
          el('td', {}, s.key),
          el('td', {}, s.counts.total),
          el('td', {}, pct(s.rates.approvedAsDrafted)),
          el('td', {}, interval(s.rates.approvedAsDrafted)),
          el('td', {}, pct(s.rates.approvedWithEdits)),
          el('td', {}, interval(s.rates.approvedWithEdits)),
          el('td', {}, pct(s.rates.rejected)),
          el('td', {}, s.counts.autonomous),
        ),
      ),
    ),
  );
}

function tuningTable(decisions) {
  const rows = decisions.tuning;
  $('tuning-table').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['tier', 'step', 'drafts', 'edited', 'rejected', 'top edit', 'what it says'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.length === 0
        ? el('tr', {}, el('td', { colspan: 7 }, 'No draft was decided by a person in this window.'))
        : rows.map((t) =>
            el(
              'tr',
              {},
              el('td', {}, t.tier),
              el('td', {}, t.stepKey),
              el('td', {}, t.drafts),
              el('td', {}, `${pct(t.editRate)} (${t.edits})`),
              el('td', {}, `${pct(t.rejectionRate)} (${t.rejections})`),
              el('td', {}, t.topEditCategory ?? '—'),
              el('td', {}, t.sentence),
            ),
          ),
    ),
  );
}

async function load() {
  $('status').textContent = 'Loading…';
  const [history, report, decisions] = await Promise.all([
    api('/api/metrics/history?limit=400'),
    api('/api/metrics'),
    api('/api/metrics/decisions'),
  ]);
  const baseline = history.items.find((s) => s.kind === 'baseline');
  $('trend-note').textContent =
    `${history.items.filter((s) => s.kind === 'daily').length} daily snapshots; ` +
    (baseline
      ? `baseline of ${baseline.asOf}${baseline.note ? `: "${baseline.note}"` : ''}`
      : 'no baseline yet (ar metrics baseline --note …)');
  trendChart($('chart-dso'), 'DSO', 'days', history.items, [
    ['DSO standard', (m) => m.dsoStandardDays],
    ['DSO countback', (m) => m.dsoCountbackDays],
  ]);
  trendChart($('chart-cei'), 'CEI', '%', history.items, [['CEI', (m) => m.ceiPercent]]);
  $('aging-note').textContent = Object.entries(report.byCurrency)
    .map(([cur, m]) => `${cur} ${m.arOpen} open`)
    .join(' · ');
  agingChart($('chart-aging'), report);
  $('rates-note').textContent =
    `${decisions.decisions} decisions from ${decisions.windowFrom.slice(0, 10)} to ${decisions.asOf.slice(0, 10)}`;
  ratesChart($('chart-rates'), decisions);
  tuningTable(decisions);
  // The rollout panels (dashboard-rollout.js): phase, scopes, evidence, timeline and the review queue.
  if (window.arRollout) await window.arRollout.load(token);
  $('status').textContent = `As of ${report.asOf}.`;
  document.body.dataset.loaded = 'true';
}

async function signIn(candidate) {
  token = candidate;
  try {
    const me = await api('/api/me');
    sessionStorage.setItem(TOKEN_KEY, token);
    $('who-name').textContent = me.name;
    $('who-role').textContent = me.role;
    $('who').hidden = false;
    $('sign-in').hidden = true;
    $('app').hidden = false;
    await load();
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('sign-in-error').textContent = e.status === 401 ? 'That token is not valid.' : e.message;
  }
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('token').value.trim());
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});
if (token) signIn(token);
