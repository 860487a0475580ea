// The rollout panels of the dashboard: the phase and scopes in force, the evidence per scope
// against its thresholds (rates with their Wilson lower bounds), the timeline of decisions with
// what each saw and why, and the review queue, where an approver marks sampled autonomous actions
// right or wrong with a reason; and how far the latest policy version has reached the running workflows.
// Reads GET /api/rollout, /api/rollout/reviews and /api/policy/status. Server text goes in as text.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  let token = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    for (const c of children.flat())
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  async function call(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const out = await res.json().catch(() => null);
    if (!res.ok) throw new Error(out?.error?.message || `HTTP ${res.status}`);
    return out;
  }

  const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
  const table = (id, heads, rows, empty) =>
    $(id).replaceChildren(
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          heads.map((h) => el('th', {}, h)),
        ),
      ),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: heads.length }, empty))),
    );
  const checkCell = (checks, name) => {
    const c = checks.find((k) => k.name === name);
    return el('td', { class: c ? (c.pass ? 'pass' : 'fail') : '' }, c ? `${c.pass ? '✓' : '✗'} ${c.detail}` : '—');
  };

  function render(s) {
    const held = s.workflow.held ? ` · HELD by ${s.workflow.held.by}: ${s.workflow.held.note}` : '';
    $('rollout-note').textContent =
      `Phase ${s.phase} (${s.phases[s.phase]?.name ?? '?'}) in policy v${s.policyVersion}${held} · ` +
      (s.workflow.running ? `next evaluation ${s.workflow.nextEvaluationAt ?? '?'}` : 'ar-rollout is not running') +
      ` · ${s.reviews.open} review(s) open`;
    $('rollout-phases').replaceChildren(
      ...s.phases.map((p) =>
        el(
          'li',
          { class: p.index === s.phase ? 'current' : p.index < s.phase ? 'done' : 'later' },
          `${p.name}${p.grants.length ? ` — ${p.grants.join(', ')}` : ''}`,
        ),
      ),
    );
    table(
      'rollout-scopes',
      ['scope', 'action', 'tiers', 'mode', 'review sample'],
      s.scopes.map((sc) =>
        el(
          'tr',
          {},
          el('td', {}, sc.id ?? '(hand-written)'),
          el('td', {}, sc.action),
          el('td', {}, sc.tiers.join('/')),
          el('td', {}, sc.mode),
          el('td', {}, pct(sc.reviewSampleRate)),
        ),
      ),
      'No autonomy scope: every action is proposed to a person.',
    );
    const m = s.measurement;
    const rows = [...m.candidates.map((c) => ['promote?', c]), ...m.granted.map((g) => ['demote?', g])].map(([role, c]) => {
      const e = c.evidence;
      const checks = c.verdict.checks;
      return el(
        'tr',
        { 'data-scope': c.verdict.scopeId },
        el('td', {}, `${c.verdict.scopeId} (${role})`),
        el(
          'td',
          {},
          `${e.approvedAsDrafted}/${e.decided} as drafted; ${e.approvedWithEdits} edited; shadow agreement ${e.shadowAgreed}/${e.shadowDecided}; ${e.autonomous} autonomous, ${e.reviewedRight}/${e.reviewed} reviewed right`,
        ),
        el('td', {}, role === 'promote?' ? `${m.consecutive} passing evaluations in a row` : 'any failing check demotes'),
        role === 'promote?' ? checkCell(checks, 'approved_lower_bound') : checkCell(checks, 'reviewed_correct_lower_bound'),
        role === 'promote?' ? checkCell(checks, 'sample') : checkCell(checks, 'dispute_after_rate'),
        role === 'promote?' ? checkCell(checks, 'edit_rate') : checkCell(checks, 'bounce_complaint_rate'),
        el(
          'td',
          { class: c.verdict.pass ? 'pass' : 'fail' },
          c.verdict.pass ? (role === 'promote?' ? 'passes' : 'healthy') : role === 'promote?' ? 'not yet' : 'DEMOTE',
        ),
      );
    });
    table(
      'rollout-evidence',
      ['scope', 'evidence', 'rule', 'lower bound vs threshold', 'sample / disputes', 'edits / bounces', 'verdict'],
      rows,
      'The last phase is in force and nothing is granted.',
    );
    table(
      'rollout-timeline',
      ['when', 'decision', 'phase', 'by', 'policy', 'why'],
      s.timeline.map((t) =>
        el(
          'tr',
          { 'data-kind': t.kind },
          el('td', {}, t.at.replace('T', ' ').slice(0, 16)),
          el('td', {}, `${t.kind}${t.forced ? ' (forced)' : ''}`),
          el('td', {}, `${t.fromPhase} → ${t.toPhase}`),
          el('td', {}, t.decidedBy),
          el('td', {}, `v${t.policyVersion}`),
          el('td', {}, `${t.note ? `“${t.note}” — ` : ''}${t.why}`),
        ),
      ),
      'No evaluation yet.',
    );
  }

  function renderReviews(items) {
    table(
      'reviews-table',
      ['sampled', 'invoice', 'scope', 'what was sent', 'why it was sent', 'mark'],
      items.map((r) => {
        const reason = el('input', { type: 'text', placeholder: 'reason', 'aria-label': `reason for review ${r.id}` });
        const mark = (verdict) => async () => {
          $('reviews-error').textContent = '';
          try {
            await call('POST', `/api/rollout/reviews/${r.id}`, { verdict, reason: reason.value.trim() });
            await load(token);
          } catch (e) {
            $('reviews-error').textContent = e.message;
          }
        };
        const right = el('button', { type: 'button' }, 'Right');
        const wrong = el('button', { type: 'button', class: 'danger' }, 'Wrong');
        right.addEventListener('click', mark('right'));
        wrong.addEventListener('click', mark('wrong'));
        return el(
          'tr',
          { 'data-review': r.id },
          el('td', {}, r.sampledAt.replace('T', ' ').slice(0, 16)),
          el('td', {}, r.invoiceNumber ?? '—'),
          el('td', {}, r.scopeId ?? '—'),
          el('td', {}, r.subject ?? '—'),
          el('td', {}, r.reasoning ?? '—'),
          el('td', {}, reason, right, wrong),
        );
      }),
      'Nothing waits for review.',
    );
  }

  // One line: a publish answers at once and its fan-out tells the running workflows in the background.
  function renderFanOut(p) {
    const f = p.fanOut;
    $('policy-fanout').textContent = !f
      ? `Policy v${p.version}: no fan-out yet.`
      : `Policy v${f.version} told to running workflows: ${f.status}, ${f.signalled.total}${f.total === null ? '' : ` of ${f.total}`} signalled` +
        ` (${f.signalled.invoices} invoice, ${f.signalled.outreach} outreach), started ${f.startedAt}` +
        (f.finishedAt ? `, finished ${f.finishedAt}` : '') +
        (f.scope ? ` · ${f.scope}` : '') +
        (f.errors.length ? ` · ${f.errors.length} error(s): ${f.errors[0]}` : '');
  }

  async function load(t) {
    token = t;
    const [status, reviews, policy] = await Promise.all([
      call('GET', '/api/rollout'),
      call('GET', '/api/rollout/reviews?status=open'),
      call('GET', '/api/policy/status'),
    ]);
    render(status);
    renderReviews(reviews.items);
    renderFanOut(policy);
  }

  window.arRollout = { load };
})();
