// The cash application page: cash-match proposals to approve or reject, and the unapplied queue
// to apply by hand. Vanilla JS, the approvals page's token (sessionStorage). Server strings go in
// as text, never as HTML.
const TOKEN_KEY = 'ar.admin.token';
let token = sessionStorage.getItem(TOKEN_KEY);

async function api(path, options = {}) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method: options.method || 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message || `HTTP ${res.status}`);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function say(text) {
  document.getElementById('status').textContent = text;
}

function describe(t) {
  return `${t.bookingDate} · ${t.amount} ${t.currency} · ${t.payer || 'unknown payer'} · ${t.remittance || '(no remittance)'} · ref ${t.entryRef || '—'}`;
}

async function decide(id, path, body, what) {
  try {
    await api(`/api/cash/${id}/${path}`, { method: 'POST', body });
    say(what);
    await load();
  } catch (e) {
    say(e.message);
  }
}

function proposalItem(p) {
  const t = p.transaction;
  const alloc = t.allocations.map((a) => `${a.invoiceNumber} ${a.amount}`).join(', ');
  return el(
    'li',
    { class: 'card', dataset: { id: p.id } },
    el('p', { text: describe(t) }),
    el('p', { class: 'alloc', text: `Proposed: ${alloc} (confidence ${t.confidence})` }),
    el('ul', {}, ...p.evidence.map((line) => el('li', { text: line }))),
    el('button', { type: 'button', class: 'primary approve', text: 'Approve' }),
    el('button', { type: 'button', class: 'reject', text: 'Reject' }),
  );
}

function unappliedItem(t) {
  const form = el(
    'form',
    { class: 'apply' },
    el('label', { for: `inv-${t.id}`, text: 'Invoice' }),
    el('input', { id: `inv-${t.id}`, name: 'invoiceNumber', required: '' }),
    el('label', { for: `amt-${t.id}`, text: 'Amount' }),
    el('input', { id: `amt-${t.id}`, name: 'amount', inputmode: 'decimal', value: t.amount, required: '' }),
    el('button', { type: 'submit', class: 'primary', text: 'Apply' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const allocations = [{ invoiceNumber: String(data.get('invoiceNumber')).trim(), amount: String(data.get('amount')).trim() }];
    decide(t.id, 'apply', { allocations }, `Applied ${t.entryRef || t.id} to ${allocations[0].invoiceNumber}`);
  });
  return el('li', { class: 'card', dataset: { id: String(t.id) } }, el('p', { text: describe(t) }), form);
}

async function load() {
  const [proposals, unapplied] = await Promise.all([api('/api/approvals?kind=cash_match'), api('/api/cash?status=unapplied')]);
  const list = document.getElementById('proposals');
  list.replaceChildren(...proposals.items.map(proposalItem));
  for (const li of list.children) {
    const id = li.dataset.id;
    li.querySelector('.approve').addEventListener('click', () => decide(id, 'apply', {}, `Approved ${id}`));
    li.querySelector('.reject').addEventListener('click', () =>
      decide(id, 'unapply', { reason: 'rejected on the cash page' }, `Rejected ${id}`),
    );
  }
  if (!proposals.items.length) list.replaceChildren(el('li', { class: 'empty', text: 'No cash-match proposals.' }));
  const queue = document.getElementById('unapplied');
  queue.replaceChildren(...unapplied.items.filter((t) => t.direction === 'credit').map(unappliedItem));
  if (!queue.children.length) queue.replaceChildren(el('li', { class: 'empty', text: 'No unapplied credits.' }));
}

function start() {
  document.getElementById('sign-in').hidden = true;
  document.getElementById('app').hidden = false;
  load().catch((e) => say(e.message));
}

document.getElementById('sign-in-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = document.getElementById('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  start();
});
if (token) start();
else document.getElementById('sign-in').hidden = false;
