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

// Amounts stay decimal strings in the credit's own precision; sums are done in integer minor units.
function toMinor(amount, places) {
  const [whole, frac = ''] = String(amount).trim().split('.');
  return BigInt(whole || '0') * 10n ** BigInt(places) + BigInt((frac + '0'.repeat(places)).slice(0, places) || '0');
}
function fromMinor(minor, places) {
  const s = minor.toString().padStart(places + 1, '0');
  return places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
}

// Allocations of one credit: rows of invoice and amount, filled by hand or from a search of the
// open invoices in the credit's currency (GET /api/invoices).
function allocationEditor(t, initial, submitLabel, onSubmit) {
  const places = (String(t.amount).split('.')[1] || '').length;
  const rows = el('div', { class: 'alloc-rows' });
  const form = el('form', { class: 'apply' }, rows);
  let n = 0;
  function addRow(invoiceNumber = '', amount = '') {
    const i = `${t.id}-${n++}`;
    const remove = el('button', { type: 'button', class: 'remove', text: 'Remove' });
    const row = el(
      'div',
      { class: 'alloc-row' },
      el('label', { for: `inv-${i}`, text: 'Invoice' }),
      el('input', { id: `inv-${i}`, name: 'invoiceNumber', required: '', value: invoiceNumber }),
      el('label', { for: `amt-${i}`, text: 'Amount' }),
      el('input', { id: `amt-${i}`, name: 'amount', inputmode: 'decimal', required: '', value: amount }),
      remove,
    );
    remove.addEventListener('click', () => {
      if (rows.children.length > 1) row.remove();
    });
    rows.append(row);
  }
  function remaining() {
    let left = toMinor(t.amount, places);
    for (const input of rows.querySelectorAll('input[name=amount]')) if (input.value.trim()) left -= toMinor(input.value, places);
    return left;
  }
  // A picked invoice fills the empty row, or adds one, with what is left of the credit (at most its open amount).
  function pick(inv) {
    const open = BigInt(inv.openMinor);
    const left = remaining();
    const empty = [...rows.children].find((r) => !r.querySelector('input[name=invoiceNumber]').value.trim());
    if (empty) {
      const amountInput = empty.querySelector('input[name=amount]');
      amountInput.value = '';
      const rest = remaining();
      empty.querySelector('input[name=invoiceNumber]').value = inv.number;
      amountInput.value = fromMinor(rest < open ? (rest > 0n ? rest : 0n) : open, places);
    } else addRow(inv.number, fromMinor(left < open ? (left > 0n ? left : 0n) : open, places));
  }
  for (const a of initial.length ? initial : [{ invoiceNumber: '', amount: t.amount }]) addRow(a.invoiceNumber, a.amount);

  const search = el('input', { id: `find-${t.id}`, type: 'search', autocomplete: 'off', placeholder: 'number, customer or PO' });
  const results = el('ul', { class: 'results', 'aria-label': 'Open invoices found' });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim();
    if (!q) return results.replaceChildren();
    timer = setTimeout(async () => {
      try {
        const found = await api(`/api/invoices?${new URLSearchParams({ q, currency: t.currency, limit: '8' })}`);
        results.replaceChildren(
          ...found.items.map((inv) => {
            const b = el('button', {
              type: 'button',
              class: 'pick',
              text: `${inv.number} · ${inv.customerName} · ${inv.openAmount} ${inv.currency} open · due ${inv.dueDate}`,
            });
            b.addEventListener('click', () => pick(inv));
            return el('li', {}, b);
          }),
        );
        if (!found.items.length)
          results.replaceChildren(el('li', { class: 'empty', text: `No open ${t.currency} invoice matches “${q}”.` }));
      } catch (e) {
        say(e.message);
      }
    }, 250);
  });
  const add = el('button', { type: 'button', text: 'Add a row' });
  add.addEventListener('click', () => addRow('', fromMinor(remaining() > 0n ? remaining() : 0n, places)));
  form.append(
    el('div', { class: 'find' }, el('label', { for: `find-${t.id}`, text: 'Find invoice' }), search, results),
    add,
    el('button', { type: 'submit', class: 'primary', text: submitLabel }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const allocations = [...rows.children].map((r) => ({
      invoiceNumber: r.querySelector('input[name=invoiceNumber]').value.trim(),
      amount: r.querySelector('input[name=amount]').value.trim(),
    }));
    onSubmit(allocations);
  });
  return form;
}

function proposalItem(p) {
  const t = p.transaction;
  const alloc = t.allocations.map((a) => `${a.invoiceNumber} ${a.amount}`).join(', ');
  const change = el('button', { type: 'button', class: 'change', text: 'Change allocations' });
  const item = el(
    'li',
    { class: 'card', dataset: { id: p.id } },
    el('p', { text: describe(t) }),
    el('p', { class: 'alloc', text: `Proposed: ${alloc} (confidence ${t.confidence})` }),
    el('ul', {}, ...p.evidence.map((line) => el('li', { text: line }))),
    el('button', { type: 'button', class: 'primary approve', text: 'Approve' }),
    change,
    el('button', { type: 'button', class: 'reject', text: 'Reject' }),
  );
  // Approving with other allocations than proposed: the same apply, with the person's allocations.
  change.addEventListener('click', () => {
    change.hidden = true;
    item.append(
      allocationEditor(t, t.allocations, 'Apply these allocations', (allocations) =>
        decide(p.id, 'apply', { allocations }, `Applied ${t.entryRef || t.id} to ${allocations.map((a) => a.invoiceNumber).join(', ')}`),
      ),
    );
  });
  return item;
}

function unappliedItem(t) {
  const form = allocationEditor(t, [], 'Apply', (allocations) =>
    decide(t.id, 'apply', { allocations }, `Applied ${t.entryRef || t.id} to ${allocations.map((a) => a.invoiceNumber).join(', ')}`),
  );
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
