// The approvals page: vanilla JS, no build step. Talks to /api with the signed-in user's token
// (kept in sessionStorage: closes with the tab). Every string from the server goes in as text,
// never as HTML.
'use strict';

const TOKEN_KEY = 'ar.admin.token';
const PAGE_SIZE = 25;
/** The API's edit categories (domain/edit-categories.ts), with what an approver reads. */
const EDIT_CATEGORIES = [
  ['tone', 'Tone (softer or firmer)'],
  ['amount', 'Amount or invoice facts'],
  ['contact', 'Who it goes to'],
  ['timing', 'Timing'],
  ['wording', 'Wording'],
  ['other', 'Something else'],
];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: null,
  items: [],
  total: 0,
  nextCursor: null,
  filters: {},
  current: 0,
  /** The one card in edit or reject mode: { id, mode: 'edit' | 'reject' } */
  open: null,
  busy: new Set(),
  errors: new Map(),
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// ---- API --------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${state.token}` };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method: options.method || 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: { message: text.slice(0, 200) } };
  }
  if (res.status === 401 && state.me) {
    signOut('Your session ended (the token is unknown or revoked). Sign in again.');
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// ---- formatting -------------------------------------------------------------------------

function money(m) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.amount);
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

/** "5,000.00 USD": grouped digits and the currency code, for limits named in messages. */
function amountWithCode(m) {
  const decimals = (String(m.amount).split('.')[1] || '').length;
  try {
    return `${new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(m.amount)} ${m.currency}`;
  } catch {
    return `${m.amount} ${m.currency}`;
  }
}

