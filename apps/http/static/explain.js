// The explanation panel of the approvals page: what the invoice's workflow did so far and why
// (GET /api/invoices/:number/explain, the answer of `ar explain`). Loaded after app.js; uses its
// el() and api(). Every string from the server goes in as text.
/** invoice number → { status: 'loading' | 'done' | 'error', data, error, replay } */
const explanations = new Map();

function explainPanel(item, rerender) {
  const entry = explanations.get(item.invoice.number);
  if (!entry) return null;
  const title = el('h4', {}, `What happened to ${item.invoice.number}, and why`);
  if (entry.status === 'loading') return el('section', { class: 'explain', 'aria-busy': 'true' }, title, el('p', {}, 'Loading…'));
  if (entry.status === 'error') return el('section', { class: 'explain' }, title, el('p', { class: 'error', role: 'alert' }, entry.error));
  const e = entry.data;
  const actions = e.actions.length
    ? el('ol', { class: 'explain-actions' }, e.actions.map(explainAction))
    : el('p', {}, 'No customer-facing action yet.');
  const events = e.events.length
    ? el(
        'ul',
        { class: 'explain-events' },
        e.events.map((ev) => el('li', {}, `${ev.at.slice(0, 16).replace('T', ' ')} ${ev.what}${ev.by ? ` (${ev.by})` : ''}`)),
      )
    : null;
  const replay =
    entry.replay === undefined
      ? 'Replay today: checking…'
      : entry.replay === null
        ? 'Replay today: could not be checked'
        : entry.replay.deterministic
          ? `Replay today: deterministic (${entry.replay.events} events)`
          : `Replay today: NOT deterministic — ${entry.replay.error}`;
  if (entry.replay === undefined && !entry.replayAsked) void checkReplay(item, rerender);
  return el('section', { class: 'explain' }, title, actions, events, el('p', { class: 'explain-replay' }, replay));
}

function explainAction(a) {
  const f = a.why.facts;
  const facts = [
    f.balance ? `balance ${f.balance.amount} ${f.balance.currency}` : null,
    f.daysOverdue === null ? null : `${f.daysOverdue} ${Math.abs(f.daysOverdue) === 1 ? 'day' : 'days'} overdue`,
    `${f.contactCount} earlier ${f.contactCount === 1 ? 'contact' : 'contacts'}`,
    f.promise ? `promise to pay by ${f.promise.date}` : 'no promise',
    f.dispute ? `dispute: ${f.dispute.reason}` : 'no dispute',
  ].filter(Boolean);
  const d = a.decision;
  return el(
    'li',
    { 'data-step': a.stepKey },
    el('strong', {}, `${a.stepKey}: ${a.outcome}`),
    a.text ? ` — “${a.text.subject}”` : '',
    a.why.reasoning ? el('p', {}, `Why: ${a.why.reasoning}`) : null,
    el('p', {}, `Facts: ${facts.join('; ')}`),
    a.when.ladderStep || a.when.sendWindow
      ? el('p', {}, `When: ${[a.when.ladderStep, a.when.sendWindow].filter(Boolean).join('; ')}`)
      : null,
    d
      ? el(
          'p',
          {},
          `${d.outcome} by ${d.by} at ${d.at.slice(0, 16).replace('T', ' ')}${d.edited ? ` (edited: ${d.editCategory || 'text'})` : ''}`,
        )
      : null,
    el('p', {}, `Policy v${a.policyVersion ?? '?'}${a.rolloutPhase ? `, rollout phase ${a.rolloutPhase}` : ''}`),
  );
}

/** Opens (loading it) or closes the panel of an item. */
async function toggleExplain(item, rerender) {
  const number = item.invoice.number;
  if (explanations.has(number)) {
    explanations.delete(number);
    rerender(item);
    return;
  }
  explanations.set(number, { status: 'loading' });
  rerender(item);
  try {
    const data = await api(`/api/invoices/${encodeURIComponent(number)}/explain?replay=false`);
    if (explanations.has(number)) explanations.set(number, { status: 'done', data });
  } catch (err) {
    if (explanations.has(number)) explanations.set(number, { status: 'error', error: `Could not explain ${number}: ${err.message}` });
  }
  rerender(item);
}

/** The replay verdict comes second: the first replay in the server bundles the workflow code. */
async function checkReplay(item, rerender) {
  const number = item.invoice.number;
  const entry = explanations.get(number);
  entry.replayAsked = true; // once per opening
  try {
    entry.replay = (await api(`/api/invoices/${encodeURIComponent(number)}/explain`)).replay;
  } catch {
    entry.replay = null;
  }
  if (explanations.get(number) === entry) rerender(item);
}

// What app.js calls: one name on window, so the page's scripts share no other globals.
window.arExplain = {
  panel: explainPanel,
  toggle: toggleExplain,
  isOpen: (item) => explanations.has(item.invoice.number),
};