function age(seconds) {
  if (seconds < 90) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ago`;
}

/** Only reminder drafts have text to edit (a write-off proposal is approved or rejected as is). */
function editable(item) {
  return item.actionKind === 'reminder';
}

function canDecide(item) {
  const me = state.me;
  if (!me || !me.permissions.includes('decide')) return { ok: false, why: `A ${me ? me.role : 'viewer'} cannot decide proposals` };
  const limits = myLimits(me);
  if (limits) {
    const limit = limits.find((l) => l.currency === item.amount.currency);
    if (!limit) return { ok: false, why: `no limit in ${item.amount.currency} (yours: ${limits.map(amountWithCode).join(', ')})` };
    if (Number(item.amount.minor) > Number(limit.minor)) return { ok: false, why: `over your limit of ${amountWithCode(limit)}` };
  }
  return { ok: true };
}

/** The signed-in user's limits, one per currency, or null for unlimited (older servers send only `limit`). */
function myLimits(me) {
  if (Array.isArray(me.limits)) return me.limits.length ? me.limits : null;
  return me.limit ? [me.limit] : null;
}

// ---- sign in ----------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api('/api/me');
  } catch (e) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    throw e;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('who-name').textContent = state.me.name;
  const limits = myLimits(state.me);
  $('who-role').textContent = limits ? `${state.me.role} · up to ${limits.map(money).join(' · ')}` : state.me.role;
  $('who').hidden = false;
  $('sign-in').hidden = true;
  $('app').hidden = false;
  await Promise.all([load(true), showSendsSwitch()]);
  focusCard(0);
}

/** The kill switch (ar sends pause): an approver must know that nothing approved goes out for now. */
async function showSendsSwitch() {
  try {
    const s = await api('/api/sends');
    $('sends-held').hidden = !s.held;
    $('sends-held').textContent = s.held
      ? `All sends are paused since ${s.since.slice(0, 16).replace('T', ' ')} UTC by ${s.by}: ${s.reason}. Approved reminders wait and go out after resume.`
      : '';
  } catch {
    $('sends-held').hidden = true;
  }
}

function signOut(message) {
  state.token = null;
  state.me = null;
  state.items = [];
  sessionStorage.removeItem(TOKEN_KEY);
  $('who').hidden = true;
  $('sends-held').hidden = true;
  $('app').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

// ---- loading ----------------------------------------------------------------------------

function readFilters() {
  const f = {};
  for (const [k, v] of new FormData($('filters')).entries()) {
    const s = String(v).trim();
    if (s) f[k] = k === 'currency' ? s.toUpperCase() : s;
  }
  return f;
}

async function load(reset) {
  const params = new URLSearchParams({ status: 'pending', limit: String(PAGE_SIZE), ...state.filters });
  if (!reset && state.nextCursor) params.set('cursor', state.nextCursor);
  try {
    const page = await api(`/api/approvals?${params}`);
    const items = reset ? page.items : state.items.concat(page.items.filter((i) => !state.items.some((x) => x.id === i.id)));
    state.items = decidableFirst(items);
    state.total = page.total;
    state.nextCursor = page.nextCursor;
    if (reset) state.current = 0;
    setStatus('');
  } catch (e) {
    if (e.status !== 401) setStatus(e.message, true);
  }
  render();
}

/** What the signed-in user can decide comes first; each group keeps the server's order (oldest first). */
function decidableFirst(items) {
  const ok = items.filter((i) => canDecide(i).ok);
  return ok.concat(items.filter((i) => !canDecide(i).ok));
}

// ---- rendering --------------------------------------------------------------------------

function setStatus(message, isError) {
  const s = $('status');
  s.textContent = message;
  s.classList.toggle('error', !!isError);
}

function renderCount() {
  const shown = state.items.length;
  $('count').textContent =
    state.total === 0 ? 'Nothing waiting for a decision.' : `${state.total} pending${shown < state.total ? ` · showing ${shown}` : ''}`;
  $('more').hidden = !state.nextCursor;
}

function cardId(item) {
  return `p-${item.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function renderCard(item, index) {
  const id = cardId(item);
  const decide = canDecide(item);
  const busy = state.busy.has(item.id);
  const mode = state.open && state.open.id === item.id ? state.open.mode : 'view';
  const overdue = item.invoice.daysOverdue;

  const header = el(
    'header',
    {},
    el('h3', { id: `${id}-title` }, `${item.customer.name} · ${item.invoice.number}`),
    el(
      'div',
      {},
      el('span', { class: `badge tier-${item.customer.tier}` }, item.customer.tier),
      ' ',
      overdue > 0
        ? el('span', { class: 'badge overdue' }, `${overdue} ${overdue === 1 ? 'day' : 'days'} overdue`)
        : el('span', { class: 'badge' }, `due ${item.invoice.dueDate}`),
      item.escalated ? el('span', { class: 'badge escalated' }, ' escalated') : null,
    ),
  );

  const meta = el(
    'dl',
    { class: 'meta' },
    el('dt', {}, 'Open'),
    el('dd', {}, el('span', { class: 'amount' }, money(item.invoice.open)), ` of ${money(item.invoice.amount)}`),
    el('dt', {}, 'Due'),
    el('dd', {}, `due ${item.invoice.dueDate}`),
    el('dt', {}, 'Step'),
    el('dd', {}, `${item.stepKey} · ${item.draft.tone}`),
    el('dt', {}, 'Policy'),
    el('dd', {}, `policy v${item.policyVersion}`),
    el('dt', {}, 'Proposed'),
    el('dd', { title: item.createdAt }, `proposed ${age(item.ageSeconds)}`),
  );

  let draft;
  if (mode === 'edit') {
    draft = el(
      'div',
      { class: 'editor' },
      el('label', { for: `${id}-subject` }, 'Subject'),
      el('input', { id: `${id}-subject`, value: item.draft.subject, maxlength: 300 }),
      el('label', { for: `${id}-body` }, 'Message'),
      el(
        'textarea',
        { id: `${id}-body`, maxlength: 20000, onkeydown: (e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && submitEdit(item) },
        item.draft.body,
      ),
      // What the edits changed: counted per tier and step, so the team learns which policy to fix.
      el('label', { for: `${id}-category` }, 'What did you change?'),
      el(
        'select',
        { id: `${id}-category` },
        el('option', { value: '' }, 'choose…'),
        EDIT_CATEGORIES.map(([value, label]) => el('option', { value }, label)),
      ),
      el('label', { for: `${id}-edit-note` }, 'Why (optional)'),
      el('input', { id: `${id}-edit-note`, maxlength: 2000, placeholder: 'e.g. long-standing customer, softer opening' }),
      el('p', { id: `${id}-edit-error`, class: 'error', role: 'alert' }),
    );
  } else {
    draft = el('div', { class: 'draft' }, el('p', { class: 'subject' }, item.draft.subject), el('p', { class: 'body' }, item.draft.body));
  }

  const reasoning = el('p', { class: 'reasoning' }, el('strong', {}, 'Why:'), item.reasoning);

  let buttons;
  const disabled = !decide.ok || busy;
  if (mode === 'edit') {
    buttons = el(
      'div',
      { class: 'buttons' },
      el('button', { type: 'button', class: 'approve', disabled, onclick: () => submitEdit(item) }, 'Approve with edits'),
      el('button', { type: 'button', onclick: () => closeMode(item) }, 'Cancel'),
      el('span', { class: 'hint' }, 'Ctrl+Enter approves · Esc cancels'),
    );
  } else if (mode === 'reject') {
    buttons = el(
      'form',
      { class: 'buttons', onsubmit: (e) => (e.preventDefault(), submitReject(item)) },
      el('label', { for: `${id}-reason`, class: 'visually-hidden' }, 'Reason'),
      el('input', { id: `${id}-reason`, placeholder: 'Reason for rejecting (required)', required: true, maxlength: 2000 }),
      el('button', { type: 'submit', class: 'reject', disabled }, 'Reject'),
      el('button', { type: 'button', onclick: () => closeMode(item) }, 'Cancel'),
    );
  } else {
    buttons = el(
      'div',
      { class: 'buttons' },
      el('button', { type: 'button', class: 'approve', disabled, 'aria-keyshortcuts': 'a', onclick: () => approve(item) }, 'Approve'),
      el(
        'button',
        {
          type: 'button',
          disabled: disabled || !editable(item),
          title: editable(item) ? null : 'Only a reminder draft can be edited',
          'aria-keyshortcuts': 'e',
          onclick: () => openMode(item, 'edit'),
        },
        'Edit',
      ),
      el(
        'button',
        { type: 'button', class: 'reject', disabled, 'aria-keyshortcuts': 'r', onclick: () => openMode(item, 'reject') },
        'Reject',
      ),
      el(
        'button',
        { type: 'button', class: 'link', 'aria-keyshortcuts': 'x', onclick: () => window.arExplain.toggle(item, rerenderCard) },
        window.arExplain.isOpen(item) ? 'Hide explanation' : 'Explain',
      ),
      decide.ok ? el('span', { class: 'hint' }, 'a · e · r · x') : el('span', { class: 'hint' }, decide.why),
    );
  }

  const error = state.errors.get(item.id);
  return el(
    'article',
    {
      id,
      class: `proposal${index === state.current ? ' current' : ''}${busy ? ' busy' : ''}`,
      tabindex: 0,
      'aria-labelledby': `${id}-title`,
      'aria-busy': busy ? 'true' : null,
      'data-id': item.id,
      // Looked up at focus time: indexes shift as decided items leave the list.
      onfocusin: () => setCurrent(state.items.indexOf(item), false),
    },
    header,
    meta,
    draft,
    reasoning,
    error ? el('p', { class: 'card-error', role: 'alert' }, error) : null,
    buttons,
    window.arExplain.panel(item, rerenderCard),
  );
}

function render() {
  const queue = $('queue');
  const hadFocus = queue.contains(document.activeElement);
  queue.replaceChildren(
    ...(state.items.length
      ? state.items.map(renderCard)
      : [el('p', { class: 'empty' }, state.me ? 'Nothing waiting for a decision.' : '')]),
  );
  renderCount();
  if (hadFocus) focusCard(state.current);
}

function rerenderCard(item) {
  const index = state.items.indexOf(item);
  const old = document.getElementById(cardId(item));
  if (!old || index < 0) return render();
  old.replaceWith(renderCard(item, index));
}

// ---- focus and keyboard -----------------------------------------------------------------

function setCurrent(index, focus = true) {
  if (!state.items.length) return;
  const next = Math.max(0, Math.min(index, state.items.length - 1));
  if (next !== state.current) {
    document.querySelectorAll('.proposal.current').forEach((n) => n.classList.remove('current'));
    state.current = next;
    const card = document.getElementById(cardId(state.items[next]));
    if (card) card.classList.add('current');
  }
  if (focus) focusCard(next);
}

function focusCard(index) {
  const item = state.items[index];
  if (!item) {
    $('queue').focus();
    return;
  }
  const card = document.getElementById(cardId(item));
  if (card) {
    card.focus();
    card.scrollIntoView({ block: 'nearest' });
  }
}

function currentItem() {
  return state.items[state.current];
}

document.addEventListener('keydown', (e) => {
  if (!state.me || $('app').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  const typing =
    t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  const item = currentItem();
  if (e.key === 'Escape') {
    if (item && state.open && state.open.id === item.id) {
      e.preventDefault();
      closeMode(item);
    }
    return;
  }
  if (typing) return;
  if (item && e.key === 'x' && !state.open) {
    // Anyone may read why: explaining needs no decide permission.
    e.preventDefault();
    window.arExplain.toggle(item, rerenderCard);
    return;
  }
  if (item && (e.key === 'a' || e.key === 'e' || e.key === 'r') && !canDecide(item).ok) {
    // Say why nothing happens rather than ignore the key.
    e.preventDefault();
    setStatus(`Cannot decide ${item.invoice.number}: ${canDecide(item).why}.`, true);
    return;
  }
  switch (e.key) {
    case 'j':
      e.preventDefault();
      setCurrent(state.current + 1);
      break;
    case 'k':
      e.preventDefault();
      setCurrent(state.current - 1);
      break;
    case 'a':
      if (item && canDecide(item).ok && !state.open) {
        e.preventDefault();
        approve(item);
      }
      break;
    case 'e':
      if (item && canDecide(item).ok && editable(item)) {
        e.preventDefault();
        openMode(item, 'edit');
      }
      break;
    case 'r':
      if (item && canDecide(item).ok) {
        e.preventDefault();
        openMode(item, 'reject');
      }
      break;
  }
});

// ---- decisions --------------------------------------------------------------------------

function openMode(item, mode) {
  const previous = state.open && state.items.find((i) => i.id === state.open.id);
  state.open = { id: item.id, mode };
  if (previous && previous !== item) rerenderCard(previous);
  state.current = state.items.indexOf(item);
  rerenderCard(item);
  const id = cardId(item);
  const target = document.getElementById(mode === 'edit' ? `${id}-subject` : `${id}-reason`);
  if (target) target.focus();
}

function closeMode(item) {
  state.open = null;
  rerenderCard(item);
  focusCard(state.items.indexOf(item));
}

function approve(item) {
  return decide(item, 'approve', {});
}

function submitEdit(item) {
  const id = cardId(item);
  const subject = document.getElementById(`${id}-subject`).value;
  const body = document.getElementById(`${id}-body`).value;
  const edits = {};
  if (subject !== item.draft.subject) edits.subject = subject;
  if (body !== item.draft.body) edits.body = body;
  if (!Object.keys(edits).length) return decide(item, 'approve', {});
  const editCategory = document.getElementById(`${id}-category`).value;
  const editNote = document.getElementById(`${id}-edit-note`).value.trim();
  if (!editCategory) {
    // Said in place (no re-render), so the typed edits stay.
    document.getElementById(`${id}-edit-error`).textContent = 'Say what you changed before approving with edits.';
    document.getElementById(`${id}-category`).focus();
    return;
  }
  return decide(item, 'approve', { edits, editCategory, ...(editNote ? { editNote } : {}) });
}

function submitReject(item) {
  const input = document.getElementById(`${cardId(item)}-reason`);
  const reason = input.value.trim();
  if (!reason) {
    state.errors.set(item.id, 'A rejection needs a reason.');
    rerenderCard(item);
    document.getElementById(`${cardId(item)}-reason`).focus();
    return;
  }
  return decide(item, 'reject', { reason });
}

function logDecision(kind, item, text) {
  const li = el(
    'li',
    {},
    el('span', { class: `outcome ${kind}` }, kind === 'conflict' ? 'Not decided' : kind[0].toUpperCase() + kind.slice(1)),
    `${item.invoice.number} · ${item.customer.name} — ${text}`,
  );
  $('decided-list').prepend(li);
}

function removeItem(item) {
  const index = state.items.indexOf(item);
  if (index < 0) return;
  state.items.splice(index, 1);
  state.total = Math.max(0, state.total - 1);
  if (state.open && state.open.id === item.id) state.open = null;
  state.current = Math.min(index, state.items.length - 1);
  const card = document.getElementById(cardId(item));
  if (card) card.remove();
  document.querySelectorAll('.proposal').forEach((n, i) => n.classList.toggle('current', i === state.current));
  if (!state.items.length) render();
  renderCount();
  focusCard(state.current);
  // Keep the list full when a page empties out.
  if (state.items.length < 5 && state.nextCursor) load(false);
}

async function decide(item, decision, body) {
  if (state.busy.has(item.id)) return;
  state.busy.add(item.id);
  state.errors.delete(item.id);
  rerenderCard(item);
  try {
    const outcome = await api(`/api/approvals/${encodeURIComponent(item.id)}/${decision}`, { method: 'POST', body });
    state.busy.delete(item.id);
    const edited = body.edits ? ` (edited: ${body.editCategory})` : '';
    const kind = outcome.outcome === 'rejected' ? 'rejected' : 'approved';
    logDecision(kind, item, `${outcome.detail}${edited}`);
    setStatus(`${kind === 'approved' ? 'Approved' : 'Rejected'} ${item.invoice.number}${edited}.`);
    removeItem(item);
  } catch (e) {
    state.busy.delete(item.id);
    if (e.status === 401) return;
    if (e.status === 409 || e.status === 404) {
      // Someone else decided it, or it was superseded: it is no longer ours to decide.
      logDecision('conflict', item, e.message);
      setStatus(e.message, true);
      removeItem(item);
      return;
    }
    state.errors.set(item.id, e.message);
    rerenderCard(item);
    focusCard(state.items.indexOf(item));
  }
}

// ---- wiring -----------------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  $('sign-in-error').textContent = '';
  try {
    await signIn(token);
  } catch (err) {
    $('sign-in-error').textContent = err.status === 401 ? 'That token is not valid.' : err.message;
  }
});

$('sign-out').addEventListener('click', () => signOut(''));

$('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  state.filters = readFilters();
  load(true);
});
$('filters').addEventListener('reset', () => {
  setTimeout(() => {
    state.filters = {};
    load(true);
  });
});
$('f-decidable').addEventListener('change', () => {
  state.filters = readFilters();
  load(true);
});
$('f-tier').addEventListener('change', () => {
  state.filters = readFilters();
  load(true);
});

$('more').addEventListener('click', () => load(false));

if (state.token) {
  signIn(state.token).catch(() => signOut('Sign in again.'));
} else {
  $('token').focus();
}
